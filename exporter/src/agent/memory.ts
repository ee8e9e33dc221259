/**
 * Giving a check's memory back to the system once the agent is idle.
 *
 * A check of a large target allocates hundreds of megabytes of short-lived objects (catalog rows, both models, the
 * diff). V8 grows its young generation to 64 MB semi-spaces while that goes on, and keeps the pages it grew into, and
 * the pages freed by the old generation, after an ordinary full GC: at 5,000 tables the agent idled at 400–600 MB of
 * RSS with 45 MB of live JavaScript objects (`npm run bench`, the agent row; BENCH.md names the run). A memory-reducing
 * collection (V8's "last resort" one, as under memory pressure) shrinks the young generation and releases those
 * pages: the same process then idles at about 180 MB.
 *
 * Node offers that collection only through the `gc` function of `--expose-gc`; the flag is set for the moment a fresh
 * `vm` context is created, which then holds `gc`, and unset again, so no script of the agent's sees a global `gc`.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;

let gcFunction: GcFunction | null | undefined;

function exposedGc(): GcFunction | null {
  if (gcFunction === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('gc');
      gcFunction = typeof gc === 'function' ? (gc as GcFunction) : null;
    } catch {
      gcFunction = null;
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  }
  return gcFunction;
}

/**
 * Runs a memory-reducing full collection, which returns the young generation's growth and the freed heap pages to the
 * system. Blocks the event loop for its duration (tens of milliseconds with the agent's heap of 50 MB): call it when
 * idle. Returns false when this Node offers no such collection (nothing was done).
 */
export function releaseMemory(): boolean {
  const gc = exposedGc();
  if (!gc) return false;
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return true;
}

/** Options of {@link IdleMemoryRelease}. */
export interface IdleMemoryReleaseOptions {
  /** How long no check must run before the memory is released; default 2 s. */
  readonly delayMs?: number;
  /** The release itself; default {@link releaseMemory}. */
  readonly release?: () => void;
}

const DEFAULT_DELAY_MS = 2_000;

/**
 * Releases memory once no check has run for `delayMs`: wrap every check in {@link IdleMemoryRelease.run}. Checks that
 * follow each other closely share one release, after the last; a check that starts cancels a pending one.
 */
export class IdleMemoryRelease {
  readonly #delayMs: number;
  readonly #release: () => void;
  #running = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: IdleMemoryReleaseOptions = {}) {
    this.#delayMs = options.delayMs ?? DEFAULT_DELAY_MS;
    this.#release = options.release ?? releaseMemory;
  }

  /** Runs `work` as a check: no release while it runs, one scheduled when the last running check ends. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.#running++;
    this.#cancel();
    try {
      return await work();
    } finally {
      this.#running--;
      if (this.#running === 0) {
        // unref: a pending release never keeps a stopping process alive.
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#release();
        }, this.#delayMs).unref();
      }
    }
  }

  /** Cancels a pending release (the agent's stop). */
  stop(): void {
    this.#cancel();
  }

  #cancel(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
