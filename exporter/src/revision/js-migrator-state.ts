/**
 * The bookkeeping tables of the JavaScript query builders' migrators, dialect-free, as their migrators read them:
 * - Knex: `knex_migrations(id, name, batch, migration_time)`, one row per applied migration, `name` the migration's
 *   file name with its extension (`20240101000000_users.js`); `knex_migrations_lock(index, is_locked)`.
 * - Kysely: `kysely_migration(name, timestamp)`, one row per applied migration, `name` as the migration provider names
 *   it (the file name without extension for `FileMigrationProvider`); `kysely_migration_lock(id, is_locked)`.
 * Both apply migrations in name order and record the set of names, so applied is that set, not a maximum. Neither
 * records a failure (a failed run is rolled back with its rows where the database can, so it shows as pending plus
 * whatever DDL MySQL committed); each holds its lock row at 1 while a run is in progress, and a run that crashed
 * leaves it there (both refuse to migrate until it is released). A held lock is reported as `deploying`, naming it
 * (past the target's `deployingLimit` the check calls it dirty).
 * These tables are read for `desired.command` sources, whose migrations are code.
 */
import { type RevisionState, type RevisionTool, sortVersions } from './revision-state.ts';

/** The two migrators, their tables and the command that releases a stuck lock. */
export const JS_MIGRATORS = {
  knex: { table: 'knex_migrations', lock: 'knex_migrations_lock', unlock: 'knex migrate:unlock' },
  kysely: { table: 'kysely_migration', lock: 'kysely_migration_lock', unlock: "UPDATE kysely_migration_lock SET is_locked = 0" },
} as const satisfies Partial<Record<RevisionTool, { table: string; lock: string; unlock: string }>>;

/** The migrator whose table `name` is. */
export function jsMigratorOf(name: string): keyof typeof JS_MIGRATORS | undefined {
  return (Object.keys(JS_MIGRATORS) as (keyof typeof JS_MIGRATORS)[]).find((tool) => JS_MIGRATORS[tool].table === name);
}

/**
 * State from the migration names (any order) and the lock row (`null`: no lock table or no row).
 * @param table `schema.table` of the migrations table, `lockTable` of the lock table beside it.
 */
export function jsMigratorState(
  tool: keyof typeof JS_MIGRATORS,
  table: string,
  names: readonly string[],
  lock: { readonly table: string; readonly locked: boolean } | null,
): RevisionState {
  const appliedVersions = sortVersions(names);
  const locked = lock?.locked === true;
  return {
    tool,
    table,
    version: appliedVersions.at(-1) ?? null,
    dirty: false,
    ...(locked && lock
      ? { deploying: `${lock.table} is held: a migration run is in progress, or one crashed (${JS_MIGRATORS[tool].unlock} releases it)` }
      : {}),
    appliedVersions,
  };
}
