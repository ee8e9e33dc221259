/**
 * The harness the per-format engine tests share: one database per scenario on a dialect's real server, brought to the
 * scenario's state by the tool's own rules, then checked twice — by the agent (`runCheck`) and by the CLI (`diff
 * --format json`, and `--format sql` for the reconcile script) — so that every test can say "the same in agent and
 * CLI". Each format's test keeps its scenarios and its assertions; only the plumbing lives here, so a fix to how the CLI
 * is driven or how databases are dropped reaches every format at once.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import { main } from '../../src/cli/cli.ts';
import type { TargetConfig } from '../../src/config/types.ts';
import type { Report } from '../../src/core/model/report.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import type { DialectName } from '../../src/core/model/schema.ts';
import { DIALECT_HARNESSES, type DialectHarness } from './dialects.ts';
import type { TempDatabase } from './servers.ts';
import { testTarget } from './targets.ts';

/** The harness of one dialect, for a format that exists on one only (node-pg-migrate, golang-migrate's pg driver). */
export function dialectHarness(name: DialectName): DialectHarness {
  const found = DIALECT_HARNESSES.find((h) => h.name === name);
  if (!found) throw new Error(`no dialect harness ${name}`);
  return found;
}

/** What one CLI run wrote, and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process (`main`), capturing its output; never throws on the exit code. */
export async function cli(argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** `diff --format json` as parsed, plus the `--format sql` reconcile script. */
export interface CliDiff {
  code: number;
  stderr: string;
  json: {
    revision: { tool: string; version: string | null; dirty: boolean; failedVersion?: string; table?: string } | null;
    pending: { version: string | null; path: string }[];
    warnings: string[];
    changes: Report['changes'];
  };
  /** The reconcile script; `''` when it was not asked for (`withSql: false`). */
  sql: string;
}

export interface CliDiffOptions {
  /** Where migrations replay (`--dev-url`); none is the embedded engine. */
  devUrl?: string | undefined;
  /** `--dir-format` for the SQL run, where the format is named rather than detected. */
  sqlDirFormat?: string;
  /** Also run `--format sql` (default true). */
  withSql?: boolean;
  /**
   * An exit code 2 (the CLI failed) is returned as a `CliDiff` with code 2, its stderr and empty JSON, instead of
   * failing the set-up: for tests that assert the failure itself.
   */
  keepFailure?: boolean;
}

/** `schema-drift diff --from <db> --to <dir>` as JSON and as SQL; an exit code 2 throws with the CLI's stderr. */
export async function cliDiff(db: TempDatabase, dir: string, options: CliDiffOptions = {}): Promise<CliDiff> {
  const dev = options.devUrl ? ['--dev-url', options.devUrl] : [];
  const argv = ['diff', '--from', db.url, '--to', dir, '--format', 'json', ...dev];
  const json = await cli(argv);
  if (json.code === 2) {
    if (options.keepFailure) return { code: 2, stderr: json.stderr, json: { revision: null, pending: [], warnings: [], changes: [] }, sql: '' };
    throw new Error(`schema-drift ${argv.join(' ')} failed: ${json.stderr}`);
  }
  let sql = '';
  if (options.withSql ?? true) {
    const dirFormat = options.sqlDirFormat ? ['--dir-format', options.sqlDirFormat] : [];
    const sqlArgv = ['diff', '--from', db.url, '--to', dir, '--format', 'sql', ...dirFormat, ...dev];
    const run = await cli(sqlArgv);
    if (run.code === 2) throw new Error(`schema-drift ${sqlArgv.join(' ')} failed: ${run.stderr}`);
    sql = run.stdout;
  }
  return { code: json.code, stderr: json.stderr, json: JSON.parse(json.stdout) as CliDiff['json'], sql };
}

/** One scenario's outcome: the agent's report, the CLI's diff, and the deploy's error when it was meant to fail. */
export type ScenarioCase<Extra extends object = object> = {
  report: Report;
  cli: CliDiff;
  deployError: Error | undefined;
} & Extra;

/** Brings an empty database to the scenario's state; returns the tool's error where the deploy is meant to fail. */
export type ScenarioSetup = (harness: DialectHarness, db: TempDatabase, dir: string) => Promise<Error | undefined | void>;

/** What a scenario's database is checked with, for a test's own extra reads after the agent and the CLI ran. */
export interface ScenarioContext {
  name: string;
  db: TempDatabase;
  dir: string;
  target: TargetConfig;
  cache: DesiredCache<DesiredSchema>;
  report: Report;
}

export interface ScenarioChecksOptions<Name extends string, Extra extends object> {
  /** The migration directory, or how to make it (called in the `beforeAll`, before the first scenario). */
  dir: string | (() => Promise<string>);
  /** Prefix of each scenario's database name. */
  prefix: string;
  /** Prefix of each scenario's target name (`<target>-<scenario>`); defaults to `prefix`. */
  target?: string;
  setups: Record<Name, ScenarioSetup>;
  /** Fields of the target beside `desired` (whose `dir` and `devUrl` the harness sets). */
  targetFields?: Partial<TargetConfig>;
  /** How the CLI's diff is run; `withSql` may depend on the scenario. `devUrl` is the harness's. */
  diff?: Omit<CliDiffOptions, 'devUrl' | 'withSql'> & { withSql?: (name: Name) => boolean };
  /** Around a scenario's set-up and checks (e.g. a registry to drop before and after, whatever happens). */
  around?: (db: TempDatabase, run: () => Promise<void>) => Promise<void>;
  /** After the agent and the CLI: what else the test reads from the scenario's database, kept on its case. */
  extra?: (context: ScenarioContext) => Promise<Extra>;
  /** The shared desired-state cache (default: one per call), as the agent shares it across targets. */
  cache?: DesiredCache<DesiredSchema>;
  /** The `beforeAll`'s timeout (default 600 s: every scenario deploys and replays on a real server). */
  timeoutMs?: number;
}

/**
 * Registers a `beforeAll` that creates one database per scenario (in `setups`' order), sets it up, and checks it by
 * the agent and by the CLI, and an `afterAll` that drops the databases. Returns `get(name)`, the scenario's case,
 * failing loudly for a scenario that was not run (a set-up that threw).
 */
export function scenarioChecks<Name extends string, Extra extends object = object>(
  harness: DialectHarness,
  options: ScenarioChecksOptions<Name, Extra>,
): (name: Name) => ScenarioCase<Extra> {
  const cases = new Map<Name, ScenarioCase<Extra>>();
  const databases: TempDatabase[] = [];
  const around = options.around ?? ((_db, run) => run());

  beforeAll(async () => {
    const dir = typeof options.dir === 'string' ? options.dir : await options.dir();
    const cache = options.cache ?? new DesiredCache<DesiredSchema>({});
    for (const name of Object.keys(options.setups) as Name[]) {
      const db = await harness.createDatabase(options.prefix);
      databases.push(db);
      await around(db, async () => {
        const deployError = (await options.setups[name](harness, db, dir)) ?? undefined;
        const target = testTarget(`${options.target ?? options.prefix}-${name}`, db.url, {
          ...options.targetFields,
          desired: { dir, ...(harness.devUrl ? { devUrl: harness.devUrl } : {}) },
        });
        const report = await runCheck(target, { cache });
        const { withSql, ...diffOptions } = options.diff ?? {};
        const diff = await cliDiff(db, dir, { ...diffOptions, devUrl: harness.devUrl, withSql: withSql ? withSql(name) : true });
        const extra = options.extra ? await options.extra({ name, db, dir, target, cache, report }) : ({} as Extra);
        cases.set(name, { report, cli: diff, deployError, ...extra });
      });
    }
  }, options.timeoutMs ?? 600_000);

  afterAll(async () => {
    await Promise.all(databases.map((db) => db.drop()));
  });

  return (name) => {
    const found = cases.get(name);
    if (!found) throw new Error(`no case ${name}`);
    return found;
  };
}

/**
 * What every format's hot-fix scenario must show, in the agent and in the CLI alike: drift naming the one column added
 * by hand (`extra column <column>`), a reconcile script that names it, and neither script touching an object of the
 * tool (`toolObjects`: its revision table, registry or sequences).
 */
export function expectHotFixDrift(hotFix: ScenarioCase, column: string, toolObjects: RegExp): void {
  const { report, cli: diff } = hotFix;
  expect(report.status).toBe('drift');
  expect(report.changes.map((c) => `${c.action} ${c.type} ${c.name}`)).toEqual([`extra column ${column}`]);
  expect(report.reconcile.sql).toMatch(new RegExp(column));
  expect(report.reconcile.sql).not.toMatch(toolObjects);
  expect(diff.code).toBe(1);
  expect(diff.json.changes).toEqual(report.changes);
  expect(diff.sql).toMatch(new RegExp(column));
  expect(diff.sql).not.toMatch(toolObjects);
}
