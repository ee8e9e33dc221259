/**
 * The dev server's role, against the real PostgreSQL server: a role with only LOGIN and CREATEDB replays the example
 * migrations and checks in sync with no warning (what the README's "The dev server's user" asks for); a role without
 * CREATEDB cannot replay; a superuser and a member of pg_execute_server_program replay too, but the report carries
 * one warning naming the dev server, the role and the right (issue 12 point 10). Roles are made with unique names
 * and dropped after.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DesiredSchema, runCheck } from '../../src/agent/run-check.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { testConnection } from '../../src/agent/test-connection.ts';
import { main } from '../../src/cli/cli.ts';
import { deployExample, EXAMPLE_MIGRATIONS } from '../support/example-migrations.ts';
import { createTempPgDatabase, PG_URL, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

const suffix = randomBytes(4).toString('hex');
const ROLES = { createdb: `sd_dev_${suffix}`, nocreate: `sd_nocreate_${suffix}`, program: `sd_program_${suffix}` };
let live: TempDatabase;

async function admin(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** PG_URL as another role (the test server trusts local connections, so no password). */
function urlAs(role: string): string {
  const url = new URL(PG_URL);
  url.username = role;
  url.password = '';
  return url.toString();
}

/** A cache of its own per check: every dev user here has the same engine identity, so a shared one would not replay. */
const fresh = () => ({ cache: new DesiredCache<DesiredSchema>() });

const target = (devUrl: string) =>
  testTarget('app', live.url, { desired: { dir: EXAMPLE_MIGRATIONS.postgres, format: 'golang-migrate', devUrl } });

beforeAll(async () => {
  live = await deployExample('postgres', await createTempPgDatabase('sddevuser'), 4);
  await admin(`CREATE ROLE ${ROLES.createdb} LOGIN CREATEDB`);
  await admin(`CREATE ROLE ${ROLES.nocreate} LOGIN`);
  await admin(`CREATE ROLE ${ROLES.program} LOGIN CREATEDB IN ROLE pg_execute_server_program`);
});
afterAll(async () => {
  await live?.drop();
  for (const role of Object.values(ROLES)) {
    // A replay drops its scratch database; one left by a failed run would keep the role from being dropped.
    const { rows } = await admin('SELECT datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = $1', [role]);
    for (const { datname } of rows as { datname: string }[]) await admin(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin(`DROP ROLE IF EXISTS ${role}`);
  }
});

describe('the dev server role', () => {
  it('LOGIN CREATEDB is enough: the replay runs on the dev server, in sync, no warning, no database left behind', async () => {
    const report = await runCheck(target(urlAs(ROLES.createdb)), fresh());
    expect(report.error).toBeNull();
    expect(report.status).toBe('in_sync');
    expect(report.engine).toMatchObject({ replay: 'server' });
    expect(report.warnings).toEqual([]);
    const { rows } = await admin('SELECT count(*)::int AS n FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = $1', [ROLES.createdb]);
    expect(rows[0]).toEqual({ n: 0 });
  }, 60_000);

  it('without CREATEDB the replay is refused, and the report says why', async () => {
    const report = await runCheck(target(urlAs(ROLES.nocreate)), fresh());
    expect(report.status).toBe('error');
    expect(report.error?.message).toMatch(/permission denied to create database/);
  }, 60_000);

  it('a superuser: the check runs, with one warning naming the dev server, the role and COPY ... FROM PROGRAM', async () => {
    const deps = fresh();
    const report = await runCheck(target(PG_URL), deps);
    expect(report.status).toBe('in_sync');
    // Once per check, also when the replay comes from the cache: the risk is the configuration's, not the replay's.
    const again = await runCheck(target(PG_URL), deps);
    expect(again.engine.cached).toBe(true);
    expect(again.warnings).toEqual(report.warnings);
    const role = decodeURIComponent(new URL(PG_URL).username);
    expect(report.warnings).toEqual([
      expect.stringMatching(
        new RegExp(`^dev server postgres://${role}@[^ ]+: role "${role}" is a superuser, so a migration replayed there can run shell commands on the dev server's host \\(COPY \\.\\.\\. FROM PROGRAM\\); replay as a role with only CREATEDB`),
      ),
    ]);
  }, 60_000);

  it('a member of pg_execute_server_program: the same warning names the membership; test-connection says it at start', async () => {
    const report = await runCheck(target(urlAs(ROLES.program)), fresh());
    expect(report.status).toBe('in_sync');
    expect(report.warnings).toEqual([expect.stringContaining(`role "${ROLES.program}" is a member of pg_execute_server_program, so a migration replayed there can run shell commands`)]);
    const tested = await testConnection(target(urlAs(ROLES.program)));
    expect(tested.ok).toBe(true);
    expect(tested.warnings).toEqual(report.warnings);
  }, 60_000);

  it('the CLI says it once on stderr, also when both sides are replayed on that dev server', async () => {
    const out: string[] = [];
    const io = { stdout: () => undefined, stderr: (text: string) => void out.push(text), progress: () => undefined };
    const dir = EXAMPLE_MIGRATIONS.postgres;
    expect(await main(['diff', '--from', dir, '--to', dir, '--dev-url', urlAs(ROLES.program)], io)).toBe(0);
    expect(out.join('').match(/^schema-drift: warning: dev server .*$/gm)).toEqual([expect.stringContaining(`role "${ROLES.program}" is a member of pg_execute_server_program`)]);
  }, 60_000);
});
