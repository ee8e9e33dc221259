/**
 * goose's `goose_db_version(id, version_id, is_applied, tstamp)`, dialect-free, as goose reads it
 * (pressly/goose `internal/dialects/*.go` `ListMigrations`: rows by `id` descending):
 * - the latest row of a `version_id` decides: `is_applied` true means applied. goose 3 deletes the row when it rolls a
 *   migration back; older goose inserted a row with `is_applied` false, which this rule also reads.
 * - `version_id` 0 is the row goose inserts when it creates the table; it is not a migration.
 * goose records no failure (a failed migration leaves no row, and outside a transaction whatever it did stays), so the
 * state is never dirty: a half-applied `NO TRANSACTION` migration shows as pending plus what it left behind.
 */
import { type RevisionState, sortVersions } from './revision-state.ts';

/** One row of `goose_db_version`, as a dialect reads it. */
export interface GooseRow {
  /** `version_id` (bigint) as decimal text. */
  readonly versionId: string;
  readonly isApplied: boolean;
}

/** State from goose's rows in ascending `id` order. */
export function gooseState(table: string, rows: readonly GooseRow[]): RevisionState {
  const latest = new Map<string, boolean>();
  for (const row of rows) latest.set(row.versionId, row.isApplied);
  const appliedVersions = sortVersions([...latest].filter(([version, applied]) => applied && version !== '0').map(([version]) => version));
  return { tool: 'goose', table, version: appliedVersions.at(-1) ?? null, dirty: false, appliedVersions };
}
