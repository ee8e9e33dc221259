/**
 * The bundled example migrations (golang-migrate layout, the same four files written for each dialect) and a live
 * database built from them the way production gets there: the up files ran, golang-migrate recorded its version,
 * then (for drift) someone typed SQL by hand.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DialectName } from '../../src/core/model/schema.ts';
import type { TempDatabase } from './servers.ts';

/** Each dialect's example migration directory. */
export const EXAMPLE_MIGRATIONS: Record<DialectName, string> = {
  postgres: fileURLToPath(new URL('../../examples/migrations', import.meta.url)),
  mysql: fileURLToPath(new URL('../../examples/migrations-mysql', import.meta.url)),
};

/** The example's up files, in order. */
export async function exampleUpFiles(dialect: DialectName): Promise<string[]> {
  const dir = EXAMPLE_MIGRATIONS[dialect];
  const names = (await readdir(dir)).filter((n) => n.endsWith('.up.sql')).sort();
  return Promise.all(names.map((n) => readFile(path.join(dir, n), 'utf8')));
}

/**
 * Applies the example's up files 1..`version` to `db` as golang-migrate does (one multi-statement query per file),
 * records `version` in its table (`dirty` when the last file failed), then runs `extra` (SQL typed by hand).
 * The `schema_migrations` DDL is golang-migrate's, valid on every dialect.
 */
export async function deployExample(
  dialect: DialectName,
  db: TempDatabase,
  version: number,
  options: { dirty?: boolean; extra?: string } = {},
): Promise<TempDatabase> {
  for (const sql of (await exampleUpFiles(dialect)).slice(0, version)) await db.exec(sql);
  await db.exec(
    `CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
     INSERT INTO schema_migrations VALUES (${version}, ${options.dirty ? 'true' : 'false'});`,
  );
  if (options.extra) await db.exec(options.extra);
  return db;
}
