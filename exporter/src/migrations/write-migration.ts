/**
 * Reading what a next migration rewrites (Atlas's hashed files, drizzle-kit's journal, Sqitch's plan and
 * `sqitch.conf`) under the same guarantees as the directory reader (`contained.ts`: inside the directory, regular
 * files, UTF-8), and writing its files into the directory. Every path written must resolve under the directory's real
 * path (a `sqitch.conf` `deploy_dir = ../../x` or a symlinked folder is refused before anything is written). New files
 * are created exclusively (an existing file of that name is never overwritten), all of them before any content is
 * written; a rewritten bookkeeping file is replaced through a temporary file and a rename, so a reader never sees half
 * of it. A failure removes what the run created.
 */
import { mkdir, open, readdir, realpath, rename, rmdir, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../core/errors.ts';
import type { AtlasSumInput } from './atlas-sum.ts';
import { readContained } from './contained.ts';
import { DRIZZLE_JOURNAL } from './format-drizzle.ts';
import { parseGitConfig, SQITCH_CONF, sqitchLayout } from './format-sqitch.ts';
import { nextMigration, type NextMigration, type NextMigrationRequest, type SqitchFiles } from './next-migration.ts';

/** {@link nextMigration} with the files its format rewrites read from `request.directory.dir`. */
export async function nextMigrationOf(request: Omit<NextMigrationRequest, 'atlasFiles' | 'journal' | 'sqitch'>): Promise<NextMigration> {
  const { dir, format } = request.directory;
  if (format === 'atlas') return nextMigration({ ...request, atlasFiles: await atlasInputs(dir) });
  if (format === 'drizzle') {
    const journal = await readContained(dir, path.join(dir, DRIZZLE_JOURNAL), DRIZZLE_JOURNAL);
    if (!journal) throw new ConfigError(`cannot read ${DRIZZLE_JOURNAL}: it does not exist`, { file: path.join(dir, DRIZZLE_JOURNAL) });
    return nextMigration({ ...request, journal: journal.text });
  }
  if (format === 'sqitch') return nextMigration({ ...request, sqitch: await sqitchFiles(dir) });
  return nextMigration(request);
}

/** A Sqitch project's plan and folders as `sqitch.conf` places them; only the default folders are written. */
async function sqitchFiles(dir: string): Promise<SqitchFiles> {
  // A missing sqitch.conf means Sqitch's defaults, as the reader takes it; any other failure is an error.
  const conf = await readContained(dir, path.join(dir, SQITCH_CONF), SQITCH_CONF);
  const layout = sqitchLayout(parseGitConfig(conf?.text ?? ''));
  const top = path.posix.dirname(layout.deployDir);
  if (path.posix.basename(layout.deployDir) !== 'deploy' || layout.extension !== 'sql') {
    throw new ConfigError(`cannot write a sqitch migration: ${SQITCH_CONF} moves the deploy scripts (${layout.deployDir}, extension ${layout.extension}); only the default layout is written`, { file: dir });
  }
  const planPath = path.join(dir, layout.planFile);
  const plan = await readContained(dir, planPath, layout.planFile);
  if (!plan) throw new ConfigError(`cannot read the Sqitch plan ${layout.planFile}: it does not exist`, { file: planPath });
  const planText = plan.text;
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
  return Promise.all(
    names.map(async (name) => {
      const file = await readContained(dir, path.join(dir, name), name);
      if (!file) throw new ConfigError(`cannot read ${name}: it vanished while being read`, { file: path.join(dir, name) });
      return { name, bytes: file.bytes };
    }),
  );
}

/**
 * Writes `next`'s files into `dir`: every new file is created (exclusively, empty) before any content is written, then
 * the contents, then the rewritten bookkeeping files by rename. A failure removes the files and folders this run
 * created, so the directory is as it was (atlas.sum and the journal are only replaced once every new file is written).
 * @returns the paths written, relative to `dir`.
 * @throws ConfigError naming the file when one exists already, resolves outside `dir`, or cannot be written.
 */
export async function writeNextMigration(dir: string, next: NextMigration): Promise<string[]> {
  const root = await realpath(dir).catch((cause: unknown) => {
    throw new ConfigError(`cannot write into the migration directory: ${(cause as Error).message}`, { file: dir }, { cause });
  });
  const fresh = next.files.filter((f) => !f.replaces);
  const replaced = next.files.filter((f) => f.replaces);
  // The rename of the one rewritten file is the last step, so a failure before it leaves the directory as it was.
  if (replaced.length > 1) throw new ConfigError(`internal: ${next.format} rewrites ${replaced.length} files; at most one can be replaced last`, { file: dir });
  // Every path checked before anything is created.
  for (const file of next.files) await checkInside(root, file.path);
  const createdFiles: string[] = [];
  const createdDirs: string[] = [];
  const handles: FileHandle[] = [];
  let current = '';
  try {
    for (const file of fresh) {
      current = file.path;
      const full = path.join(root, file.path);
      const made = await mkdir(path.dirname(full), { recursive: true });
      if (made !== undefined) createdDirs.push(made);
      // mkdir may have followed a link made meanwhile: check again before creating the file.
      await checkInside(root, file.path);
      handles.push(await open(full, 'wx'));
      createdFiles.push(full);
    }
    for (const [index, file] of fresh.entries()) {
      current = file.path;
      const handle = handles[index] as FileHandle;
      await handle.writeFile(file.content, 'utf8');
      await handle.close();
    }
    handles.length = 0;
    for (const file of replaced) {
      current = file.path;
      const full = path.join(root, file.path);
      const temp = `${full}.schema-drift-${process.pid}.tmp`;
      await writeFile(temp, file.content, { flag: 'wx' });
      createdFiles.push(temp);
      await rename(temp, full);
      createdFiles.pop();
    }
  } catch (cause) {
    await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
    for (const file of createdFiles.reverse()) await unlink(file).catch(() => undefined);
    // Deepest first; rmdir removes only a folder left empty.
    for (const made of createdDirs.reverse()) await removeEmptyDirs(made, root);
    if (cause instanceof ConfigError) throw cause;
    const exists = (cause as NodeJS.ErrnoException).code === 'EEXIST';
    const message = exists ? `${current} exists already: not overwritten` : `cannot write ${current}: ${(cause as Error).message}`;
    throw new ConfigError(`${message} (nothing was written)`, { file: path.join(dir, current) }, { cause });
  }
  return [...fresh, ...replaced].map((f) => f.path);
}

/**
 * Refuses `relative` when it leaves `root` (a real path): lexically (`../`), or through a link in the part of it that
 * exists (a symlinked folder, a bookkeeping file that is a link).
 */
async function checkInside(root: string, relative: string): Promise<void> {
  const full = path.resolve(root, relative);
  const inside = (p: string): boolean => p === root || p.startsWith(root + path.sep);
  const refuse = (): never => {
    throw new ConfigError(`${relative} resolves outside the migration directory: refused, nothing was written`, { file: path.join(root, relative) });
  };
  if (!inside(full)) refuse();
  // The deepest part of the path that exists, resolved.
  for (let p = full; ; p = path.dirname(p)) {
    const real = await realpath(p).catch((cause: NodeJS.ErrnoException) => {
      if (cause.code === 'ENOENT' || cause.code === 'ENOTDIR') return undefined;
      throw new ConfigError(`cannot write ${relative}: ${cause.message}`, { file: full }, { cause });
    });
    if (real !== undefined) {
      if (!inside(real)) refuse();
      return;
    }
    if (p === root) return;
  }
}

/** Removes `made` (the first folder `mkdir -p` created) and the folders under it, when empty. */
async function removeEmptyDirs(made: string, root: string): Promise<void> {
  if (!made.startsWith(root + path.sep)) return;
  const entries = await readdir(made, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await removeEmptyDirs(path.join(made, entry.name), root);
  await rmdir(made).catch(() => undefined);
}
