/**
 * The saved PGlite data directory (`pglite-template.ts`): a template counts only once its marker is written (last);
 * one PGlite refuses is renamed away before it is removed; a builder's failure leaves nothing; the sweep removes what
 * killed processes left behind (run directories after a day, half-built and discarded templates after an hour) and
 * nothing younger. The last test uses real PGlite on a template it must refuse.
 */
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discardTemplate, ensureTemplate, hasTemplate, sweepRunDirs, TEMPLATE_MARKER } from '../../src/dialects/postgres/pglite-template.ts';
import { openPgliteScratch } from '../../src/dialects/postgres/replay-scratch.ts';

let cache: string;
beforeEach(async () => {
  cache = await mkdtemp(path.join(os.tmpdir(), 'sd-template-'));
});
afterEach(async () => {
  await rm(cache, { recursive: true, force: true });
});

/** A stand-in for initdb: what matters here is the directory, not a cluster. */
async function fakeInit(into: string): Promise<void> {
  await mkdir(into, { recursive: true });
  await writeFile(path.join(into, 'PG_VERSION'), '17\n');
}

const HOUR = 60 * 60 * 1000;

describe('pglite-template', () => {
  it('a finished template has its marker; a cluster without one is no template and is replaced', async () => {
    const dir = path.join(cache, 'pglite-x-16mb-datadir');
    await fakeInit(dir);
    expect(await hasTemplate(dir)).toBe(false);
    expect(await ensureTemplate(dir, fakeInit)).toBe(true);
    expect(await hasTemplate(dir)).toBe(true);
    expect((await stat(path.join(dir, TEMPLATE_MARKER))).isFile()).toBe(true);
    expect(await readdir(cache)).toEqual(['pglite-x-16mb-datadir']);
  });

  it('a builder that fails leaves neither a template nor its half-built directory', async () => {
    const dir = path.join(cache, 'pglite-x-16mb-datadir');
    const ok = await ensureTemplate(dir, async (into) => {
      await fakeInit(into);
      throw new Error('initdb failed');
    });
    expect(ok).toBe(false);
    expect(await readdir(cache)).toEqual([]);
  });

  it('a discarded template is gone, with no discard directory left', async () => {
    const dir = path.join(cache, 'pglite-x-16mb-datadir');
    await ensureTemplate(dir, fakeInit);
    await discardTemplate(dir);
    expect(await readdir(cache)).toEqual([]);
    // Discarding what is not there (another process discarded it first) is no error.
    await discardTemplate(dir);
  });

  it('the sweep removes leftovers past their age and nothing younger', async () => {
    const names = ['run-1-aa', 'pglite-x-16mb-datadir.123.abcd.tmp', 'pglite-x-16mb-datadir.discard-123-abcd', 'pglite-x-16mb-datadir'];
    for (const name of names) await fakeInit(path.join(cache, name));
    const now = Date.now();
    await sweepRunDirs(cache, now + 30 * 60 * 1000);
    expect((await readdir(cache)).sort()).toEqual([...names].sort());
    await sweepRunDirs(cache, now + 2 * HOUR);
    expect((await readdir(cache)).sort()).toEqual(['pglite-x-16mb-datadir', 'run-1-aa']);
    await sweepRunDirs(cache, now + 25 * HOUR);
    expect(await readdir(cache)).toEqual(['pglite-x-16mb-datadir']);
  });

  it('a template PGlite refuses is discarded and the scratch database starts in memory', async () => {
    const dir = path.join(cache, 'pglite-x-16mb-datadir');
    await mkdir(dir);
    await writeFile(path.join(dir, 'PG_VERSION'), '99\n');
    await writeFile(path.join(dir, TEMPLATE_MARKER), '');
    const old = new Date(Date.now() - 2 * HOUR);
    await utimes(dir, old, old);
    const scratch = await openPgliteScratch({ templateDir: dir, runDir: path.join(cache, 'run-test') });
    try {
      expect(scratch.serverMajor).toBeGreaterThanOrEqual(15);
    } finally {
      await scratch.close();
    }
    expect(await readdir(cache)).toEqual([]);
  }, 120_000);
});
