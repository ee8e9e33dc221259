/**
 * Row shapes of the `reports` table and their mapping to the store's public types. Kept apart from the store so the
 * class reads as the list of operations it offers.
 */
import type { FailureReason } from '../core/errors.ts';
import type { CheckStatus, Report } from '../core/model/report.ts';

/** A report's history entry without the heavy fields (changes, DDL, SQL, ERD). */
export interface ReportSummary {
  readonly id: number;
  readonly target: string;
  readonly status: CheckStatus;
  /** ISO 8601, UTC. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly counts: { readonly total: number; readonly extra: number; readonly missing: number; readonly changed: number };
  /** Number of migrations not applied yet. */
  readonly pending: number;
  readonly error: { readonly reason: FailureReason; readonly message: string } | null;
}

/** A change of a target's status: `from` is null for the target's first report. */
export interface StatusTransition {
  readonly id: number;
  /** `finishedAt` of the report that showed the new status. */
  readonly at: string;
  readonly from: CheckStatus | null;
  readonly to: CheckStatus;
}

/** The target's current status and the `finishedAt` of the first report of the unbroken run that shows it. */
export interface StatusSince {
  readonly status: CheckStatus;
  readonly since: string;
}

/** Columns of `reports` other than the id and the report body, as bound on insert. */
export interface ReportColumns {
  readonly target: string;
  readonly status: CheckStatus;
  readonly started_at: string;
  readonly finished_at: string;
  readonly duration_ms: number;
  readonly changes_total: number;
  readonly extra: number;
  readonly missing: number;
  readonly changed: number;
  readonly pending: number;
  readonly error_reason: string | null;
  readonly error_message: string | null;
}

/** The summary columns selected by list queries. */
export const SUMMARY_COLUMNS = `id, target, status, started_at, finished_at, duration_ms, changes_total, extra, missing,
  changed, pending, error_reason, error_message`;

/** A row of a list query ({@link SUMMARY_COLUMNS}). */
export interface SummaryRow extends ReportColumns {
  readonly id: number;
}

/** A row holding a report body, as stored (see `report-codec.ts`). */
export interface BodyRow {
  readonly id: number;
  readonly report_encoding: string;
  readonly report_json: unknown;
}

/** A row of the transitions query. */
export interface TransitionRow {
  readonly id: number;
  readonly finished_at: string;
  readonly prev_status: CheckStatus | null;
  readonly status: CheckStatus;
}

/** The status columns of a target's newest row, from which a new report's derived state is computed. */
export interface StateRow {
  readonly status: CheckStatus;
  readonly status_since: string;
  readonly drift_since: string | null;
}

/**
 * The indexed columns of a report. Timestamps are normalised to `Date.toISOString()` (UTC, milliseconds) so that
 * text comparison in SQL orders them; a report with an unparseable timestamp is refused.
 */
export function reportColumns(report: Report): ReportColumns {
  return {
    target: report.target,
    status: report.status,
    started_at: isoUtc(report.startedAt, 'startedAt'),
    finished_at: isoUtc(report.finishedAt, 'finishedAt'),
    duration_ms: Math.max(0, Math.round(Number.isFinite(report.durationMs) ? report.durationMs : 0)),
    changes_total: report.counts.total,
    extra: report.counts.extra,
    missing: report.counts.missing,
    changed: report.counts.changed,
    pending: report.pending.length,
    error_reason: report.error?.reason ?? null,
    error_message: report.error?.message ?? null,
  };
}

/** Maps a summary row to its public shape. */
export function toSummary(row: SummaryRow): ReportSummary {
  return {
    id: row.id,
    target: row.target,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    counts: { total: row.changes_total, extra: row.extra, missing: row.missing, changed: row.changed },
    pending: row.pending,
    error:
      row.error_reason === null ? null : { reason: row.error_reason as FailureReason, message: row.error_message ?? '' },
  };
}

/** Maps a transition row to its public shape. */
export function toTransition(row: TransitionRow): StatusTransition {
  return { id: row.id, at: row.finished_at, from: row.prev_status, to: row.status };
}

function isoUtc(value: string, field: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new RangeError(`${field} is not a timestamp: ${JSON.stringify(value)}`);
  return new Date(time).toISOString();
}
