/**
 * Sqitch projects against databases deployed by Sqitch's rules (`support/sqitch.ts`), on every dialect's real server,
 * through both the agent's check (`runCheck`) and the CLI's `diff`: fully deployed is in sync and the registry (schema
 * or database `sqitch`) never shows up in the changes or the reconcile SQL; the last change (a rework) not deployed is
 * pending with no changes; a failed deploy (a `fail` event) is dirty, naming the change; a hot-fix is drift naming
 * it. The deploy scripts hold their own BEGIN/COMMIT, as Sqitch's do, and replay on PGlite and on the dev servers.
 * On MySQL the registry is one database per server: each case deploys into a fresh one, dropped after its checks.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DIALECT_HARNESSES, type DialectHarness } from '../support/dialects.ts';
import { cliDiff, expectHotFixDrift, scenarioChecks, type CliDiff, type ScenarioSetup } from '../support/format-scenarios.ts';
import { PG_URL } from '../support/servers.ts';
import { deployWithSqitch, dropMysqlRegistry } from '../support/sqitch.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const SQITCH_OBJECTS = /sqitch|\bchanges\b|\bevents\b|\breleases\b/;
const HOT_FIX: Record<string, string> = {
  postgres: 'ALTER TABLE flipr.users ADD COLUMN nick2 text',
  mysql: 'ALTER TABLE users ADD COLUMN nick2 varchar(20)',
};
/** The table the `flips` change creates, created by hand first, so Sqitch's deploy of it fails. */
const CONFLICT: Record<string, string> = {
  postgres: 'CREATE TABLE flipr.flips (id int)',
  mysql: 'CREATE TABLE flips (id int)',
};
/** Plan positions: the fixtures' changes (PostgreSQL has `appschema` first). */
const COUNTS: Record<string, { all: number; flips: number }> = { postgres: { all: 5, flips: 4 }, mysql: { all: 4, flips: 3 } };

type ScenarioName = 'deployed' | 'pending' | 'failed' | 'hot-fix';

interface Extra {
  /** PostgreSQL: the CLI's diff replayed on the dev server instead of PGlite. */
  onDevServer?: CliDiff;
}

const SETUPS: Record<ScenarioName, ScenarioSetup> = {
  deployed: (h, db, dir) => deployWithSqitch(h.name, db, dir, COUNTS[h.name]?.all as number),
  pending: (h, db, dir) => deployWithSqitch(h.name, db, dir, (COUNTS[h.name]?.all as number) - 1),
  async failed(h, db, dir) {
    const flips = COUNTS[h.name]?.flips as number;
    expect(await deployWithSqitch(h.name, db, dir, flips - 1)).toBeUndefined();
    await db.exec(CONFLICT[h.name] as string);
    // sqitch deploy again: `flips` is the run's first change, fails, and is logged as a fail event.
    return deployWithSqitch(h.name, db, dir, COUNTS[h.name]?.all as number);
  },
  async 'hot-fix'(h, db, dir) {
    const error = await deployWithSqitch(h.name, db, dir, COUNTS[h.name]?.all as number);
    await db.exec(HOT_FIX[h.name] as string);
    return error;
  },
};

describe.each(DIALECT_HARNESSES)('Sqitch on $server ($name)', (harness: DialectHarness) => {
  const dir = path.join(FIXTURES, harness.name === 'postgres' ? 'migrations' : 'migrations-mysql', 'sqitch');
  const get = scenarioChecks<ScenarioName, Extra>(harness, {
    dir,
    prefix: 'sdsqitch',
    target: 'sqitch',
    setups: SETUPS,
    diff: { sqlDirFormat: 'sqitch' },
    async around(db, run) {
      if (harness.name === 'mysql') await dropMysqlRegistry(db);
      try {
        await run();
      } finally {
        if (harness.name === 'mysql') await dropMysqlRegistry(db);
      }
    },
    extra: async ({ db }) => {
      const onDevServer = harness.devUrl ? undefined : await cliDiff(db, dir, { devUrl: PG_URL, sqlDirFormat: 'sqitch' });
      return onDevServer ? { onDevServer } : {};
    },
  });

  it('fully deployed: in sync, and no registry object in the changes or the reconcile SQL', () => {
    const { report, cli: diff, deployError } = get('deployed');
    expect(deployError).toBeUndefined();
    expect(report.error).toBeNull();
    expect(report.status).toBe('in_sync');
    expect(report.changes).toEqual([]);
    expect(report.revision).toMatchObject({ tool: 'sqitch', table: 'sqitch.changes', version: 'insert_user', dirty: false });
    expect(report.pending).toEqual([]);
    expect(report.reconcile.sql).not.toMatch(SQITCH_OBJECTS);
    expect(diff.code).toBe(0);
    expect(diff.json.changes).toEqual([]);
    expect(diff.json.pending).toEqual([]);
    expect(diff.json.revision).toMatchObject({ tool: 'sqitch', version: 'insert_user', dirty: false });
    expect(diff.sql).toBe('');
  });

  it.runIf(harness.name === 'postgres')('the scripts\' BEGIN/COMMIT replay on a PostgreSQL dev server too', () => {
    for (const name of ['deployed', 'pending'] as const) {
      const { cli: embedded, onDevServer } = get(name);
      expect(onDevServer?.code).toBe(0);
      expect(onDevServer?.json.changes).toEqual([]);
      expect(onDevServer?.json.pending).toEqual(embedded.json.pending);
    }
    expect(get('hot-fix').onDevServer?.json.changes.map((c) => `${c.action} ${c.type} ${c.name}`)).toEqual(['extra column nick2']);
  });

  it('the reworked change not deployed: pending, no changes, the same in agent and CLI', () => {
    const { report, cli: diff, deployError } = get('pending');
    expect(deployError).toBeUndefined();
    expect(report.status).toBe('pending');
    expect(report.changes).toEqual([]);
    expect(report.revision).toMatchObject({ tool: 'sqitch', version: 'flips', dirty: false });
    expect(report.pending.map((p) => p.path)).toEqual(['deploy/insert_user.sql']);
    expect(diff.code).toBe(0);
    expect(diff.json.changes).toEqual([]);
    expect(diff.json.pending.map((p) => p.path)).toEqual(['deploy/insert_user.sql']);
    expect(diff.json.warnings).toEqual(report.warnings);
  });

  it('one hot-fix: drift naming it, and a reconcile script that touches no registry object', () => {
    expectHotFixDrift(get('hot-fix'), 'nick2', SQITCH_OBJECTS);
  });

  it('failed deploy: dirty, naming the failed change, which is pending with the rest', () => {
    const { report, cli: diff, deployError } = get('failed');
    expect(deployError).toBeDefined();
    expect(report.status).toBe('dirty');
    expect(report.revision).toMatchObject({ tool: 'sqitch', version: 'insert_user', dirty: true, failedVersion: 'flips' });
    expect(report.pending.map((p) => p.path)).toEqual(['deploy/flips.sql', 'deploy/insert_user.sql']);
    // What the failure found (the table made by hand) is still there.
    expect(report.changes.map((c) => `${c.action} ${c.type} ${c.name}`)).toEqual(['extra table flips']);
    expect(diff.json.revision).toMatchObject({ dirty: true, failedVersion: 'flips' });
    expect(diff.json.changes).toEqual(report.changes);
  });
});
