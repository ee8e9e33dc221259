/**
 * Cache of desired schemas. A replay costs seconds (a PGlite start or a temporary database plus every migration),
 * while the migration directory rarely changes between two checks: the result is keyed by what determines it —
 * the directory's content hash, the replayed version, the engine that normalised it and the inspection options —
 * and kept in a small in-memory LRU, optionally backed by JSON files on disk so a restart does not replay again.
 *
 * Concurrent requests for one key share a single replay (single-flight). Failures are never cached.
 * Values are shared between callers: treat them as immutable (the model's types are `readonly`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { VERSION } from '../version.ts';

/** What a desired schema depends on. */
export interface DesiredCacheKey {
  /** `MigrationDirectory.hash`: changes when any applied file is added, removed, renamed or edited. */
  readonly directoryHash: string;
  /** The replay bound (`PostgresReplayOptions.upToVersion`): `undefined` = every file, `null` = none. */
  readonly upToVersion?: string | null;
  /** Files left out of the replay whatever their version (`ReplayRequest.leaveOut`); absent when none. */
  readonly leaveOut?: readonly string[];
  /** The replay engine, e.g. `pglite 0.5.16` or `postgresql 15.20` (see `Dialect.replayIdentity`). */
  readonly engine: string;
  /** Inspection options that change the snapshot (schemas, privileges, MySQL events). */
  readonly inspect?: { readonly schemas?: readonly string[]; readonly privileges?: boolean; readonly events?: boolean };
}

/**
 * A shared home for entries beyond the in-memory LRU, instead of the directory: the PostgreSQL store implements it
 * (`store/pg-store.ts`) so that replicas share one replay. Keys are {@link canonicalKey} texts; values JSON-able.
 */
export interface DesiredCacheBackend {
  /** The entry stored under `key`, or undefined. */
  read(key: string): Promise<unknown>;
  /** Stores (or replaces) the entry and drops the least recently used beyond `maxEntries`. */
  write(key: string, value: unknown, maxEntries: number): Promise<void>;
}

/** Options of {@link DesiredCache}. */
export interface DesiredCacheOptions {
  /** Entries kept in memory, least recently used evicted first; default 8. */
  readonly maxEntries?: number;
  /** Directory of the on-disk store (created when missing); no disk store when absent. */
  readonly directory?: string;
  /** A shared store used instead of `directory` (the PostgreSQL store's table); its failures are warnings too. */
  readonly backend?: DesiredCacheBackend;
  /**
   * Files kept on disk, least recently used deleted first; default 16. Every new migration changes the directory's
   * hash, so without a bound the store would grow for ever.
   */
  readonly maxDiskEntries?: number;
  /** Told about on-disk store problems (unreadable entry, failed write); the cache keeps working in memory. */
  readonly onWarning?: (message: string) => void;
}

const FORMAT_VERSION = 1;
const DEFAULT_MAX_ENTRIES = 8;
const DEFAULT_MAX_DISK_ENTRIES = 16;

interface StoredEntry<T> {
  readonly formatVersion: number;
  readonly key: string;
  readonly value: T;
}

/**
 * The canonical text of a key: equal keys give equal text whatever the property order. It also names the
 * schema-drift version: the inspector's output changes between releases, and a snapshot cached on disk by an older
 * one would read as drift against the new inspector's view of the live database.
 */
export function canonicalKey(key: DesiredCacheKey): string {
  return JSON.stringify({
    schemaDrift: VERSION,
    directoryHash: key.directoryHash,
    // JSON drops `undefined`, so "every file" needs a spelling of its own; versions are never bracketed.
    upToVersion: key.upToVersion === undefined ? '<all>' : key.upToVersion,
    engine: key.engine,
    // Only when some, so keys written before the option existed stay valid.
    ...(key.leaveOut?.length ? { leaveOut: [...key.leaveOut].sort() } : {}),
    schemas: key.inspect?.schemas ?? null,
    privileges: key.inspect?.privileges ?? false,
    // Only when on, so keys (and on-disk entries) written before the option existed stay valid.
    ...(key.inspect?.events ? { events: true } : {}),
  });
}

/** In-memory LRU with an optional JSON store on disk, and single-flight replays. */
export class DesiredCache<T> {
  readonly #max: number;
  readonly #maxDisk: number;
  readonly #directory: string | undefined;
  readonly #backend: DesiredCacheBackend | undefined;
  readonly #warn: (message: string) => void;
  readonly #memory = new Map<string, T>();
  readonly #inFlight = new Map<string, Promise<T>>();

  constructor(options: DesiredCacheOptions = {}) {
    this.#max = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.#maxDisk = Math.max(1, options.maxDiskEntries ?? DEFAULT_MAX_DISK_ENTRIES);
    this.#directory = options.directory;
    this.#backend = options.backend;
    this.#warn = options.onWarning ?? (() => {});
  }

  /** Entries held in memory. */
  get size(): number {
    return this.#memory.size;
  }

  /**
   * The cached value for `key`, else the value of `replay()` (stored on success). Concurrent calls with one key
   * run `replay` once and all get its result or its error.
   */
  async getOrReplay(key: DesiredCacheKey, replay: () => Promise<T>): Promise<T> {
    const text = canonicalKey(key);
    const hit = this.#memory.get(text);
    if (hit !== undefined) {
      this.#remember(text, hit);
      return hit;
    }
    const running = this.#inFlight.get(text);
    if (running) return running;
    const promise = this.#load(text, replay).finally(() => this.#inFlight.delete(text));
    this.#inFlight.set(text, promise);
    return promise;
  }

  /** Forgets every in-memory entry (the disk store stays). */
  clear(): void {
    this.#memory.clear();
  }

  async #load(text: string, replay: () => Promise<T>): Promise<T> {
    const stored = await this.#readDisk(text);
    if (stored !== undefined) {
      this.#remember(text, stored);
      return stored;
    }
    const value = await replay();
    this.#remember(text, value);
    await this.#writeDisk(text, value);
    return value;
  }

  #remember(text: string, value: T): void {
    // Map keeps insertion order: re-inserting marks the entry most recently used, the first one is the oldest.
    this.#memory.delete(text);
    this.#memory.set(text, value);
    while (this.#memory.size > this.#max) {
      const oldest = this.#memory.keys().next().value;
      if (oldest === undefined) break;
      this.#memory.delete(oldest);
    }
  }

  #fileFor(text: string): string | undefined {
    if (!this.#directory) return undefined;
    return path.join(this.#directory, `desired-${createHash('sha256').update(text).digest('hex')}.json`);
  }

  async #readDisk(text: string): Promise<T | undefined> {
    if (this.#backend) {
      try {
        const entry = (await this.#backend.read(text)) as StoredEntry<T> | undefined;
        return entry?.formatVersion === FORMAT_VERSION && entry.key === text ? entry.value : undefined;
      } catch (err) {
        this.#warn(`desired-schema cache: cannot read the shared store: ${String(err)}`);
        return undefined;
      }
    }
    const file = this.#fileFor(text);
    if (!file) return undefined;
    let raw: string;
    try {
      raw = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOENT') this.#warn(`desired-schema cache: cannot read ${file}: ${String(err)}`);
      return undefined;
    }
    try {
      const entry = JSON.parse(raw) as StoredEntry<T>;
      // The key is stored in full: a format change or a (theoretical) hash collision reads as a miss.
      if (entry.formatVersion === FORMAT_VERSION && entry.key === text) {
        // The modification time is the entry's last use: pruning deletes the least recently used files.
        const now = new Date();
        await utimes(file, now, now).catch(() => {});
        return entry.value;
      }
    } catch {
      this.#warn(`desired-schema cache: ignoring unreadable entry ${file}`);
    }
    return undefined;
  }

  async #writeDisk(text: string, value: T): Promise<void> {
    if (this.#backend) {
      const entry: StoredEntry<T> = { formatVersion: FORMAT_VERSION, key: text, value };
      await this.#backend.write(text, entry, this.#maxDisk).catch((err: unknown) => this.#warn(`desired-schema cache: cannot write the shared store: ${String(err)}`));
      return;
    }
    const file = this.#fileFor(text);
    if (!file || !this.#directory) return;
    // Write-then-rename: a reader never sees half a file, and concurrent writers each rename a complete one.
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const entry: StoredEntry<T> = { formatVersion: FORMAT_VERSION, key: text, value };
    try {
      // Owner-only: the cache holds schemas (and replay error text), as sensitive as the reports.
      await mkdir(this.#directory, { recursive: true, mode: 0o700 });
      await writeFile(temp, JSON.stringify(entry), { mode: 0o600 });
      await rename(temp, file);
    } catch (err) {
      await rm(temp, { force: true }).catch(() => {});
      this.#warn(`desired-schema cache: cannot write ${file}: ${String(err)}`);
      return;
    }
    await this.#pruneDisk();
  }

  /** Deletes the least recently used files beyond `maxDiskEntries`. */
  async #pruneDisk(): Promise<void> {
    const directory = this.#directory;
    if (!directory) return;
    try {
      const names = (await readdir(directory)).filter((n) => n.startsWith('desired-') && n.endsWith('.json'));
      if (names.length <= this.#maxDisk) return;
      const files = await Promise.all(
        names.map(async (name) => {
          const file = path.join(directory, name);
          return { file, used: (await stat(file).catch(() => null))?.mtimeMs ?? 0 };
        }),
      );
      files.sort((a, b) => b.used - a.used);
      await Promise.all(files.slice(this.#maxDisk).map(({ file }) => rm(file, { force: true })));
    } catch (err) {
      this.#warn(`desired-schema cache: cannot prune ${directory}: ${String(err)}`);
    }
  }
}
