/**
 * Object filters: schema include lists and per-kind exclude globs on qualified and bare names.
 */
import { describe, expect, it } from 'vitest';
import { filterSnapshot, type ObjectFilter } from '../../src/core/diff/filter.ts';
import type { SchemaSnapshot } from '../../src/core/model/schema.ts';
import { column, constraint, foreignKey, index, policy, routine, schema, sequence, snapshot, table, trigger, view } from './snapshot-factory.ts';

function sample(): SchemaSnapshot {
  const users = table('users', {
    columns: [column('id'), column('email', 'text'), column('tmp_note', 'text')],
    constraints: [constraint('users_pkey'), constraint('users_email_key')],
    foreignKeys: [foreignKey('users_org_fkey')],
    indexes: [index('users_pkey'), index('users_email_idx')],
    triggers: [trigger('users_touch')],
    policies: [policy('users_self')],
  });
  return snapshot(
    [
      schema('public', {
        tables: [users, table('tmp_import'), table('audit_log')],
        views: [view('v_users', { materialized: true, indexes: [index('v_users_idx')] })],
        sequences: [sequence('tmp_seq'), sequence('ids')],
        types: [{ kind: 'enum', schema: 'public', name: 'mood', values: ['a'], comment: null }],
        routines: [routine('f'), routine('tmp_f')],
      }),
      schema('app', { tables: [table('users', {}, 'app')] }),
      schema('staging_1'),
    ],
    { extensions: [{ name: 'pgcrypto', schema: 'public', version: '1.3' }, { name: 'hstore', schema: 'public', version: '1.8' }] },
  );
}

/** Every object of the snapshot as `kind:path`, for compact expectations. */
function inventory(s: SchemaSnapshot): string[] {
  const out: string[] = s.extensions.map((e) => `extension:${e.name}`);
  for (const sc of s.schemas) {
    out.push(`schema:${sc.name}`);
    for (const t of sc.tables) {
      out.push(`table:${sc.name}.${t.name}`);
      const parts = { column: t.columns, constraint: t.constraints, foreign_key: t.foreignKeys, index: t.indexes, trigger: t.triggers, policy: t.policies };
      for (const [kind, list] of Object.entries(parts)) for (const p of list) out.push(`${kind}:${sc.name}.${t.name}.${p.name}`);
    }
    for (const v of sc.views) out.push(`view:${sc.name}.${v.name}`, ...v.indexes.map((i) => `index:${sc.name}.${v.name}.${i.name}`));
    for (const q of sc.sequences) out.push(`sequence:${sc.name}.${q.name}`);
    for (const ty of sc.types) out.push(`type:${sc.name}.${ty.name}`);
    for (const r of sc.routines) out.push(`routine:${sc.name}.${r.name}`);
  }
  return out;
}

const ALL = inventory(sample());

describe('filterSnapshot', () => {
  it('keeps everything with an empty filter', () => {
    expect(inventory(filterSnapshot(sample(), {}))).toEqual(ALL);
  });

  it.each<[string, ObjectFilter, string[]]>([
    ['schema include list (globs)', { schemas: ['public', 'staging_*'] }, ['schema:app', 'table:app.users', 'column:app.users.id']],
    ['exclude a schema', { exclude: { schema: ['staging_*'] } }, ['schema:staging_1']],
    ['exclude tables by qualified glob', { exclude: { table: ['public.tmp_*'] } }, ['table:public.tmp_import', 'column:public.tmp_import.id']],
    ['a bare pattern matches the name in any schema', { exclude: { table: ['users'] } }, ALL.filter((x) => /^\w+:(public|app)\.users\b/.test(x))],
    ['exclude columns by schema.table.name', { exclude: { column: ['public.users.tmp_*'] } }, ['column:public.users.tmp_note']],
    ['exclude columns by bare name', { exclude: { column: ['email'] } }, ['column:public.users.email']],
    ['exclude constraints', { exclude: { constraint: ['*.*.users_email_key'] } }, ['constraint:public.users.users_email_key']],
    ['exclude foreign keys', { exclude: { foreign_key: ['*_fkey'] } }, ['foreign_key:public.users.users_org_fkey']],
    ['exclude indexes, also on materialized views', { exclude: { index: ['*_idx'] } }, ['index:public.users.users_email_idx', 'index:public.v_users.v_users_idx']],
    ['exclude triggers and policies', { exclude: { trigger: ['users_touch'], policy: ['public.users.*'] } }, ['trigger:public.users.users_touch', 'policy:public.users.users_self']],
    ['exclude a view with its indexes', { exclude: { view: ['public.v_*'] } }, ['view:public.v_users', 'index:public.v_users.v_users_idx']],
    ['exclude sequences, types, routines', { exclude: { sequence: ['tmp_*'], type: ['public.mood'], routine: ['tmp_*'] } }, ['sequence:public.tmp_seq', 'type:public.mood', 'routine:public.tmp_f']],
    ['exclude extensions by name', { exclude: { extension: ['hstore'] } }, ['extension:hstore']],
    ['a qualified pattern does not match another schema', { exclude: { table: ['app.audit_log'] } }, []],
  ])('%s', (_label, filter, removed) => {
    const kept = inventory(filterSnapshot(sample(), filter));
    expect(ALL.filter((x) => !kept.includes(x))).toEqual(removed);
    expect(kept.length).toBe(ALL.length - removed.length);
  });

  it('excludes collations and events by glob, and leaves lists a side never read absent', () => {
    const collation = (name: string) => ({ schema: 'public', name, provider: 'icu', locale: 'und', lcCollate: null, lcCtype: null, deterministic: true, comment: null });
    const event = (name: string) => ({ schema: 'public', name, definition: `CREATE EVENT ${name} ON SCHEDULE EVERY 1 DAY DO SELECT 1`, comment: null, attrs: {} });
    const withBoth = snapshot([schema('public', { collations: [collation('ci'), collation('tmp_c')], events: [event('purge'), event('tmp_e')] })]);
    const filtered = filterSnapshot(withBoth, { exclude: { collation: ['tmp_*'], event: ['public.tmp_*'] } });
    expect(filtered.schemas[0]?.collations?.map((c) => c.name)).toEqual(['ci']);
    expect(filtered.schemas[0]?.events?.map((e) => e.name)).toEqual(['purge']);
    const without = filterSnapshot(sample(), { exclude: { collation: ['*'], event: ['*'] } }).schemas[0]!;
    expect('collations' in without).toBe(false);
    expect('events' in without).toBe(false);
  });

  it('does not modify its input', () => {
    const input = sample();
    const copy = structuredClone(input);
    filterSnapshot(input, { schemas: ['app'], exclude: { column: ['*'] } });
    expect(input).toEqual(copy);
  });
});
