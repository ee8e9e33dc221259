/**
 * goose directories against databases deployed by goose's rules (`support/goose.ts`), on every dialect's real server,
 * through both the agent's check (`runCheck`) and the CLI's `diff --format json`: fully deployed is in sync and
 * `goose_db_version` (and its id sequence) never shows up in the changes or the reconcile SQL; the last migration not
 * applied is pending; a hot-fix is drift naming it. goose records no failure, so a failed migration is not `dirty`:
 * it shows as pending plus whatever the failure left behind.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DIALECT_HARNESSES, type DialectHarness } from '../support/dialects.ts';
import { expectHotFixDrift, scenarioChecks, type ScenarioSetup } from '../support/format-scenarios.ts';
import { deployWithGoose } from '../support/goose.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const LAST = '20240103080000_order_status.sql';
const GOOSE_OBJECTS = /goose/;
const HOT_FIX = 'ALTER TABLE users ADD COLUMN nickname varchar(50)';
/** The object the last migration creates, created by hand first, so goose's deploy of it fails. */
const CONFLICT: Record<string, string> = {
  postgres: `CREATE TYPE order_status AS ENUM ('pending', 'shipped')`,
  mysql: 'ALTER TABLE `orders` ADD COLUMN `status` varchar(20)',
};

type ScenarioName = 'deployed' | 'pending' | 'failed' | 'hot-fix';

const SETUPS: Record<ScenarioName, ScenarioSetup> = {
  deployed: (h, db, dir) => deployWithGoose(h.name, db, dir, 3),
  pending: (h, db, dir) => deployWithGoose(h.name, db, dir, 2),
  async failed(h, db, dir) {
    expect(await deployWithGoose(h.name, db, dir, 2)).toBeUndefined();
    await db.exec(CONFLICT[h.name] as string);
    // goose up again: version 0 and the first two are recorded, so only the last runs (and fails).
    return deployWithGoose(h.name, db, dir, 3);
  },
  async 'hot-fix'(h, db, dir) {
    const error = await deployWithGoose(h.name, db, dir, 3);
    await db.exec(HOT_FIX);
    return error;
  },
};

describe.each(DIALECT_HARNESSES)('goose on $server ($name)', (harness: DialectHarness) => {
  const dir = path.join(FIXTURES, harness.name === 'postgres' ? 'migrations' : 'migrations-mysql', 'goose');
  const get = scenarioChecks(harness, { dir, prefix: 'sdgoose', target: 'goose', setups: SETUPS });

  it('fully deployed: in sync, and no goose object in the changes or the reconcile SQL', () => {
    const { report, cli: diff, deployError } = get('deployed');
    expect(deployError).toBeUndefined();
    expect(report.error).toBeNull();
    expect(report.status).toBe('in_sync');
    expect(report.changes).toEqual([]);
    expect(report.revision).toMatchObject({ tool: 'goose', version: '20240103080000', dirty: false });
    expect(report.revision?.table).toMatch(/\.goose_db_version$/);
    expect(report.reconcile.sql).not.toMatch(GOOSE_OBJECTS);
    expect(diff.code).toBe(0);
    expect(diff.json.changes).toEqual([]);
    expect(diff.json.pending).toEqual([]);
    expect(diff.json.revision).toMatchObject({ tool: 'goose', version: '20240103080000', dirty: false });
    expect(diff.sql).toBe('');
  });

  it('last migration not applied: pending, no changes, the same in agent and CLI', () => {
    const { report, cli: diff, deployError } = get('pending');
    expect(deployError).toBeUndefined();
    expect(report.status).toBe('pending');
    expect(report.changes).toEqual([]);
    expect(report.revision).toMatchObject({ tool: 'goose', version: '20240102090000' });
    expect(report.pending.map((p) => p.path)).toEqual([LAST]);
    expect(diff.code).toBe(0);
    expect(diff.json.changes).toEqual([]);
    expect(diff.json.pending.map((p) => p.path)).toEqual([LAST]);
    expect(diff.json.warnings).toEqual(report.warnings);
  });

  it('one hot-fix: drift naming it, and a reconcile script that touches no goose object', () => {
    expectHotFixDrift(get('hot-fix'), 'nickname', GOOSE_OBJECTS);
  });

  it('failed migration: goose records no failure, so not dirty: pending plus what the failure left', () => {
    const { report, cli: diff, deployError } = get('failed');
    expect(deployError).toBeDefined();
    expect(report.revision).toMatchObject({ tool: 'goose', version: '20240102090000', dirty: false });
    expect(report.status).toBe('drift');
    expect(report.pending.map((p) => p.path)).toEqual([LAST]);
    const extra = harness.name === 'postgres' ? 'extra type order_status' : 'extra column status';
    expect(report.changes.map((c) => `${c.action} ${c.type} ${c.name}`)).toEqual([extra]);
    expect(diff.json.changes).toEqual(report.changes);
  });
});
