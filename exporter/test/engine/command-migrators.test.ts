/**
 * `desired.command` with real migrators from npm (Knex's CLI with JavaScript migrations, node-pg-migrate's CLI), each
 * against both scratch databases (embedded PGlite served over the wire protocol, and a temporary database on the
 * PostgreSQL dev server), on live databases deployed by the same tool on the real PostgreSQL: deployed is `in_sync`
 * (through `runCheck` and the CLI) and the tool's bookkeeping never shows; a hand-made hot-fix is drift naming it; a
 * migration not deployed is pending with `{{version}}` in the command (node-pg-migrate, Knex), and without it listed as
 * pending while what it changes shows as drift, with a warning saying why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import { main } from '../../src/cli/cli.ts';
import type { DesiredCommandConfig } from '../../src/config/types.ts';
import type { Report } from '../../src/core/model/report.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import {
  deploy,
  KNEX,
  KNEX_TO_VERSION,
  NODE_PG_MIGRATE,
  NODE_PG_MIGRATE_CLI,
  NODE_PG_MIGRATE_TO_VERSION,
  type MigratorProject,
} from '../support/command-projects.ts';
import { createTempMysqlDatabase, createTempPgDatabase, MYSQL_URL, PG_URL, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

const HOT_FIX = 'ALTER TABLE users ADD COLUMN nickname varchar(50)';
const SCRATCHES = [
  { scratch: 'pglite', devUrl: undefined },
  { scratch: 'dev server', devUrl: PG_URL },
] as const;

function commandConfig(project: MigratorProject, command: string | readonly string[] = project.command): DesiredCommandConfig {
  return { command, cwd: project.dir, timeoutMs: 120_000, inputs: [], env: {} };
}

async function check(db: TempDatabase, project: MigratorProject, devUrl: string | undefined, command?: string): Promise<Report> {
  const target = testTarget(`cmd-${project.name}`, db.url, {
    desired: { dir: project.dir, command: commandConfig(project, command), ...(devUrl ? { devUrl } : {}) },
    checkTimeoutMs: 180_000,
  });
  return runCheck(target, { cache: new DesiredCache<DesiredSchema>() });
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

function changed(report: Report): string {
  return JSON.stringify(report.changes);
}

describe.each([KNEX, NODE_PG_MIGRATE])('$name as desired.command', (project) => {
  const dbs: Partial<Record<'deployed' | 'hotFix' | 'pending', TempDatabase>> = {};

  beforeAll(async () => {
    dbs.deployed = await createTempPgDatabase('sdtest_cmd');
    dbs.hotFix = await createTempPgDatabase('sdtest_cmd');
    dbs.pending = await createTempPgDatabase('sdtest_cmd');
    await deploy(project, dbs.deployed.url);
    await deploy(project, dbs.hotFix.url);
    await dbs.hotFix.exec(HOT_FIX);
    await deploy(project, dbs.pending.url, 'second');
  }, 120_000);

  afterAll(async () => {
    for (const db of Object.values(dbs)) await db?.drop();
  });

  describe.each(SCRATCHES)('on the $scratch scratch database', ({ devUrl }) => {
    it('a database deployed by the same tool is in sync, the tool bookkeeping never shows', async () => {
      const report = await check(dbs.deployed!, project, devUrl);
      expect(report.error).toBeNull();
      expect(report.status).toBe('in_sync');
      expect(report.changes).toEqual([]);
      expect(report.engine.replay).toBe(devUrl ? 'server' : 'pglite');
      // The scratch really holds the project's schema: both sides' DDL name its tables.
      expect(report.ddl.desired).toMatch(/CREATE TABLE public\.orders/);
      expect(report.ddl.desired).not.toMatch(project.bookkeeping);
      expect(report.reconcile.sql).not.toMatch(project.bookkeeping);
    }, 120_000);

    it('a hand-made hot-fix is drift naming it', async () => {
      const report = await check(dbs.hotFix!, project, devUrl);
      expect(report.status).toBe('drift');
      expect(report.changes).toHaveLength(1);
      expect(changed(report)).toContain('nickname');
      expect(report.reconcile.sql).toMatch(/DROP COLUMN nickname/);
    }, 120_000);
  });
});

describe('pending migrations', () => {
  let npmPending: TempDatabase;
  let knexPending: TempDatabase;

  beforeAll(async () => {
    npmPending = await createTempPgDatabase('sdtest_cmd');
    knexPending = await createTempPgDatabase('sdtest_cmd');
    await deploy(NODE_PG_MIGRATE, npmPending.url, 'second');
    await deploy(KNEX, knexPending.url, 'second');
  }, 120_000);

  afterAll(async () => {
    await npmPending?.drop();
    await knexPending?.drop();
  });

  it.each(SCRATCHES)('node-pg-migrate with {{version}} on the $scratch scratch: pending, not drift', async ({ devUrl }) => {
    const report = await check(npmPending, NODE_PG_MIGRATE, devUrl, NODE_PG_MIGRATE_TO_VERSION);
    expect(report.error).toBeNull();
    expect(report.status).toBe('pending');
    expect(report.changes).toEqual([]);
    expect(report.revision).toMatchObject({ tool: 'node-pg-migrate', version: '1704153600000_orders' });
    expect(report.pending).toEqual([{ version: NODE_PG_MIGRATE.lastVersion, path: NODE_PG_MIGRATE.lastVersion }]);
  }, 120_000);

  it('SCHEMA_DRIFT_VERSION carries the version into double quotes, where {{version}}\'s quotes would be part of the value', async () => {
    const command = `"${process.execPath}" "${NODE_PG_MIGRATE_CLI}" up --timestamp "$(echo "$SCHEMA_DRIFT_VERSION" | cut -d_ -f1)"`;
    const report = await check(npmPending, NODE_PG_MIGRATE, PG_URL, command);
    expect(report.error).toBeNull();
    expect(report.status).toBe('pending');
    expect(report.changes).toEqual([]);
    expect(report.pending).toEqual([{ version: NODE_PG_MIGRATE.lastVersion, path: NODE_PG_MIGRATE.lastVersion }]);
  }, 120_000);

  it('a second run (to the latest) that fails costs only the pending list: a warning, the desired state stands', async () => {
    const command = `${NODE_PG_MIGRATE_TO_VERSION} && test -n "$(echo {{version}})"`;
    const report = await check(npmPending, NODE_PG_MIGRATE, PG_URL, command);
    expect(report.error).toBeNull();
    expect(report.changes).toEqual([]);
    expect(report.pending).toEqual([]);
    expect(report.status).toBe('in_sync');
    expect(report.warnings.join('\n')).toMatch(/pending migrations unknown: the second run of the migration command, to the latest, failed: migration command ".*" exited with code 1/);
  }, 120_000);

  it('node-pg-migrate without {{version}}: the undeployed migration is listed as pending, its change is drift, a warning says why', async () => {
    const report = await check(npmPending, NODE_PG_MIGRATE, undefined);
    expect(report.status).toBe('drift');
    expect(report.pending.map((p) => p.version)).toEqual([NODE_PG_MIGRATE.lastVersion]);
    expect(changed(report)).toContain('status');
    expect(report.warnings.join('\n')).toMatch(/put \{\{version\}\} in the command/);
  }, 120_000);

  it('Knex with {{version}}: knex_migrations is read, the undeployed migration is pending, not drift', async () => {
    const report = await check(knexPending, KNEX, PG_URL, KNEX_TO_VERSION);
    expect(report.error).toBeNull();
    expect(report.status).toBe('pending');
    expect(report.changes).toEqual([]);
    expect(report.revision).toMatchObject({ tool: 'knex', version: '20240102000000_orders.cjs', dirty: false });
    expect(report.pending).toEqual([{ version: KNEX.lastVersion, path: KNEX.lastVersion }]);
  }, 120_000);

  it('Knex without {{version}}: the undeployed migration is listed as pending, its change is drift, a warning says why', async () => {
    const report = await check(knexPending, KNEX, PG_URL);
    expect(report.status).toBe('drift');
    expect(report.pending.map((p) => p.version)).toEqual([KNEX.lastVersion]);
    expect(report.changes).toHaveLength(1);
    expect(changed(report)).toContain('status');
    expect(report.reconcile.sql).not.toMatch(/knex_migrations/);
    expect(report.warnings.join('\n')).toMatch(/put \{\{version\}\} in the command/);
  }, 120_000);
});

describe('schema-drift diff --to-command', () => {
  let deployed: TempDatabase;
  let pending: TempDatabase;

  beforeAll(async () => {
    deployed = await createTempPgDatabase('sdtest_cmd');
    pending = await createTempPgDatabase('sdtest_cmd');
    await deploy(KNEX, deployed.url);
    await deploy(NODE_PG_MIGRATE, pending.url, 'second');
  }, 120_000);

  afterAll(async () => {
    await deployed?.drop();
    await pending?.drop();
  });

  it('a Knex-deployed database matches the Knex command: exit 0, in_sync', async () => {
    const command = KNEX.command.map((a) => JSON.stringify(a)).join(' ');
    const result = await cli(['diff', '--from', deployed.url, '--to-command', command, '--command-cwd', KNEX.dir]);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Status: in_sync/);
  }, 120_000);

  it('node-pg-migrate with {{version}} and --dev-url: pending in the JSON, no changes', async () => {
    const result = await cli([
      'diff', '--from', pending.url, '--to-command', NODE_PG_MIGRATE_TO_VERSION, '--command-cwd', NODE_PG_MIGRATE.dir,
      '--dev-url', PG_URL, '--format', 'json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { pending: { version: string }[]; changes: unknown[]; revision: { version: string } };
    expect(json.changes).toEqual([]);
    expect(json.pending.map((p) => p.version)).toEqual([NODE_PG_MIGRATE.lastVersion]);
    expect(json.revision.version).toBe('1704153600000_orders');
  }, 120_000);

  it('refuses both --to and --to-command', async () => {
    const result = await cli(['diff', '--from', deployed.url, '--to', KNEX.dir, '--to-command', 'true']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/exactly one of --to and --to-command/);
  });
});

describe('Knex on MySQL/MariaDB: the scratch database is a temporary database on the dev server', () => {
  let deployed: TempDatabase;
  let hotFix: TempDatabase;
  let latin1: TempDatabase;

  beforeAll(async () => {
    deployed = await createTempMysqlDatabase('sdtest_cmd');
    hotFix = await createTempMysqlDatabase('sdtest_cmd');
    latin1 = await createTempMysqlDatabase('sdtest_cmd');
    // A database whose defaults are not the dev server's: Knex's tables name no charset, so they take the database's.
    await latin1.exec(`ALTER DATABASE \`${latin1.name}\` CHARACTER SET latin1 COLLATE latin1_swedish_ci`);
    await deploy(KNEX, deployed.url);
    await deploy(KNEX, hotFix.url);
    await deploy(KNEX, latin1.url);
    await hotFix.exec('ALTER TABLE users ADD COLUMN nickname varchar(50)');
  }, 120_000);

  afterAll(async () => {
    await deployed?.drop();
    await hotFix?.drop();
    await latin1?.drop();
  });

  it('a live database with other charset defaults than the dev server: the scratch database takes them, in sync', async () => {
    const report = await check(latin1, KNEX, MYSQL_URL);
    expect(report.error).toBeNull();
    expect(report.changes).toEqual([]);
    expect(report.status).toBe('in_sync');
  }, 120_000);

  it('deployed by Knex is in sync; the hot-fix is drift naming it', async () => {
    const inSync = await check(deployed, KNEX, MYSQL_URL);
    expect(inSync.error).toBeNull();
    expect(inSync.status).toBe('in_sync');
    expect(inSync.ddl.desired).toMatch(/CREATE TABLE `orders`/);
    expect(inSync.ddl.desired).not.toMatch(/knex_migrations/);

    const drift = await check(hotFix, KNEX, MYSQL_URL);
    expect(drift.status).toBe('drift');
    expect(drift.changes).toHaveLength(1);
    expect(changed(drift)).toContain('nickname');
  }, 120_000);
});
