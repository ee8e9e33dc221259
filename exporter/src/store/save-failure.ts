/**
 * Why a report could not be saved, as a small fixed set: the `reason` label of
 * `schema_drift_report_save_failures_total` and the word `/readyz` and the API give. Read from SQLite's primary
 * result code (`errcode & 0xff`), which `node:sqlite` puts on its errors, or from PostgreSQL's SQLSTATE (`code`).
 */

/** Every reason, in the order the metrics export them (each from 0). */
export const SAVE_FAILURE_REASONS = ['disk_full', 'read_only', 'io', 'busy', 'closed', 'other'] as const;

export type SaveFailureReason = (typeof SAVE_FAILURE_REASONS)[number];

// https://www.sqlite.org/rescode.html: primary result codes.
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;

/** The reason of a failed `ReportStore.save`, looking through `cause`s for the SQLite error. */
export function saveFailureReason(err: unknown): SaveFailureReason {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    if (e instanceof Error && e.message.includes('report store is closed')) return 'closed';
    const sqlState = (e as { code?: unknown }).code;
    if (typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState)) return pgReason(sqlState);
    const code = (e as { errcode?: unknown }).errcode;
    if (typeof code !== 'number') continue;
    switch (code & 0xff) {
      case SQLITE_FULL:
        return 'disk_full';
      case SQLITE_READONLY:
        return 'read_only';
      case SQLITE_IOERR:
      case SQLITE_CANTOPEN:
        return 'io';
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        return 'busy';
      default:
        return 'other';
    }
  }
  return 'other';
}

/** The reason of a PostgreSQL store's failure, from its SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
function pgReason(sqlState: string): SaveFailureReason {
  if (sqlState === '53100') return 'disk_full';
  if (sqlState === '25006') return 'read_only';
  if (sqlState.startsWith('08') || sqlState.startsWith('57P') || sqlState.startsWith('58')) return 'io';
  if (sqlState === '40001' || sqlState === '40P01' || sqlState === '55P03' || sqlState === '53300') return 'busy';
  return 'other';
}

/**
 * A check finished but its report could not be stored. The API answers 503 with the reason (never a report without
 * an id); the check itself is not lost from view: the log has it, and the next check that can be stored replaces it.
 */
export class ReportNotStoredError extends Error {
  override name = 'ReportNotStoredError';
  readonly saveReason: SaveFailureReason;

  constructor(target: string, saveReason: SaveFailureReason, options?: { cause?: unknown }) {
    super(`the check of target ${JSON.stringify(target)} finished, but its report could not be stored (${saveReason}); see /readyz`, options);
    this.saveReason = saveReason;
  }
}
