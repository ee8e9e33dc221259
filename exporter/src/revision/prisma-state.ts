/**
 * Prisma Migrate's `_prisma_migrations`, dialect-free: one row per attempt to apply a migration folder, as
 * prisma-engines' schema-engine ARCHITECTURE.md describes it.
 * - `finished_at` set (and `rolled_back_at` null): the migration completed; it is applied.
 * - `finished_at` null and `rolled_back_at` null: it failed (or is being applied) and nobody resolved it; `migrate
 *   deploy` refuses to go on. `logs` holds the error.
 * - `rolled_back_at` set (`prisma migrate resolve --rolled-back`): the row is ignored, as Prisma ignores it.
 * - `checksum`: sha256 hex of `migration.sql` when the row was written; never overwritten.
 * Applied is the set of folders with a finished, not rolled-back row, not a maximum: Prisma applies every folder
 * without such a row, whatever its name.
 */
import { compareVersions } from '../migrations/versions.ts';
import { type RevisionChecksum, type RevisionState, sortVersions } from './revision-state.ts';

/** One row of `_prisma_migrations`, as a dialect reads it. */
export interface PrismaRow {
  /** `migration_name`: the folder name. */
  readonly name: string;
  readonly checksum: string;
  /** `finished_at IS NOT NULL`. */
  readonly finished: boolean;
  /** `rolled_back_at IS NOT NULL`. */
  readonly rolledBack: boolean;
  /** `logs`: the error of a failed attempt. */
  readonly logs: string | null;
}

/** State from Prisma's rows (any order). */
export function prismaState(table: string, rows: readonly PrismaRow[]): RevisionState {
  const live = rows.filter((r) => !r.rolledBack);
  const applied = live.filter((r) => r.finished);
  const failed = live
    .filter((r) => !r.finished)
    .sort((a, b) => compareVersions(a.name, b.name))
    .at(-1);
  const appliedVersions = sortVersions(applied.map((r) => r.name));
  // A failed migration may be partly applied (MySQL commits each DDL statement): it bounds the replay too.
  const version = sortVersions([...appliedVersions, ...(failed ? [failed.name] : [])]).at(-1) ?? null;
  const checksums = new Map<string, RevisionChecksum>();
  for (const row of applied) checksums.set(row.name, { version: row.name, checksum: row.checksum });
  const error = failed?.logs?.trim();
  return {
    tool: 'prisma',
    table,
    version,
    dirty: failed !== undefined,
    ...(failed ? { failedVersion: failed.name } : {}),
    ...(error ? { error } : {}),
    appliedVersions,
    checksums: [...checksums.values()],
  };
}
