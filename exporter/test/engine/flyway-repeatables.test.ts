/**
 * Flyway repeatable migrations (`R__`) against databases deployed by Flyway's rules, on every dialect's real server,
 * through the agent's check and the CLI: Flyway runs a repeatable again whenever its checksum changes, so a changed
 * `R__` file whose new text is not deployed yet is pending, never a replay failure — even when it needs a versioned
 * migration that is itself pending (the issue's `column "c" does not exist`, between merge and deploy). What it
 * defines is left out of the comparison until it is deployed; a deployed repeatable is compared as usual.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/model/report.ts';
import { flywayChecksum } from '../../src/migrations/formats.ts';
import { DIALECT_HARNESSES, type DialectHarness } from '../support/dialects.ts';
import { scenarioChecks, type ScenarioSetup } from '../support/format-scenarios.ts';
import { TOOL_TABLES } from '../support/revision-tables.ts';
import type { TempDatabase } from '../support/servers.ts';

const V1 = 'CREATE TABLE t (id int PRIMARY KEY, a int);\n';
const V2 = 'ALTER TABLE t ADD COLUMN c int;\n';
const VIEW_OLD = 'CREATE OR REPLACE VIEW v AS SELECT id, a FROM t;\n';
const VIEW_NEW = 'CREATE OR REPLACE VIEW v AS SELECT id, a, c FROM t;\n';

/** What is in the directory: V1, V2 and the new view. */
const FILES: Record<string, string> = { 'V1__t.sql': V1, 'V2__c.sql': V2, 'R__v.sql': VIEW_NEW };

type Step = readonly [version: string | null, description: string, script: string, sql: string];
const STEP_V1: Step = ['1', 't', 'V1__t.sql', V1];
const STEP_V2: Step = ['2', 'c', 'V2__c.sql', V2];
const STEP_VIEW_OLD: Step = [null, 'v', 'R__v.sql', VIEW_OLD];
const STEP_VIEW_NEW: Step = [null, 'v', 'R__v.sql', VIEW_NEW];

/** Runs each step and records it in `flyway_schema_history` as Flyway does (its DDL, its checksum of the script). */
async function deployWithFlyway(h: DialectHarness, db: TempDatabase, steps: readonly Step[]): Promise<void> {
  await db.exec(TOOL_TABLES[h.name].flyway);
  let rank = 0;
  for (const [version, description, script, sql] of steps) {
    await db.exec(sql);
    rank += 1;
    const v = version === null ? 'NULL' : `'${version}'`;
    await db.exec(`INSERT INTO flyway_schema_history
      (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
      VALUES (${rank}, ${v}, '${description}', 'SQL', '${script}', ${flywayChecksum(sql)}, 'deploy', 5, ${h.name === 'postgres' ? 'true' : '1'})`);
  }
}

type ScenarioName = 'deployed' | 'view-and-versioned-pending' | 'view-pending' | 'hot-fix';

const SETUPS: Record<ScenarioName, ScenarioSetup> = {
  deployed: (h, db) => deployWithFlyway(h, db, [STEP_V1, STEP_V2, STEP_VIEW_NEW]),
  // Merged, not deployed: V2 and the view that reads its column.
  'view-and-versioned-pending': (h, db) => deployWithFlyway(h, db, [STEP_V1, STEP_VIEW_OLD]),
  'view-pending': (h, db) => deployWithFlyway(h, db, [STEP_V1, STEP_V2, STEP_VIEW_OLD]),
  async 'hot-fix'(h, db) {
    await deployWithFlyway(h, db, [STEP_V1, STEP_V2, STEP_VIEW_NEW]);
    await db.exec('DROP VIEW v');
    await db.exec('CREATE VIEW v AS SELECT id, a FROM t');
  },
};

describe.each(DIALECT_HARNESSES)('Flyway repeatables on $server ($name)', (harness: DialectHarness) => {
  let dir = '';
  const get = scenarioChecks(harness, {
    async dir() {
      dir = await mkdtemp(path.join(tmpdir(), 'sd-flyway-r-'));
      for (const [name, sql] of Object.entries(FILES)) await writeFile(path.join(dir, name), sql);
      return dir;
    },
    prefix: 'sdflywayr',
    target: 'flyway',
    setups: SETUPS,
    diff: { withSql: () => false },
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const changeNames = (report: Report) => report.changes.map((c) => `${c.action} ${c.type} ${c.name}`);

  it('deployed with the same checksum: in sync, the repeatable replayed', () => {
    const { report, cli } = get('deployed');
    expect(report.error).toBeNull();
    expect(report.status).toBe('in_sync');
    expect(report.pending).toEqual([]);
    expect(cli.code).toBe(0);
    expect(cli.json.changes).toEqual([]);
  });

  it('a changed view merged with the versioned migration it needs: pending, no replay failure, no changes', () => {
    const { report, cli } = get('view-and-versioned-pending');
    expect(report.error).toBeNull();
    expect(report.status).toBe('pending');
    expect(report.changes).toEqual([]);
    expect(report.pending.map((p) => p.path)).toEqual(['V2__c.sql', 'R__v.sql']);
    expect(report.warnings).toContainEqual(expect.stringMatching(/re-runnable migrations changed since their last deployed run, pending .*: R__v\.sql/));
    expect(cli.code).toBe(0);
    expect(cli.json.changes).toEqual([]);
    expect(cli.json.pending.map((p) => p.path)).toEqual(['V2__c.sql', 'R__v.sql']);
    expect(cli.json.warnings).toEqual(report.warnings);
  });

  it('a changed view alone: pending, and the deployed view is not reported as drift', () => {
    const { report, cli } = get('view-pending');
    expect(report.status).toBe('pending');
    expect(report.changes).toEqual([]);
    expect(report.pending.map((p) => p.path)).toEqual(['R__v.sql']);
    expect(cli.json.changes).toEqual([]);
  });

  it('a deployed view changed by hand is drift: only pending repeatables are left out', () => {
    const { report, cli } = get('hot-fix');
    expect(report.status).toBe('drift');
    expect(changeNames(report)).toEqual(['changed view v']);
    expect(cli.code).toBe(1);
    expect(cli.json.changes).toEqual(report.changes);
  });
});
