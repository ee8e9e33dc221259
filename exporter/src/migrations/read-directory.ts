/**
 * Reads a migration directory into the ordered list of SQL the replay step applies.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ReplayError } from '../core/errors.ts';
import { detectFormat } from './detect.ts';
import type { DirEntry, FormatResult } from './entries.ts';
import { readAtlas } from './format-atlas.ts';
import { readDbmate } from './format-dbmate.ts';
import { readFlyway, readGolangMigrate, readPlain } from './formats.ts';
import { hashMigrationFiles } from './hash.ts';
import type { IgnoredFile, MigrationDirectory, MigrationFormat, ReadMigrationOptions } from './types.ts';

const READERS: Record<MigrationFormat, (dir: string, entries: readonly DirEntry[]) => FormatResult> = {
  plain: readPlain,
  'golang-migrate': readGolangMigrate,
  flyway: readFlyway,
  atlas: readAtlas,
  dbmate: readDbmate,
};

/**
 * Reads the migrations of `dir` in apply order, detecting the format unless `options.format` names it.
 *
 * Only the top level is read: subdirectories are not descended into (they are listed in `ignored`), and hidden
 * files (names starting with `.`) are skipped. Atlas directories are verified against `atlas.sum` first.
 *
 * @throws ReplayError (with `file` = the directory, or the file at fault) when the directory does not exist, is
 *   empty, has an unknown or ambiguous layout, holds duplicate versions, fails its atlas.sum check, or holds a
 *   migration the format cannot parse.
 */
export async function readMigrationDirectory(dir: string, options: ReadMigrationOptions = {}): Promise<MigrationDirectory> {
  const { entries, subdirectories } = await listDirectory(dir);
  const format = options.format ?? detectFormat(dir, entries);
  const reader = READERS[format];
  if (!reader) throw new ReplayError(`unknown migration format "${String(format)}"`, { file: dir });
  const result = reader(dir, entries);
  if (result.files.length === 0) {
    throw new ReplayError(`no ${format} migrations found (the directory holds ${entries.length} other files)`, {
      file: dir,
    });
  }
  const ignored: IgnoredFile[] = [
    ...result.ignored,
    ...subdirectories.map((name) => ({ path: name, reason: 'subdirectory (not read)' })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { dir, format, files: result.files, hash: hashMigrationFiles(format, result.files), ignored };
}

async function listDirectory(dir: string): Promise<{ entries: DirEntry[]; subdirectories: string[] }> {
  await assertDirectory(dir);
  const names = (await readdir(dir)).filter((name) => !name.startsWith('.')).sort();
  const entries: DirEntry[] = [];
  const subdirectories: string[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    // stat (not lstat) so a symlinked migration file is read like a regular one.
    const info = await stat(full).catch((cause: unknown) => {
      throw new ReplayError(`cannot read ${name}: ${describe(cause)}`, { file: full }, { cause });
    });
    if (info.isDirectory()) subdirectories.push(name);
    else if (info.isFile()) entries.push(await readEntry(full, name));
  }
  return { entries, subdirectories };
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
  return { name, bytes, text: bytes.toString('utf8') };
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message.split('\n')[0] ?? '' : String(cause);
}
