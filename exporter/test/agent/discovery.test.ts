/**
 * Discovery against the real servers: PostgreSQL databases and schemas and MariaDB databases appear and disappear in
 * the listing; the `Discovery` loop adds and removes targets and keeps its list when a listing fails; a tenant schema
 * identical to the migrations checks in sync, a changed one drifts with SQL naming the tenant, and the fingerprints
 * group them.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetConfig } from '../../src/config/types.ts';
import { Discovery, discoveredTarget } from '../../src/agent/discovery.ts';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import { dialectNamed } from '../../src/dialects/registry.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { fleetVariants } from '../../src/core/report/variants.ts';
import { createTempMysqlDatabase, createTempPgDatabase, MYSQL_URL, PG_URL, withPgClient, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';
import { useTempDirs } from '../support/temp-dirs.ts';

const tempDirs = useTempDirs('sd-fleet-');

/** A unique prefix per run, so other helpers' databases never match our patterns. */
const prefix = `fleet${randomBytes(3).toString('hex')}`;

const SCHEMA_SQL = `CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE SEQUENCE ticket_seq;
CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, mood mood NOT NULL DEFAULT 'ok');
CREATE TABLE orders (
  id integer PRIMARY KEY DEFAULT nextval('ticket_seq'),
  customer_id integer NOT NULL REFERENCES customers (id),
  total numeric(10, 2)
);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
CREATE FUNCTION order_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM orders';
`;

function pgEntry(db: TempDatabase, discover: TargetConfig['discover'], dir = '/nonexistent'): TargetConfig {
  return testTarget(`${prefix}-fleet`, db.url, { desired: { dir }, discover });
}

describe('Discovery applying a listing', () => {
  const entry = testTarget('fleet', 'postgres://app@db/app', { desired: { dir: '/nonexistent' }, discover: { kind: 'schemas', pattern: '%', intervalMs: 60_000, desiredSchema: 'public', maxTargets: 3 } });
  const logged: string[] = [];
  const logger = { debug: () => {}, info: () => {}, warn: (_o: unknown, msg: string) => void logged.push(msg), error: (_o: unknown, msg: string) => void logged.push(msg) };

  it('keeps its list when a listing suddenly names nothing, and keeps the first maxTargets names in sort order', async () => {
    let names = ['t_d', 't_b', 't_a', 't_c', 't_e'];
    const listings: unknown[] = [];
    const discovery = new Discovery({
      entries: [entry],
      reserved: new Set(),
      onAdded: async () => {},
      onRemoved: async () => {},
      onListed: (_fleet, listing) => void listings.push(listing),
      list: async () => names,
      logger: logger as never,
    });
    await discovery.refresh('fleet');
    expect(discovery.targets().map((t) => t.name)).toEqual(['fleet.t_a', 'fleet.t_b', 'fleet.t_c']);
    expect(listings).toEqual([{ targets: 3, unmapped: 2 }]);
    names = [];
    await discovery.refresh('fleet');
    expect(listings.at(-1)).toEqual({ failed: true });
    expect(discovery.targets()).toHaveLength(3);
    discovery.stop();
  });

  it('applies what it can when adding or removing one target throws, and never rejects', async () => {
    let names = ['t_a', 't_bad', 't_c'];
    const scheduled = new Set<string>();
    const discovery = new Discovery({
      entries: [entry],
      reserved: new Set(),
      onAdded: async (t) => {
        if (t.name === 'fleet.t_bad') throw new Error('cannot schedule');
        scheduled.add(t.name);
      },
      onRemoved: async (name) => {
        if (name === 'fleet.t_a') throw new Error('cannot unschedule');
        scheduled.delete(name);
      },
      list: async () => names,
      logger: logger as never,
    });
    await expect(discovery.refresh('fleet')).resolves.toBeUndefined();
    expect(discovery.targets().map((t) => t.name)).toEqual(['fleet.t_a', 'fleet.t_c']);
    expect([...scheduled]).toEqual(['fleet.t_a', 'fleet.t_c']);
    names = ['t_bad', 't_d'];
    await expect(discovery.refresh('fleet')).resolves.toBeUndefined();
    // t_a could not be removed: still there, tried again next time; t_c gone, t_d added, t_bad still refused.
    expect(discovery.targets().map((t) => t.name).sort()).toEqual(['fleet.t_a', 'fleet.t_d']);
    expect(logged).toContain('discovery: adding a target failed');
    expect(logged).toContain('discovery: removing a target failed');
    discovery.stop();
  });

  it('stops applying when stopped during a refresh', async () => {
    const added: string[] = [];
    const discovery: Discovery = new Discovery({
      entries: [entry],
      reserved: new Set(),
      onAdded: async (t) => {
        added.push(t.name);
        discovery.stop();
      },
      onRemoved: async () => {},
      list: async () => ['t_a', 't_b'],
    });
    await discovery.refresh('fleet');
    expect(added).toEqual(['fleet.t_a']);
    expect(discovery.targets().map((t) => t.name)).toEqual(['fleet.t_a']);
  });
});

describe('PostgreSQL discovery', () => {
  const dbs: TempDatabase[] = [];
  afterAll(async () => {
    await Promise.all(dbs.map((db) => db.drop()));
  });

  it('lists the databases matching the pattern, and stops listing one that is dropped', async () => {
    const a = await createTempPgDatabase(`${prefix}_db`);
    const b = await createTempPgDatabase(`${prefix}_db`);
    dbs.push(a, b);
    const request = { url: PG_URL, kind: 'databases' as const, pattern: `${prefix}\\_db\\_%` };
    expect(await dialectNamed('postgres').discover(request)).toEqual([a.name, b.name].sort());
    await b.drop();
    expect(await dialectNamed('postgres').discover(request)).toEqual([a.name]);
  });

  it('lists the schemas matching the pattern or returned by a query', async () => {
    const db = await createTempPgDatabase(`${prefix}_s`);
    dbs.push(db);
    await db.exec('CREATE SCHEMA t_a; CREATE SCHEMA t_b; CREATE SCHEMA other');
    const pg = dialectNamed('postgres');
    expect(await pg.discover({ url: db.url, kind: 'schemas', pattern: 't\\_%' })).toEqual(['t_a', 't_b']);
    expect(await pg.discover({ url: db.url, kind: 'schemas', query: "SELECT nspname FROM pg_namespace WHERE nspname IN ('other', 't_b')" })).toEqual(['other', 't_b']);
    await db.exec('DROP SCHEMA t_b');
    expect(await pg.discover({ url: db.url, kind: 'schemas', pattern: 't\\_%' })).toEqual(['t_a']);
  });

  it('refuses a query of several statements, which could commit a write outside the read-only transaction', async () => {
    const db = await createTempPgDatabase(`${prefix}_ro`);
    dbs.push(db);
    await db.exec("CREATE SCHEMA t_a; CREATE TABLE public.victim (id integer); INSERT INTO public.victim VALUES (1)");
    const pg = dialectNamed('postgres');
    const query = "SELECT nspname FROM pg_namespace WHERE nspname = 't_a'; COMMIT; DELETE FROM public.victim; SELECT 'x'";
    await expect(pg.discover({ url: db.url, kind: 'schemas', query })).rejects.toThrow(/multiple commands|cannot insert multiple/i);
    const rows = await withPgClient(db, async (c) => (await c.query<{ n: string }>('SELECT count(*) AS n FROM public.victim')).rows);
    expect(rows).toEqual([{ n: '1' }]);
    // A single statement still lists.
    expect(await pg.discover({ url: db.url, kind: 'schemas', query: "SELECT nspname FROM pg_namespace WHERE nspname = 't_a'" })).toEqual(['t_a']);
  });

  it('adds and removes targets, leaves out unmappable names, and keeps its list when a listing fails', async () => {
    const db = await createTempPgDatabase(`${prefix}_loop`);
    dbs.push(db);
    await db.exec('CREATE SCHEMA t_a; CREATE SCHEMA t_b; CREATE SCHEMA "t_bad name"; CREATE TABLE public.guard (x int)');
    // The query reads `guard`: once it is dropped, the listing fails on the server.
    const query = "SELECT nspname FROM pg_namespace, (SELECT count(*) FROM public.guard) AS g WHERE nspname LIKE 't\\_%'";
    const entry = pgEntry(db, { kind: 'schemas', query, intervalMs: 60_000, desiredSchema: 'public' });
    const added: string[] = [];
    const removed: string[] = [];
    const listings: unknown[] = [];
    const discovery = new Discovery({
      entries: [entry],
      reserved: new Set([`${entry.name}.t_b`]),
      onAdded: async (t) => void added.push(t.name),
      onRemoved: async (name) => void removed.push(name),
      onListed: (_fleet, listing) => void listings.push(listing),
    });
    await discovery.refresh(entry.name);
    // t_b is taken by a configured target, "t_bad name" cannot be a target name.
    expect(added).toEqual([`${entry.name}.t_a`]);
    expect(listings).toEqual([{ targets: 1, unmapped: 2 }]);

    await db.exec('CREATE SCHEMA t_c');
    await discovery.refresh(entry.name);
    expect(added).toEqual([`${entry.name}.t_a`, `${entry.name}.t_c`]);

    await db.exec('DROP TABLE public.guard');
    await discovery.refresh(entry.name);
    expect(listings.at(-1)).toEqual({ failed: true });
    expect(discovery.targets(entry.name).map((t) => t.name)).toEqual([`${entry.name}.t_a`, `${entry.name}.t_c`]);

    await db.exec('CREATE TABLE public.guard (x int); DROP SCHEMA t_a');
    await discovery.refresh(entry.name);
    expect(removed).toEqual([`${entry.name}.t_a`]);
    expect(discovery.targets().map((t) => t.name)).toEqual([`${entry.name}.t_c`]);
    discovery.stop();
  });

  it('compares each tenant schema with the migrations under its own name', async () => {
    const db = await createTempPgDatabase(`${prefix}_cmp`);
    dbs.push(db);
    for (const schema of ['t_same', 't_twin', 't_changed']) {
      await db.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}; ${SCHEMA_SQL}`);
    }
    await db.exec('ALTER TABLE t_changed.orders ADD COLUMN note text; DROP INDEX t_changed.orders_customer');
    const dir = await tempDirs({ '001_init.sql': SCHEMA_SQL });
    const entry = pgEntry(db, { kind: 'schemas', pattern: 't\\_%', intervalMs: 60_000, desiredSchema: 'public' }, dir);
    const cache = new DesiredCache<DesiredSchema>();
    const reports = new Map<string, Awaited<ReturnType<typeof runCheck>>>();
    for (const name of await dialectNamed('postgres').discover({ url: db.url, kind: 'schemas', pattern: 't\\_%' })) {
      const made = discoveredTarget(entry, name);
      if (!('target' in made)) throw new Error(made.problem);
      reports.set(name, await runCheck(made.target, { cache }));
    }
    const same = reports.get('t_same');
    const changed = reports.get('t_changed');
    expect(same?.error).toBeNull();
    expect(same?.status).toBe('in_sync');
    expect(same?.changes).toEqual([]);
    // Replayed once: the other tenants took the desired schema from the cache.
    expect([...reports.values()].filter((r) => !r.engine.cached)).toHaveLength(1);
    expect(changed?.status).toBe('drift');
    expect(changed?.changes.map((c) => `${c.action} ${c.type}`).sort()).toEqual(['extra column', 'missing index']);
    expect(changed?.reconcile.sql).toMatch(/ALTER TABLE t_changed\.orders DROP COLUMN note/);
    expect(changed?.reconcile.sql).toMatch(/CREATE INDEX orders_customer ON t_changed\.orders/);
    expect(changed?.reconcile.sql).not.toMatch(/public\./);

    const variants = fleetVariants([...reports.entries()].map(([name, r]) => ({ target: name, status: r.status, ...(r.fingerprint ? { fingerprint: r.fingerprint } : {}) })));
    expect(variants.map((v) => ({ targets: v.targets, status: v.status, sample: v.sample }))).toEqual([
      { targets: 2, status: 'in_sync', sample: ['t_same', 't_twin'] },
      { targets: 1, status: 'drift', sample: ['t_changed'] },
    ]);
  }, 120_000);
});

describe('PostgreSQL tenant schemas needing quotes, an extension type and one owner role each', () => {
  let db: TempDatabase | undefined;
  const roles = [`${prefix}_owner_a`, `${prefix}_owner_b`];
  afterAll(async () => {
    await db?.exec(`DROP SCHEMA IF EXISTS "Tenant7" CASCADE; DROP SCHEMA IF EXISTS "tenant-8" CASCADE; ${roles.map((r) => `DROP ROLE IF EXISTS ${r}`).join('; ')}`);
    await db?.drop();
  });

  it('checks identical tenants in sync and groups them as one variant', async () => {
    db = await createTempPgDatabase(`${prefix}_quoted`);
    await db.exec(`CREATE EXTENSION IF NOT EXISTS citext; ${roles.map((r) => `CREATE ROLE ${r}`).join('; ')}`);
    const sql = `${SCHEMA_SQL}CREATE TABLE users (email public.citext NOT NULL, scope text NOT NULL DEFAULT 'public.read');
COMMENT ON TYPE mood IS 'like public.mood';
`;
    const tenants = [['Tenant7', roles[0]], ['tenant-8', roles[1]]] as const;
    for (const [schema, role] of tenants) {
      await db.exec(`CREATE SCHEMA "${schema}" AUTHORIZATION ${role}; SET search_path TO "${schema}"; SET ROLE ${role}; ${sql} RESET ROLE;`);
    }
    const dir = await tempDirs({ '001_init.sql': `CREATE EXTENSION IF NOT EXISTS citext;\n${sql}` });
    const entry = pgEntry(db, { kind: 'schemas', pattern: '%', intervalMs: 60_000, desiredSchema: 'public' }, dir);
    const cache = new DesiredCache<DesiredSchema>();
    const reports = [];
    for (const [schema] of tenants) {
      const made = discoveredTarget(entry, schema);
      if (!('target' in made)) throw new Error(made.problem);
      const report = await runCheck(made.target, { cache });
      expect([schema, report.error, report.status, report.changes]).toEqual([schema, null, 'in_sync', []]);
      reports.push({ target: schema, status: report.status, ...(report.fingerprint ? { fingerprint: report.fingerprint } : {}) });
    }
    expect(reports[0]?.fingerprint).toBeDefined();
    expect(fleetVariants(reports).map((v) => ({ targets: v.targets, status: v.status }))).toEqual([{ targets: 2, status: 'in_sync' }]);
  }, 120_000);
});

describe('PostgreSQL schema-per-tenant with a migration tool', () => {
  let db: TempDatabase | undefined;
  afterAll(async () => {
    await db?.drop();
  });

  it("reads each tenant's own revision table: one a version behind is pending, not drifted", async () => {
    db = await createTempPgDatabase(`${prefix}_rev`);
    const first = 'CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);\n';
    const second = 'ALTER TABLE items ADD COLUMN price numeric(10, 2);\n';
    const revisionTable = 'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);';
    // "a_behind" sorts first: were its table read for every tenant, "b_current" would be compared with version 1.
    await db.exec(`CREATE SCHEMA a_behind; SET search_path TO a_behind; ${first} ${revisionTable} INSERT INTO schema_migrations VALUES (1, false);`);
    await db.exec(`CREATE SCHEMA b_current; SET search_path TO b_current; ${first} ${second} ${revisionTable} INSERT INTO schema_migrations VALUES (2, false);`);
    const dir = await tempDirs({ '1_items.up.sql': first, '2_price.up.sql': second });
    const entry = pgEntry(db, { kind: 'schemas', pattern: '%\\_%', intervalMs: 60_000, desiredSchema: 'public' }, dir);
    const cache = new DesiredCache<DesiredSchema>();
    const check = async (name: string) => {
      const made = discoveredTarget(entry, name);
      if (!('target' in made)) throw new Error(made.problem);
      return runCheck(made.target, { cache });
    };
    const behind = await check('a_behind');
    const current = await check('b_current');
    expect([behind.status, behind.revision?.version, behind.pending.map((p) => p.version)]).toEqual(['pending', '1', ['2']]);
    expect([current.status, current.revision?.version, current.changes]).toEqual(['in_sync', '2', []]);
  }, 120_000);
});

describe('MariaDB discovery', () => {
  const dbs: TempDatabase[] = [];
  beforeAll(() => {
    expect(MYSQL_URL).toMatch(/^mysql:/);
  });
  afterAll(async () => {
    await Promise.all(dbs.map((db) => db.drop()));
  });

  it('lists the databases matching the pattern, and stops listing one that is dropped', async () => {
    const a = await createTempMysqlDatabase(`${prefix}_my`);
    const b = await createTempMysqlDatabase(`${prefix}_my`);
    dbs.push(a, b);
    const mysql = dialectNamed('mysql');
    const request = { url: MYSQL_URL, kind: 'databases' as const, pattern: `${prefix}\\_my\\_%` };
    expect(await mysql.discover(request)).toEqual([a.name, b.name].sort());
    await b.drop();
    expect(await mysql.discover(request)).toEqual([a.name]);
    const entry = testTarget(`${prefix}-my`, MYSQL_URL, { desired: { dir: '/nonexistent', devUrl: MYSQL_URL }, discover: { kind: 'databases', pattern: '%', intervalMs: 60_000, desiredSchema: 'public' } });
    const made = discoveredTarget(entry, a.name);
    expect('target' in made && made.target.url).toBe(`${MYSQL_URL.replace(/\/[^/]*$/, '')}/${a.name}`);
    expect('target' in made && made.target.name).toBe(`${prefix}-my.${a.name}`);
  });

  it('groups discovered databases by their live schema, whatever their names', async () => {
    const table = 'CREATE TABLE items (id bigint PRIMARY KEY, name varchar(50) NOT NULL, KEY items_name (name));';
    const viewSql = 'CREATE VIEW named AS SELECT id, name FROM items WHERE name IS NOT NULL;';
    const made: TempDatabase[] = [];
    for (let i = 0; i < 3; i++) made.push(await createTempMysqlDatabase(`${prefix}_var`));
    dbs.push(...made);
    for (const db of made) await db.exec(`${table} ${viewSql}`);
    await made[2]?.exec('ALTER TABLE items ADD COLUMN note text');
    const dir = await tempDirs({ '001_init.sql': `${table}\n${viewSql}\n` });
    const entry = testTarget(`${prefix}-var`, MYSQL_URL, { desired: { dir, devUrl: MYSQL_URL }, discover: { kind: 'databases', pattern: `${prefix}\\_var\\_%`, intervalMs: 60_000, desiredSchema: 'public' } });
    const cache = new DesiredCache<DesiredSchema>();
    const members = [];
    for (const name of await dialectNamed('mysql').discover({ url: MYSQL_URL, kind: 'databases', pattern: `${prefix}\\_var\\_%` })) {
      const target = discoveredTarget(entry, name);
      if (!('target' in target)) throw new Error(target.problem);
      const report = await runCheck(target.target, { cache });
      expect(report.error).toBeNull();
      members.push({ target: name, status: report.status, ...(report.fingerprint ? { fingerprint: report.fingerprint } : {}) });
    }
    expect(fleetVariants(members).map((v) => [v.targets, v.status, v.sample])).toEqual([
      [2, 'in_sync', [made[0]?.name, made[1]?.name].sort()],
      [1, 'drift', [made[2]?.name]],
    ]);
  }, 120_000);
});
