/**
 * History rows: the store's report summaries flattened into the field names of the `targetRows` view
 * (`changes_total`, `error_reason`, ...), so Infinity reads the history and the targets list the same way.
 */
import type { Report } from '../core/model/report.ts';
import type { Row } from '../core/report/views.ts';
import type { ReportSummary } from '../store/report-store.ts';
import { reportPath } from './links.ts';

/** A full report reduced to its summary (what a check responds with). */
export function summaryOf(report: Report): ReportSummary {
  const { total, extra, missing, changed } = report.counts;
  return {
    id: report.id,
    target: report.target,
    status: report.status,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    durationMs: report.durationMs,
    counts: { total, extra, missing, changed },
    pending: report.pending.length,
    error: report.error,
  };
}

/** One flat history row, with the path of the full report. */
export function summaryRow(summary: ReportSummary): Row {
  return {
    report_id: summary.id,
    target: summary.target,
    status: summary.status,
    started_at: summary.startedAt,
    checked_at: summary.finishedAt,
    duration_ms: summary.durationMs,
    changes_total: summary.counts.total,
    extra: summary.counts.extra,
    missing: summary.counts.missing,
    changed: summary.counts.changed,
    pending: summary.pending,
    error_reason: summary.error?.reason ?? null,
    error_message: summary.error?.message ?? null,
    report_url: reportPath(summary.target, summary.id),
  };
}
