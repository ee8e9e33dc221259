import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalKey, DesiredCache, type DesiredCacheKey } from '../src/engine/desired-cache.ts';
import { postgresReplayEngineIdentity } from '../src/dialects/postgres/replay.ts';
import { VERSION } from '../src/version.ts';
import { PG_URL } from './support/servers.ts';

const KEY: DesiredCacheKey = { directoryHash: 'h1', upToVersion: '3', engine: 'pglite 0.5.16', inspect: { schemas: ['public'] } };

/** A replay function that counts its calls and returns a fresh object each time. */
function counter(label = 'value') {
  const fn = async () => {
    fn.calls++;
    return { label, call: fn.calls };
  };
  fn.calls = 0;
  return fn;
}

const dirs: string[] = [];
async function cacheDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sd-cache-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('canonicalKey', () => {
  it('ignores property order', () => {
    const reordered: DesiredCacheKey = { inspect: { schemas: ['public'] }, engine: 'pglite 0.5.16', upToVersion: '3', directoryHash: 'h1' };
    expect(canonicalKey(reordered)).toBe(canonicalKey(KEY));
  });

  it.each<[string, DesiredCacheKey]>([
    ['directory hash', { ...KEY, directoryHash: 'h2' }],
    ['version', { ...KEY, upToVersion: '4' }],
    ['every file vs none', { ...KEY, upToVersion: undefined }],
    ['none vs version', { ...KEY, upToVersion: null }],
    ['engine', { ...KEY, engine: 'postgresql 15.20' }],
    ['schemas', { ...KEY, inspect: { schemas: ['public', 'app'] } }],
    ['privileges', { ...KEY, inspect: { schemas: ['public'], privileges: true } }],
  ])('distinguishes %s', (_name, other) => {
    expect(canonicalKey(other)).not.toBe(canonicalKey(KEY));
  });

  it('names the schema-drift version, so an upgrade never reads an older inspector\'s snapshot from disk', () => {
    expect(JSON.parse(canonicalKey(KEY))).toMatchObject({ schemaDrift: VERSION });
  });

  it('tells "every file" from "no file"', () => {
    expect(canonicalKey({ ...KEY, upToVersion: undefined })).not.toBe(canonicalKey({ ...KEY, upToVersion: null }));
  });
});

describe('DesiredCache in memory', () => {
  it('replays once per key', async () => {
    const cache = new DesiredCache<{ label: string; call: number }>();
    const replay = counter();
    const first = await cache.getOrReplay(KEY, replay);
    const second = await cache.getOrReplay({ ...KEY }, replay);
    expect(second).toBe(first);
    expect(replay.calls).toBe(1);
    await cache.getOrReplay({ ...KEY, upToVersion: '4' }, replay);
    expect(replay.calls).toBe(2);
  });

  it('evicts the least recently used entry', async () => {
    const cache = new DesiredCache<unknown>({ maxEntries: 2 });
    const key = (h: string): DesiredCacheKey => ({ ...KEY, directoryHash: h });
    const replay = counter();
    await cache.getOrReplay(key('a'), replay);
    await cache.getOrReplay(key('b'), replay);
    await cache.getOrReplay(key('a'), replay); // a is now the most recent
    await cache.getOrReplay(key('c'), replay); // evicts b
    expect(cache.size).toBe(2);
    expect(replay.calls).toBe(3);
    await cache.getOrReplay(key('a'), replay);
    expect(replay.calls).toBe(3);
    await cache.getOrReplay(key('b'), replay);
    expect(replay.calls).toBe(4);
  });

  it('shares one replay between concurrent callers', async () => {
    const cache = new DesiredCache<string>();
    let calls = 0;
    let release: (value: string) => void = () => {};
    const replay = () => {
      calls++;
      return new Promise<string>((resolve) => {
        release = resolve;
      });
    };
    const waiting = [cache.getOrReplay(KEY, replay), cache.getOrReplay(KEY, replay), cache.getOrReplay(KEY, replay)];
    await new Promise((r) => setTimeout(r, 10));
    release('done');
    expect(await Promise.all(waiting)).toEqual(['done', 'done', 'done']);
    expect(calls).toBe(1);
  });

  it('never caches a failure, and concurrent callers share it', async () => {
    const cache = new DesiredCache<string>();
    let calls = 0;
    const failing = async (): Promise<string> => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('migration 003 failed');
    };
    const results = await Promise.allSettled([cache.getOrReplay(KEY, failing), cache.getOrReplay(KEY, failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(await cache.getOrReplay(KEY, async () => 'fixed')).toBe('fixed');
    expect(cache.size).toBe(1);
  });
});

describe('DesiredCache on disk', () => {
  it('survives a restart (a new cache on the same directory)', async () => {
    const directory = await cacheDir();
    const replay = counter('stored');
    const value = await new DesiredCache<unknown>({ directory }).getOrReplay(KEY, replay);
    const again = await new DesiredCache<unknown>({ directory }).getOrReplay(KEY, replay);
    expect(again).toEqual(value);
    expect(replay.calls).toBe(1);
    const files = await readdir(directory);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^desired-[0-9a-f]{64}\.json$/);
  });

  it('creates the directory and leaves no temporary files', async () => {
    const directory = path.join(await cacheDir(), 'nested', 'cache');
    const cache = new DesiredCache<unknown>({ directory });
    await Promise.all(['a', 'b', 'c'].map((h) => cache.getOrReplay({ ...KEY, directoryHash: h }, counter(h))));
    const files = await readdir(directory);
    expect(files).toHaveLength(3);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps at most maxDiskEntries files, deleting the least recently used', async () => {
    const directory = await cacheDir();
    const write = (hash: string) => new DesiredCache<unknown>({ directory, maxDiskEntries: 2 }).getOrReplay({ ...KEY, directoryHash: hash }, counter(hash));
    await write('a');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await write('b');
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Using "a" again (a fresh cache reads it from disk) makes "b" the least recently used.
    const reuse = counter('a-again');
    await new DesiredCache<unknown>({ directory, maxDiskEntries: 2 }).getOrReplay({ ...KEY, directoryHash: 'a' }, reuse);
    expect(reuse.calls).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await write('c');
    // Which entries are left: each file stores its full key.
    const names = await readdir(directory);
    const hashes = await Promise.all(
      names.map(async (name) => (JSON.parse(JSON.parse(await readFile(path.join(directory, name), 'utf8')).key) as { directoryHash: string }).directoryHash),
    );
    expect(hashes.sort()).toEqual(['a', 'c']);
  });

  it('treats a corrupt entry as a miss, warns, and rewrites it', async () => {
    const directory = await cacheDir();
    await new DesiredCache<unknown>({ directory }).getOrReplay(KEY, counter());
    const [name] = await readdir(directory);
    const file = path.join(directory, name ?? '');
    await writeFile(file, '{"formatVersion":1,"key":');
    const warnings: string[] = [];
    const replay = counter('fresh');
    const value = await new DesiredCache<unknown>({ directory, onWarning: (m) => warnings.push(m) }).getOrReplay(KEY, replay);
    expect(value).toEqual({ label: 'fresh', call: 1 });
    expect(warnings).toEqual([expect.stringContaining('ignoring unreadable entry')]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ value: { label: 'fresh' } });
  });

  it('ignores an entry whose stored key differs', async () => {
    const directory = await cacheDir();
    await new DesiredCache<unknown>({ directory }).getOrReplay(KEY, counter('first'));
    const [name] = await readdir(directory);
    const file = path.join(directory, name ?? '');
    const stored = JSON.parse(await readFile(file, 'utf8')) as { key: string };
    await writeFile(file, JSON.stringify({ ...stored, key: canonicalKey({ ...KEY, engine: 'other' }) }));
    const replay = counter('second');
    expect(await new DesiredCache<unknown>({ directory }).getOrReplay(KEY, replay)).toEqual({ label: 'second', call: 1 });
  });

  it('keeps working in memory when the store cannot be written', async () => {
    const blocker = path.join(await cacheDir(), 'not-a-dir');
    await writeFile(blocker, 'x');
    const warnings: string[] = [];
    const cache = new DesiredCache<unknown>({ directory: path.join(blocker, 'cache'), onWarning: (m) => warnings.push(m) });
    const replay = counter();
    await cache.getOrReplay(KEY, replay);
    await cache.getOrReplay(KEY, replay);
    expect(replay.calls).toBe(1);
    expect(warnings).toEqual([expect.stringContaining('cannot read'), expect.stringContaining('cannot write')]);
  });
});

describe('postgresReplayEngineIdentity', () => {
  it('names the PGlite package version without starting it', async () => {
    expect(await postgresReplayEngineIdentity()).toMatch(/^pglite 0\.5\.\d+$/);
  });

  it('names the dev server version', async () => {
    expect(await postgresReplayEngineIdentity({ devUrl: PG_URL })).toMatch(/^postgresql 15\.\d+/);
  });
});
