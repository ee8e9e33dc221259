/**
 * Runs the checks: a first check of every target at start, then each target's cron schedule (node-cron), plus
 * manual triggers. Guarantees:
 * - never two checks of one target at a time: a tick or `runNow` while a check runs joins the running check;
 * - at most `concurrency` checks at a time across targets (a FIFO semaphore);
 * - a time limit per attempt (`checkTimeoutMs`): the check's AbortSignal is aborted and the result is an error
 *   report with reason `timeout`;
 * - a check that could not connect (reason `connect`, not `auth` or `replay`) is retried `retry.attempts` times with
 *   exponential backoff and jitter; the slot is given back while waiting, so a down target does not hold it;
 * - `stop(graceMs)` stops scheduling, lets running checks finish for `graceMs`, then aborts them;
 * - `schemaChanged(name)` (the watch saw a DDL statement) checks at once, or once more after the running check, which
 *   may have read the catalogs before the change;
 * - a report with status `deploying` (a migration tool held its lock) is followed by another check after the
 *   target's `deployingRetryMs`.
 *
 * With `claims` (several agents sharing a PostgreSQL store) every check is first claimed through the store: a cron
 * tick or the first round runs only on the one replica that claims the round, a manual or watch-triggered check waits
 * for (or skips) another replica's running check of the target; the claim is held until the report is stored.
 *
 * Every finished check's report goes to `onReport` (the store) before the check's promise resolves, so a manual
 * trigger followed by a read of the latest report sees it. Checks cancelled by `stop` produce no report: the
 * interruption says nothing about the target, so nothing is stored and its metrics keep the last real result.
 */
import cron, { type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { TargetConfig } from '../config/types.ts';
import { TimeoutError } from '../core/errors.ts';
import type { Report } from '../core/model/report.ts';
import { backoffDelay, type RetryPolicy, sleep } from './backoff.ts';
import { settledWithin, whenAborted } from './abort.ts';
import { type CheckLogger, silentLogger } from './logger.ts';
import { internalFailure, timeoutReport } from './failure-report.ts';
import { Semaphore } from './semaphore.ts';
import type { CheckClaims, CheckLease } from '../store/store.ts';

/** Runs one check of one target; must honour `signal` (see `runCheck`). */
export type RunCheckFn = (target: TargetConfig, signal: AbortSignal) => Promise<Report>;

/**
 * Receives every finished check's report (typically `ReportStore.save`). It may return the stored report (with its
 * id), which then is what the check's promise resolves with. Its failure rejects that promise (the report was not
 * stored); the check itself is over either way.
 */
export type OnReportFn = (report: Report) => Promise<Report | void> | Report | void;

/** Clock and randomness, replaceable in tests. */
export interface SchedulerTimers {
  readonly now: () => Date;
  /** In [0, 1): backoff jitter. */
  readonly random: () => number;
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  readonly targets: readonly TargetConfig[];
  /** At most this many checks at a time, across targets. */
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  readonly runCheck: RunCheckFn;
  readonly onReport: OnReportFn;
  readonly logger?: CheckLogger;
  readonly timers?: Partial<SchedulerTimers>;
  /**
   * After aborting a check (timeout or stop), how long to wait for it to wind down (close its session, drop its
   * scratch database) before giving up on it; default 10 s. Its slot is held that long at most.
   */
  readonly abortGraceMs?: number;
  /** Claims on checks shared with other replicas (the PostgreSQL store's); absent = every check is this agent's. */
  readonly claims?: CheckClaims;
  /** Told after each claim whether the store answered: the error of a claim that failed, `undefined` otherwise. */
  readonly onClaim?: (err: unknown) => void;
}

/** What `status()` says about one target. */
export interface TargetScheduleStatus {
  readonly target: string;
  readonly running: boolean;
  readonly lastStartedAt: Date | null;
  readonly lastFinishedAt: Date | null;
  /** Next cron tick; absent before `start()` and after `stop()`. */
  readonly nextRunAt?: Date;
}

/** `runNow` with a name that is not configured (the HTTP layer answers 404). */
export class UnknownTargetError extends Error {
  override name = 'UnknownTargetError';
  readonly target: string;
  constructor(target: string) {
    super(`no target named ${JSON.stringify(target)} is configured`);
    this.target = target;
  }
}

/** A check requested or cancelled while the scheduler stops: there is no report (the HTTP layer answers 503). */
export class SchedulerStoppedError extends Error {
  override name = 'SchedulerStoppedError';
  constructor(message = 'the scheduler is stopping: check cancelled') {
    super(message);
  }
}

/**
 * Another replica holds the target: it claimed this round, or its check of the target was still running when this
 * one gave up waiting. No check ran here and nothing is stored (the HTTP layer answers 503 to a manual check).
 */
export class ClaimedElsewhereError extends Error {
  override name = 'ClaimedElsewhereError';
  readonly target: string;
  constructor(target: string, message = `another agent sharing the store holds target ${JSON.stringify(target)}`) {
    super(message);
    this.target = target;
  }
}

/** When a claimed round is: its scheduled time (the same on every replica) and the next round's. */
interface Round {
  readonly at: Date;
  readonly nextDue: Date | undefined;
}

interface TargetState {
  readonly target: TargetConfig;
  task: ScheduledTask | null;
  running: Promise<Report> | null;
  /** Aborts the attempt in progress. */
  controller: AbortController | null;
  /**
   * Aborted when the target is removed: cancels what comes before and between attempts (the claim, the wait for a
   * slot, the sleep before a retry) and the attempt itself, even one that had not started when it was removed.
   */
  readonly removed: AbortController;
  lastStartedAt: Date | null;
  lastFinishedAt: Date | null;
  /** The schema changed while a check ran: check again when it ends. */
  again: boolean;
  /** The check after a `deploying` report. */
  retry: NodeJS.Timeout | null;
}

type Trigger = 'start' | 'schedule' | 'manual' | 'watch' | 'deploying' | 'discovered';

const DEFAULT_ABORT_GRACE_MS = 10_000;

/** Refuses a schedule node-cron would reject only at `start()`, when some targets would already be scheduled. */
function validateSchedule(target: TargetConfig): void {
  const where = `target ${JSON.stringify(target.name)}`;
  if (!cron.validate(target.schedule)) throw new RangeError(`${where}: invalid cron schedule ${JSON.stringify(target.schedule)}`);
  if (target.timezone === undefined) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: target.timezone });
  } catch {
    throw new RangeError(`${where}: unknown time zone ${JSON.stringify(target.timezone)}`);
  }
}

/** Schedules and runs the checks of the configured targets. */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #log: CheckLogger;
  readonly #timers: SchedulerTimers;
  readonly #slots: Semaphore;
  /**
   * A manual check waiting for another replica's check holds a store connection while it waits, outside the
   * `concurrency` slots: one such wait at a time, so a burst of manual checks cannot take the store's pool
   * (`concurrency` + 4 connections) from the running checks' saves and the API.
   */
  readonly #claimWaits = new Semaphore(1);
  readonly #states = new Map<string, TargetState>();
  /** Aborted by `stop()`: cancels waits for a slot and backoff sleeps. */
  readonly #stopping = new AbortController();
  /** `stop()`'s abort grace, for the checks it aborts. */
  #stopAbortGraceMs: number | undefined;
  #started = false;
  #stopped: Promise<void> | null = null;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#log = options.logger ?? silentLogger;
    this.#timers = { now: () => new Date(), random: Math.random, ...options.timers };
    this.#slots = new Semaphore(options.concurrency);
    for (const target of options.targets) this.#addState(target);
  }

  #addState(target: TargetConfig): TargetState {
    if (this.#states.has(target.name)) throw new RangeError(`duplicate target name ${JSON.stringify(target.name)}`);
    validateSchedule(target);
    const state: TargetState = {
      target,
      task: null,
      running: null,
      controller: null,
      removed: new AbortController(),
      lastStartedAt: null,
      lastFinishedAt: null,
      again: false,
      retry: null,
    };
    this.#states.set(target.name, state);
    return state;
  }

  /**
   * Schedules a target discovered after the start (`agent/discovery.ts`): its cron task, and a first check at once
   * when the scheduler runs (within the concurrency limit). Before `start()` it waits for it like the configured ones.
   * @throws RangeError for a name already scheduled or an invalid schedule.
   */
  add(target: TargetConfig): void {
    if (this.#stopped) return;
    const state = this.#addState(target);
    if (!this.#started) return;
    state.task = this.#schedule(state);
    // Claimed as the current round, like the first round at start: every replica discovers it, one checks it.
    this.#trigger(state, 'discovered', { at: this.#timers.now(), nextDue: state.task.getNextRun() ?? undefined }).catch(() => {});
  }

  /**
   * Unschedules a target that discovery no longer lists: no more ticks or retries, and a running check is aborted
   * (it produces no report, as at `stop`). Resolves when that check has wound down. Unknown names are ignored.
   */
  async remove(name: string): Promise<void> {
    const state = this.#states.get(name);
    if (!state) return;
    this.#states.delete(name);
    await state.task?.destroy();
    state.task = null;
    if (state.retry) clearTimeout(state.retry);
    state.retry = null;
    state.again = false;
    state.removed.abort(new SchedulerStoppedError(`target ${JSON.stringify(name)} is no longer discovered: check cancelled`));
    await state.running?.catch(() => {});
  }

  /** False once the target was removed (a new one of the same name is another state). */
  #current(state: TargetState): boolean {
    return this.#states.get(state.target.name) === state;
  }

  /** Whether `name` is scheduled (configured, or discovered and not removed since). */
  has(name: string): boolean {
    return this.#states.has(name);
  }

  /**
   * Starts every target's cron task and runs a first check of every target at once (bounded by the concurrency
   * limit). Resolves when those first checks are done; the agent need not wait for it. Calling it twice is a no-op.
   */
  async start(): Promise<void> {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    for (const state of this.#states.values()) state.task = this.#schedule(state);
    const now = this.#timers.now();
    const first = [...this.#states.values()].map((state) =>
      this.#trigger(state, 'start', { at: now, nextDue: state.task?.getNextRun() ?? undefined }).catch(() => {}),
    );
    await Promise.all(first);
  }

  /**
   * Checks `name` now, or joins its running check. Resolves with the report (after `onReport`).
   * @throws UnknownTargetError for a name that is not configured.
   * @throws SchedulerStoppedError when the scheduler stops before the check finishes.
   */
  async runNow(name: string): Promise<Report> {
    const state = this.#states.get(name);
    if (!state) throw new UnknownTargetError(name);
    return this.#trigger(state, 'manual');
  }

  /**
   * The watch saw `name`'s schema change: checks it now (within the concurrency limit), or, when a check is running,
   * once more after it. Returns at once; the report goes to `onReport` as always.
   * @throws UnknownTargetError for a name that is not configured.
   */
  schemaChanged(name: string): void {
    const state = this.#states.get(name);
    if (!state) throw new UnknownTargetError(name);
    if (this.#stopped) return;
    if (state.running) {
      state.again = true;
      return;
    }
    this.#trigger(state, 'watch').catch(() => {});
  }

  /** Per target: whether a check runs, when the last one started and finished, when the next tick is due. */
  status(): TargetScheduleStatus[] {
    return [...this.#states.values()].map((state) => {
      const next = this.#stopped ? null : state.task?.getNextRun();
      return {
        target: state.target.name,
        running: state.running !== null,
        lastStartedAt: state.lastStartedAt,
        lastFinishedAt: state.lastFinishedAt,
        ...(next ? { nextRunAt: next } : {}),
      };
    });
  }

  /**
   * Stops every cron task and cancels checks waiting for a slot or a retry; lets running checks finish for up to
   * `graceMs`, then aborts them and waits (bounded by `abortGraceMs`, default the scheduler's `abortGraceMs`) for them
   * to close their connections. Resolves when no check runs any more. Idempotent.
   */
  stop(graceMs: number, abortGraceMs?: number): Promise<void> {
    if (this.#stopped === null) this.#stopAbortGraceMs = abortGraceMs;
    this.#stopped ??= this.#stop(graceMs);
    return this.#stopped;
  }

  async #stop(graceMs: number): Promise<void> {
    for (const state of this.#states.values()) {
      await state.task?.destroy();
      state.task = null;
      if (state.retry) clearTimeout(state.retry);
      state.retry = null;
      state.again = false;
    }
    this.#stopping.abort(new SchedulerStoppedError());
    const running = [...this.#states.values()].flatMap((s) => (s.running ? [s.running.catch(() => {})] : []));
    const all = Promise.all(running);
    if (await settledWithin(all, graceMs)) return;
    const names = [...this.#states.values()].filter((s) => s.controller).map((s) => s.target.name);
    this.#log.warn({ targets: names, graceMs }, 'checks still running after the grace period: aborting them');
    for (const state of this.#states.values()) {
      state.controller?.abort(new SchedulerStoppedError('the scheduler stopped: check aborted after the grace period'));
    }
    await all;
  }

  #schedule(state: TargetState): ScheduledTask {
    const { target } = state;
    const onTick = (context?: { readonly date?: Date }): void => {
      // The tick's scheduled second, not the time the timer fired: every replica names the round the same way.
      const at = context?.date ?? this.#timers.now();
      this.#trigger(state, 'schedule', { at, nextDue: state.task?.getNextRun() ?? undefined }).catch(() => {});
    };
    return cron.schedule(target.schedule, onTick, {
      name: `schema-drift:${target.name}`,
      ...(target.timezone ? { timezone: target.timezone } : {}),
      logger: this.#cronLogger(target.name),
    });
  }

  /** node-cron's own warnings (missed ticks while the event loop was blocked) go to our logger. */
  #cronLogger(target: string): CronLogger {
    const fields = { target, component: 'node-cron' };
    const text = (message: string | Error): string => (message instanceof Error ? message.message : message);
    return {
      info: (message) => this.#log.info(fields, message),
      warn: (message) => this.#log.warn(fields, message),
      error: (message, err) => this.#log.error({ ...fields, err: err?.message }, text(message)),
      debug: (message) => this.#log.debug(fields, text(message)),
    };
  }

  /** Joins the target's running check, or starts one. */
  #trigger(state: TargetState, trigger: Trigger, round?: Round): Promise<Report> {
    if (this.#stopped) return Promise.reject(new SchedulerStoppedError());
    if (state.running) {
      this.#log.debug({ target: state.target.name, trigger }, 'check already running: joining it');
      return state.running;
    }
    if (state.retry) clearTimeout(state.retry);
    state.retry = null;
    const run = this.#run(state, trigger, round).finally(() => {
      state.running = null;
    });
    state.running = run;
    run.then(
      (report) => this.#afterCheck(state, report),
      () => this.#afterCheck(state, null),
    );
    return run;
  }

  /** What follows a check: another one when the schema changed meanwhile, a retry after a deploy in flight. */
  #afterCheck(state: TargetState, report: Report | null): void {
    if (this.#stopped || !this.#current(state)) return;
    if (state.again) {
      state.again = false;
      this.#trigger(state, 'watch').catch(() => {});
      return;
    }
    if (report?.status !== 'deploying') return;
    const { target } = state;
    this.#log.info({ target: target.name, retryInMs: target.deployingRetryMs }, 'deploy in flight: checking again shortly');
    state.retry = setTimeout(() => {
      state.retry = null;
      if (!state.running) this.#trigger(state, 'deploying').catch(() => {});
    }, target.deployingRetryMs);
    state.retry.unref();
  }

  /** Claims the check when replicas share the store, runs its attempts, and gives the claim back. */
  async #run(state: TargetState, trigger: Trigger, round: Round | undefined): Promise<Report> {
    let lease: CheckLease | null = null;
    try {
      return await this.#attempts(state, trigger, async (signal) => {
        if (!lease) lease = await this.#claim(state, trigger, round, signal);
      });
    } finally {
      // After the report is stored: the next holder of the target starts after this check's report exists.
      await (lease as CheckLease | null)?.release().catch((err: unknown) => {
        this.#log.warn({ target: state.target.name, err: String(err) }, 'releasing the claim on the target failed');
      });
    }
  }

  /**
   * Claims the check through the store (with `claims` only), once a slot is free: a replica busy with other checks
   * leaves the round to one that is not. Throws {@link ClaimedElsewhereError} when another replica holds it.
   */
  async #claim(state: TargetState, trigger: Trigger, round: Round | undefined, signal: AbortSignal): Promise<CheckLease | null> {
    const claims = this.#options.claims;
    if (!claims) return null;
    const { target } = state;
    const due = trigger === 'start' || trigger === 'schedule' || trigger === 'discovered';
    const waitMs = trigger === 'manual' ? target.checkTimeoutMs : 0;
    let lease: CheckLease | null;
    let releaseWait: (() => void) | undefined;
    try {
      const claim = (wait: number) =>
        claims.claim(target.name, due ? 'due' : 'now', {
          now: round?.at ?? this.#timers.now(),
          ...(due && round?.nextDue ? { nextDue: round.nextDue } : {}),
          waitMs: wait,
          // Stopping, or the target's removal, ends a wait at once.
          signal,
        });
      lease = await claim(0);
      // A manual check waits for another replica's check of the target (as it would join a local one); a watch or
      // deploy retry does not: the check running elsewhere reads the schema as it is now. Only the wait is limited.
      if (!lease && waitMs > 0) {
        releaseWait = await this.#claimWaits.acquire(signal);
        lease = await claim(waitMs);
      }
    } catch (err) {
      if (signal.aborted) throw cancelled(signal);
      this.#log.warn({ target: target.name, trigger, err: err instanceof Error ? err.message : String(err) }, 'cannot claim the check through the store: not checking');
      this.#options.onClaim?.(err);
      throw err;
    } finally {
      releaseWait?.();
    }
    this.#options.onClaim?.(undefined);
    if (!lease) {
      this.#log.debug({ target: target.name, trigger }, 'check claimed by another agent sharing the store');
      throw new ClaimedElsewhereError(target.name);
    }
    if (!this.#current(state)) {
      // Removed while the claim was made: the target is given back, nothing is checked.
      await lease.release().catch(() => {});
      throw new SchedulerStoppedError(`target ${JSON.stringify(target.name)} is no longer discovered: check cancelled`);
    }
    this.#log.debug({ target: target.name, trigger }, 'check claimed');
    return lease;
  }

  /** Attempts with retries on connection failures, then delivers the report. */
  async #attempts(state: TargetState, trigger: Trigger, claim: (signal: AbortSignal) => Promise<void>): Promise<Report> {
    const { target } = state;
    const retry = this.#options.retry;
    const cancel = AbortSignal.any([this.#stopping.signal, state.removed.signal]);
    // A manual check may wait for another replica's check of the target: it waits for the target before it takes a
    // slot, so that the wait holds none (a due round is claimed with a slot in hand: a busy replica leaves it to others).
    if (trigger === 'manual') await claim(cancel);
    for (let attempt = 0; ; attempt += 1) {
      const release = await this.#slots.acquire(cancel).catch((err: unknown) => {
        throw cancel.aborted ? cancelled(cancel) : err;
      });
      if (!this.#current(state)) {
        // Removed (no longer discovered) while it waited for a slot: nothing to check.
        release();
        throw new SchedulerStoppedError(`target ${JSON.stringify(target.name)} is no longer discovered: check cancelled`);
      }
      let report: Report;
      try {
        await claim(cancel);
        this.#log.info({ target: target.name, trigger, attempt: attempt + 1 }, 'check started');
        report = await this.#attempt(state);
      } finally {
        release();
      }
      if (report.error?.reason !== 'connect' || attempt >= retry.attempts) return this.#deliver(report, attempt);
      const delayMs = backoffDelay(retry, attempt, this.#timers.random);
      this.#log.warn(
        { target: target.name, attempt: attempt + 1, retryInMs: delayMs, error: report.error.message },
        'check could not connect: retrying',
      );
      try {
        await sleep(delayMs, cancel);
      } catch {
        // Removed: nothing more of the target. Stopping: the failure observed is real, so it is delivered rather than retried.
        if (state.removed.signal.aborted) throw cancelled(state.removed.signal);
        return this.#deliver(report, attempt);
      }
    }
  }

  /** One attempt under the time limit. Throws SchedulerStoppedError when `stop` aborted it. */
  async #attempt(state: TargetState): Promise<Report> {
    const { target } = state;
    const controller = new AbortController();
    const startedAt = this.#timers.now();
    state.controller = controller;
    state.lastStartedAt = startedAt;
    // A removal before this attempt began aborts it too (it finds the signal already aborted).
    const onRemoved = (): void => controller.abort(state.removed.signal.reason);
    if (state.removed.signal.aborted) onRemoved();
    else state.removed.signal.addEventListener('abort', onRemoved, { once: true });
    const timer = setTimeout(() => {
      controller.abort(new TimeoutError(`check did not finish within ${target.checkTimeoutMs} ms`, { target: target.name }));
    }, target.checkTimeoutMs);
    const check = this.#invoke(target, controller.signal, startedAt);
    const aborted = whenAborted(controller.signal);
    try {
      const report = await Promise.race([check, aborted.promise]);
      if (report) return report;
      return await this.#afterAbort(target, controller.signal, check, startedAt);
    } finally {
      clearTimeout(timer);
      aborted.dispose();
      state.removed.signal.removeEventListener('abort', onRemoved);
      state.controller = null;
      state.lastFinishedAt = this.#timers.now();
    }
  }

  /** Calls `runCheck`, turning a throw (it should never throw) into an `internal` error report. */
  async #invoke(target: TargetConfig, signal: AbortSignal, startedAt: Date): Promise<Report> {
    try {
      return await this.#options.runCheck(target, signal);
    } catch (err) {
      this.#log.error({ target: target.name, err: String(err) }, 'runCheck threw instead of returning an error report');
      return internalFailure(target, startedAt, this.#timers.now(), err);
    }
  }

  /**
   * The check was aborted: give it `abortGraceMs` to close its connections (runCheck stops at the next step
   * boundary), then produce the outcome whether or not it has finished.
   */
  async #afterAbort(target: TargetConfig, signal: AbortSignal, check: Promise<Report>, startedAt: Date): Promise<Report> {
    const stopped = signal.reason instanceof SchedulerStoppedError ? this.#stopAbortGraceMs : undefined;
    const grace = stopped ?? this.#options.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS;
    let wound: Report | undefined;
    const ended = check.then((report) => void (wound = report));
    if (!(await settledWithin(ended, grace))) {
      this.#log.warn(
        { target: target.name, graceMs: grace },
        'aborted check is still busy (a step that cannot be interrupted); it closes its connections when that step ends',
      );
    }
    const reason: unknown = signal.reason;
    if (reason instanceof TimeoutError) {
      this.#log.warn({ target: target.name, timeoutMs: target.checkTimeoutMs }, 'check timed out');
      // The check's own timeout report says where it stopped (the replay's file in progress); ours only that it did.
      if (wound?.error?.reason === 'timeout') return wound;
      return timeoutReport(target, startedAt, this.#timers.now(), reason);
    }
    throw reason instanceof SchedulerStoppedError ? reason : new SchedulerStoppedError();
  }

  /**
   * Hands the report to `onReport`; its stored form (with an id) wins when it returns one. When `onReport` throws (the
   * store could not save it) the check's promise rejects with that error: a caller waiting for the report gets no
   * report rather than one without an id.
   */
  async #deliver(report: Report, retries: number): Promise<Report> {
    const final = retries > 0 ? { ...report, warnings: [...report.warnings, `connection retried ${retries} time(s)`] } : report;
    const fields = { target: final.target, status: final.status, durationMs: final.durationMs };
    if (final.error) this.#log.warn({ ...fields, reason: final.error.reason, error: final.error.message }, 'check failed');
    else this.#log.info(fields, 'check finished');
    // A failure to store (the agent's onReport logs it with its reason) fails the check's promise: the API must not
    // answer with a report that was never stored.
    const stored = await this.#options.onReport(final);
    return stored ?? final;
  }
}

/** The error a check cancelled by stopping or by its target's removal rejects with. */
function cancelled(signal: AbortSignal): SchedulerStoppedError {
  const reason: unknown = signal.reason;
  return reason instanceof SchedulerStoppedError ? reason : new SchedulerStoppedError();
}
