/**
 * Readers for the file-name based layouts: plain numbered files, golang-migrate and Flyway.
 * Atlas and dbmate, which also read file contents, live in `format-atlas.ts` and `format-dbmate.ts`.
 */
import { ReplayError } from '../core/errors.ts';
import { crc32 } from 'node:zlib';
import { type DirEntry, type FormatResult, fileError, ignoreNonSql, makeFile, orderByVersion, sqlEntries, stripBom } from './entries.ts';
import type { IgnoredFile, MigrationFile } from './types.ts';

/** `001_init.sql`, `2-users.sql`, `10.sql`: a leading version number, then an optional description. */
export const PLAIN_NAME = /^([0-9]+)(?:[_\-. ]+(.*))?\.sql$/;
/** golang-migrate's own pattern (`^([0-9]+)_(.*)\.(down|up)\.(.*)$`), restricted to SQL files. */
export const GOLANG_MIGRATE_NAME = /^([0-9]+)_(.*)\.(up|down)\.sql$/;
/** Flyway versioned migration: `V<version>__<description>.sql`, the version ending at the first `__`. */
export const FLYWAY_VERSIONED_NAME = /^V(.+?)__(.*)\.sql$/;
/** Flyway repeatable migration: `R__<description>.sql`. */
export const FLYWAY_REPEATABLE_NAME = /^R__(.+)\.sql$/;
const FLYWAY_UNDO_NAME = /^U.+?__.*\.sql$/;
const FLYWAY_BASELINE_NAME = /^B.+?__.*\.sql$/;
const FLYWAY_VERSION = /^[0-9]+(?:[._][0-9]+)*$/;

/** Plain ordered `.sql` files: every `.sql` file must start with its version number. */
export function readPlain(dir: string, entries: readonly DirEntry[]): FormatResult {
  const sql = sqlEntries(entries);
  const unnumbered = sql.filter((e) => !PLAIN_NAME.test(e.name)).map((e) => e.name);
  if (unnumbered.length > 0) {
    throw new ReplayError(
      `migration files without a leading version number: ${unnumbered.join(', ')} (expected names like 001_init.sql)`,
      { file: dir },
    );
  }
  const files = sql.map((entry) => {
    const match = PLAIN_NAME.exec(entry.name) as RegExpExecArray;
    return makeFile(entry, { version: match[1] as string, description: match[2] ?? '' });
  });
  return { files: orderByVersion(dir, files), ignored: ignoreNonSql(entries) };
}

/** golang-migrate: `<version>_<title>.up.sql` are applied in version order; `.down.sql` files are not. */
export function readGolangMigrate(dir: string, entries: readonly DirEntry[]): FormatResult {
  const files: MigrationFile[] = [];
  const ignored: IgnoredFile[] = ignoreNonSql(entries);
  for (const entry of sqlEntries(entries)) {
    const match = GOLANG_MIGRATE_NAME.exec(entry.name);
    if (!match) ignored.push({ path: entry.name, reason: 'not named <version>_<title>.up.sql or .down.sql' });
    else if (match[3] === 'down') ignored.push({ path: entry.name, reason: 'down migration' });
    // golang-migrate runs the file as one multi-statement query, which PostgreSQL wraps in one transaction.
    else files.push(makeFile(entry, { version: match[1] as string, description: match[2] as string }));
  }
  return { files: orderByVersion(dir, files), ignored };
}

/**
 * Flyway: versioned `V…__…sql` in version order, then repeatable `R__…sql` ordered by description.
 * Undo (`U…`) and baseline (`B…`, Flyway Teams) migrations are not replayed; `<file>.sql.conf` script
 * configuration is honoured for `executeInTransaction=false`. Placeholders (`${…}`) are not substituted.
 */
export function readFlyway(dir: string, entries: readonly DirEntry[]): FormatResult {
  const conf = new Map(entries.filter((e) => e.name.endsWith('.sql.conf')).map((e) => [e.name, e.text]));
  const versioned: MigrationFile[] = [];
  const repeatable: MigrationFile[] = [];
  const ignored = ignoreNonSql(entries, (name) => name.endsWith('.sql.conf') || name.endsWith('.conf'));
  for (const entry of sqlEntries(entries)) {
    const transaction = !/^\s*executeInTransaction\s*=\s*false\s*$/m.test(conf.get(`${entry.name}.conf`) ?? '');
    const v = FLYWAY_VERSIONED_NAME.exec(entry.name);
    const r = FLYWAY_REPEATABLE_NAME.exec(entry.name);
    if (v) {
      const version = v[1] as string;
      if (!FLYWAY_VERSION.test(version)) {
        throw fileError(dir, entry.name, `invalid Flyway version "${version}" (expected digits separated by . or _)`);
      }
      const description = flywayDescription(v[2] as string);
      versioned.push(makeFile(entry, { version: version.replaceAll('_', '.'), description, transaction }));
    } else if (r) {
      const description = flywayDescription(r[1] as string);
      const rerun = { key: description, checksum: String(flywayChecksum(entry.text)) };
      repeatable.push(makeFile(entry, { version: null, description, repeatable: true, transaction, rerun }));
    } else {
      ignored.push({ path: entry.name, reason: flywaySkipReason(entry.name) });
    }
  }
  return { files: [...orderByVersion(dir, versioned), ...orderRepeatables(dir, repeatable)], ignored };
}

/**
 * Flyway's checksum of a script, as it stores it in `flyway_schema_history.checksum`: a CRC32 fed with each line's
 * UTF-8 bytes without its line break (Java's `BufferedReader.readLine`, so `\n`, `\r\n` and `\r` all end a line and
 * line endings never change it), a leading byte order mark removed, read as a signed 32-bit integer.
 */
export function flywayChecksum(text: string): number {
  let crc = 0;
  const lines = stripBom(text).split(/\r\n|\r|\n/);
  // readLine returns no line after a final line break.
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) crc = crc32(Buffer.from(line, 'utf8'), crc);
  return crc | 0;
}

function flywayDescription(raw: string): string {
  return raw.replaceAll('_', ' ');
}

function flywaySkipReason(name: string): string {
  if (FLYWAY_UNDO_NAME.test(name)) return 'Flyway undo migration';
  if (FLYWAY_BASELINE_NAME.test(name)) return 'Flyway baseline migration (not replayed)';
  return 'not a Flyway migration name (V<version>__<description>.sql or R__<description>.sql)';
}

function orderRepeatables(dir: string, files: MigrationFile[]): MigrationFile[] {
  const sorted = [...files].sort((a, b) => (a.description < b.description ? -1 : a.description > b.description ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1] as MigrationFile, sorted[i] as MigrationFile];
    if (a.description === b.description) {
      throw new ReplayError(`duplicate repeatable migration "${a.description}": ${a.path} and ${b.path}`, { file: dir });
    }
  }
  return sorted;
}
