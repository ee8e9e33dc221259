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
import { parseGitConfig, SQITCH_CONF, sqitchLayout } from './format-sqitch.ts';
import { nextMigration, type NextMigration, type NextMigrationRequest, type SqitchFiles } from './next-migration.ts';

/** {@link nextMigration} with the files its format rewrites read from `request.directory.dir`. */
export async function nextMigrationOf(request: Omit<NextMigrationRequest, 'atlasFiles' | 'journal' | 'sqitch'>): Promise<NextMigration> {
  const { dir, format } = request.directory;
  if (format === 'atlas') return nextMigration({ ...request, atlasFiles: await atlasInputs(dir) });
  if (format === 'drizzle') {
    const file = path.join(dir, DRIZZLE_JOURNAL);
    const journal = await readFile(file, 'utf8').catch((cause: unknown) => {
      throw new ConfigError(`cannot read ${DRIZZLE_JOURNAL}: ${(cause as Error).message}`, { file }, { cause });
    });
    return nextMigration({ ...request, journal });
  }
  if (format === 'sqitch') return nextMigration({ ...request, sqitch: await sqitchFiles(dir) });
  return nextMigration(request);
}

/** A Sqitch project's plan and folders as `sqitch.conf` places them; only the default folders are written. */
async function sqitchFiles(dir: string): Promise<SqitchFiles> {
  const conf = await readFile(path.join(dir, SQITCH_CONF), 'utf8').catch(() => '');
  const layout = sqitchLayout(parseGitConfig(conf));
  const top = path.posix.dirname(layout.deployDir);
  if (path.posix.basename(layout.deployDir) !== 'deploy' || layout.extension !== 'sql') {
    throw new ConfigError(`cannot write a sqitch migration: ${SQITCH_CONF} moves the deploy scripts (${layout.deployDir}, extension ${layout.extension}); only the default layout is written`, { file: dir });
  }
  const planPath = path.join(dir, layout.planFile);
  const planText = await readFile(planPath, 'utf8').catch((cause: unknown) => {
    throw new ConfigError(`cannot read ${layout.planFile}: ${(cause as Error).message}`, { file: planPath }, { cause });
  });
  const sibling = (name: string): string => (top === '.' ? name : `${top}/${name}`);
  return {
    planFile: layout.planFile,
    planText,
    deployDir: layout.deployDir,
    revertDir: sibling('revert'),
    verifyDir: sibling('verify'),
    ...(layout.engine ? { engine: layout.engine } : {}),
  };
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
