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
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/agent/run-check.ts';
import type { Report } from '../../src/core/model/report.ts';
import { DIALECT_HARNESSES, type DialectHarness } from '../support/dialects.ts';
import { expectHotFixDrift, scenarioChecks, type ScenarioSetup } from '../support/format-scenarios.ts';
import { deployWithLiquibase } from '../support/liquibase.ts';
import type { TempDatabase } from '../support/servers.ts';

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
  /** The hot-fix database checked again after its reconcile script ran. */
  let converged: Report | undefined;
  const setups = {} as Record<ScenarioName, ScenarioSetup>;
  for (const name of Object.keys(SETUPS) as ScenarioName[]) setups[name] = (h, db) => SETUPS[name](h, db, layout);
  const get = scenarioChecks(harness, {
    dir: layout.dir,
    prefix: 'sdliquibase',
    target: 'liquibase',
    setups,
    diff: { sqlDirFormat: 'liquibase' },
    extra: async ({ name, db, target, cache, report }) => {
      if (name === 'hot-fix') {
        await db.exec(report.reconcile.sql);
        converged = await runCheck(target, { cache });
      }
      return {};
    },
  });
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
    expectHotFixDrift(get('hot-fix'), 'nickname', LIQUIBASE_OBJECTS);
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

  it('a lock held: a deploy in flight (deploying), naming the lock table and its holder', () => {
    const { report } = get('locked');
    expect(report.status).toBe('deploying');
    expect(report.changes).toEqual([]);
    expect(report.revision?.deploying).toMatch(/databasechangeloglock is locked by deploy \(10\.0\.0\.1\)/i);
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
