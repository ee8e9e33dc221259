/**
 * The per-target state behind the gauges: a pure fold of reports. `/metrics` only reads this state, so a scrape
 * never touches a monitored database (the check runs on its schedule; see `metrics.ts`).
 */
import type { FailureReason } from '../core/errors.ts';
import { METRIC_KINDS, type MetricKind } from '../core/model/change.ts';
import type { ActionCounts, CheckStatus, Report } from '../core/model/report.ts';

/**
 * `schema_drift_target_up` after a failed check, by failure reason. `replay` counts as up: the migration directory
 * failed, not the target (a revision-aware check has already read the target's revision table by then), and
 * `schema_drift_check_failures_total{reason="replay"}` says what broke. Every other reason is 0: the check did not get
 * as far as reading the catalogs, or we cannot tell that it did.
 */
export const UP_AFTER_FAILURE: Readonly<Record<FailureReason, 0 | 1>> = {
  connect: 0,
  auth: 0,
  timeout: 0,
  replay: 1,
  inspect: 0,
  config: 0,
  internal: 0,
};

/** Every failure reason, in the order of `errors.ts` (complete: the record above is checked by the compiler). */
export const FAILURE_REASONS = Object.keys(UP_AFTER_FAILURE) as FailureReason[];

/** What the gauges of one target show. Timestamps are Unix seconds; 0 means "never" / "not drifted". */
export interface TargetState {
  up: 0 | 1;
  /** From the last successful check: kept across failed checks. */
  detected: 0 | 1;
  changes: Record<MetricKind, ActionCounts>;
  pendingMigrations: number;
  migrationDirty: 0 | 1;
  /** The last check (failed ones aside) found the migration tool's lock held. */
  deploying: 0 | 1;
  lastCheck: number;
  lastSuccess: number;
  driftSince: number;
}

/** A target that has never been checked: every series exported, all zero. */
export function emptyState(): TargetState {
  return {
    up: 0,
    detected: 0,
    changes: zeroChanges(),
    pendingMigrations: 0,
    migrationDirty: 0,
    deploying: 0,
    lastCheck: 0,
    lastSuccess: 0,
    driftSince: 0,
  };
}

/** Every metric kind × action, zeros included, so `schema_drift_changes` series never appear or vanish. */
export function zeroChanges(): Record<MetricKind, ActionCounts> {
  const counts = {} as Record<MetricKind, ActionCounts>;
  for (const kind of METRIC_KINDS) counts[kind] = { extra: 0, missing: 0, changed: 0 };
  return counts;
}

/** An ISO 8601 time as Unix seconds (milliseconds kept as the fraction). */
export function unixSeconds(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`metrics: not an ISO 8601 time: ${JSON.stringify(iso)}`);
  return ms / 1000;
}

/**
 * The state after `report`. A failed check updates only up-ness and the last-check time: drift, changes, pending
 * and dirty describe the last check that could read the schema, and stay until the next one does. A `deploying` check
 * sets `deploying` and leaves them too: it compared nothing.
 */
export function applyReport(state: TargetState, report: Report): TargetState {
  const at = unixSeconds(report.finishedAt);
  if (report.status === 'error') {
    const reason = report.error?.reason ?? 'internal';
    return { ...state, up: UP_AFTER_FAILURE[reason], lastCheck: at };
  }
  if (report.status === 'deploying') {
    // A deploy in flight compared nothing: drift, changes, pending and dirty stay those of the last comparison, so a
    // deploy raises no drift alert. The check did read the target, so it counts as a success for up-ness and age.
    return { ...state, up: 1, deploying: 1, lastCheck: at, lastSuccess: at };
  }
  const drifted = report.counts.total > 0;
  return {
    up: 1,
    detected: drifted ? 1 : 0,
    changes: copyChanges(report),
    pendingMigrations: report.pending.length,
    migrationDirty: report.revision?.dirty ? 1 : 0,
    deploying: 0,
    lastCheck: at,
    lastSuccess: at,
    // A drift episode starts at the first check that saw it; failed checks in between do not end it.
    driftSince: drifted ? state.driftSince || at : 0,
  };
}

function legacyFunctionCounts(report: Report): ActionCounts | undefined {
  return (report.counts.byKind as Partial<Record<string, ActionCounts>>)['function'];
}

function copyChanges(report: Report): Record<MetricKind, ActionCounts> {
  const counts = zeroChanges();
  for (const kind of METRIC_KINDS) {
    // Reports stored by earlier versions named the routine kind `function` (see CHANGELOG: label value renamed).
    const stored = report.counts.byKind[kind] ?? (kind === 'routine' ? legacyFunctionCounts(report) : undefined);
    // Reports stored by an older version may lack newer kinds: those count as zero.
    if (stored) counts[kind] = { extra: stored.extra, missing: stored.missing, changed: stored.changed };
  }
  return counts;
}

/**
 * A target's current status and when it began, as the report store records it (`ReportStore.statusSince`), plus,
 * optionally, when its current drift began (`ReportStore.driftSince`).
 */
export interface StatusSince {
  readonly status: CheckStatus;
  /** ISO 8601: the first report of the unbroken run showing `status`. */
  readonly since: string;
  /** ISO 8601 or null: the first check of the current drift, failed checks not ending it. Preferred when given. */
  readonly driftSince?: string | null;
}

/** Statuses whose reports carry the changes of a drift (dirty reports may too). */
const DRIFT_STATUSES: ReadonlySet<CheckStatus> = new Set(['drift', 'dirty']);

/**
 * The state of one target rebuilt from stored reports (any order; pass the latest successful one too when the
 * latest failed, or drift and changes cannot be known). Replaying them gives every gauge. `since` refines
 * `driftSince`, because the reports passed in may begin after the drift did: the store's `driftSince` wins when
 * given; otherwise, when the stored status is a drifted one, the drift began no later than that status did.
 */
export function restoreState(reports: readonly Report[], since: StatusSince | undefined): TargetState {
  const ordered = [...reports].sort((a, b) => unixSeconds(a.finishedAt) - unixSeconds(b.finishedAt) || a.id - b.id);
  let state = emptyState();
  for (const report of ordered) state = applyReport(state, report);
  if (!state.detected || !since) return state;
  if (since.driftSince) return { ...state, driftSince: unixSeconds(since.driftSince) };
  if (DRIFT_STATUSES.has(since.status)) {
    return { ...state, driftSince: Math.min(state.driftSince, unixSeconds(since.since)) };
  }
  return state;
}
