/**
 * The report store's own schema, versioned with SQLite's `user_version` header field. Each step runs in its own
 * transaction together with the `user_version` bump (the header is transactional), so a crash mid-migration leaves
 * the file at the previous version and the step runs again on the next start.
 *
 * `application_id` marks the file as a schema-drift report store: an unrelated SQLite file found at the path is
 * refused instead of having tables added to it.
 */
import type { DatabaseSync } from 'node:sqlite';

/** `application_id` of a report store file ("SDRF"). */
export const STORE_APPLICATION_ID = 0x53445246;

/** One step of the store's schema. */
export interface StoreMigration {
  readonly version: number;
  readonly sql: string;
}

/**
 * Version 1. `prev_status`, `status_since` and `drift_since` are computed at save time from the target's previous
 * report, so pruning old rows never changes them (the `drift_since` metric and the transitions list stay right).
 * `report_json` is `ANY`: plain JSON text for small reports, a brotli BLOB for large ones (`report_encoding`).
 */
const V1 = `
CREATE TABLE reports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('error', 'dirty', 'drift', 'pending', 'in_sync')),
  prev_status TEXT CHECK (prev_status IN ('error', 'dirty', 'drift', 'pending', 'in_sync')),
  status_since TEXT NOT NULL,
  drift_since TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  changes_total INTEGER NOT NULL,
  extra INTEGER NOT NULL,
  missing INTEGER NOT NULL,
  changed INTEGER NOT NULL,
  pending INTEGER NOT NULL,
  error_reason TEXT,
  error_message TEXT,
  report_encoding TEXT NOT NULL CHECK (report_encoding IN ('json', 'br')),
  report_json ANY NOT NULL
) STRICT;
CREATE INDEX reports_target_id ON reports (target, id);
CREATE INDEX reports_transitions ON reports (target, id) WHERE prev_status IS NULL OR prev_status <> status;
`;

/**
 * Version 2: status `deploying` (a migration tool held its lock during the check). SQLite cannot change a CHECK
 * constraint in place, so the table is rebuilt the way its documentation describes (create, copy, drop, rename),
 * keeping every id and AUTOINCREMENT's counter (pruned ids are not given out again).
 */
const STATUSES_V2 = `('error', 'deploying', 'dirty', 'drift', 'pending', 'in_sync')`;
const V2 = `
${V1.replace('CREATE TABLE reports (', 'CREATE TABLE reports_v2 (')
  .replaceAll(`('error', 'dirty', 'drift', 'pending', 'in_sync')`, STATUSES_V2)
  .replace(/CREATE INDEX[^;]*;/g, '')}
INSERT INTO reports_v2 SELECT * FROM reports;
DELETE FROM sqlite_sequence WHERE name = 'reports_v2';
INSERT INTO sqlite_sequence (name, seq) SELECT 'reports_v2', seq FROM sqlite_sequence WHERE name = 'reports';
DROP TABLE reports;
ALTER TABLE reports_v2 RENAME TO reports;
CREATE INDEX reports_target_id ON reports (target, id);
CREATE INDEX reports_transitions ON reports (target, id) WHERE prev_status IS NULL OR prev_status <> status;
`;

/** Every step, in order (exported for the migration tests, which build an older store by hand). */
export const STORE_MIGRATIONS: readonly StoreMigration[] = [
  { version: 1, sql: V1 },
  { version: 2, sql: V2 },
];

/** The store schema version this build writes. */
export const STORE_SCHEMA_VERSION = STORE_MIGRATIONS.length;

/**
 * Reads which store version the file holds, without writing anything. Throws (plain `Error`, wrapped by the caller
 * with the file name) when the file belongs to something else or was written by a newer schema-drift; 0 means a new,
 * empty file.
 */
export function storeVersion(db: DatabaseSync): number {
  const version = pragmaNumber(db, 'user_version');
  const applicationId = pragmaNumber(db, 'application_id');
  if (version === 0) assertEmptyOrOurs(db, applicationId);
  else if (applicationId !== STORE_APPLICATION_ID) {
    throw new Error(`not a schema-drift report store (application_id ${applicationId})`);
  }
  if (version > STORE_SCHEMA_VERSION) {
    throw new Error(
      `store schema version ${version} was written by a newer schema-drift (this build knows up to ${STORE_SCHEMA_VERSION})`,
    );
  }
  return version;
}

/** Brings the store's tables from version `from` (see {@link storeVersion}) to {@link STORE_SCHEMA_VERSION}. */
export function migrateStore(db: DatabaseSync, from: number): void {
  for (const step of STORE_MIGRATIONS) {
    if (step.version <= from) continue;
    applyStep(db, step);
  }
}

function assertEmptyOrOurs(db: DatabaseSync, applicationId: number): void {
  if (applicationId === STORE_APPLICATION_ID) return;
  const row = db.prepare(`SELECT count(*) AS n FROM sqlite_schema`).get() as { n: number } | undefined;
  if ((row?.n ?? 0) > 0) throw new Error(`not a schema-drift report store (it holds other tables)`);
}

function applyStep(db: DatabaseSync, step: StoreMigration): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(step.sql);
    // PRAGMA takes no bind parameters; both values are integers from this file.
    db.exec(`PRAGMA application_id = ${STORE_APPLICATION_ID}`);
    db.exec(`PRAGMA user_version = ${step.version}`);
    db.exec('COMMIT');
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

function pragmaNumber(db: DatabaseSync, name: 'user_version' | 'application_id'): number {
  const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown> | undefined;
  return Number(row?.[name] ?? 0);
}
