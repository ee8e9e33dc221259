/**
 * Reads a migration directory into the ordered list of SQL the replay step applies.
 *
 * What the directory may hold is checked as it is read: a symlink must resolve inside the directory (a link to a
 * password file or `/etc/passwd` would otherwise reach a replay error, then the log, the API and the store), and
 * FIFOs, sockets and devices are refused (reading a FIFO blocks forever). A file used as a migration must be UTF-8
 * text; a byte that is not would otherwise become U+FFFD and change the SQL silently.
 */
import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ReplayError } from '../core/errors.ts';
import { firstInvalidUtf8Line, notUtf8Error } from './contained.ts';
import { detectFormat } from './detect.ts';
import { type DirEntry, type DirListing, type FormatResult, NESTED_FILES, type Subdirectory } from './entries.ts';
import { readAtlas } from './format-atlas.ts';
import { readDbmate } from './format-dbmate.ts';
import { readDrizzle, readDrizzleFolders } from './format-drizzle.ts';
import { readGoose } from './format-goose.ts';
import { readNodePgMigrate } from './format-node-pg-migrate.ts';
import { readLiquibase } from './format-liquibase.ts';
import { readPrisma } from './format-prisma.ts';
import { readSqitch } from './format-sqitch.ts';
import { readSchemaDirectory, schemaFile } from './format-schema.ts';
import { readSchemaPaths, SUPABASE_CONFIG, supabaseSchemaPaths } from './format-schema-supabase.ts';
import { readFlyway, readGolangMigrate, readPlain } from './formats.ts';
import { hashMigrationFiles } from './hash.ts';
import type { IgnoredFile, MigrationDirectory, MigrationFormat, ReadMigrationOptions } from './types.ts';

const READERS: Record<MigrationFormat, (dir: string, listing: DirListing) => FormatResult | Promise<FormatResult>> = {
  plain: (dir, listing) => readPlain(dir, listing.entries),
  'golang-migrate': (dir, listing) => readGolangMigrate(dir, listing.entries),
  flyway: (dir, listing) => readFlyway(dir, listing.entries),
  atlas: (dir, listing) => readAtlas(dir, listing.entries),
  dbmate: (dir, listing) => readDbmate(dir, listing.entries),
  prisma: readPrisma,
  drizzle: readDrizzle,
  'drizzle-folders': readDrizzleFolders,
  goose: (dir, listing) => readGoose(dir, listing.entries),
  'node-pg-migrate': (dir, listing) => readNodePgMigrate(dir, listing.entries),
  sqitch: readSqitch,
  liquibase: readLiquibase,
  schema: (_, listing) => readSchemaDirectory(listing.entries),
};

/**
 * Reads the migrations of `dir` in apply order, detecting the format unless `options.format` names it.
 *
 * Hidden files (names starting with `.`) are skipped. Subdirectories are read one level deep, and only by the
 * layouts that keep migrations or bookkeeping there (Prisma, drizzle-kit); the other formats list them in `ignored`.
 * Atlas directories are verified against `atlas.sum` first. A file instead of a directory is a schema file (format
 * `schema`), read alone; Supabase's `supabase/schemas/` is a schema directory whatever its files are named, read in the
 * order of `config.toml`'s `schema_paths` when it has them.
 *
 * @throws ReplayError (with `file` = the directory, or the file at fault) when the directory does not exist, is
 *   empty, has an unknown or ambiguous layout, holds duplicate versions, fails its atlas.sum check, or holds a
 *   migration the format cannot parse.
 */
export async function readMigrationDirectory(dir: string, options: ReadMigrationOptions = {}): Promise<MigrationDirectory> {
  const info = await stat(dir).catch(() => undefined);
  if (info?.isFile()) return readSingleSchemaFile(dir, options);
  // A format named up front that keeps nothing in folders needs only their names (no reads on every check).
  const listing = await listDirectory(dir, options.format === undefined || FOLDER_FORMATS.has(options.format));
  const format =
    options.format ?? ((await isSupabaseSchemas(dir)) ? 'schema' : detectFormat(dir, listing.entries, listing.subdirectories));
  const reader = READERS[format];
  if (!reader) throw new ReplayError(`unknown migration format "${String(format)}"`, { file: dir });
  if (FOLDER_FORMATS.has(format)) {
    const unreadable = listing.subdirectories.find((s) => s.unreadable);
    if (unreadable?.unreadable) throw unreadable.unreadable;
  }
  // Supabase's `schema_paths` reorders schema files (and may reach into subfolders): read in that order when given.
  const schemaPaths = format === 'schema' ? await supabaseSchemaPaths(dir) : undefined;
  const result = schemaPaths
    ? { ...(await readSchemaPaths(dir, schemaPaths, listing.entries)), readsSubdirectories: true }
    : await reader(dir, listing);
  assertUtf8(dir, listing, result);
  if (result.files.length === 0) {
    throw new ReplayError(`no ${format} migrations found (the directory holds ${listing.entries.length} other files)`, {
      file: dir,
    });
  }
  const ignored: IgnoredFile[] = [
    ...result.ignored,
    ...(result.readsSubdirectories ? [] : listing.subdirectories.map((s) => ({ path: s.name, reason: 'subdirectory (not read)' }))),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    dir,
    format,
    files: result.files,
    hash: hashMigrationFiles(format, result.files),
    ignored,
    ...(result.provider ? { provider: result.provider } : {}),
  };
}

/**
 * The format {@link readMigrationDirectory} reads `dir` as (a file: `schema`; else the configured one, else detected),
 * without reading its migrations.
 * @throws ReplayError as the detection does (no such directory, an empty, unknown or ambiguous layout).
 */
export async function migrationFormatOf(dir: string, format?: MigrationFormat): Promise<MigrationFormat> {
  const info = await stat(dir).catch(() => undefined);
  if (info?.isFile()) return 'schema';
  if (format !== undefined) return format;
  const listing = await listDirectory(dir, true);
  return (await isSupabaseSchemas(dir)) ? 'schema' : detectFormat(dir, listing.entries, listing.subdirectories);
}

/**
 * Supabase's declarative schema folder: `supabase/schemas/` beside `supabase/config.toml` (known by its `project_id`
 * or `[db]` tables). Its files are the schema whatever they are named (Supabase's own advice is to number them
 * `00_...sql`, which alone would read as plain migrations).
 */
async function isSupabaseSchemas(dir: string): Promise<boolean> {
  if (path.basename(path.resolve(dir)) !== 'schemas') return false;
  const config = await readFile(path.join(path.dirname(path.resolve(dir)), SUPABASE_CONFIG), 'utf8').catch(() => undefined);
  return config !== undefined && /^\s*(?:project_id\s*=|\[db[.\]])/m.test(config);
}

/** A schema file given on its own (`structure.sql`, a `pg_dump --schema-only` output). */
async function readSingleSchemaFile(file: string, options: ReadMigrationOptions): Promise<MigrationDirectory> {
  if (options.format !== undefined && options.format !== 'schema') {
    throw new ReplayError(
      `a single file is a schema file (format schema); format ${options.format} needs a migration directory`,
      { file },
    );
  }
  const entry = await readEntry(file, path.basename(file));
  if (entry.invalidUtf8Line !== undefined) throw notUtf8Error(entry.name, file, entry.invalidUtf8Line);
  const files = [schemaFile(entry)];
  return { dir: file, format: 'schema', files, hash: hashMigrationFiles('schema', files), ignored: [], singleFile: true };
}

/** The formats whose migrations or bookkeeping live in subdirectories (their readers set `readsSubdirectories`). */
const FOLDER_FORMATS: ReadonlySet<MigrationFormat> = new Set(['prisma', 'drizzle', 'drizzle-folders']);

async function listDirectory(dir: string, descend: boolean): Promise<DirListing> {
  await assertDirectory(dir);
  const root = await realpath(dir);
  const entries: DirEntry[] = [];
  const subdirectories: Subdirectory[] = [];
  for (const { name, full, kind } of await listNames(dir, root)) {
    if (kind === 'file') entries.push(await readEntry(full, name));
    else subdirectories.push(descend ? await listSubdirectory(full, name, root) : { name, files: [], read: [] });
  }
  return { entries, subdirectories };
}

/** Refuses a migration whose bytes are not UTF-8, naming the file and the line of the first bad byte. */
function assertUtf8(dir: string, listing: DirListing, result: FormatResult): void {
  const byName = new Map([...listing.entries, ...listing.subdirectories.flatMap((s) => s.read)].map((e) => [e.name, e]));
  for (const file of result.files) {
    const line = byName.get(file.path)?.invalidUtf8Line;
    if (line !== undefined) {
      throw notUtf8Error(file.path, path.join(dir, file.path), line);
    }
  }
}

/**
 * One level inside a subdirectory: its file names, and the files of {@link NESTED_FILES} read. A folder that cannot
 * be read is kept with the reason, so that only a format reading folders fails on it.
 */
async function listSubdirectory(full: string, name: string, root: string): Promise<Subdirectory> {
  const files: string[] = [];
  const read: DirEntry[] = [];
  try {
    for (const child of await listNames(full, root, name)) {
      if (child.kind !== 'file') continue;
      files.push(child.name);
      if (NESTED_FILES.has(child.name)) read.push(await readEntry(child.full, `${name}/${child.name}`));
    }
  } catch (err) {
    if (!(err instanceof ReplayError)) throw err;
    return { name, files: [], read: [], unreadable: err };
  }
  return { name, files, read };
}

/**
 * Non-hidden regular files and directories of `dir`, sorted by name. A symlink is followed when it resolves inside
 * `root` (the migration directory's real path); one that resolves outside, and anything neither a file nor a
 * directory, is a ReplayError naming it.
 */
async function listNames(dir: string, root: string, relative?: string): Promise<{ name: string; full: string; kind: 'file' | 'directory' }[]> {
  const names = (
    await readdir(dir).catch((cause: unknown) => {
      throw new ReplayError(`cannot read ${relative ?? 'migration directory'}: ${describe(cause)}`, { file: dir }, { cause });
    })
  )
    .filter((name) => !name.startsWith('.'))
    .sort();
  const result: { name: string; full: string; kind: 'file' | 'directory' }[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    const shown = relative ? `${relative}/${name}` : name;
    const cannotRead = (cause: unknown): never => {
      throw new ReplayError(`cannot read ${shown}: ${describe(cause)}`, { file: full }, { cause });
    };
    if ((await lstat(full).catch(cannotRead)).isSymbolicLink()) {
      const target = await realpath(full).catch(cannotRead);
      if (target !== root && !target.startsWith(root + path.sep)) {
        // The target is not named: it is outside what the operator pointed us at.
        throw new ReplayError(`${shown} is a symlink that resolves outside the migration directory: refused`, { file: full });
      }
    }
    // stat (not lstat) so a symlink inside the directory is read like what it points at.
    const info = await stat(full).catch(cannotRead);
    if (info.isDirectory()) result.push({ name, full, kind: 'directory' });
    else if (info.isFile()) result.push({ name, full, kind: 'file' });
    else throw new ReplayError(`${shown} is ${specialKind(info)}, not a regular file: refused`, { file: full });
  }
  return result;
}

function specialKind(info: Awaited<ReturnType<typeof stat>>): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'a special file';
}

async function assertDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch((cause: unknown) => {
    const code = (cause as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'migration directory does not exist' : `cannot read migration directory: ${describe(cause)}`;
    throw new ReplayError(message, { file: dir }, { cause });
  });
  if (!info.isDirectory()) throw new ReplayError('migration path is not a directory', { file: dir });
}

async function readEntry(full: string, name: string): Promise<DirEntry> {
  const bytes = await readFile(full).catch((cause: unknown) => {
    throw new ReplayError(`cannot read ${name}: ${describe(cause)}`, { file: full }, { cause });
  });
  const invalidUtf8Line = firstInvalidUtf8Line(bytes);
  return { name, bytes, text: bytes.toString('utf8'), ...(invalidUtf8Line !== undefined ? { invalidUtf8Line } : {}) };
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message.split('\n')[0] ?? '' : String(cause);
}
