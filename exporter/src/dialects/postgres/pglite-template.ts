/**
 * PGlite's initialised data directory, saved as a tar file so that a fresh process starts from it instead of running
 * initdb: ~4 s and a ~1 GB peak become ~1 s and a few hundred MB (BENCH.md). The file is a cache: written atomically
 * (a temporary file renamed into place, so two replays at once never see half a file), named after the PGlite
 * version and start parameters that made it, deleted when PGlite refuses it, and never required (a write that fails
 * leaves the next replay running initdb again).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/**
 * Where a replay keeps its template without a directory of its own (the CLI): `$XDG_CACHE_HOME/schema-drift`, else
 * `~/.cache/schema-drift`. The agent passes its data directory's `replay-cache` instead.
 */
export function defaultReplayCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'schema-drift');
}

/** The template's file in `cacheDir` for this PGlite version and buffer setting. */
export function templateFile(cacheDir: string, pgliteVersion: string, sharedBuffers: string): string {
  return path.join(cacheDir, `pglite-${pgliteVersion}-${sharedBuffers.toLowerCase()}-datadir.tar`);
}

/** The saved data directory, or `null` when there is none (or it cannot be read). */
export async function readTemplate(file: string): Promise<Blob | null> {
  try {
    return new Blob([await readFile(file)]);
  } catch {
    return null;
  }
}

/** Saves a dumped data directory; best effort (a cache that cannot be written costs time, not correctness). */
export async function saveTemplate(file: string, dump: Blob): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(temporary, new Uint8Array(await dump.arrayBuffer()));
    await rename(temporary, file);
  } catch {
    await rm(temporary, { force: true }).catch(() => {});
  }
}

/** Deletes a template PGlite refused, so the next replay makes a new one. */
export async function discardTemplate(file: string): Promise<void> {
  await rm(file, { force: true }).catch(() => {});
}
