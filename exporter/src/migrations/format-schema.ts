/**
 * Schema files: the whole desired schema kept as SQL rather than as migrations. One file (`pg_dump --schema-only`
 * output, Rails `db/structure.sql`, `mysqldump --no-data` output), or a directory of un-numbered `.sql` files applied
 * in name order (Supabase's declarative `supabase/schemas/`, whose files "are run in lexicographic order by default").
 *
 * A schema file has no version: nothing is pending, and no revision table bounds it (a database's revision table
 * says which migrations ran, which says nothing about a schema file). Each file is a script for the database's own
 * client, run statement by statement outside a transaction as `psql -f` and `mysql <` run it; the client commands in
 * it (`\restrict`, `\connect`, `USE`, ...) are the dialect's to understand (`clientScript`).
 */
import path from 'node:path';
import { type DirEntry, type FormatResult, ignoreNonSql, makeFile, sqlEntries } from './entries.ts';
import type { MigrationDirectory, MigrationFile } from './types.ts';

/** Reads a directory of schema files: every top-level `.sql` file, in name order (the listing's order). */
export function readSchemaDirectory(entries: readonly DirEntry[]): FormatResult {
  return { files: sqlEntries(entries).map(schemaFile), ignored: ignoreNonSql(entries) };
}

/** One schema file as the replay applies it: no version, no transaction, run as a client script. */
export function schemaFile(entry: DirEntry): MigrationFile {
  return makeFile(entry, { version: null, description: entry.name.replace(/\.sql$/i, ''), transaction: false, clientScript: true });
}

/**
 * The path of `file` as a person finds it: `<dir>/<file.path>`, or `dir` itself when the source is a single schema
 * file. Replay errors name it.
 */
export function migrationFilePath(dir: Pick<MigrationDirectory, 'dir' | 'singleFile'>, file: Pick<MigrationFile, 'path'>): string {
  return dir.singleFile ? dir.dir : path.join(dir.dir, file.path);
}
