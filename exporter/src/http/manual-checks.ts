/**
 * The rate limit of `POST /api/v1/targets/:name/check`. A check is expensive (a migration replay, a catalog read on
 * the monitored database) and every one is a stored report, so a loop of requests would load the database and push
 * the history out through retention. Per target:
 *
 * - manual checks start at least `intervalMs` apart;
 * - a request that comes too early, or while a manual check runs, is queued: it starts when both the interval has
 *   passed and the running one has ended (its caller waits for its report, or gets 202 at once);
 * - one request is queued at most: any other is refused with 429 and `Retry-After`, the seconds until a new one could
 *   be accepted.
 *
 * Scheduled checks are not limited here (the schedule is the operator's), and a manual check still joins a scheduled
 * one already running, as `CheckRunner.runNow` does.
 */
import type { Report } from '../core/model/report.ts';
import type { CheckRunner } from './deps.ts';

/** Default `manualCheckInterval`. */
export const DEFAULT_MANUAL_CHECK_INTERVAL_MS = 30_000;

/** What a request gets: the check's report to come, or a refusal with the seconds to wait. */
export type ManualCheck = { readonly accepted: Promise<Report> } | { readonly retryAfterSeconds: number };

interface TargetSlots {
  /** `now()` at which the last manual check started (or will start, when queued). */
  lastStart: number;
  running: Promise<unknown> | null;
  queued: boolean;
}

/** Per-target limiter over a {@link CheckRunner}. */
export class ManualCheckLimiter {
  readonly #runner: CheckRunner;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #slots = new Map<string, TargetSlots>();

  constructor(runner: CheckRunner, intervalMs: number = DEFAULT_MANUAL_CHECK_INTERVAL_MS, now: () => number = Date.now) {
    this.#runner = runner;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Starts, queues or refuses a manual check of `name` (a configured target). */
  request(name: string): ManualCheck {
    const slots = this.#slots.get(name) ?? { lastStart: -Infinity, running: null, queued: false };
    this.#slots.set(name, slots);
    const now = this.#now();
    if (slots.queued) {
      // The queued one starts at `lastStart`; the one after it could start an interval later.
      return { retryAfterSeconds: Math.max(1, Math.ceil((slots.lastStart + this.#intervalMs - now) / 1000)) };
    }
    if (!slots.running && now >= slots.lastStart + this.#intervalMs) return { accepted: this.#start(name, slots) };
    slots.queued = true;
    const startAt = Math.max(now, slots.lastStart + this.#intervalMs);
    slots.lastStart = startAt;
    const before = slots.running;
    const accepted = (async () => {
      await before?.catch(() => {});
      const wait = startAt - this.#now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      slots.queued = false;
      return this.#start(name, slots);
    })();
    return { accepted };
  }

  #start(name: string, slots: TargetSlots): Promise<Report> {
    slots.lastStart = Math.max(slots.lastStart, this.#now());
    const run = this.#runner.runNow(name);
    const settled = run.then(
      () => {},
      () => {},
    );
    slots.running = settled;
    void settled.then(() => {
      if (slots.running === settled) slots.running = null;
    });
    return run;
  }
}
