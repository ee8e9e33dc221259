/**
 * Liquibase's `DATABASECHANGELOG` (PostgreSQL: `databasechangelog`) and `DATABASECHANGELOGLOCK`, dialect-free.
 * - One row per changeset run: `ID`, `AUTHOR`, `FILENAME` (the path as the deploy gave it, or the logicalFilePath),
 *   `DATEEXECUTED`, `ORDEREXECUTED`, `EXECTYPE`, `MD5SUM` (`9:<md5>` since Liquibase 4.24), ... A re-run
 *   (`runOnChange`, `runAlways`) updates the row to `RERAN` with the new `MD5SUM`; the latest row of a changeset
 *   decides.
 * - `EXECTYPE`: `EXECUTED`, `RERAN`, `MARK_RAN` (recorded without running: `changelog-sync`, a precondition's
 *   `onFail:MARK_RAN`) are deployed; `SKIPPED` is not. Liquibase itself writes no row for a failed changeset
 *   (`MarkChangeSetRanGenerator` skips `FAILED` and `SKIPPED`): the changeset's transaction is rolled back and it
 *   stays pending (on MySQL, DDL commits as it runs, so a partial change can remain and shows as drift). A `FAILED`
 *   row, which other writers of the table may leave, is read as deployed (what it did may remain) and dirty until a
 *   later successful run.
 * - `DATABASECHANGELOGLOCK.LOCKED` true: an update is running, or one died holding the lock (`liquibase
 *   release-locks`): `deploying`, naming the holder (past the target's `deployingLimit` the check calls it dirty).
 * Changesets are matched to the directory by `liquibaseKey` (id, author, file base name).
 */
import { checksumVersion, liquibaseKey } from '../migrations/liquibase-checksum.ts';
import type { RevisionState } from './revision-state.ts';

/** One `DATABASECHANGELOG` row, as a dialect reads it, in `ORDEREXECUTED`, `DATEEXECUTED` order. */
export interface LiquibaseRow {
  readonly id: string;
  readonly author: string;
  readonly filename: string;
  readonly execType: string;
  readonly md5sum: string | null;
}

/** The `DATABASECHANGELOGLOCK` row (id 1), when the table exists. */
export interface LiquibaseLock {
  /** `schema.name` of the lock table (MySQL: `database.name`), for the message. */
  readonly table: string;
  readonly locked: boolean;
  readonly lockedBy: string | null;
  /** As text, for the message only. */
  readonly lockGranted: string | null;
}

const DEPLOYED = new Set(['EXECUTED', 'RERAN', 'MARK_RAN']);

/** State from Liquibase's rows and lock. */
export function liquibaseState(table: string, rows: readonly LiquibaseRow[], lock?: LiquibaseLock | null): RevisionState {
  const latest = new Map<string, LiquibaseRow>();
  for (const row of rows) {
    const key = liquibaseKey(row.id, row.author, row.filename);
    // Re-insert so the map's order is the order of each changeset's latest run.
    latest.delete(key);
    latest.set(key, row);
  }
  const applied = [...latest].filter(([, row]) => DEPLOYED.has(row.execType.toUpperCase()) || isFailed(row));
  const failed = [...latest.values()].filter(isFailed).at(-1);
  const shown = (row: LiquibaseRow): string => `${row.filename}::${row.id}::${row.author}`;
  const reruns = [...latest].filter(([, row]) => DEPLOYED.has(row.execType.toUpperCase()));
  const held = lock?.locked === true;
  const deploying = held
    ? `${lock.table} is locked${lock.lockedBy ? ` by ${lock.lockedBy}` : ''}${lock.lockGranted ? ` since ${lock.lockGranted}` : ''}: a Liquibase update is running, or one stopped without releasing the lock (liquibase release-locks)`
    : undefined;
  return {
    tool: 'liquibase',
    table,
    version: applied.length > 0 ? shown((applied.at(-1) as [string, LiquibaseRow])[1]) : null,
    dirty: failed !== undefined && !held,
    ...(failed && !held ? { failedVersion: shown(failed) } : {}),
    ...(deploying ? { deploying } : {}),
    appliedVersions: applied.map(([, row]) => shown(row)),
    appliedKeys: applied.map(([key]) => key),
    // Checksums of another version (8: before Liquibase 4.24, none after clear-checksums) cannot be compared with the
    // files' version 9: then no run-on-change changeset is held back, and they are all replayed as they are now.
    ...(reruns.every(([, row]) => row.md5sum !== null && checksumVersion(row.md5sum) === 9)
      ? { rerunChecksums: reruns.map(([key, row]) => ({ key, checksum: row.md5sum as string })) }
      : {}),
  };
}

/** The lock table beside a changelog table, in its case (`databasechangeloglock`, `DATABASECHANGELOGLOCK`). */
export function lockTableOf(changelogTable: string): string {
  return changelogTable === changelogTable.toUpperCase() ? `${changelogTable}LOCK` : `${changelogTable}lock`;
}

function isFailed(row: LiquibaseRow): boolean {
  return row.execType.toUpperCase() === 'FAILED';
}
