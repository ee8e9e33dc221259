/**
 * runCheck against the real PostgreSQL server, with the bundled example migrations (golang-migrate layout) replayed
 * into PGlite. Each database is built the way production gets there: the migrations ran, golang-migrate recorded
 * its version, and then (for the drift cases) someone typed SQL by hand. Pending, dirty and a broken migration read
 * the same on every dialect: engine/check-scenarios.test.ts.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import type { TargetConfig } from '../../src/config/types.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { TimeoutError } from '../../src/core/errors.ts';
import { deployExample, EXAMPLE_MIGRATIONS } from '../support/example-migrations.ts';
import { createTempPgDatabase, pgUrlFor, PG_URL, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

const EXAMPLES = EXAMPLE_MIGRATIONS.postgres;
const DRIFT = fileURLToPath(new URL('../../examples/drift/production.sql', import.meta.url));

/** A target (see `testTarget`) whose desired schema is the bundled example migrations. */
function targetFor(name: string, url: string, fields: Partial<TargetConfig> = {}): TargetConfig {
  return testTarget(name, url, { desired: { dir: EXAMPLES, format: 'golang-migrate' }, ...fields });
}

/** A database migrated to `version` by "golang-migrate", then `extra` SQL typed by hand. */
async function migratedDatabase(version: number, options: { extra?: string } = {}): Promise<TempDatabase> {
  return deployExample('postgres', await createTempPgDatabase('sdcheck'), version, options);
}

async function sessionsOn(database: string): Promise<number> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int4 AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'schema-drift'`,
      [database],
    );
    return rows[0]?.n ?? -1;
  } finally {
    await client.end();
  }
}

// One cache for the whole file: the example directory is replayed once per replay bound, as in the agent.
const cache = new DesiredCache<DesiredSchema>();
const databases: TempDatabase[] = [];
let inSync: TempDatabase;

beforeAll(async () => {
  inSync = await migratedDatabase(4);
  databases.push(inSync);
}, 60_000);

afterAll(async () => {
  for (const db of databases) await db.drop();
});

describe('runCheck on PostgreSQL', () => {
  it('reports in_sync for a database migrated to the last version, with engine and revision filled in', async () => {
    const report = await runCheck(targetFor('staging', inSync.url), { cache });
    expect(report.error).toBeNull();
    expect(report.status).toBe('in_sync');
    expect(report.target).toBe('staging');
    expect(report.labels).toEqual({ environment: 'test' });
    expect(report.counts.total).toBe(0);
    expect(report.revision).toMatchObject({ tool: 'golang-migrate', version: '4', dirty: false });
    expect(report.engine).toMatchObject({ dialect: 'postgres', replay: 'pglite' });
    expect(report.engine.targetServerVersion).toMatch(/^15\./);
    // The revision table belongs to the tool: never in the DDL, never drift.
    expect(report.ddl.current).toContain('CREATE TABLE public.invoices');
    expect(report.ddl.current).not.toContain('schema_migrations');
    expect(report.ddl.desired).toContain('CREATE TABLE public.invoices');
    expect(report.erd.tables.map((t) => t.id)).toContain('public.tasks');
    // PGlite is PostgreSQL 18, the server 15: the report says so.
    expect(report.warnings.join('\n')).toMatch(/replayed on embedded PGlite .* target runs PostgreSQL 15/);
  }, 60_000);

  it('reports drift with counts by kind for hand-made changes, and the reconcile SQL', async () => {
    const db = await migratedDatabase(4, { extra: await readFile(DRIFT, 'utf8') });
    databases.push(db);
    const report = await runCheck(targetFor('production', db.url), { cache });
    expect(report.status).toBe('drift');
    expect(report.counts).toMatchObject({ total: 3, extra: 1, missing: 1, changed: 1 });
    expect(report.counts.byKind.column).toEqual({ extra: 0, missing: 0, changed: 1 });
    expect(report.counts.byKind.index).toEqual({ extra: 1, missing: 0, changed: 0 });
    expect(report.counts.byKind.constraint).toEqual({ extra: 0, missing: 1, changed: 0 });
    expect(report.reconcile.error).toBeUndefined();
    expect(report.reconcile.sql).toContain('invoices_issued_at_idx');
    expect(report.reconcile.sql).toContain('invoices_amount_positive');
    expect(report.ddl.current).toContain('invoices_issued_at_idx');
    expect(report.ddl.desired).not.toContain('invoices_issued_at_idx');
  }, 60_000);

  it.each([
    ['an unreachable port', 'postgres://postgres:s3cret-pw@127.0.0.1:1/test', /ECONNREFUSED/],
    ['a missing database', pgUrlFor('sd_no_such_database').replace('postgres@', 'postgres:s3cret-pw@'), /does not exist/],
  ])('reports error/connect for %s, without the password', async (_case, url, message) => {
    const report = await runCheck(targetFor('down', url), { cache });
    expect(report.status).toBe('error');
    expect(report.error?.reason).toBe('connect');
    expect(report.error?.message).toMatch(message);
    expect(JSON.stringify(report)).not.toContain('s3cret-pw');
    expect(report.counts.total).toBe(0);
  }, 30_000);

  it('reports error/connect for a MySQL target that is down (MySQL checks: test/mysql/run-check.test.ts)', async () => {
    const report = await runCheck(targetFor('mysql', 'mysql://root@127.0.0.1:1/test', { dialect: 'mysql' }), { cache });
    expect(report.status).toBe('error');
    expect(report.error?.reason).toBe('connect');
    expect(report.engine.dialect).toBe('mysql');
  });

  it('takes the desired schema from the cache on the second check', async () => {
    const fresh = new DesiredCache<DesiredSchema>();
    const target = targetFor('cached', inSync.url);
    const first = await runCheck(target, { cache: fresh });
    const second = await runCheck(target, { cache: fresh });
    expect([first.engine.cached, second.engine.cached]).toEqual([false, true]);
    expect(second.status).toBe('in_sync');
    expect(second.ddl.desired).toBe(first.ddl.desired);
  }, 60_000);

  it('stops at the next step when aborted, reports timeout, and leaves no session open', async () => {
    const controller = new AbortController();
    const target = targetFor('slow', inSync.url);
    // Aborted while the read-only session is open (the connect step is under way when abort fires).
    const pending = runCheck(target, { cache: new DesiredCache<DesiredSchema>(), signal: controller.signal });
    controller.abort(new TimeoutError('check did not finish within 1 ms', { target: 'slow' }));
    const report = await pending;
    expect(report.error?.reason).toBe('timeout');
    expect(report.error?.message).toBe('check did not finish within 1 ms');
    expect(await sessionsOn(inSync.name)).toBe(0);
  }, 30_000);

  it('reports a cancelled check (not a timeout) when aborted for another reason', async () => {
    const report = await runCheck(targetFor('stopping', inSync.url), { cache, signal: AbortSignal.abort(new Error('agent stopping')) });
    expect(report.error).toEqual({ reason: 'internal', message: 'check cancelled: agent stopping' });
  });
});
