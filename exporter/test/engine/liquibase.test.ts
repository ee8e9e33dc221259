/**
 * Liquibase formatted SQL changelogs against databases deployed by Liquibase's rules (`support/liquibase.ts`), on
 * every dialect's real server, through both the agent's check (`runCheck`) and the CLI's `diff`: fully deployed is in
 * sync and neither `DATABASECHANGELOG` nor `DATABASECHANGELOGLOCK` ever shows in the changes or the reconcile SQL;
 * the last changeset not deployed is pending; a hot-fix is drift naming it, and its reconcile script converges; a
 * changeset that failed leaves no row (Liquibase writes none for a failure), so it is pending, plus what was in its
 * way; a FAILED row (written by something other than Liquibase OSS) and a lock left held by a killed update are dirty;
 * a runOnChange view edited since its last run is pending, not drift.
 * PostgreSQL reads a `changelog.yaml` master (include + includeAll, paths from the classpath root); MariaDB a flat
 * includeAll-style directory.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import { main } from '../../src/cli/cli.ts';
import type { Report } from '../../src/core/model/report.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { DIALECT_HARNESSES, type DialectHarness } from '../support/dialects.ts';
import { deployWithLiquibase } from '../support/liquibase.ts';
import type { TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const LIQUIBASE_OBJECTS = /databasechangelog/i;
const HOT_FIX = 'ALTER TABLE users ADD COLUMN nickname varchar(50)';
/** The view as it was before its last edit (no `orders` column): what a deploy before the edit ran. */
const OLD_VIEW = 'CREATE OR REPLACE VIEW order_totals AS\nSELECT user_id, sum(total) AS total\nFROM orders\nGROUP BY user_id\n//';

interface Layout {
  readonly dir: string;
  readonly filenamePrefix: string;
  readonly last: string;
  readonly table: RegExp;
}

const LAYOUTS: Record<string, Layout> = {
  postgres: {
    dir: path.join(FIXTURES, 'migrations', 'liquibase'),
    filenamePrefix: 'db/changelog/',
    last: 'changes/orders/020-views.sql',
    table: /^public\.databasechangelog$/,
  },
  mysql: {
    dir: path.join(FIXTURES, 'migrations-mysql', 'liquibase'),
    filenamePrefix: 'classpath:db/changelog/',
    last: '003_views.sql',
    table: /\.DATABASECHANGELOG$/,
  },
};

type ScenarioName = 'deployed' | 'pending' | 'hot-fix' | 'failed' | 'failed-row' | 'locked' | 'view-changed';

interface CliDiff {
  code: number;
  json: {
    revision: { tool: string; version: string | null; dirty: boolean; failedVersion?: string } | null;
    pending: { version: string | null; path: string }[];
    warnings: string[];
    changes: Report['changes'];
  };
  sql: string;
}

interface Case {
  report: Report;
  cli: CliDiff;
  deployError: Error | undefined;
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  if (code === 2) throw new Error(`schema-drift ${argv.join(' ')} failed: ${stderr}`);
  return { code, stdout };
}

async function cliDiff(db: TempDatabase, dir: string, harness: DialectHarness): Promise<CliDiff> {
  const dev = harness.devUrl ? ['--dev-url', harness.devUrl] : [];
  const json = await cli(['diff', '--from', db.url, '--to', dir, '--format', 'json', ...dev]);
  const sql = (await cli(['diff', '--from', db.url, '--to', dir, '--format', 'sql', '--dir-format', 'liquibase', ...dev])).stdout;
  return { code: json.code, json: JSON.parse(json.stdout) as CliDiff['json'], sql };
}

const SETUPS: Record<ScenarioName, (h: DialectHarness, db: TempDatabase, layout: Layout) => Promise<Error | undefined>> = {
  deployed: (h, db, l) => deployWithLiquibase(h.name, db, l.dir, { filenamePrefix: l.filenamePrefix }),
  pending: (h, db, l) => deployWithLiquibase(h.name, db, l.dir, { filenamePrefix: l.filenamePrefix, count: 4 }),
  async 'hot-fix'(h, db, l) {
    const error = await deployWithLiquibase(h.name, db, l.dir, { filenamePrefix: l.filenamePrefix });
    await db.exec(HOT_FIX);
    return error;
  },
  async failed(h, db, l) {
    // A table in the view's place: the last changeset fails, is rolled back and leaves no row.
    await db.exec('CREATE TABLE order_totals (id int)');
    return deployWithLiquibase(h.name, db, l.dir, { filenamePrefix: l.filenamePrefix });
  },
  async 'failed-row'(h, db, l) {
    await db.exec('CREATE TABLE order_totals (id int)');
    return deployWithLiquibase(h.name, db, l.dir, { filenamePrefix: l.filenamePrefix, recordFailedRow: true });
  },
  locked: (h, db, l) => deployWithLiquibase(h.name, db, l.dir, { filenamePrefix: l.filenamePrefix, leaveLocked: true }),
  'view-changed': (h, db, l) =>
    deployWithLiquibase(h.name, db, l.dir, {
      filenamePrefix: l.filenamePrefix,
      deployedSql: { 'order-totals::bob': h.name === 'postgres' ? OLD_VIEW : OLD_VIEW.replace('sum(', 'SUM(') },
    }),
};

describe.each(DIALECT_HARNESSES)('Liquibase on $server ($name)', (harness: DialectHarness) => {
  const layout = LAYOUTS[harness.name] as Layout;
  const cases = new Map<ScenarioName, Case>();
  const databases: TempDatabase[] = [];
  /** The hot-fix database checked again after its reconcile script ran. */
  let converged: Report | undefined;

  beforeAll(async () => {
    const cache = new DesiredCache<DesiredSchema>({});
    for (const name of Object.keys(SETUPS) as ScenarioName[]) {
      const db = await harness.createDatabase('sdliquibase');
      databases.push(db);
      const deployError = await SETUPS[name](harness, db, layout);
      const target = testTarget(`liquibase-${name}`, db.url, {
        desired: { dir: layout.dir, ...(harness.devUrl ? { devUrl: harness.devUrl } : {}) },
      });
      const report = await runCheck(target, { cache });
      cases.set(name, { report, cli: await cliDiff(db, layout.dir, harness), deployError });
      if (name === 'hot-fix') {
        await db.exec(report.reconcile.sql);
        converged = await runCheck(target, { cache });
      }
    }
  }, 600_000);

  afterAll(async () => {
    await Promise.all(databases.map((db) => db.drop()));
  });

  const get = (name: ScenarioName): Case => {
    const found = cases.get(name);
    if (!found) throw new Error(`no case ${name}`);
    return found;
  };
  const changeNames = (report: Report) => report.changes.map((c) => `${c.action} ${c.type} ${c.name}`);
  const lastVersion = () => `${layout.filenamePrefix}${layout.last}::order-totals::bob`;

  it('fully deployed: in sync, and no Liquibase table in the changes or the reconcile SQL', () => {
    const { report, cli: diff, deployError } = get('deployed');
    expect(deployError).toBeUndefined();
    expect(report.error).toBeNull();
    expect(report.status).toBe('in_sync');
    expect(report.changes).toEqual([]);
    expect(report.revision).toMatchObject({ tool: 'liquibase', version: lastVersion(), dirty: false });
    expect(report.revision?.table).toMatch(layout.table);
    expect(report.reconcile.sql).not.toMatch(LIQUIBASE_OBJECTS);
    expect(diff.code).toBe(0);
    expect(diff.json.changes).toEqual([]);
    expect(diff.json.pending).toEqual([]);
    expect(diff.json.revision).toMatchObject({ tool: 'liquibase', dirty: false });
    expect(diff.sql).toBe('');
  });

  it('last changeset not deployed: pending, no changes, the same in agent and CLI', () => {
    const { report, cli: diff, deployError } = get('pending');
    expect(deployError).toBeUndefined();
    expect(report.error).toBeNull();
    expect(report.status).toBe('pending');
    expect(report.changes).toEqual([]);
    expect(report.pending).toEqual([{ version: '5', path: layout.last }]);
    expect(diff.code).toBe(0);
    expect(diff.json.changes).toEqual([]);
    expect(diff.json.pending.map((p) => p.path)).toEqual([layout.last]);
    expect(diff.json.warnings).toEqual(report.warnings);
  });

  it('one hot-fix: drift naming it, and a reconcile script that touches no Liquibase table', () => {
    const { report, cli: diff } = get('hot-fix');
    expect(report.status).toBe('drift');
    expect(changeNames(report)).toEqual(['extra column nickname']);
    expect(report.reconcile.sql).toMatch(/nickname/);
    expect(report.reconcile.sql).not.toMatch(LIQUIBASE_OBJECTS);
    expect(diff.code).toBe(1);
    expect(diff.json.changes).toEqual(report.changes);
    expect(diff.sql).toMatch(/nickname/);
    expect(diff.sql).not.toMatch(LIQUIBASE_OBJECTS);
    // The reconcile script converges, and leaves Liquibase's tables as they were.
    expect(converged?.status).toBe('in_sync');
    expect(converged?.revision).toMatchObject({ tool: 'liquibase', version: lastVersion(), dirty: false });
  });

  it('a failed changeset leaves no row: pending, and what was in its way is drift', () => {
    const { report, cli: diff, deployError } = get('failed');
    expect(deployError).toBeDefined();
    expect(report.revision).toMatchObject({ tool: 'liquibase', dirty: false, version: `${layout.filenamePrefix}${harness.name === 'postgres' ? 'changes/orders/010-orders.sql' : '002_orders.sql'}::order-status::bob` });
    expect(report.status).toBe('drift');
    expect(report.pending.map((p) => p.path)).toEqual([layout.last]);
    expect(changeNames(report)).toEqual(['extra table order_totals']);
    expect(report.reconcile.sql).not.toMatch(LIQUIBASE_OBJECTS);
    expect(diff.json.changes).toEqual(report.changes);
  });

  it('a FAILED row: dirty, naming the changeset', () => {
    const { report, cli: diff, deployError } = get('failed-row');
    expect(deployError).toBeDefined();
    expect(report.status).toBe('dirty');
    expect(report.revision).toMatchObject({ tool: 'liquibase', dirty: true, failedVersion: lastVersion() });
    expect(JSON.stringify(report.changes)).not.toMatch(LIQUIBASE_OBJECTS);
    expect(diff.json.revision).toMatchObject({ dirty: true, failedVersion: lastVersion() });
  });

  it('a lock left held: dirty, the error naming the lock table and its holder', () => {
    const { report } = get('locked');
    expect(report.status).toBe('dirty');
    expect(report.changes).toEqual([]);
    expect(report.revision?.error).toMatch(/databasechangeloglock is locked by deploy \(10\.0\.0\.1\)/i);
  });

  it('a runOnChange view edited since its last run: pending, and its deployed text is not drift', () => {
    const { report, cli: diff, deployError } = get('view-changed');
    expect(deployError).toBeUndefined();
    expect(report.error).toBeNull();
    expect(report.status).toBe('pending');
    expect(report.changes).toEqual([]);
    expect(report.pending.map((p) => p.path)).toEqual([layout.last]);
    expect(report.warnings).toContainEqual(expect.stringMatching(new RegExp(`re-runnable migrations changed since their last deployed run.*${layout.last}`)));
    expect(diff.code).toBe(0);
    expect(diff.json.changes).toEqual([]);
  });
});
