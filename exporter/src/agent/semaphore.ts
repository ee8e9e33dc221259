/**
 * A counting semaphore: at most `limit` holders at a time, waiters served first come, first served. The scheduler's
 * global limit on checks running at once (each check holds a database session and possibly a PGlite instance).
 * A few lines of our own: no well-kept library of the kind (p-limit, async-sema) is installed.
 */

/** Gives the slot back; calling it twice is harmless. */
export type Release = () => void;

interface Waiter {
  readonly grant: (release: Release) => void;
}

/** At most `limit` concurrent holders. */
export class Semaphore {
  readonly limit: number;
  #held = 0;
  readonly #waiters: Waiter[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
    this.limit = limit;
  }

  /** Slots in use. */
  get held(): number {
    return this.#held;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Resolves with a release function once a slot is free. An aborted `signal` rejects with its reason, whether the
   * caller is still waiting or the signal was aborted before the call.
   */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#held < this.limit) {
      this.#held += 1;
      return Promise.resolve(this.#releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index !== -1) this.#waiters.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
      if (next) next.grant(this.#releaser());
      else this.#held -= 1;
    };
  }
}
