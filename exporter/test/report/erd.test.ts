import { beforeAll, describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import type { SchemaSnapshot, Table } from '../../src/core/model/schema.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { buildErd, relationId } from '../../src/core/report/erd.ts';
import { column, constraint, foreignKey, schema, snapshot, table, tablesSnapshot, view } from '../diff/snapshot-factory.ts';
import { loadDriftFixture, type DriftFixture } from './drift-fixture.ts';

let drifted: DriftFixture;
let erd: ReturnType<typeof buildErd>;

beforeAll(async () => {
  ({ drifted } = await loadDriftFixture());
  erd = buildErd(drifted.desired, drifted.current, drifted.changes);
});

function node(id: string) {
  const found = erd.tables.find((t) => t.id === id);
  if (!found) throw new Error(`no ERD node ${id}`);
  return found;
}

describe('ERD from a real diff (PGlite)', () => {
  it.each([
    { id: 'public.audit_log', kind: 'table', status: 'extra' },
    { id: 'public.events', kind: 'table', status: 'ok' },
    { id: 'public.events_2024', kind: 'partition', status: 'ok' },
    { id: 'public.invoices', kind: 'table', status: 'missing' },
    { id: 'public.orders', kind: 'table', status: 'changed' },
    { id: 'public.products', kind: 'table', status: 'ok' },
    { id: 'public.user_emails', kind: 'view', status: 'changed' },
    { id: 'public.users', kind: 'table', status: 'changed' },
  ])('node $id: $kind, $status', ({ id, kind, status }) => {
    expect(node(id)).toMatchObject({ kind, status });
  });

  it('lists the union of both sides, sorted by id', () => {
    expect(erd.tables.map((t) => t.id)).toEqual([
      'public.audit_log',
      'public.events',
      'public.events_2024',
      'public.invoices',
      'public.orders',
      'public.products',
      'public.user_emails',
      'public.users',
    ]);
  });

  it('links each node to the changes that concern it, and nothing else', () => {
    for (const t of erd.tables) {
      const expected = drifted.changes.flatMap((c, i) => {
        const owner = 'table' in c ? c.table : c.type === 'table' || c.type === 'view' ? c.name : null;
        return owner === t.name ? [i] : [];
      });
      expect(t.changes, t.id).toEqual(expected);
      expect(t.status === 'ok', t.id).toBe(expected.length === 0);
    }
  });

  it('changed table: desired columns in order, then extra ones; statuses and attributes per column', () => {
    expect(node('public.users').columns).toEqual([
      { name: 'id', type: 'bigint', nullable: false, primaryKey: true, foreignKey: false, status: 'ok' },
      {
        name: 'email',
        type: 'character varying(320)',
        nullable: false,
        primaryKey: false,
        foreignKey: false,
        status: 'changed',
        attributes: [{ name: 'type', expected: 'character varying(320)', actual: 'text' }],
      },
      { name: 'name', type: 'text', nullable: true, primaryKey: false, foreignKey: false, status: 'missing' },
      { name: 'nickname', type: 'text', nullable: true, primaryKey: false, foreignKey: false, status: 'extra' },
    ]);
  });

  it('missing table: every desired column drawn as missing, with its key flags', () => {
    expect(node('public.invoices').columns.map((c) => [c.name, c.status, c.primaryKey, c.foreignKey])).toEqual([
      ['id', 'missing', true, false],
      ['order_id', 'missing', false, true],
      ['note', 'missing', false, false],
    ]);
  });

  it('extra table: every column of the database drawn as extra', () => {
    expect(node('public.audit_log').columns.map((c) => [c.name, c.status, c.foreignKey])).toEqual([
      ['id', 'extra', false],
      ['user_id', 'extra', true],
    ]);
  });

  it('changed view: the output column whose type differs is changed, the others ok', () => {
    expect(node('public.user_emails').columns.map((c) => [c.name, c.status, c.attributes ?? null])).toEqual([
      ['id', 'ok', null],
      ['email', 'changed', [{ name: 'type', expected: 'character varying(320)', actual: 'text' }]],
    ]);
  });

  it.each([
    { id: 'public.audit_log.audit_log_user_id_fkey', source: 'public.audit_log', target: 'public.users', status: 'extra' },
    { id: 'public.invoices.invoices_order_id_fkey', source: 'public.invoices', target: 'public.orders', status: 'missing' },
    { id: 'public.orders.orders_user_id_fkey', source: 'public.orders', target: 'public.users', status: 'missing' },
  ])('relation $id: $status', ({ id, source, target, status }) => {
    expect(erd.relations.find((r) => r.id === id)).toMatchObject({ source, target, status });
  });

  it('has exactly the relations of both sides', () => {
    expect(erd.relations.map((r) => r.id)).toEqual([
      'public.audit_log.audit_log_user_id_fkey',
      'public.invoices.invoices_order_id_fkey',
      'public.orders.orders_user_id_fkey',
    ]);
  });
});

describe('ERD from hand-built snapshots', () => {
  const users = table('users', {
    columns: [column('id', 'bigint', { nullable: false, position: 1 }), column('email', 'text', { position: 2 })],
    constraints: [constraint('users_pkey', { kind: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY (id)' })],
  });
  const orders = (fkName: string, over: Partial<Table> = {}) =>
    table('orders', {
      columns: [column('id', 'bigint', { position: 1 }), column('user_id', 'bigint', { position: 2 })],
      foreignKeys: [foreignKey(fkName)],
      ...over,
    });

  function erdOf(desired: SchemaSnapshot, current: SchemaSnapshot) {
    const changes = diffSchemas({ desired, current, hooks: postgresHooks });
    return { changes, erd: buildErd(desired, current, changes) };
  }

  it('an unchanged relation is ok; a changed one is changed', () => {
    const same = erdOf(tablesSnapshot(users, orders('orders_user_fk')), tablesSnapshot(users, orders('orders_user_fk')));
    expect(same.changes).toEqual([]);
    expect(same.erd.relations.map((r) => r.status)).toEqual(['ok']);
    expect(same.erd.tables.map((t) => t.status)).toEqual(['ok', 'ok']);

    const onDelete = orders('orders_user_fk', { foreignKeys: [foreignKey('orders_user_fk', { onDelete: 'restrict' })] });
    const changed = erdOf(tablesSnapshot(users, orders('orders_user_fk')), tablesSnapshot(users, onDelete));
    expect(changed.erd.relations).toEqual([
      {
        id: 'public.orders.orders_user_fk',
        name: 'orders_user_fk',
        source: 'public.orders',
        target: 'public.users',
        sourceColumns: ['user_id'],
        targetColumns: ['id'],
        status: 'changed',
      },
    ]);
    expect(changed.erd.tables.map((t) => [t.id, t.status])).toEqual([
      ['public.orders', 'changed'],
      ['public.users', 'ok'],
    ]);
  });

  it('a foreign key renamed by hand is one changed relation under its desired name', () => {
    const { changes, erd: renamed } = erdOf(tablesSnapshot(users, orders('orders_user_fk')), tablesSnapshot(users, orders('fk_by_hand')));
    expect(changes).toHaveLength(1);
    expect(renamed.relations.map((r) => [r.id, r.status])).toEqual([['public.orders.orders_user_fk', 'changed']]);
  });

  it('materialized views and dotted names get their own kind and quoted ids', () => {
    const mv = view('totals', { materialized: true, dependsOn: [] }, 'app.v1');
    const desired = snapshot([schema('app.v1', { tables: [table('a.b', {}, 'app.v1')], views: [mv] })]);
    const result = buildErd(desired, desired, []);
    expect(result.tables.map((t) => [t.id, t.kind, t.status])).toEqual([
      ['"app.v1"."a.b"', 'table', 'ok'],
      ['"app.v1".totals', 'materialized_view', 'ok'],
    ]);
    expect(relationId('s', 't.x', 'fk.1')).toBe('s."t.x"."fk.1"');
  });

  it('is deterministic whatever the input order', () => {
    const { changes } = erdOf(tablesSnapshot(users, orders('orders_user_fk')), tablesSnapshot(orders('x')));
    const forward = buildErd(tablesSnapshot(users, orders('orders_user_fk')), tablesSnapshot(orders('x')), changes);
    const reversed = buildErd(tablesSnapshot(orders('orders_user_fk'), users), tablesSnapshot(orders('x')), changes);
    expect(JSON.stringify(reversed)).toBe(JSON.stringify(forward));
  });

  /** `n` tables in a foreign-key chain; the drifted side retypes every 10th `note` and drops every 7th key. */
  function chain(n: number, drift: boolean): SchemaSnapshot {
    const name = (i: number) => `t${String(i).padStart(5, '0')}`;
    const tables = Array.from({ length: n }, (_, i) => {
      const columns = [
        column('id', 'bigint', { nullable: false, position: 1 }),
        column('parent_id', 'bigint', { position: 2 }),
        column('note', drift && i % 10 === 0 ? 'varchar(10)' : 'text', { position: 3 }),
      ];
      const fks = i > 0 ? [foreignKey(`${name(i)}_parent_fk`, { columns: ['parent_id'], refTable: name(i - 1) })] : [];
      return table(name(i), { columns, foreignKeys: drift && i % 7 === 0 ? [] : fks });
    });
    return tablesSnapshot(...tables);
  }

  // Speed is the benchmark's business (`npm run bench`); this checks the result at that scale.
  it('builds the ERD of 10,000 drifted tables', () => {
    const N = 10_000;
    const desired = chain(N, false);
    const current = chain(N, true);
    const result = buildErd(desired, current, diffSchemas({ desired, current, hooks: postgresHooks }));
    expect(result.tables).toHaveLength(N);
    expect(result.relations).toHaveLength(N - 1);
    expect(result.tables.filter((t) => t.status === 'changed')).toHaveLength(N / 10 + Math.floor((N - 1) / 7) - Math.floor((N - 1) / 70));
    expect(result.relations.filter((r) => r.status === 'missing')).toHaveLength(Math.floor((N - 1) / 7));
  });
});
