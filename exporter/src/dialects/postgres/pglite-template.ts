/**
 * PGlite's initialised data directory, kept on disk so that a fresh process starts from a copy of it instead of
 * running initdb (~4 s and a ~1 GB peak), and each replay's data directory on disk too, not in memory: PGlite's
 * default in-memory file system keeps every data file in the JavaScript heap, ~150 MB more at the peak for an empty
 * cluster (BENCH.md). The template is made once per cache directory, PGlite version and start parameters, in a
 * directory of its own renamed into place (two replays at once never see half of one); a replay copies it into a run
 * directory that is removed when the replay ends, and by the next replay when a killed process left it behind.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/** Run directories older than this are a killed process's leftovers. */
const STALE_RUN_MS = 24 * 60 * 60 * 1000;

/** Half-built templates (`<template>.<pid>.<hex>.tmp`) older than this are a killed builder's leftovers. */
const STALE_BUILD_MS = 60 * 60 * 1000;

/** Written last into a finished template: without it a directory is not one (a copy of it would be half a cluster). */
export const TEMPLATE_MARKER = 'schema-drift-template-complete';

/**
 * Where a replay keeps its template without a directory of its own (the CLI): `$XDG_CACHE_HOME/schema-drift`, else
 * `~/.cache/schema-drift`. The agent passes its data directory's `replay-cache` instead.
 */
export function defaultReplayCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'schema-drift');
}

/** The template's directory in `cacheDir` for this PGlite version and buffer setting. */
export function templateDir(cacheDir: string, pgliteVersion: string, sharedBuffers: string): string {
  return path.join(cacheDir, `pglite-${pgliteVersion}-${sharedBuffers.toLowerCase()}-datadir`);
}

/** A fresh run directory's path beside the template (not created). */
export function runDirFor(template: string): string {
  return path.join(path.dirname(template), `run-${process.pid}-${randomBytes(6).toString('hex')}`);
}

/** True when `dir` holds a finished template (its marker, written after initdb, is there). */
export async function hasTemplate(dir: string): Promise<boolean> {
  return stat(path.join(dir, TEMPLATE_MARKER)).then(
    () => true,
    () => false,
  );
}

/**
 * Makes the template with `init` (which runs initdb into the directory it is given and closes it) unless it exists.
 * Best effort: when it cannot be saved, the returned `false` says to start without one.
 */
export async function ensureTemplate(dir: string, init: (into: string) => Promise<void>): Promise<boolean> {
  if (await hasTemplate(dir)) return true;
  const building = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(path.dirname(dir), { recursive: true });
    await init(building);
    await writeFile(path.join(building, TEMPLATE_MARKER), '');
    await rename(building, dir).catch(async (err: unknown) => {
      // Another replay saved it first: theirs is as good as ours.
      if (await hasTemplate(dir)) return;
      // What is there has no marker (an older version's, or not a template): ours replaces it.
      await discardTemplate(dir);
      await rename(building, dir).catch(async () => {
        if (!(await hasTemplate(dir))) throw err;
      });
    });
    return true;
  } catch {
    return false;
  } finally {
    await rm(building, { recursive: true, force: true }).catch(() => {});
  }
}

/** Copies the template into a new run directory. */
export async function copyTemplate(template: string, runDir: string): Promise<void> {
  await cp(template, runDir, { recursive: true, errorOnExist: true, force: false });
}

/**
 * Removes a template PGlite refused, so the next replay makes a new one: renamed away first (atomic), so another
 * process never copies one half deleted (a copy in progress fails instead, and starts in memory), then removed.
 */
export async function discardTemplate(dir: string): Promise<void> {
  const discarded = `${dir}.discard-${process.pid}-${randomBytes(4).toString('hex')}`;
  const moved = await rename(dir, discarded).then(
    () => true,
    () => false,
  );
  if (moved) await rm(discarded, { recursive: true, force: true }).catch(() => {});
}

/** Removes a run directory; never throws. */
export async function removeRunDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => {});
}

/** How old a leftover of this name must be before it is removed, or undefined when it is no leftover. */
function staleAfter(name: string): number | undefined {
  if (name.startsWith('run-')) return STALE_RUN_MS;
  if (name.endsWith('.tmp')) return STALE_BUILD_MS;
  // A discarded template is never read again; only its removal was cut short.
  if (name.includes('-datadir.discard-')) return STALE_BUILD_MS;
  return undefined;
}

/**
 * Removes what killed processes left behind in `cacheDir`: run directories older than a day, half-built and discarded
 * templates older than an hour. Never throws.
 */
export async function sweepRunDirs(cacheDir: string, now: number = Date.now()): Promise<void> {
  const entries = await readdir(cacheDir).catch(() => [] as string[]);
  for (const name of entries) {
    const after = staleAfter(name);
    if (after === undefined) continue;
    const dir = path.join(cacheDir, name);
    const info = await stat(dir).catch(() => null);
    if (info && now - info.mtimeMs > after) await removeRunDir(dir);
  }
}
