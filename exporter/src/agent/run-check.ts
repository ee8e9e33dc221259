/**
 * One check of one target: the exporter's unit of work. Reads the live database (catalogs and the migration tool's
 * revision table) in a read-only session, replays the migration directory up to the deployed version (or takes the
 * desired schema from the cache), filters both sides, diffs, plans the reconcile SQL, renders both sides' DDL and
 * builds the report. The dialect (`target.dialect`) picks how the live side is read and the directory replayed
 * ({@link TargetDialect}: PostgreSQL here, MySQL/MariaDB in `mysql-check.ts`) and the differ hooks and planner
 * (`dialect.ts`); the steps between are the same.
 *
 * `runCheck` never throws: every failure becomes a report with status `error` and a reason class, so a failed check
 * is stored and counted like any other (a log line alone would be swallowed).
 *
 * Cancellation: `deps.signal` is checked between steps (connect, inspect, read migrations, replay, diff). A step in
 * progress is not interrupted: a catalog query runs until it ends or hits the session's statement_timeout, and a
 * replay runs to its end (PGlite executes SQL synchronously in WebAssembly; `replayPostgres` takes no signal). Every
 * step closes what it opened on all paths, so an aborted check closes its session and scratch database as soon as
 * the step in progress ends.
 */
import type { TargetConfig } from '../config/types.ts';
import type { DesiredCache } from '../engine/desired-cache.ts';
import { dialectEngine } from '../dialects/registry.ts';
import { diffSchemas } from '../core/diff/diff.ts';
import { filterSnapshot, type FilterKind, type ObjectFilter } from '../core/diff/filter.ts';
import { PlanError } from '../core/errors.ts';
import { readMigrationDirectory, type MigrationDirectory, type MigrationFile } from '../migrations/index.ts';
import type { Plan } from '../core/model/plan.ts';
import type { Report } from '../core/model/report.ts';
import type { SchemaSnapshot } from '../core/model/schema.ts';
import { openReadOnlySession, type PgSession } from '../dialects/postgres/connect.ts';
import { inspectPostgres, withCatalogRaceRetry } from '../dialects/postgres/inspect.ts';
import { replayEngineIdentity, replayPostgres } from '../dialects/postgres/replay.ts';
import { pendingMigrations, readPostgresRevision, revisionExcludeFilter, type RevisionState } from '../dialects/postgres/revision.ts';
import { checkFailure, checkSuccess, type CheckOutcome, type CheckProgress } from './failure-report.ts';
import { type CheckLogger, silentLogger } from './logger.ts';
import { mysqlTargetDialect } from '../dialects/mysql/check.ts';

/** What the desired-schema cache holds per key: the replayed snapshot and the engine that produced it. */
export interface DesiredSchema {
  readonly snapshot: SchemaSnapshot;
  readonly engine: 'pglite' | 'server';
  /** e.g. `18.6 (PGlite 0.5.16)`, `15.20` or `10.11.19-MariaDB-0+deb12u1`. */
  readonly serverVersion: string;
}

/** What `runCheck` needs besides the target. */
export interface CheckDeps {
  /** Shared by all targets: targets deployed from one directory replay it once. */
  readonly cache: DesiredCache<DesiredSchema>;
  readonly logger?: CheckLogger;
  /** Aborts the check at the next step boundary (the scheduler's timeout and stop). */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /**
   * Opens the read-only session on the target; default `openReadOnlySession` over the network. The demo passes
   * sessions on its embedded databases.
   */
  readonly openSession?: (target: TargetConfig) => Promise<PgSession>;
}

/** The default session: a read-only transaction on the target's server. */
export function openTargetSession(target: TargetConfig): Promise<PgSession> {
  return openReadOnlySession(target.url, {
    target: target.name,
    passwordFile: target.passwordFile,
    connectTimeoutMs: target.connectTimeoutMs,
    statementTimeoutMs: target.statementTimeoutMs,
  });
}

/** What was read from the live database. */
export interface LiveSide {
  readonly snapshot: SchemaSnapshot;
  readonly revision: RevisionState | null;
  readonly serverVersion: string;
  readonly serverMajor: number;
}

/** How one dialect reads a target's live side and replays its directory; the rest of a check is shared. */
export interface TargetDialect {
  /** One read-only session: catalogs, then the revision table; always closed. */
  readLive(target: TargetConfig, deps: CheckDeps): Promise<LiveSide>;
  /** The desired schema from the cache, or replayed (and cached). `cached` is true when this check did not replay. */
  desired(
    target: TargetConfig,
    directory: MigrationDirectory,
    upToVersion: string | null | undefined,
    live: LiveSide,
    cache: DesiredCache<DesiredSchema>,
  ): Promise<{ value: DesiredSchema; cached: boolean }>;
  /** Warnings when the replay engine differs from the target's server (computed per target: the cache is shared). */
  versionWarnings(desired: DesiredSchema, live: LiveSide): string[];
}

const postgresTarget: TargetDialect = {
  readLive: (target, deps) => readLive(target, deps.openSession ?? openTargetSession, deps.signal),
  desired: (target, directory, upToVersion, _live, cache) => desiredSchema(target, directory, upToVersion, cache),
  versionWarnings: (desired, live) => versionWarnings(desired, live.serverMajor),
};

/**
 * Checks `target` against its migration directory. Never throws: failures are reports with status `error` and a
 * reason (`connect`, `auth`, `timeout`, `replay`, `inspect`, `config`, `internal`), with a one-line message that
 * names the file and line at fault where there is one and never contains a password.
 */
export async function runCheck(target: TargetConfig, deps: CheckDeps): Promise<Report> {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger ?? silentLogger;
  const startedAt = now();
  const progress: CheckProgress = { warnings: [] };
  try {
    const dialect = target.dialect === 'mysql' ? mysqlTargetDialect : postgresTarget;
    const outcome = await checkTarget(target, deps, log, progress, dialect);
    return checkSuccess(target, startedAt, now(), outcome);
  } catch (err) {
    const report = checkFailure(target, startedAt, now(), err, deps.signal, progress);
    log.debug({ target: target.name, reason: report.error?.reason }, 'check ended with an error');
    return report;
  }
}

async function checkTarget(
  target: TargetConfig,
  deps: CheckDeps,
  log: CheckLogger,
  progress: CheckProgress,
  dialect: TargetDialect,
): Promise<CheckOutcome> {
  const step = (name: string): void => {
    deps.signal?.throwIfAborted();
    log.debug({ target: target.name, step: name }, 'check step');
  };
  step('inspect');
  const live = await dialect.readLive(target, deps);
  progress.revision = live.revision;
  step('read migrations');
  const directory = await readMigrationDirectory(target.desired.dir, { format: target.desired.format });
  const { upToVersion, pending, warnings } = deployedState(directory, live.revision);
  progress.warnings.push(...warnings);
  step('replay');
  const desired = await dialect.desired(target, directory, upToVersion, live, deps.cache);
  const engine = {
    replay: desired.value.engine,
    targetServerVersion: live.serverVersion,
    replayServerVersion: desired.value.serverVersion,
    cached: desired.cached,
  };
  progress.engine = engine;
  warnings.push(...dialect.versionWarnings(desired.value, live));
  step('diff');
  const filter = objectFilter(target);
  const current = filterSnapshot(live.snapshot, filter);
  const wanted = filterSnapshot(desired.value.snapshot, filter);
  const engineOf = dialectEngine(target.dialect);
  const changes = diffSchemas({
    current,
    desired: wanted,
    hooks: engineOf.hooks,
    options: { checkColumnOrder: target.checkColumnOrder, checkPrivileges: target.privileges },
  });
  const plan = planOrError(changes, current, wanted, target.dialect);
  return {
    revision: live.revision,
    pending,
    current,
    desired: wanted,
    changes,
    plan,
    ddl: { desired: engineOf.renderDdl(wanted), current: engineOf.renderDdl(current) },
    engine,
    warnings,
  };
}

/** One read-only session: catalogs, then the revision table; always closed. */
async function readLive(
  target: TargetConfig,
  openSession: (target: TargetConfig) => Promise<PgSession>,
  signal: AbortSignal | undefined,
): Promise<LiveSide> {
  // DDL running on the target while it is read can make a catalog function fail: read again in a new snapshot.
  return withCatalogRaceRetry(() => readLiveOnce(target, openSession, signal));
}

async function readLiveOnce(
  target: TargetConfig,
  openSession: (target: TargetConfig) => Promise<PgSession>,
  signal: AbortSignal | undefined,
): Promise<LiveSide> {
  const session = await openSession(target);
  try {
    signal?.throwIfAborted();
    const snapshot = await inspectPostgres(session.db, {
      schemas: target.schemas,
      privileges: target.privileges,
      target: target.name,
      source: { description: target.displayUrl },
    });
    signal?.throwIfAborted();
    const revision = await readPostgresRevision(session.db, { target: target.name });
    return {
      snapshot,
      revision,
      serverVersion: session.serverVersion,
      serverMajor: Math.floor(session.serverVersionNum / 10_000),
    };
  } finally {
    await session.close().catch(() => {});
  }
}

/** The replay bound and the pending files, from the revision table (none: replay everything, nothing pending). */
function deployedState(
  directory: MigrationDirectory,
  revision: RevisionState | null,
): { upToVersion: string | null | undefined; pending: MigrationFile[]; warnings: string[] } {
  const deployed = pendingMigrations(directory, revision);
  const warnings: string[] = [];
  let upToVersion = deployed.upToVersion;
  if (deployed.unknownDeployed !== undefined) {
    warnings.push(
      `the database reports version ${deployed.unknownDeployed} deployed, which is not in the migration directory: compared with the whole directory`,
    );
    upToVersion = undefined;
  }
  if (deployed.notApplied?.length) {
    const files = deployed.notApplied.map((f) => f.path).join(', ');
    warnings.push(`files at or below the deployed version that the revision table does not list (replayed as desired): ${files}`);
  }
  return { upToVersion, pending: deployed.pending, warnings };
}

/** The desired schema from the cache, or replayed (and cached). `cached` is true when this check did not replay. */
async function desiredSchema(
  target: TargetConfig,
  directory: MigrationDirectory,
  upToVersion: string | null | undefined,
  cache: DesiredCache<DesiredSchema>,
): Promise<{ value: DesiredSchema; cached: boolean }> {
  const { devUrl } = target.desired;
  const inspect = { schemas: target.schemas, privileges: target.privileges };
  const engine = await replayEngineIdentity({ devUrl, target: target.name });
  let replayed = false;
  const value = await cache.getOrReplay({ directoryHash: directory.hash, upToVersion, engine, inspect }, async () => {
    replayed = true;
    const result = await replayPostgres(directory, { devUrl, target: target.name, upToVersion, inspect });
    return { snapshot: result.snapshot, engine: result.engine, serverVersion: result.serverVersion };
  });
  return { value, cached: !replayed };
}

/**
 * Computed here rather than taken from the replay: the cache is shared by targets on different server versions, so
 * the warning depends on the target, not on the cached replay.
 */
function versionWarnings(desired: DesiredSchema, targetMajor: number): string[] {
  const replayMajor = desired.snapshot.source.serverMajor;
  if (replayMajor === undefined || replayMajor === targetMajor) return [];
  const engine = desired.engine === 'pglite' ? 'embedded PGlite' : 'the dev server';
  return [
    `migrations were replayed on ${engine} (PostgreSQL ${desired.serverVersion}) but the target runs PostgreSQL ${targetMajor}: ` +
      'deparsed defaults and definitions can differ between major versions; set desired.devUrl to a server of the same major version to rule that out',
  ];
}

/** The target's schemas and excludes plus the migration tools' revision tables (never part of a diff). */
export function objectFilter(target: TargetConfig): ObjectFilter {
  const exclude: Partial<Record<FilterKind, string[]>> = { ...target.exclude };
  for (const [kind, globs] of Object.entries(revisionExcludeFilter()) as [FilterKind, string[]][]) {
    exclude[kind] = [...(exclude[kind] ?? []), ...globs];
  }
  return { ...(target.schemas ? { schemas: target.schemas } : {}), exclude };
}

/** A change the planner cannot render must not fail the check: the report carries the error instead of SQL. */
function planOrError(
  changes: Plan['changes'],
  current: SchemaSnapshot,
  desired: SchemaSnapshot,
  dialect: TargetConfig['dialect'],
): Plan | { error: string } {
  try {
    return dialectEngine(dialect).plan(changes, { current, desired });
  } catch (err) {
    if (err instanceof PlanError) return { error: err.describe() };
    throw err;
  }
}
