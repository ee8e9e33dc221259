/**
 * node-pg-migrate's `pgmigrations(id serial, name varchar(255), run_on timestamp)`, dialect-free, as its runner reads
 * it (salsita/node-pg-migrate `src/runner.ts` `getRunMigrations`): one row per applied migration, `name` the file name
 * without its extension; `migrate down` deletes the row. Applied is the set of names, not a maximum.
 * node-pg-migrate records no failure and no in-flight state (it holds an advisory lock while it runs, which is not
 * read): by default all pending migrations run in one transaction with their rows, so a failure leaves nothing; a
 * `-- no transaction` file that fails leaves what it did and no row. So the state is never dirty: a failed migration
 * shows as pending, plus whatever it left behind.
 */
import { type RevisionState, sortVersions } from './revision-state.ts';

/** State from the `name`s of `pgmigrations` (any order). */
export function nodePgMigrateState(table: string, names: readonly string[]): RevisionState {
  const appliedVersions = sortVersions(names);
  return { tool: 'node-pg-migrate', table, version: appliedVersions.at(-1) ?? null, dirty: false, appliedVersions };
}
