/**
 * The differ on hand-built snapshots: matching, attributes reported raw, one change per extra/missing object,
 * options, rename pairing, deterministic order.
 */
import { describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import type { DiffOptions } from '../../src/core/diff/options.ts';
import type { Change } from '../../src/core/model/change.ts';
import type { Column, SchemaSnapshot, Table } from '../../src/core/model/schema.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { column, routine, schema, sequence, snapshot, table, tablesSnapshot, view } from './snapshot-factory.ts';

function diff(current: SchemaSnapshot, desired: SchemaSnapshot, options?: DiffOptions): Change[] {
  return diffSchemas({ current, desired, hooks: postgresHooks, ...(options ? { options } : {}) });
}

/** `action type name [attr,...]` lines. */
function summary(changes: Change[]): string[] {
  return changes.map((c) => {
    const owner = 'table' in c ? `${c.table}.` : '';
    const attrs = c.attributes.map((a) => a.name).join(',');
    return `${c.action} ${c.type} ${owner}${c.name}${attrs ? ` [${attrs}]` : ''}`;
  });
}

function withColumn(col: Column): Table {
  return table('t', { columns: [col] });
}

describe('diffSchemas', () => {
  it('returns nothing for identical snapshots', () => {
    const s = tablesSnapshot(table('a'), table('b'));
    expect(diff(s, structuredClone(s))).toEqual([]);
  });

  it('reports an extra and a missing table as one change each, carrying the whole table', () => {
    const users = table('users', { columns: [column('id'), column('email', 'text')] });
    const logs = table('logs');
    const changes = diff(tablesSnapshot(logs), tablesSnapshot(users));
    expect(summary(changes)).toEqual(['extra table logs', 'missing table users']);
    expect(changes[1]).toMatchObject({ desired: users, attributes: [] });
    expect(changes[0]).toMatchObject({ current: logs });
    expect(changes[0]).not.toHaveProperty('desired');
  });

  it.each<[string, Partial<Column>, Partial<Column>, string[]]>([
    ['type alias is noise', { type: { raw: 'int4' } }, { type: { raw: 'integer' } }, []],
    ['changed type', { type: { raw: 'bigint' } }, { type: { raw: 'integer' } }, ['type']],
    ['changed varchar length', { type: { raw: 'character varying(20)' } }, { type: { raw: 'varchar(30)' } }, ['type']],
    ['nullability', { nullable: false }, { nullable: true }, ['nullable']],
    ['changed default', { default: '1' }, { default: '2' }, ['default']],
    ['default added', { default: 'now()' }, { default: null }, ['default']],
    ['text vs varchar cast of the same literal is noise', { default: "'x'::text" }, { default: "'x'::character varying" }, []],
    ['different literal is drift', { default: "'x'::text" }, { default: "'y'::text" }, ['default']],
    ['"default" collation reads as none', { collation: '"default"' }, { collation: null }, []],
    ['changed collation', { collation: 'C' }, { collation: 'POSIX' }, ['collation']],
    ['comment', { comment: 'a' }, { comment: null }, ['comment']],
    [
      'identity options compared with the column',
      { identity: { generation: 'always', sequence: { type: 'bigint', start: '1', increment: '1', min: '1', max: '9', cache: '1', cycle: false } } },
      { identity: { generation: 'by default', sequence: { type: 'int8', start: '5', increment: '1', min: '1', max: '9', cache: '1', cycle: false } } },
      ['identity.generation', 'identity.sequence.start'],
    ],
    ['identity removed', { identity: { generation: 'always' } }, { identity: null }, ['identity']],
    [
      'generated expression',
      { generated: { expression: '(a * 2)', kind: 'stored' } },
      { generated: { expression: '(a * 3)', kind: 'stored' } },
      ['generated.expression'],
    ],
    ['dialect attrs, absent equals false', { attrs: { compression: 'lz4', x: false } }, { attrs: {} }, ['attrs.compression']],
    ['position ignored by default', { position: 1 }, { position: 2 }, []],
  ])('column: %s', (_label, desired, current, expected) => {
    const changes = diff(tablesSnapshot(withColumn(column('c', 'integer', current))), tablesSnapshot(withColumn(column('c', 'integer', desired))));
    expect(changes.flatMap((c) => c.attributes.map((a) => a.name))).toEqual(expected);
  });

  it('reports raw values: expected is desired, actual is current', () => {
    const desired = tablesSnapshot(withColumn(column('c', 'varchar(10)', { default: "'a'::character varying" })));
    const current = tablesSnapshot(withColumn(column('c', 'text', { default: "'b'::text" })));
    expect(diff(current, desired)).toEqual([
      expect.objectContaining({
        type: 'column',
        action: 'changed',
        schema: 'public',
        table: 't',
        name: 'c',
        attributes: [
          { name: 'type', expected: 'varchar(10)', actual: 'text' },
          { name: 'default', expected: "'a'::character varying", actual: "'b'::text" },
        ],
      }),
    ]);
  });

  it('compares column order only with checkColumnOrder', () => {
    const ab = table('t', { columns: [column('a', 'integer', { position: 1 }), column('b', 'integer', { position: 2 })] });
    const ba = table('t', { columns: [column('b', 'integer', { position: 1 }), column('a', 'integer', { position: 2 })] });
    expect(diff(tablesSnapshot(ab), tablesSnapshot(ba))).toEqual([]);
    expect(summary(diff(tablesSnapshot(ab), tablesSnapshot(ba), { checkColumnOrder: true }))).toEqual([
      'changed column t.a [position]',
      'changed column t.b [position]',
    ]);
  });

  it('compares table attributes, and the ACL only with checkPrivileges', () => {
    const desired = table('t', { comment: 'x', attrs: { unlogged: true }, acl: ['a=r/a'] });
    const current = table('t', { comment: null, attrs: { unlogged: false }, acl: ['a=rw/a'] });
    expect(summary(diff(tablesSnapshot(current), tablesSnapshot(desired)))).toEqual([
      'changed table t [comment,attrs.unlogged]',
    ]);
    expect(summary(diff(tablesSnapshot(current), tablesSnapshot(desired), { checkPrivileges: true }))).toEqual([
      'changed table t [comment,attrs.unlogged,acl]',
    ]);
  });

  it('passes the older server major to the ACL hook (MAINTAIN is noise against a PostgreSQL 15 side)', () => {
    const at = (major: number, acl: string[]) => snapshot([schema('public', { tables: [table('t', { acl })] })], { source: { description: 'x', serverMajor: major } });
    const options = { checkPrivileges: true };
    const pg18 = at(18, ['postgres=arwdDxtm/postgres']);
    expect(diff(at(15, ['postgres=arwdDxt/postgres']), pg18, options)).toEqual([]);
    expect(summary(diff(at(17, ['postgres=arwdDxt/postgres']), pg18, options))).toEqual(['changed table t [acl]']);
  });

  it('compares extension versions by default, unless ignored or unpinned on a side', () => {
    const current = snapshot([], { extensions: [{ name: 'pgcrypto', schema: 'public', version: '1.3' }, { name: 'hstore', schema: 'public', version: '1.8' }] });
    const desired = snapshot([], { extensions: [{ name: 'pgcrypto', schema: 'public', version: '1.4' }, { name: 'citext', schema: 'public', version: '1.6' }] });
    expect(summary(diff(current, desired))).toEqual(['missing extension citext', 'extra extension hstore', 'changed extension pgcrypto [version]']);
    expect(summary(diff(current, desired, { ignoreExtensionVersions: true }))).toEqual(['missing extension citext', 'extra extension hstore']);
    const unpinned = snapshot([], { extensions: [{ name: 'pgcrypto', schema: 'public', version: '1.4', versionUnpinned: true }] });
    expect(summary(diff(snapshot([], { extensions: [{ name: 'pgcrypto', schema: 'public', version: '1.3' }] }), unpinned))).toEqual([]);
  });

  it('reports a missing schema and its objects', () => {
    const desired = snapshot([schema('public'), schema('app', { tables: [table('a', {}, 'app')], sequences: [sequence('s', {}, 'app')] })]);
    expect(summary(diff(snapshot([schema('public')]), desired))).toEqual([
      'missing schema app',
      'missing sequence s',
      'missing table a',
    ]);
  });

  // Kinds sort before names, so a materialized view's index change comes in the index group, before the view.
  it('diffs views: normalised definition, materialized flag, matview indexes; dependsOn is not compared', () => {
    const current = view('v', { definition: ' SELECT t.id\n   FROM public.t;', dependsOn: [] });
    const desired = view('v', { definition: 'SELECT id FROM public.t', dependsOn: ['public.t'] });
    const snap = (v: typeof current) => snapshot([schema('public', { views: [v] })]);
    expect(diff(snap(current), snap(desired))).toEqual([]);
    const mvDesired = view('v', { materialized: true, indexes: [{ name: 'v_id', unique: true, method: 'btree', parts: [{ column: 'id' }], include: [], predicate: null, comment: null }] });
    expect(summary(diff(snap(current), snap(mvDesired)))).toEqual(['missing index v.v_id', 'changed view v [materialized]']);
    expect(summary(diff(snap(current), snap(view('v', { definition: 'SELECT t.id + 1 FROM public.t' }))))).toEqual([
      'changed view v [definition]',
    ]);
  });

  it('diffs routines by name and identity arguments (overloads are separate objects)', () => {
    const current = [routine('f', 'integer'), routine('f', 'text', { body: 'SELECT 2' }), routine('g')];
    const desired = [routine('f', 'integer', { volatility: 'stable', config: ['search_path=public'] }), routine('f', 'text', { body: '\nSELECT 2\n' }), routine('f', 'bigint')];
    const changes = diff(snapshot([schema('public', { routines: current })]), snapshot([schema('public', { routines: desired })]));
    expect(summary(changes)).toEqual(['missing routine f', 'changed routine f [volatility,config]', 'extra routine g']);
    expect(changes.map((c) => ('identityArgs' in c ? c.identityArgs : null))).toEqual(['bigint', 'integer', '']);
  });

  it.each([
    ['enum values', { kind: 'enum', values: ['a', 'b'] }, { kind: 'enum', values: ['a', 'b', 'c'] }, ['values']],
    [
      'domain parts',
      { kind: 'domain', baseType: 'int4', nullable: true, default: null, collation: null, checks: [{ name: 'c', definition: 'CHECK ((VALUE > 0))' }] },
      { kind: 'domain', baseType: 'integer', nullable: false, default: null, collation: null, checks: [{ name: 'c', definition: 'CHECK ((VALUE >= 0))' }] },
      ['nullable', 'checks'],
    ],
    [
      'composite attributes',
      { kind: 'composite', attributes: [{ name: 'a', type: 'int4', collation: null }] },
      { kind: 'composite', attributes: [{ name: 'a', type: 'integer', collation: null }, { name: 'b', type: 'text', collation: null }] },
      ['attributes'],
    ],
    ['kind', { kind: 'enum', values: [] }, { kind: 'composite', attributes: [] }, ['kind']],
  ])('diffs types: %s', (_label, currentType, desiredType, expected) => {
    const wrap = (t: object) => snapshot([schema('public', { types: [{ schema: 'public', name: 'ty', comment: null, ...t } as never] })]);
    const changes = diff(wrap(currentType), wrap(desiredType));
    expect(changes.flatMap((c) => c.attributes.map((a) => a.name))).toEqual(expected);
  });

  it('diffs sequences attribute by attribute', () => {
    const wrap = (s: ReturnType<typeof sequence>) => snapshot([schema('public', { sequences: [s] })]);
    expect(summary(diff(wrap(sequence('s', { type: 'int8', cache: '1' })), wrap(sequence('s', { type: 'bigint', cache: '10', ownedBy: 'public.t.id' }))))).toEqual([
      'changed sequence s [cache,ownedBy]',
    ]);
  });

  it('orders changes by schema, kind, table, name whatever the input order', () => {
    const desired = snapshot([
      schema('b', { tables: [table('z', {}, 'b'), table('y', { columns: [column('id', 'bigint', { nullable: false })] }, 'b')] }),
      schema('a', { views: [view('v', {}, 'a')], tables: [table('t', {}, 'a')] }),
    ]);
    const current = snapshot([
      schema('a', { tables: [table('t', { comment: 'x' }, 'a')] }),
      schema('b', { tables: [table('y', {}, 'b')] }),
    ]);
    const expected = ['changed table t [comment]', 'missing view v', 'missing table z', 'changed column y.id [type]'];
    expect(summary(diff(current, desired))).toEqual(expected);
    const reversed = snapshot([...desired.schemas].reverse().map((s) => ({ ...s, tables: [...s.tables].reverse() })));
    expect(summary(diff(current, reversed))).toEqual(expected);
  });

  it('refuses snapshots of different dialects', () => {
    expect(() => diff(snapshot([], { dialect: 'mysql' }), snapshot([]))).toThrow(/cannot compare a mysql snapshot/);
  });

  it('diffs two 5,000-table schemas with 50,000 columns', () => {
    const build = (drift: boolean) =>
      tablesSnapshot(
        ...Array.from({ length: 5000 }, (_, t) =>
          table(`table_${t}`, {
            columns: Array.from({ length: 10 }, (_, c) =>
              column(`col_${c}`, c % 2 ? 'integer' : 'character varying(40)', {
                position: c + 1,
                default: c % 2 ? `${c}` : `'v${c}'::character varying`,
                nullable: !(drift && t % 100 === 0 && c === 3),
              }),
            ),
            constraints: [{ name: `table_${t}_pkey`, kind: 'primary_key', columns: ['col_1'], expression: null, definition: 'PRIMARY KEY (col_1)', deferrable: false, initiallyDeferred: false, comment: null }],
            indexes: [{ name: `table_${t}_idx`, unique: false, method: 'btree', parts: [{ column: 'col_2' }], include: [], predicate: null, comment: null }],
          }),
        ),
      );
    const current = build(true);
    const desired = build(false);
    // Speed is measured by `npm run bench`, not asserted here.
    const changes = diff(current, desired);
    expect(changes).toHaveLength(50);
  });
});
