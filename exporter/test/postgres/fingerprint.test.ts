/**
 * The schema fingerprint (`dialects/postgres/fingerprint.ts`) on the real server, read as the watch reads it (a
 * read-only session from the dialect): unchanged by maintenance and ordinary writes, and changed by every DDL statement
 * the planner writes for the convergence fixtures that changes what a check reads (each statement of each a→b plan,
 * applied one at a time, with the schema inspected before and after it: a statement that leaves the inspection as it
 * was, such as `OWNER TO` the owner it already has, must not be needed to change the fingerprint).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import { dialectNamed } from '../../src/dialects/registry.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { inspectPostgres } from '../../src/dialects/postgres/inspect.ts';
import { planPostgres } from '../../src/dialects/postgres/plan.ts';
import { readPgFixture } from '../support/pg-fixtures.ts';
import { createTempPgDatabase, type TempDatabase, withPgClient } from '../support/servers.ts';

const ROOT = fileURLToPath(new URL('../fixtures/postgres/convergence/', import.meta.url));
const CASES = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('privileges'))
  .map((d) => d.name)
  .sort();

const postgres = dialectNamed('postgres');

async function fingerprint(db: TempDatabase, schemas?: string[]): Promise<string> {
  const session = await postgres.connect({ url: db.url, target: 'fingerprint-test', statementTimeoutMs: 30_000 });
  try {
    return (await session.fingerprint(schemas ? { schemas } : {})).value;
  } finally {
    await session.close();
  }
}

describe('PostgreSQL schema fingerprint: what leaves it alone', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await createTempPgDatabase('sdfp');
    await db.exec(await readPgFixture(`${ROOT}indexes/a.sql`));
    await db.exec(`
      CREATE TABLE watch_rows (id bigserial PRIMARY KEY, label text NOT NULL, at timestamptz DEFAULT now());
      CREATE INDEX watch_rows_label ON watch_rows (label);
      -- CLUSTER records its index (pg_index.indisclustered) the first time: a schema change of its own.
      ALTER TABLE watch_rows CLUSTER ON watch_rows_pkey;`);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const steps: [string, string][] = [
    ['1,000 inserts (a sequence advances)', `INSERT INTO watch_rows (label) SELECT 'row ' || g FROM generate_series(1, 1000) g`],
    ['updates and deletes', `UPDATE watch_rows SET label = label || '!' WHERE id % 2 = 0; DELETE FROM watch_rows WHERE id % 7 = 0`],
    ['ANALYZE', 'ANALYZE'],
    ['VACUUM', 'VACUUM watch_rows'],
    ['VACUUM ANALYZE of the catalogs', 'VACUUM ANALYZE pg_catalog.pg_class, pg_catalog.pg_attribute, pg_catalog.pg_type'],
    ['VACUUM FREEZE (the catalogs too)', 'VACUUM FREEZE'],
    ['VACUUM FULL (a new relfilenode)', 'VACUUM FULL watch_rows'],
    ['TRUNCATE (a new relfilenode)', 'TRUNCATE watch_rows'],
    ['REINDEX', 'REINDEX TABLE watch_rows'],
    ['CLUSTER (on the index it is already marked for)', 'CLUSTER watch_rows USING watch_rows_pkey'],
    ['CHECKPOINT', 'CHECKPOINT'],
    ['a temporary table', 'CREATE TEMP TABLE scratch (id int PRIMARY KEY, note text); DROP TABLE scratch'],
  ];

  it.each(steps)('%s', async (_name, sql) => {
    const before = await fingerprint(db);
    await withPgClient(db, (c) => c.query(sql));
    expect(await fingerprint(db)).toBe(before);
  });

  it('changes with a hand-made ALTER TABLE and only within the configured schemas', async () => {
    await db.exec('CREATE SCHEMA other; CREATE TABLE other.t (id int)');
    const all = await fingerprint(db);
    const publicOnly = await fingerprint(db, ['public']);
    await db.exec('ALTER TABLE other.t ADD COLUMN note text');
    expect(await fingerprint(db)).not.toBe(all);
    expect(await fingerprint(db, ['public'])).toBe(publicOnly);
    await db.exec('ALTER TABLE watch_rows ADD COLUMN note text');
    expect(await fingerprint(db, ['public'])).not.toBe(publicOnly);
  });
});

describe('PostgreSQL schema fingerprint: every DDL statement of the convergence plans changes it', () => {
  it('has the convergence cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  // A statement and a fingerprint each (PostgreSQL: an inspection too): minutes for the largest cases on a busy machine.
  it.each(CASES)('%s: a → b, statement by statement', async (name) => {
    const current = await createTempPgDatabase('sdfp');
    const desired = await createTempPgDatabase('sdfp');
    try {
      // The fixture's lines for the server's major (support/pg-fixtures.ts).
      await current.exec(await readPgFixture(`${ROOT}${name}/a.sql`));
      await desired.exec(await readPgFixture(`${ROOT}${name}/b.sql`));
      const desiredSnap = await withPgClient(desired, (c) => inspectPostgres(c));
      const before = await withPgClient(current, (c) => inspectPostgres(c));
      const plan = planPostgres(diffSchemas({ current: before, desired: desiredSnap, hooks: postgresHooks }), { current: before, desired: desiredSnap });
      const ddl = plan.statements.filter((s) => !/^\s*(SET|RESET|BEGIN|COMMIT)\b/i.test(s.sql));
      expect(ddl.length).toBeGreaterThan(0);
      let last = await fingerprint(current);
      let seen = JSON.stringify(before);
      const unchanged: string[] = [];
      for (const statement of ddl) {
        await withPgClient(current, (c) => c.query(statement.sql));
        const next = await fingerprint(current);
        const read = JSON.stringify(await withPgClient(current, (c) => inspectPostgres(c)));
        if (next === last && read !== seen) unchanged.push(statement.sql);
        last = next;
        seen = read;
      }
      expect(unchanged, 'statements that left the fingerprint unchanged').toEqual([]);
    } finally {
      await current.drop();
      await desired.drop();
    }
  }, 300_000);
});
