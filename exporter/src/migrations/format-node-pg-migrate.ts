/**
 * node-pg-migrate SQL migrations (salsita/node-pg-migrate `src/sqlMigration.ts`, `src/migration.ts`, `src/runner.ts`):
 * `<timestamp>_<name>.sql` files, each with an `-- Up Migration` and usually a `-- Down Migration` section.
 * - identity: the file name without its extension (`name` in `pgmigrations`); that name is the file's version here.
 * - order: the number before the first `_` (13 digits: milliseconds, `timestamp` format; 17 digits: a UTC date
 *   `YYYYMMDDhhmmssSSS`, `utc` format; anything else: the number itself, or 0), ties by name, as the runner sorts.
 * - up section: from the up marker (`^\s*--[\s-]*up\s+migration`, any case) to the down marker when that comes later,
 *   else to the end; without an up marker the whole file (down section included, as node-pg-migrate does). It runs as
 *   one query.
 * - `-- no transaction` among the leading comment lines runs the file outside a transaction.
 * node-pg-migrate is PostgreSQL-only: the directory declares `postgresql`, so a MySQL target refuses it.
 * JavaScript/TypeScript migrations (node-pg-migrate's default) are code and cannot be replayed: they are refused.
 */
import { ReplayError } from '../core/errors.ts';
import { type DirEntry, type FormatResult, assertUniqueVersions, makeFile, sqlEntries, stripBom } from './entries.ts';
import { GOLANG_MIGRATE_NAME } from './formats.ts';
import type { IgnoredFile, MigrationFile } from './types.ts';
import { compareVersions } from './versions.ts';

/** node-pg-migrate's up marker (`createMigrationCommentRegex('up')`). */
const UP = /^\s*--[\s-]*up\s+migration/im;
const DOWN = /^\s*--[\s-]*down\s+migration/im;
/** The file names `node-pg-migrate create` writes: a number, `_`, a name. */
const NAME = /^[0-9]+_.+\.sql$/;
/** Languages of node-pg-migrate's code migrations (`--migration-file-language`). */
const CODE_MIGRATION = /\.(js|cjs|mjs|ts|cts|mts)$/;
const NO_TRANSACTION = /^--[ \t]*no[ \t]*transaction[ \t]*$/i;

/**
 * The detection sign: a file named as `node-pg-migrate create` names it (not a golang-migrate `.up.sql`/`.down.sql`,
 * which may well say "up migration" in a comment) holding the up marker.
 */
export function isNodePgMigrateSql(name: string, text: string): boolean {
  return NAME.test(name) && !GOLANG_MIGRATE_NAME.test(name) && UP.test(text);
}

/** Reads a node-pg-migrate directory of SQL migrations. */
export function readNodePgMigrate(dir: string, entries: readonly DirEntry[]): FormatResult {
  const code = entries.filter((e) => CODE_MIGRATION.test(e.name)).map((e) => e.name);
  if (code.length > 0) {
    throw new ReplayError(
      `node-pg-migrate code migrations cannot be replayed (only SQL migrations are read): ${code.join(', ')}`,
      { file: dir },
    );
  }
  // node-pg-migrate loads every non-hidden file as a migration: one of another kind makes it fail unless its
  // --ignore-pattern skips it, so the file is named in a warning rather than silently passed over.
  const ignored: IgnoredFile[] = entries
    .filter((e) => !e.name.endsWith('.sql'))
    .map((e) => ({ path: e.name, reason: 'not a .sql file; node-pg-migrate fails loading it unless --ignore-pattern skips it', warn: true }));
  const files = sqlEntries(entries)
    .map((entry) => ({ entry, name: entry.name.slice(0, -'.sql'.length) }))
    .sort((a, b) => nodePgMigrateTimestamp(a.name) - nodePgMigrateTimestamp(b.name) || a.name.localeCompare(b.name))
    .map(({ entry, name }) => toFile(entry, name));
  assertNameOrder(dir, files);
  assertUniqueVersions(dir, files);
  return { files, ignored, provider: { name: 'postgresql', file: files[0]?.path ?? dir, tool: 'node-pg-migrate' } };
}

/** node-pg-migrate's `getNumericPrefix`: what the runner sorts migrations by. */
export function nodePgMigrateTimestamp(name: string): number {
  const prefix = name.split('_')[0] ?? '';
  if (/^[0-9]+$/.test(prefix)) {
    if (prefix.length === 13) return Number(prefix);
    if (prefix.length === 17) {
      const at = (from: number, to: number): string => prefix.slice(from, to);
      return new Date(`${at(0, 4)}-${at(4, 6)}-${at(6, 8)}T${at(8, 10)}:${at(10, 12)}:${at(12, 14)}.${at(14, 17)}Z`).valueOf();
    }
  }
  return Number(prefix) || 0;
}

/** The up section and its transaction mode, as `getActions` cuts it. */
export function nodePgMigrateUp(text: string): { sql: string; offset: number; transaction: boolean } {
  const up = text.search(UP);
  const down = text.search(DOWN);
  const offset = up >= 0 ? up : 0;
  const end = up >= 0 && down > up ? down : text.length;
  return { sql: text.slice(offset, end), offset, transaction: !hasNoTransactionDirective(text) };
}

/** `-- no transaction` on one of the comment lines before the first statement (`hasNoTransactionDirective`). */
function hasNoTransactionDirective(text: string): boolean {
  for (const line of text.split(/\r?\n/)) {
    const header = line.trim();
    if (header === '') continue;
    if (!header.startsWith('--')) return false;
    if (NO_TRANSACTION.test(header)) return true;
  }
  return false;
}

function toFile(entry: DirEntry, name: string): MigrationFile {
  const text = stripBom(entry.text);
  const up = nodePgMigrateUp(text);
  const startLine = text.slice(0, up.offset).split('\n').length;
  const description = name.includes('_') ? name.slice(name.indexOf('_') + 1) : '';
  return makeFile(entry, { version: name, description, sql: up.sql, startLine, transaction: up.transaction });
}

/**
 * The replay bound and the pending files compare versions (here: names); where that order is not node-pg-migrate's
 * (say a `utc` name before a `timestamp` one, or a name without a number), the directory is refused, never misread.
 */
function assertNameOrder(dir: string, files: readonly MigrationFile[]): void {
  for (let i = 1; i < files.length; i++) {
    const [a, b] = [files[i - 1] as MigrationFile, files[i] as MigrationFile];
    if (compareVersions(a.version as string, b.version as string) > 0) {
      throw new ReplayError(
        `node-pg-migrate runs ${a.path} before ${b.path} (by the timestamps of their names), which their names do not ` +
          'order as versions; such a directory is not supported',
        { file: dir },
      );
    }
  }
}
