/**
 * Reading what a next migration rewrites (Atlas's hashed files, drizzle-kit's journal) and writing its files into the
 * directory. New files are created exclusively (an existing file of that name is never overwritten); a rewritten
 * bookkeeping file is replaced through a temporary file and a rename, so a reader never sees half of it.
 */
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../core/errors.ts';
import type { AtlasSumInput } from './atlas-sum.ts';
import { DRIZZLE_JOURNAL } from './format-drizzle.ts';
import { nextMigration, type NextMigration, type NextMigrationRequest } from './next-migration.ts';

/** {@link nextMigration} with the files its format rewrites read from `request.directory.dir`. */
export async function nextMigrationOf(request: Omit<NextMigrationRequest, 'atlasFiles' | 'journal'>): Promise<NextMigration> {
  const { dir, format } = request.directory;
  if (format === 'atlas') return nextMigration({ ...request, atlasFiles: await atlasInputs(dir) });
  if (format === 'drizzle') {
    const file = path.join(dir, DRIZZLE_JOURNAL);
    const journal = await readFile(file, 'utf8').catch((cause: unknown) => {
      throw new ConfigError(`cannot read ${DRIZZLE_JOURNAL}: ${(cause as Error).message}`, { file }, { cause });
    });
    return nextMigration({ ...request, journal });
  }
  return nextMigration(request);
}

/** The directory's `*.sql` files as Atlas hashes them (every one, hidden files aside, as `atlas migrate hash`). */
async function atlasInputs(dir: string): Promise<AtlasSumInput[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.endsWith('.sql') && !e.name.startsWith('.'))
    .map((e) => e.name);
  return Promise.all(names.map(async (name) => ({ name, bytes: await readFile(path.join(dir, name)) })));
}

/**
 * Writes `next`'s files into `dir`: new files exclusively, rewritten ones by rename.
 * @returns the paths written, relative to `dir`.
 * @throws ConfigError naming the file when one exists already or cannot be written.
 */
export async function writeNextMigration(dir: string, next: NextMigration): Promise<string[]> {
  // New files first: a failure leaves atlas.sum or the journal as they were, so the directory still reads.
  const ordered = [...next.files.filter((f) => !f.replaces), ...next.files.filter((f) => f.replaces)];
  for (const file of ordered) {
    const full = path.join(dir, file.path);
    const fail = (cause: unknown): never => {
      const exists = (cause as NodeJS.ErrnoException).code === 'EEXIST';
      throw new ConfigError(exists ? `${file.path} exists already: not overwritten` : `cannot write ${file.path}: ${(cause as Error).message}`, { file: full }, { cause });
    };
    await mkdir(path.dirname(full), { recursive: true }).catch(fail);
    if (!file.replaces) {
      await writeFile(full, file.content, { flag: 'wx' }).catch(fail);
      continue;
    }
    const temp = `${full}.schema-drift-${process.pid}.tmp`;
    await writeFile(temp, file.content).catch(fail);
    await rename(temp, full).catch(fail);
  }
  return ordered.map((f) => f.path);
}
