/**
 * drizzle-orm's migrator table `__drizzle_migrations`, dialect-free, as its migrator decides what is applied.
 * - 0.x (`id, hash, created_at`): `created_at` is the journal entry's `when`; the migrator takes the highest
 *   `created_at` and applies every journal entry whose `when` is greater, so applied means `when` <= that maximum.
 *   The version is therefore `created_at`, compared with each file's `when`.
 * - 1.x (adds `name`, `applied_at`, `version`): a migration folder is applied when a row carries its name.
 * `hash` is sha256 hex of the file. The migrator records no failure (on PostgreSQL all pending migrations run in one
 * transaction that rolls back whole), so the state is never dirty.
 */
import { type RevisionChecksum, type RevisionState, sortVersions } from './revision-state.ts';

/** One row of `__drizzle_migrations`, as a dialect reads it. */
export interface DrizzleRow {
  readonly hash: string;
  /** `created_at` (a bigint of milliseconds) as decimal text; `null` when the row has none. */
  readonly createdAt: string | null;
  /** `name` (1.x); `null` in a 0.x table or a row the 1.x upgrade could not match. */
  readonly name: string | null;
}

/** State from drizzle's rows; `byName` when the table has drizzle-orm 1.x's `name` column. */
export function drizzleState(table: string, rows: readonly DrizzleRow[], options: { byName: boolean }): RevisionState {
  const key = (row: DrizzleRow): string | null => (options.byName ? row.name : row.createdAt);
  const checksums = new Map<string, RevisionChecksum>();
  for (const row of rows) {
    const version = key(row);
    if (version !== null) checksums.set(version, { version, checksum: row.hash });
  }
  const appliedVersions = sortVersions(checksums.keys());
  return {
    tool: 'drizzle',
    table,
    version: appliedVersions.at(-1) ?? null,
    dirty: false,
    appliedVersions,
    checksums: [...checksums.values()],
  };
}
