/**
 * One check of one target: the exporter's unit of work. Reads the live database (catalogs and the migration tool's
 * revision table) in a read-only session, replays the migration directory up to the deployed version (or takes the
 * desired schema from the cache), filters both sides, diffs, plans the reconcile SQL, renders both sides' DDL and
 * builds the report. Every step is the engine's (`engine/`), the same the CLI runs; the target's dialect is looked up
 * once, here.
 *
 * `runCheck` never throws: every failure becomes a report with status `error` and a reason class, so a failed check
 * is stored and counted like any other (a log line alone would be swallowed).
 *
 * Cancellation: `deps.signal` is checked between steps (connect, inspect, read migrations, replay, diff) and reaches
 * the steps that can run long: the live session is dropped, a replay's child process killed or its dev-server
 * statement cancelled (and the temporary database dropped), a migration command's process group killed. The report's
 * error then names the file the replay was applying.
 */
import type { TargetConfig } from '../config/types.ts';
import type { Report } from '../core/model/report.ts';
import type { Dialect, LiveSession } from '../dialects/dialect.ts';
import { dialectNamed } from '../dialects/registry.ts';
import { compare, type CompareRequest, reportParts } from '../engine/compare.ts';
import { keepPlanOf, reverseComparison } from '../engine/keep.ts';
import type { DesiredCache } from '../engine/desired-cache.ts';
import { readDesiredFromCommand } from '../engine/command.ts';
import { readDesired, type DesiredRequest, type DesiredSchema, type DesiredSide } from '../engine/desired.ts';
import { readLive, type LiveSide } from '../engine/live.ts';
import { renameSchema, schemaFingerprint } from '../core/model/rename-schema.ts';
import type { RevisionState } from '../revision/revision-state.ts';
import { readMigrationDirectory } from '../migrations/index.ts';
import { revisionForDirectory } from '../revision/deployed.ts';
import { checkFailure, checkSuccess, type CheckOutcome, type CheckProgress } from './failure-report.ts';
import { type CheckLogger, silentLogger } from './logger.ts';
import { targetInspect, targetLiveRequest } from './target-request.ts';

export type { DesiredSchema } from '../engine/desired.ts';

/** What `runCheck` needs besides the target. */
export interface CheckDeps {
  /** Shared by all targets: targets deployed from one directory replay it once. */
  readonly cache: DesiredCache<DesiredSchema>;
  readonly logger?: CheckLogger;
  /** Aborts the check at the next step boundary (the scheduler's timeout and stop). */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /**
   * Opens the read-only session on the target; default: the dialect's, over the network. The demo passes sessions
   * on its embedded databases.
   */
  readonly openSession?: (target: TargetConfig) => Promise<LiveSession>;
  /** Where replays keep files between processes (`ReplayRequest.cacheDir`); the agent's is in its data directory. */
  readonly replayCacheDir?: string;
  /**
   * When the target's unbroken run of `deploying` reports began (the store's `statusSince`), or null when its last
   * report was something else: a deploy in flight since longer than `deployingLimitMs` is reported `dirty`.
   */
  readonly deployingSince?: Date | null;
}

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
    const outcome = await checkTarget(target, deps, log, progress);
    return checkSuccess(target, startedAt, now(), outcome);
  } catch (err) {
    const report = checkFailure(target, startedAt, now(), err, deps.signal, progress);
    log.debug({ target: target.name, reason: report.error?.reason }, 'check ended with an error');
    return report;
  }
}

async function checkTarget(target: TargetConfig, deps: CheckDeps, log: CheckLogger, progress: CheckProgress): Promise<CheckOutcome> {
  const step = (name: string): void => {
    deps.signal?.throwIfAborted();
    log.debug({ target: target.name, step: name }, 'check step');
  };
  const dialect = dialectNamed(target.dialect);
  step('inspect');
  const open = deps.openSession;
  const read = await readLive(dialect, targetLiveRequest(target, { signal: deps.signal, ...(open ? { open: () => open(target) } : {}) }));
  const live = { ...read, revision: settleDeploying(read.revision, deps.deployingSince ?? null, (deps.now ?? (() => new Date()))(), target.deployingLimitMs) };
  progress.revision = live.revision;
  if (live.revision?.deploying) {
    // The schema is between two versions while the tool applies: comparing it would report the deploy as drift.
    log.info({ target: target.name, deploying: live.revision.deploying }, 'a deploy is in flight: not compared, checked again shortly');
    return deployingOutcome(target, live, live.revision);
  }
  if (target.desired.command) {
    step('migration command');
    return finishCheck(target, progress, live, tenantDesired(target, await readDesiredFromCommand(dialect, {
      source: target.desired.command,
      devUrl: target.desired.devUrl,
      target: target.name,
      inspect: desiredInspect(target, live),
      revision: live.revision,
      live,
      cache: deps.cache,
      progress,
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.replayCacheDir ? { cacheDir: deps.replayCacheDir } : {}),
    }), live), live.revision, step);
  }
  step('read migrations');
  const directory = await readMigrationDirectory(target.desired.dir, { format: target.desired.format });
  const revision = revisionForDirectory(directory, live.revision);
  progress.revision = revision;
  step('replay');
  const desired = tenantDesired(target, await readDesired(dialect, {
    directory,
    devUrl: target.desired.devUrl,
    target: target.name,
    inspect: desiredInspect(target, live),
    revision,
    live,
    cache: deps.cache,
    progress,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.replayCacheDir ? { cacheDir: deps.replayCacheDir } : {}),
  }), live);
  return finishCheck(target, progress, live, desired, revision, step, directory.hash);
}

/**
 * What to read back from the replay: the target's own selection, except that a tenant schema's migrations are replayed
 * (once, through the shared cache, whatever the tenant) into the desired schema's name.
 */
function desiredInspect(target: TargetConfig, live: LiveSide): DesiredRequest['inspect'] {
  const schema = target.tenant?.schema;
  return { ...targetInspect(target), ...(schema ? { schemas: [schema.desired] } : {}), counterpart: live.snapshot };
}

/**
 * The replayed schema under the tenant's schema name, so the diff lines up and the reconcile SQL names the tenant. The
 * schema object's own facts (comment, owner, privileges) are the tenant's: `public`'s "standard public schema" comment
 * is not something a tenant schema lacks; what is compared is what the migrations put inside it.
 */
function tenantDesired(target: TargetConfig, desired: DesiredSide, live: LiveSide): DesiredSide {
  const schema = target.tenant?.schema;
  if (!schema) return desired;
  const renamed = renameSchema(desired.snapshot, schema.desired, schema.live);
  const own = live.snapshot.schemas.find((s) => s.name === schema.live);
  if (!own) return { ...desired, snapshot: renamed };
  const schemas = renamed.schemas.map((s) => {
    if (s.name !== schema.live) return s;
    const { comment: _comment, acl: _acl, owner: _owner, attrs: _attrs, ...contents } = s;
    const { comment, acl, owner, attrs } = own;
    return { ...contents, comment, ...(acl ? { acl } : {}), ...(owner !== undefined ? { owner } : {}), ...(attrs ? { attrs } : {}) };
  });
  return { ...desired, snapshot: { ...renamed, schemas } };
}

/** Placeholder a discovered database's own name is hashed under, so tenants' fingerprints compare (MySQL schema = database). */
const TENANT_PLACEHOLDER = '{tenant}';

/** The live schema's fingerprint for the fleet view, tenant names normalised; none for a target not discovered. */
function fleetFingerprint(target: TargetConfig, live: LiveSide): string | undefined {
  const tenant = target.tenant;
  if (!tenant) return undefined;
  const schema = tenant.schema;
  return schemaFingerprint(live.snapshot, schema ? { from: schema.live, as: schema.desired } : { from: tenant.name, as: TENANT_PLACEHOLDER });
}

/**
 * `revision` with its deploy in flight turned into a stuck one (`dirty`) once it has lasted `limitMs` since `since`
 * (the first `deploying` report of the run; this check when there is none).
 */
export function settleDeploying(revision: RevisionState | null, since: Date | null, now: Date, limitMs: number): RevisionState | null {
  if (!revision?.deploying) return revision;
  const startedMs = (since ?? now).getTime();
  if (now.getTime() - startedMs < limitMs) return revision;
  const { deploying, ...rest } = revision;
  const minutes = Math.round(limitMs / 60_000);
  return { ...rest, dirty: true, error: `${deploying}, for longer than deployingLimit (${minutes > 0 ? `${minutes} min` : `${limitMs} ms`}): stuck?` };
}

/** A check that found a deploy in flight: nothing compared (the live schema on both sides), status `deploying`. */
function deployingOutcome(target: TargetConfig, live: LiveSide, revision: RevisionState): CheckOutcome {
  const dialect = dialectNamed(target.dialect);
  const comparison = compare(dialect, { current: live.snapshot, desired: live.snapshot, filter: { exclude: target.exclude } });
  return {
    ...reportParts(dialect, comparison),
    revision,
    pending: [],
    engine: { replay: null, targetServerVersion: live.serverVersion, replayServerVersion: null, cached: false },
    warnings: [`a deploy is in flight (${revision.deploying}): the schema was not compared; the check runs again in ${Math.round(target.deployingRetryMs / 1000)} s`],
  };
}

/** Diff and plan, the same for a replayed directory and a migration command's scratch database. */
function finishCheck(
  target: TargetConfig,
  progress: CheckProgress,
  live: LiveSide,
  desired: DesiredSide,
  revision: RevisionState | null,
  step: (name: string) => void,
  directoryHash?: string,
): CheckOutcome {
  const dialect = dialectNamed(target.dialect);
  const engine = {
    replay: desired.replay.engine,
    targetServerVersion: live.serverVersion,
    replayServerVersion: desired.replay.serverVersion,
    cached: desired.replay.cached,
  };
  progress.engine = engine;
  step('diff');
  const request: CompareRequest = {
    current: live.snapshot,
    desired: desired.snapshot,
    unchecked: desired.unchecked,
    filter: { ...(target.schemas ? { schemas: target.schemas } : {}), exclude: target.exclude },
    options: { checkColumnOrder: target.checkColumnOrder, ignoreExtensionVersions: target.ignoreExtensionVersions, checkPrivileges: target.privileges },
  };
  const comparison = compare(dialect, request);
  // With drift, the plan the other way too: the report's migration download keeps the drift (engine/keep.ts). Not for
  // a migration command (nothing to write the file into), and an optional extra never turns drift into an error.
  const keep = comparison.changes.length > 0 && target.desired.command === undefined ? keepPlanFor(dialect, request) : undefined;
  // What the live inspection could not read (events without the EVENT privilege) is a warning, not a failure.
  const warnings = [...desired.warnings, ...(live.snapshot.source.warnings ?? [])];
  const fingerprint = fleetFingerprint(target, live);
  return {
    ...(fingerprint !== undefined ? { fingerprint } : {}),
    ...reportParts(dialect, comparison),
    ...(keep ? { keep } : {}),
    ...(directoryHash !== undefined ? { directoryHash } : {}),
    revision,
    pending: desired.pending,
    engine,
    warnings,
  };
}

function keepPlanFor(dialect: Dialect, request: CompareRequest): ReturnType<typeof keepPlanOf> {
  try {
    return keepPlanOf(reverseComparison(dialect, request));
  } catch (err) {
    return { planError: `the plan that keeps the drift failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
