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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import { main } from '../../src/cli/cli.ts';
import type { Report } from '../../src/core/model/report.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { DIALECT_HARNESSES, type DialectHarness } from '../support/dialects.ts';
import { deployWithSqitch, dropMysqlRegistry } from '../support/sqitch.ts';
import { PG_URL, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

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
  /** PostgreSQL: the CLI's diff replayed on the dev server instead of PGlite. */
  onDevServer?: CliDiff;
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
  const sql = (await cli(['diff', '--from', db.url, '--to', dir, '--format', 'sql', '--dir-format', 'sqitch', ...dev])).stdout;
  return { code: json.code, json: JSON.parse(json.stdout) as CliDiff['json'], sql };
}

const SETUPS: Record<ScenarioName, (h: DialectHarness, db: TempDatabase, dir: string) => Promise<Error | undefined>> = {
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
  const cases = new Map<ScenarioName, Case>();
  const databases: TempDatabase[] = [];

  beforeAll(async () => {
    const cache = new DesiredCache<DesiredSchema>({});
    for (const name of Object.keys(SETUPS) as ScenarioName[]) {
      const db = await harness.createDatabase('sdsqitch');
      databases.push(db);
      if (harness.name === 'mysql') await dropMysqlRegistry(db);
      try {
        const deployError = await SETUPS[name](harness, db, dir);
        const target = testTarget(`sqitch-${name}`, db.url, {
          desired: { dir, ...(harness.devUrl ? { devUrl: harness.devUrl } : {}) },
        });
        const report = await runCheck(target, { cache });
        const onDevServer = harness.devUrl ? undefined : await cliDiff(db, dir, { ...harness, devUrl: PG_URL });
        cases.set(name, { report, cli: await cliDiff(db, dir, harness), deployError, ...(onDevServer ? { onDevServer } : {}) });
      } finally {
        if (harness.name === 'mysql') await dropMysqlRegistry(db);
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
    const { report, cli: diff } = get('hot-fix');
    expect(report.status).toBe('drift');
    expect(report.changes.map((c) => `${c.action} ${c.type} ${c.name}`)).toEqual(['extra column nick2']);
    expect(report.reconcile.sql).toMatch(/nick2/);
    expect(report.reconcile.sql).not.toMatch(SQITCH_OBJECTS);
    expect(diff.code).toBe(1);
    expect(diff.json.changes).toEqual(report.changes);
    expect(diff.sql).toMatch(/nick2/);
    expect(diff.sql).not.toMatch(SQITCH_OBJECTS);
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
