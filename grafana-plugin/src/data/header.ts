import type { DataFrame } from '@grafana/data';

import type { ChangeCounts, ChangeRow, HeaderModel, SqlModel } from './model.ts';
import { READ_FIELDS } from './fields.ts';
import { REPORT_STATUSES } from './rows.ts';
import { asBoolean, asEnum, asIsoTime, asNumber, asText, readRows } from './values.ts';

type TargetRow = Record<(typeof READ_FIELDS.targets)[number], unknown>;

/**
 * Which targets row the header shows: the one named by `wanted` (the panel's `target` option, variables expanded),
 * else the one the SQL frame belongs to, else the only row. Several rows and no way to choose gives null rather
 * than a guess: the header would otherwise show another database's status above this one's ERD.
 */
export function pickTargetRow(frame: DataFrame, wanted: string | null, sqlTarget: string | null): TargetRow | null {
  const rows = readRows(frame, READ_FIELDS.targets);
  for (const name of [wanted, sqlTarget]) {
    if (name) {
      const match = rows.find((row) => asText(row.target) === name);
      if (match) {
        return match;
      }
    }
  }
  return rows.length === 1 ? (rows[0] ?? null) : null;
}

function countsFromRow(row: TargetRow): ChangeCounts | null {
  const total = asNumber(row.changes_total);
  if (total === null) {
    return null;
  }
  return {
    total,
    extra: asNumber(row.extra) ?? 0,
    missing: asNumber(row.missing) ?? 0,
    changed: asNumber(row.changed) ?? 0,
  };
}

/** Header from a targets row. */
export function headerFromTargetRow(row: TargetRow): HeaderModel {
  const status = asEnum(row.status, REPORT_STATUSES, null);
  const reason = asText(row.error_reason);
  const message = asText(row.error_message);
  return {
    target: asText(row.target),
    status,
    checkedAt: asIsoTime(row.checked_at),
    durationMs: asNumber(row.duration_ms),
    reportId: asNumber(row.report_id),
    counts: countsFromRow(row),
    pending: asNumber(row.pending),
    dirty: asBoolean(row.dirty),
    deployedVersion: asText(row.deployed_version),
    migrationTool: asText(row.migration_tool),
    error: reason || message ? { reason: reason ?? 'internal', message: message ?? '' } : null,
    displayUrl: asText(row.display_url),
    source: 'targets',
  };
}

/** Counts by action of a list of changes. */
export function countChanges(changes: readonly ChangeRow[]): ChangeCounts {
  const counts: ChangeCounts = { total: changes.length, extra: 0, missing: 0, changed: 0 };
  for (const change of changes) {
    counts[change.action]++;
  }
  return counts;
}

/**
 * Header pieced together without a targets frame: target, report and status from the SQL row, counts from the
 * change rows. Null when neither frame is there.
 */
export function derivedHeader(sql: SqlModel | null, changes: readonly ChangeRow[] | null): HeaderModel | null {
  if (!sql && !changes) {
    return null;
  }
  return {
    target: sql?.target ?? null,
    status: sql?.status ?? null,
    checkedAt: null,
    durationMs: null,
    reportId: sql?.reportId ?? null,
    counts: changes ? countChanges(changes) : null,
    pending: null,
    dirty: null,
    deployedVersion: null,
    migrationTool: null,
    error: null,
    displayUrl: null,
    source: 'derived',
  };
}
