/**
 * Atlas migration directories: `<version>_<name>.sql` applied in file-name order (as Atlas sorts them), guarded by
 * `atlas.sum`, which is verified before anything is read further. File directives are honoured as Atlas reads
 * them: `-- atlas:txmode none` (no transaction) and `-- atlas:checkpoint` (a clean database starts at the last
 * checkpoint file, so earlier files are not applied).
 *
 * Atlas's golang-migrate layout (`--dir "file://…?format=golang-migrate"`): `<version>_<title>.up.sql` and
 * `.down.sql` beside `atlas.sum`. Atlas sums every `*.sql` file there, down files included (ariga/atlas
 * `sql/sqltool/tool.go`: `GolangMigrateDir.Checksum` delegates to `LocalDir.Checksum`, which hashes `LocalDir.Files`,
 * the `*.sql` glob; `tool_test.go` `TestChecksum` expects `1_initial.down.sql, 1_initial.up.sql, …`), but replays only
 * the up files. No checkpoints there: `GolangMigrateDir` is not a `CheckpointDir`.
 */
import { ReplayError } from '../core/errors.ts';
import { ATLAS_SUM_FILE, compareAtlasNames, verifyAtlasSum } from './atlas-sum.ts';
import {
  type DirEntry,
  type FormatResult,
  assertUniqueVersions,
  ignoreNonSql,
  makeFile,
  sqlEntries,
} from './entries.ts';
import { GOLANG_MIGRATE_NAME, readGolangMigrate } from './formats.ts';
import type { IgnoredFile, MigrationFile } from './types.ts';

const DIRECTIVE = /^([ -~]*)atlas:(\w+)(?: +([ -~]*))*/;

/** Reads an Atlas directory; throws a `ReplayError` when atlas.sum is missing or does not match the files. */
export function readAtlas(dir: string, entries: readonly DirEntry[]): FormatResult {
  const sumEntry = entries.find((e) => e.name === ATLAS_SUM_FILE);
  const sql = sqlEntries(entries).sort((a, b) => compareAtlasNames(a.name, b.name));
  if (!sumEntry) {
    throw new ReplayError(`${ATLAS_SUM_FILE} is missing; run "atlas migrate hash" to create it`, { file: dir });
  }
  // Both layouts sum the same files (every *.sql, sorted by name), so one check serves both.
  verifyAtlasSum(dir, sql, sumEntry.text);
  if (sql.some((entry) => GOLANG_MIGRATE_NAME.test(entry.name))) return readGolangMigrateLayout(dir, entries, sql);
  const all = sql.map((entry) => toFile(entry));
  const start = lastCheckpoint(sql);
  const ignored: IgnoredFile[] = ignoreNonSql(entries, (name) => name === ATLAS_SUM_FILE);
  for (const skipped of sql.slice(0, start)) {
    ignored.push({ path: skipped.name, reason: `before checkpoint ${sql[start]?.name}` });
  }
  const files = all.slice(start);
  assertUniqueVersions(dir, files);
  return { files, ignored };
}

/**
 * The golang-migrate layout: up files in version order, as golang-migrate applies them. Atlas itself orders them by
 * name; the two agree for same-length versions (Atlas's timestamps) and we follow the tool that deploys them.
 */
function readGolangMigrateLayout(dir: string, entries: readonly DirEntry[], sql: readonly DirEntry[]): FormatResult {
  const others = sql.filter((entry) => !GOLANG_MIGRATE_NAME.test(entry.name)).map((entry) => entry.name);
  if (others.length > 0) {
    // Atlas would skip these with format=golang-migrate and replay the down files without it: refuse, never guess.
    const sample = sql.find((entry) => GOLANG_MIGRATE_NAME.test(entry.name))?.name ?? '';
    throw new ReplayError(
      `atlas directory mixes golang-migrate files (${sample}) with other .sql files (${others.join(', ')}); ` +
        'keep one layout: <version>_<title>.up.sql/.down.sql, or <version>_<name>.sql',
      { file: dir },
    );
  }
  // golang-migrate's reader, with Atlas's per-file transaction directive and the reason down files are kept.
  const layout = readGolangMigrate(dir, entries.filter((entry) => entry.name !== ATLAS_SUM_FILE));
  return {
    files: layout.files.map((file) => ({ ...file, transaction: !fileDirectives(file.sql, 'txmode').includes('none') })),
    ignored: layout.ignored.map((file) =>
      file.reason === 'down migration' ? { ...file, reason: 'down migration (summed in atlas.sum, not replayed)' } : file,
    ),
  };
}

function toFile(entry: DirEntry): MigrationFile {
  // Atlas: the version is the name up to the first "_", the description the rest (LocalFile.Version/Desc).
  const base = entry.name.slice(0, -'.sql'.length);
  const cut = base.indexOf('_');
  const version = cut < 0 ? base : base.slice(0, cut);
  const description = cut < 0 ? '' : base.slice(cut + 1);
  const transaction = !fileDirectives(entry.text, 'txmode').includes('none');
  return makeFile(entry, { version, description, transaction });
}

function lastCheckpoint(files: readonly DirEntry[]): number {
  for (let i = files.length - 1; i >= 0; i--) {
    if (fileDirectives((files[i] as DirEntry).text, 'checkpoint').length > 0) return i;
  }
  return 0;
}

/**
 * Values of file-level directives named `name`, as Atlas's `LocalFile.Directive`: the leading `--`/`#` comment
 * lines count only when a blank line separates them from the statements.
 */
export function fileDirectives(content: string, name: string): string[] {
  const comments: string[] = [];
  let rest = content;
  while (rest.startsWith('#') || rest.startsWith('--')) {
    const newline = rest.indexOf('\n');
    // Atlas quirk kept: a comments-only file without a final newline has no directives.
    if (newline < 0) return [];
    comments.push(rest.slice(0, newline).trim());
    rest = rest.slice(newline + 1);
  }
  if (!rest.replace(/^[ \t]+/, '').startsWith('\n')) return [];
  const values: string[] = [];
  for (const comment of comments) {
    const match = DIRECTIVE.exec(comment);
    if (match && match[2] === name) values.push(match[3] ?? '');
  }
  return values;
}
