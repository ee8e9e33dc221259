import { PGlite } from '@electric-sql/pglite';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InspectError } from '../../src/core/errors.ts';
import type { SchemaSnapshot, Table } from '../../src/core/model/schema.ts';
import { openPostgresSession } from '../../src/dialects/postgres/connect.ts';
import { inspectPostgres } from '../../src/dialects/postgres/inspect.ts';
import type { Queryable } from '../../src/dialects/postgres/queryable.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';
import { INSPECT_FIXTURE_SQL } from './inspect-fixture.ts';

let temp: TempDatabase;
let lite: PGlite;
let pgSnap: SchemaSnapshot;
let liteSnap: SchemaSnapshot;

async function inspectUrl(url: string, options: Parameters<typeof inspectPostgres>[1] = {}): Promise<SchemaSnapshot> {
  const session = await openPostgresSession(url);
  try {
    return await inspectPostgres(session.db, options);
  } finally {
    await session.close();
  }
}

function table(snap: SchemaSnapshot, schema: string, name: string): Table {
  const found = snap.schemas.find((s) => s.name === schema)?.tables.find((t) => t.name === name);
  if (!found) throw new Error(`no table ${schema}.${name}`);
  return found;
}

function schemaOf(snap: SchemaSnapshot, name: string) {
  const found = snap.schemas.find((s) => s.name === name);
  if (!found) throw new Error(`no schema ${name}`);
  return found;
}

beforeAll(async () => {
  temp = await createTempPgDatabase('sdinspect');
  await temp.exec(INSPECT_FIXTURE_SQL);
  pgSnap = await inspectUrl(temp.url);
  lite = await PGlite.create({ extensions: { citext } });
  await lite.exec(INSPECT_FIXTURE_SQL);
  liteSnap = await inspectPostgres(lite);
});

afterAll(async () => {
  await lite?.close();
  await temp?.drop();
});

describe.each([
  ['PostgreSQL 15', () => pgSnap],
  ['PGlite 18', () => liteSnap],
])('inspectPostgres on %s', (_label, snap) => {
  it('lists user schemas with comments, sorted, without system schemas', () => {
    expect(snap().schemas.map((s) => s.name)).toEqual(['app', 'audit', 'public']);
    expect(schemaOf(snap(), 'app').comment).toBe('application schema');
  });

  it('reads partitioned tables and partitions', () => {
    expect(table(snap(), 'app', 'events').attrs.partitionBy).toBe('RANGE (created_at)');
    const partition = table(snap(), 'app', 'events_2024');
    expect(partition.attrs.partitionOf).toBe('app.events');
    expect(partition.attrs.partitionBound).toBe("FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')");
    expect(table(snap(), 'app', 'events_default').attrs.partitionBound).toBe('DEFAULT');
    expect(partition.constraints.find((c) => c.kind === 'primary_key')?.attrs?.inherited).toBe(true);
  });

  it('reads unlogged tables, storage options and row-level security flags', () => {
    expect(table(snap(), 'app', 'cache').attrs).toMatchObject({ unlogged: true, options: ['fillfactor=70'] });
    expect(table(snap(), 'app', 'orders').attrs).toMatchObject({ rowSecurity: true, forceRowSecurity: true });
    expect(table(snap(), 'app', 'users').comment).toBe('people');
  });

  it('reads columns: positions after a dropped column, types, collation, defaults, identity, generated', () => {
    const users = table(snap(), 'app', 'users');
    expect(users.columns.map((c) => `${c.position}:${c.name}`)).toEqual([
      '1:id', '2:email', '3:name', '4:mood', '5:tags', '6:age', '7:home', '8:code', '9:created_at', '10:name_upper',
      '11:score',
    ]);
    const col = (name: string) => users.columns.find((c) => c.name === name);
    expect(col('id')?.identity).toEqual({
      generation: 'always',
      sequence: { type: 'bigint', start: '100', increment: '5', min: '1', max: '9223372036854775807', cache: '10', cycle: false },
    });
    expect(col('score')?.identity).toMatchObject({ generation: 'by default', sequence: { type: 'smallint', max: '500', cycle: true } });
    expect(col('email')).toMatchObject({ type: { raw: 'public.citext', category: 'base' }, nullable: false, comment: 'login' });
    expect(col('name')?.collation).toBe('C');
    expect(col('mood')).toMatchObject({ type: { raw: 'app.mood', category: 'enum' }, default: "'ok'::app.mood" });
    expect(col('tags')?.type).toEqual({ raw: 'text[]', base: 'text', arrayDims: 1, category: 'builtin' });
    expect(col('age')?.type.category).toBe('domain');
    expect(col('home')?.type.category).toBe('composite');
    expect(col('name_upper')).toMatchObject({ default: null, generated: { expression: 'upper(name)', kind: 'stored' } });
    expect(table(snap(), 'app', 'orders').columns.find((c) => c.name === 'matrix')?.type.arrayDims).toBe(2);
  });

  it('reads constraints: NULLS NOT DISTINCT, NOT VALID, deferrable exclusion', () => {
    const users = table(snap(), 'app', 'users');
    expect(users.constraints.map((c) => c.name)).toEqual(['users_email_key', 'users_name_check', 'users_pkey']);
    expect(users.constraints[0]).toMatchObject({ kind: 'unique', columns: ['email'], nullsNotDistinct: true });
    expect(users.constraints[1]).toMatchObject({ kind: 'check', validated: false, expression: '(length(name) > 0)' });
    const exclusion = table(snap(), 'app', 'rooms').constraints.find((c) => c.kind === 'exclusion');
    expect(exclusion).toMatchObject({ expression: 'USING gist (during WITH &&)', deferrable: true, initiallyDeferred: true });
  });

  it('reads foreign keys with actions, match type and deferrability, across schemas', () => {
    expect(table(snap(), 'app', 'orders').foreignKeys[0]).toMatchObject({
      name: 'orders_user_fk', columns: ['user_id'], refSchema: 'app', refTable: 'users', refColumns: ['id'],
      onDelete: 'cascade', onUpdate: 'restrict', match: 'simple', deferrable: true, initiallyDeferred: true,
    });
    expect(table(snap(), 'audit', 'log').foreignKeys[0]).toMatchObject({
      refSchema: 'app', refTable: 'orders', match: 'full', onDelete: 'set null', onUpdate: 'no action',
    });
  });

  it('reads indexes: constraint-backed, DESC/NULLS, expressions, opclass, collation, INCLUDE, predicate', () => {
    const orders = table(snap(), 'app', 'orders');
    const index = (name: string) => orders.indexes.find((i) => i.name === name);
    expect(orders.indexes.map((i) => i.name)).toEqual(['orders_invoice_nnd', 'orders_pkey', 'orders_status_c', 'orders_user_idx']);
    expect(index('orders_pkey')).toMatchObject({ unique: true, constraint: 'orders_pkey', parts: [{ column: 'id' }] });
    expect(index('orders_user_idx')).toMatchObject({
      method: 'btree',
      parts: [
        { column: 'user_id', descending: true, nullsFirst: false },
        { expression: 'lower(status)', opclass: 'text_pattern_ops' },
      ],
      include: ['amount'],
      predicate: '(note IS NOT NULL)',
      comment: 'lookup',
    });
    expect(index('orders_status_c')?.parts).toEqual([{ column: 'status', nullsFirst: true, collation: 'C' }]);
    expect(index('orders_invoice_nnd')).toMatchObject({ nullsNotDistinct: true, unique: true });
    expect(index('orders_invoice_nnd')?.definition).toMatch(/^CREATE UNIQUE INDEX orders_invoice_nnd ON app\.orders/);
    expect(table(snap(), 'app', 'events').indexes.find((i) => i.method === 'gin')?.parts).toEqual([
      { column: 'payload', opclass: 'jsonb_path_ops' },
    ]);
  });

  it('reads triggers and policies', () => {
    const orders = table(snap(), 'app', 'orders');
    expect(orders.triggers).toEqual([
      {
        name: 'orders_touch',
        definition: 'CREATE TRIGGER orders_touch BEFORE INSERT OR UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch()',
        enabled: 'D',
        comment: 'fills note',
      },
    ]);
    expect(orders.policies).toEqual([
      { name: 'orders_owner', permissive: false, command: 'update', roles: ['pg_monitor', 'postgres'], using: '(user_id > 0)', withCheck: '(amount < (1000)::numeric)' },
      { name: 'orders_read', permissive: true, command: 'select', roles: ['public'], using: 'true', withCheck: null },
    ]);
  });

  it('reads views and materialized views with dependencies, options and indexes', () => {
    const app = schemaOf(snap(), 'app');
    const view = (name: string) => app.views.find((v) => v.name === name);
    expect(app.views.map((v) => v.name)).toEqual(['moods', 'new_orders', 'order_totals', 'user_orders']);
    expect(view('user_orders')).toMatchObject({
      materialized: false,
      dependsOn: ['app.new_orders', 'app.users'],
      columns: [{ name: 'id', type: 'bigint' }, { name: 'email', type: 'public.citext' }, { name: 'amount', type: 'numeric(10,2)' }],
      attrs: { checkOption: null, securityBarrier: true, securityInvoker: false },
      comment: 'join',
    });
    expect(view('new_orders')?.attrs).toEqual({ checkOption: 'local', securityBarrier: false, securityInvoker: true });
    expect(view('order_totals')).toMatchObject({ materialized: true, dependsOn: ['app.orders'] });
    expect(view('order_totals')?.indexes.map((i) => i.name)).toEqual(['order_totals_user']);
  });

  it('reads the columns and types each view reads, by the catalog dependency records', () => {
    const app = schemaOf(snap(), 'app');
    const view = (name: string) => app.views.find((v) => v.name === name);
    expect(view('user_orders')?.readsColumns).toEqual({ 'app.new_orders': ['amount', 'user_id'], 'app.users': ['email', 'id'] });
    expect(view('new_orders')?.readsColumns).toEqual({ 'app.orders': ['amount', 'id', 'status', 'user_id'] });
    expect(view('order_totals')?.readsColumns).toEqual({ 'app.orders': ['amount', 'user_id'] });
    expect(view('user_orders')?.dependsOnTypes).toBeUndefined();
    // count(*) reads the relation as a whole (no column entry); the cast names the enum itself.
    expect(view('moods')).toMatchObject({ dependsOn: ['app.users'], readsColumns: {}, dependsOnTypes: ['app.mood'], dependsOnRoutines: ['app.add(a integer, b integer)'] });
    expect(view('user_orders')?.dependsOnRoutines).toBeUndefined();
  });

  it("keeps a view's owner, ACL and INSTEAD OF triggers for plans that rebuild it, without privileges", () => {
    const app = schemaOf(snap(), 'app');
    const view = (name: string) => app.views.find((v) => v.name === name);
    const userOrders = view('user_orders');
    expect(userOrders?.acl).toBeUndefined();
    expect(userOrders?.owner).toBeUndefined();
    expect(userOrders?.kept).toMatchObject({ owner: 'postgres', acl: [expect.stringMatching(/^postgres=arwdDxtm?\/postgres$/)] });
    expect(userOrders?.kept?.triggers).toEqual([
      {
        name: 'user_orders_insert',
        definition: 'CREATE TRIGGER user_orders_insert INSTEAD OF INSERT ON app.user_orders FOR EACH ROW EXECUTE FUNCTION app.touch()',
        enabled: 'O',
        comment: null,
      },
    ]);
    expect(view('order_totals')?.kept?.triggers).toBeUndefined();
  });

  it("keeps a routine's owner and ACL and a column's own grants for plans that rebuild them, without privileges", () => {
    const secret = schemaOf(snap(), 'app').routines.find((r) => r.name === 'secret');
    expect(secret?.acl).toBeUndefined();
    expect(secret?.kept).toEqual({ acl: ['postgres=X/postgres'], owner: 'postgres' });
    const orders = table(snap(), 'app', 'orders');
    expect(orders.columns.find((c) => c.name === 'note')?.kept).toEqual({ acl: ['pg_monitor=r/postgres'] });
    expect(orders.columns.find((c) => c.name === 'note')?.attrs?.acl).toBeUndefined();
    expect(orders.columns.find((c) => c.name === 'status')?.kept).toBeUndefined();
  });

  it('reads stand-alone sequences only, with OWNED BY', () => {
    const sequences = schemaOf(snap(), 'app').sequences;
    expect(sequences.map((s) => s.name)).toEqual(['free_counter', 'invoice_no', 'orders_id_seq']);
    expect(sequences[1]).toMatchObject({
      type: 'integer', start: '1000', increment: '10', min: '1000', max: '999999', cache: '5', cycle: true,
      ownedBy: 'app.orders.invoice', comment: 'invoice numbers',
    });
    expect(sequences[0]?.ownedBy).toBeNull();
    expect(schemaOf(snap(), 'audit').sequences).toEqual([]);
  });

  it('reads enums, domains and composite types', () => {
    const types = schemaOf(snap(), 'app').types;
    expect(types.map((t) => `${t.kind}:${t.name}`)).toEqual(['composite:address', 'domain:code', 'enum:mood', 'domain:positive_int']);
    expect(types.find((t) => t.name === 'mood')).toMatchObject({ values: ['sad', 'meh', 'ok', 'happy'], comment: 'how it feels' });
    expect(types.find((t) => t.name === 'positive_int')).toEqual({
      kind: 'domain', schema: 'app', name: 'positive_int', baseType: 'integer', nullable: false, default: '1',
      collation: null, checks: [{ name: 'positive_int_check', definition: 'CHECK ((VALUE > 0))' }], comment: null,
    });
    expect(types.find((t) => t.name === 'code')).toMatchObject({ collation: 'C', checks: [{ name: 'code_len' }, { name: 'code_upper' }] });
    expect(types.find((t) => t.name === 'address')).toMatchObject({
      attributes: [
        { name: 'street', type: 'text', collation: null },
        { name: 'city', type: 'text', collation: 'C' },
        { name: 'zip', type: 'character varying(10)', collation: null },
      ],
    });
  });

  it('reads routines (overloads, SQL-standard bodies, SET options, procedures, aggregates) but not extension members', () => {
    const routines = schemaOf(snap(), 'app').routines;
    expect(routines.map((r) => `${r.kind}:${r.name}(${r.identityArgs})`)).toEqual([
      // A procedure's default IN mode is not read (14+ print it, 13 does not): see inspect-routines.ts.
      'function:add(a integer, b integer)', 'function:add(a text, b text)', 'procedure:cleanup(days integer)',
      'function:secret()', 'aggregate:total(integer)', 'function:touch()',
    ]);
    expect(routines[0]).toMatchObject({ body: 'RETURN (a + b)', volatility: 'immutable', strict: true, parallel: 'safe', args: 'a integer, b integer DEFAULT 1' });
    expect(routines[3]).toMatchObject({ securityDefiner: true, config: ['search_path=app', 'work_mem=64kB'], comment: 'keeps a secret' });
    expect(routines[3]?.definition).toMatch(/^CREATE OR REPLACE FUNCTION app\.secret\(\)/);
    expect(routines[2]).toMatchObject({ returns: null, language: 'sql', args: 'days integer' });
    expect(routines[2]?.definition).toMatch(/^CREATE OR REPLACE PROCEDURE app\.cleanup\(days integer\)/);
    expect(routines[4]?.definition).toContain('SFUNC = int4pl');
    // citext's functions live in public but belong to the extension.
    expect(schemaOf(snap(), 'public').routines).toEqual([]);
    expect(schemaOf(snap(), 'public').types).toEqual([]);
    expect(snap().extensions.map((e) => e.name)).toEqual(['citext', 'plpgsql']);
  });
});

/** Known server-version noise between PostgreSQL 15 and PGlite 18, which the differ's hooks normalise. */
function withoutVersionNoise(snap: SchemaSnapshot): unknown {
  return {
    ...snap,
    source: {},
    extensions: snap.extensions.map((e) => ({ ...e, version: '' })),
    // PostgreSQL 17 added MAINTAIN (`m`) to the owner's default privileges.
    schemas: snap.schemas.map((s) => ({ ...s, views: s.views.map((v) => ({ ...v, definition: '', kept: v.kept && { ...v.kept, acl: v.kept.acl?.map((item) => item.replace(/m(?=\*?\/)/, '')) } })) })),
  };
}

describe('inspectPostgres determinism and portability', () => {
  it('gives identical JSON when inspecting twice', async () => {
    expect(JSON.stringify(await inspectUrl(temp.url))).toBe(JSON.stringify(pgSnap));
    expect(JSON.stringify(await inspectPostgres(lite))).toBe(JSON.stringify(liteSnap));
  });

  it('gives the same snapshot on PostgreSQL 15 and PGlite 18 apart from version noise', () => {
    expect(withoutVersionNoise(liteSnap)).toEqual(withoutVersionNoise(pgSnap));
    expect(pgSnap.source).toMatchObject({ serverMajor: 15, flavor: 'postgresql' });
    expect(liteSnap.source).toMatchObject({ serverMajor: 18, flavor: 'pglite', serverVersion: expect.stringMatching(/PGlite/) });
  });

  it('restores the session settings it changes', async () => {
    await lite.query(`SET search_path TO app, public`);
    await inspectPostgres(lite);
    const { rows } = await lite.query<{ sp: string; jit: string }>(`SELECT current_setting('search_path') AS sp, current_setting('jit') AS jit`);
    expect(rows[0]?.sp).toBe('app, public');
    await lite.query(`SET search_path TO public`);
  });

  it('reads only the requested schemas, and ACLs only when asked', async () => {
    const snap = await inspectPostgres(lite, { schemas: ['audit'], privileges: true, source: { description: 'lite' } });
    expect(snap.schemas.map((s) => s.name)).toEqual(['audit']);
    expect(snap.source.description).toBe('lite');
    expect(table(snap, 'audit', 'log').acl?.some((item) => item.startsWith('postgres='))).toBe(true);
    expect(table(liteSnap, 'audit', 'log').acl).toBeUndefined();
    // A view's ACL is read either way: as `acl` with privileges, else kept aside for plans that rebuild the view.
    const withAcl = (await inspectPostgres(lite, { schemas: ['app'], privileges: true })).schemas[0]?.views[0];
    expect(withAcl?.acl).toBeDefined();
    expect(withAcl?.kept?.acl).toBeUndefined();
  });

  it('wraps failures as InspectError naming the query kind and target', async () => {
    const closed = await PGlite.create();
    await closed.close();
    const err = await inspectPostgres(closed, { target: 'prod' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InspectError);
    expect((err as InspectError).message).toMatch(/^postgres: inspecting server version on target "prod": /);
    expect((err as InspectError).context.target).toBe('prod');
  });
});

describe('inspectPostgres query count', () => {
  function counting(db: Queryable): { db: Queryable; count: () => number } {
    let n = 0;
    return {
      db: { query: (sql, params) => ((n += 1), db.query(sql, params)) },
      count: () => n,
    };
  }

  it('issues the same number of queries for 2 and 200 tables', async () => {
    const db = await createTempPgDatabase('sdcount');
    try {
      const ddl = (from: number, to: number) =>
        Array.from({ length: to - from }, (_, i) => {
          const n = from + i;
          return `CREATE TABLE t${n} (id int PRIMARY KEY, v text CHECK (v <> ''), p int REFERENCES t0 (id));
                  CREATE INDEX t${n}_v ON t${n} (v); COMMENT ON TABLE t${n} IS 'n${n}';`;
        }).join('\n');
      await db.exec(`CREATE TABLE t0 (id int PRIMARY KEY);` + ddl(1, 2));
      const few = await openPostgresSession(db.url);
      const small = counting(few.db);
      const smallSnap = await inspectPostgres(small.db).finally(() => few.close());
      await db.exec(ddl(2, 200));
      const many = await openPostgresSession(db.url);
      const large = counting(many.db);
      const largeSnap = await inspectPostgres(large.db).finally(() => many.close());
      expect(table(smallSnap, 'public', 't1').indexes).toHaveLength(2);
      expect(schemaOf(largeSnap, 'public').tables).toHaveLength(200);
      expect(large.count()).toBe(small.count());
      expect(small.count()).toBeLessThan(25);
    } finally {
      await db.drop();
    }
  });
});
