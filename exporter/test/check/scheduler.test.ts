/**
 * The Scheduler with a scripted check function (the unit's own dependency, standing in for runCheck) and real
 * timers, real node-cron and small delays; with replicas, the claims of a real PostgreSQL store.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/agent/backoff.ts';
import { Scheduler, SchedulerStoppedError, UnknownTargetError, type SchedulerOptions } from '../../src/agent/scheduler.ts';
import { silentLogger } from '../../src/agent/logger.ts';
import { Semaphore } from '../../src/agent/semaphore.ts';
import type { TargetConfig } from '../../src/config/types.ts';
import { ConnectError, SchemaDriftError, type FailureReason } from '../../src/core/errors.ts';
import type { Report } from '../../src/core/model/report.ts';
import { errorReport } from '../../src/core/report/build.ts';
import { PgStore } from '../../src/store/pg-store.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';

function target(name: string, overrides: Partial<TargetConfig> = {}): TargetConfig {
  return {
    name,
    dialect: 'postgres',
    url: `postgres://app:secret@db.invalid/${name}`,
    displayUrl: `postgres://app@db.invalid/${name}`,
    desired: { dir: '/nonexistent' },
    exclude: {},
    // Far in the future: only tests that want ticks set an every-second schedule.
    schedule: '0 0 1 1 *',
    labels: {},
    connectTimeoutMs: 1_000,
    statementTimeoutMs: 1_000,
    checkTimeoutMs: 5_000,
    watchMs: 0,
    deployingRetryMs: 15_000,
    deployingLimitMs: 1_800_000,
    checkColumnOrder: false,
    ignoreExtensionVersions: false,
    privileges: false,
    ...overrides,
  };
}

/** A finished check's report: `in_sync`, or `error` with `reason`. */
function report(name: string, reason?: FailureReason): Report {
  const now = new Date();
  const failed = errorReport({
    target: name,
    labels: {},
    startedAt: now,
    finishedAt: now,
    error: new SchemaDriftError(reason ?? 'internal', `scripted ${reason ?? 'success'}`),
    engine: { dialect: 'postgres', replay: null, targetServerVersion: null, replayServerVersion: null, cached: false },
  });
  return reason ? failed : { ...failed, status: 'in_sync', error: null };
}

/** A promise resolved from outside. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves when `signal` aborts (a check that honours its signal and does nothing else). */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

const schedulers: Scheduler[] = [];

function scheduler(options: Partial<SchedulerOptions> & Pick<SchedulerOptions, 'runCheck'>): { s: Scheduler; delivered: Report[] } {
  const delivered: Report[] = [];
  const s = new Scheduler({
    targets: [target('a')],
    concurrency: 4,
    retry: { attempts: 0, initialDelayMs: 10, maxDelayMs: 40 },
    onReport: (r) => {
      delivered.push(r);
    },
    abortGraceMs: 200,
    ...options,
  });
  schedulers.push(s);
  return { s, delivered };
}

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop(0)));
});

describe('Scheduler: one check per target', () => {
  it('joins the running check instead of starting a second one, and starts afresh afterwards', async () => {
    const gate = deferred<void>();
    let calls = 0;
    const { s, delivered } = scheduler({
      runCheck: async (t) => {
        calls += 1;
        await gate.promise;
        return report(t.name);
      },
    });
    const joined = [s.runNow('a'), s.runNow('a'), s.runNow('a')];
    await sleep(20);
    expect(s.status()[0]?.running).toBe(true);
    gate.resolve();
    const reports = await Promise.all(joined);
    expect(calls).toBe(1);
    expect(new Set(reports).size).toBe(1);
    expect(delivered).toHaveLength(1);
    expect(s.status()[0]?.running).toBe(false);
    await s.runNow('a');
    expect(calls).toBe(2);
  });

  it('throws UnknownTargetError for a name that is not configured', async () => {
    const { s } = scheduler({ runCheck: async (t) => report(t.name) });
    await expect(s.runNow('nope')).rejects.toBeInstanceOf(UnknownTargetError);
  });

  it('resolves with what onReport returns (the stored report with its id); a failing onReport rejects, and the next check runs', async () => {
    const stored = scheduler({ runCheck: async (t) => report(t.name), onReport: (r) => ({ ...r, id: 42 }) });
    expect((await stored.s.runNow('a')).id).toBe(42);
    let fail = true;
    const failing = scheduler({
      runCheck: async (t) => report(t.name),
      onReport: (r) => {
        if (fail) throw new Error('disk full');
        return { ...r, id: 7 };
      },
    });
    await expect(failing.s.runNow('a')).rejects.toThrow('disk full');
    fail = false;
    expect((await failing.s.runNow('a')).id).toBe(7);
  });

  it('turns a check function that throws into an internal error report', async () => {
    const { s, delivered } = scheduler({
      runCheck: async () => {
        throw new Error('bug');
      },
    });
    const r = await s.runNow('a');
    expect(r.error).toEqual({ reason: 'internal', message: 'bug' });
    expect(delivered).toEqual([r]);
  });
});

describe('Scheduler: global concurrency limit', () => {
  it('never runs more checks at once than the limit, and runs them all', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const names = ['a', 'b', 'c', 'd', 'e'];
    const { s } = scheduler({
      targets: names.map((n) => target(n)),
      concurrency: 2,
      runCheck: async (t) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(30);
        inFlight -= 1;
        return report(t.name);
      },
    });
    const reports = await Promise.all(names.map((n) => s.runNow(n)));
    expect(maxInFlight).toBe(2);
    expect(reports.map((r) => r.target)).toEqual(names);
  });

  it('start() runs a first check of every target at once', async () => {
    const started: string[] = [];
    const gate = deferred<void>();
    const { s, delivered } = scheduler({
      targets: ['a', 'b', 'c'].map((n) => target(n)),
      concurrency: 3,
      runCheck: async (t) => {
        started.push(t.name);
        await gate.promise;
        return report(t.name);
      },
    });
    const first = s.start();
    await sleep(20);
    expect(started.sort()).toEqual(['a', 'b', 'c']);
    gate.resolve();
    await first;
    expect(delivered.map((r) => r.target).sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('Scheduler: time limit', () => {
  it('aborts the signal and reports timeout when a check overruns', async () => {
    let seen: AbortSignal | undefined;
    const { s, delivered } = scheduler({
      targets: [target('a', { checkTimeoutMs: 50 })],
      runCheck: async (t, signal) => {
        seen = signal;
        await untilAborted(signal);
        return report(t.name, 'inspect');
      },
    });
    const r = await s.runNow('a');
    expect(seen?.aborted).toBe(true);
    expect(r.status).toBe('error');
    expect(r.error).toEqual({ reason: 'timeout', message: 'check did not finish within 50 ms' });
    expect(delivered).toEqual([r]);
  });

  it('gives up waiting for a check that ignores its signal after abortGraceMs', async () => {
    const { s } = scheduler({
      targets: [target('a', { checkTimeoutMs: 30 })],
      abortGraceMs: 50,
      // Never settles: if the scheduler waited for it, runNow would hang and the test time out (no clock involved).
      runCheck: () => new Promise<Report>(() => {}),
    });
    const r = await s.runNow('a');
    expect(r.error?.reason).toBe('timeout');
  });
});

describe('Scheduler: retries', () => {
  it.each<[FailureReason, number]>([
    ['connect', 3],
    ['auth', 1],
    ['replay', 1],
    ['timeout', 1],
  ])('a %s failure runs the check %i time(s) with retry.attempts 2', async (reason, expectedCalls) => {
    let calls = 0;
    const retries: unknown[] = [];
    const { s, delivered } = scheduler({
      retry: { attempts: 2, initialDelayMs: 20, maxDelayMs: 40 },
      // No jitter: each wait is exactly half its nominal delay, so the delays are known without reading a clock.
      timers: { random: () => 0 },
      logger: {
        ...silentLogger,
        warn: (fields, message) => {
          if (message.includes('retrying')) retries.push(fields.retryInMs);
        },
      },
      runCheck: async (t) => {
        calls += 1;
        return report(t.name, reason);
      },
    });
    const r = await s.runNow('a');
    expect(calls).toBe(expectedCalls);
    expect(r.error?.reason).toBe(reason);
    expect(delivered).toHaveLength(1);
    // Backoff: half of 20 ms, then half of 40 ms, before the second and third attempts.
    expect(retries).toEqual([10, 20].slice(0, expectedCalls - 1));
  });

  it('delivers the success after a connection came back, noting the retries', async () => {
    let calls = 0;
    const { s, delivered } = scheduler({
      retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 10 },
      runCheck: async (t) => {
        calls += 1;
        return calls < 3 ? report(t.name, 'connect') : report(t.name);
      },
    });
    const r = await s.runNow('a');
    expect(calls).toBe(3);
    expect(r.status).toBe('in_sync');
    expect(r.warnings).toContain('connection retried 2 time(s)');
    expect(delivered.map((d) => d.status)).toEqual(['in_sync']);
  });

  it('gives the slot back while waiting to retry', async () => {
    const order: string[] = [];
    let aCalls = 0;
    const { s } = scheduler({
      targets: [target('a'), target('b')],
      concurrency: 1,
      retry: { attempts: 1, initialDelayMs: 100, maxDelayMs: 100 },
      runCheck: async (t) => {
        order.push(t.name);
        if (t.name === 'a') aCalls += 1;
        return t.name === 'a' && aCalls === 1 ? errorReportFor(t.name) : report(t.name);
      },
    });
    await Promise.all([s.runNow('a'), s.runNow('b')]);
    // b ran during a's backoff rather than after it.
    expect(order).toEqual(['a', 'b', 'a']);
  });
});

function errorReportFor(name: string): Report {
  const now = new Date();
  return errorReport({ target: name, labels: {}, startedAt: now, finishedAt: now, error: new ConnectError('refused'), engine: { dialect: 'postgres', replay: null, targetServerVersion: null, replayServerVersion: null, cached: false } });
}

describe('Scheduler: stop', () => {
  it('lets a running check finish within the grace period and delivers its report', async () => {
    const { s, delivered } = scheduler({
      runCheck: async (t) => {
        await sleep(80);
        return report(t.name);
      },
    });
    const running = s.runNow('a');
    await sleep(10);
    await s.stop(1_000);
    expect((await running).status).toBe('in_sync');
    expect(delivered).toHaveLength(1);
    await expect(s.runNow('a')).rejects.toBeInstanceOf(SchedulerStoppedError);
  });

  it('aborts checks still running after the grace period, cancels queued ones, and stores neither', async () => {
    let seen: AbortSignal | undefined;
    const { s, delivered } = scheduler({
      targets: [target('a'), target('b')],
      concurrency: 1,
      runCheck: async (t, signal) => {
        seen = signal;
        await untilAborted(signal);
        return report(t.name, 'inspect');
      },
    });
    // Settled outcomes, taken before stop() so the rejections are handled when they happen.
    const running = s.runNow('a').catch((err: unknown) => err);
    const queued = s.runNow('b').catch((err: unknown) => err);
    await sleep(10);
    const began = Date.now();
    await s.stop(50);
    expect(Date.now() - began).toBeGreaterThanOrEqual(45);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(SchedulerStoppedError);
    expect(await running).toBeInstanceOf(SchedulerStoppedError);
    expect(await queued).toBeInstanceOf(SchedulerStoppedError);
    expect(delivered).toEqual([]);
    expect(s.status().every((t) => !t.running)).toBe(true);
  });
});

describe('Scheduler: cron', () => {
  it('checks at start, then on every tick of the schedule, and no more after stop', async () => {
    const checks: number[] = [];
    // Resolved by the first tick after the start check: waited for, not timed (a loaded machine may delay a tick;
    // the test's own timeout bounds the wait).
    const ticked = deferred<void>();
    const { s } = scheduler({
      targets: [target('a', { schedule: '* * * * * *', timezone: 'Europe/Paris' })],
      runCheck: async (t) => {
        checks.push(Date.now());
        if (checks.length === 2) ticked.resolve();
        return report(t.name);
      },
    });
    await s.start();
    expect(checks).toHaveLength(1);
    const next = s.status()[0]?.nextRunAt;
    expect(next).toBeInstanceOf(Date);
    expect((next?.getTime() ?? 0) - Date.now()).toBeLessThanOrEqual(1_000);
    await ticked.promise;
    expect(checks.length).toBeGreaterThanOrEqual(2);
    await s.stop(100);
    const after = checks.length;
    expect(s.status()[0]?.nextRunAt).toBeUndefined();
    await sleep(1_100);
    expect(checks).toHaveLength(after);
  });

  it.each([
    [{ schedule: 'every day' }, /target "a": invalid cron schedule "every day"/],
    [{ timezone: 'Mars/Olympus' }, /target "a": unknown time zone "Mars\/Olympus"/],
  ])('refuses %o at construction', (overrides, message) => {
    expect(() => scheduler({ targets: [target('a', overrides)], runCheck: async (t) => report(t.name) })).toThrow(message);
  });
});

describe('Semaphore', () => {
  it('serves waiters in order and lets an aborted waiter leave the queue', async () => {
    const sem = new Semaphore(1);
    const release = await sem.acquire();
    const order: string[] = [];
    const controller = new AbortController();
    const first = sem.acquire().then((r) => (order.push('first'), r));
    const leaving = sem.acquire(controller.signal);
    const second = sem.acquire().then((r) => (order.push('second'), r));
    controller.abort(new Error('gone'));
    await expect(leaving).rejects.toThrow('gone');
    expect(sem.waiting).toBe(2);
    release();
    (await first)();
    (await second)();
    expect(order).toEqual(['first', 'second']);
    expect(sem.held).toBe(0);
  });
});

describe('the watch and deploys in flight', () => {
  it('schemaChanged checks at once, and once more after a check that was running', async () => {
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()];
    let calls = 0;
    const { s, delivered } = scheduler({
      runCheck: async (t) => {
        const gate = gates[calls++];
        await gate?.promise;
        return report(t.name);
      },
    });
    s.schemaChanged('a');
    await waitUntil(() => calls === 1);
    // A DDL statement while the first check runs: it may have read the catalogs before it.
    s.schemaChanged('a');
    s.schemaChanged('a');
    gates[0]?.resolve();
    await waitUntil(() => calls === 2);
    gates[1]?.resolve();
    await waitUntil(() => delivered.length === 2);
    await sleep(50);
    expect(calls).toBe(2);
    expect(() => s.schemaChanged('nope')).toThrow(UnknownTargetError);
  });

  it('a deploying report is followed by another check after deployingRetryMs, until it is not deploying', async () => {
    const statuses: Report['status'][] = ['deploying', 'deploying', 'in_sync'];
    let calls = 0;
    const { s, delivered } = scheduler({
      targets: [target('a', { deployingRetryMs: 30 })],
      runCheck: async (t) => ({ ...report(t.name), status: statuses[calls++] ?? 'in_sync' }),
    });
    await s.runNow('a');
    await waitUntil(() => delivered.length === 3);
    await sleep(100);
    expect(delivered.map((r) => r.status)).toEqual(['deploying', 'deploying', 'in_sync']);
  });

  it('stop cancels a pending deploying retry', async () => {
    let calls = 0;
    const { s } = scheduler({
      targets: [target('a', { deployingRetryMs: 50 })],
      runCheck: async (t) => {
        calls += 1;
        return { ...report(t.name), status: 'deploying' };
      },
    });
    await s.runNow('a');
    await s.stop(100);
    await sleep(120);
    expect(calls).toBe(1);
  });
});

async function waitUntil(condition: () => boolean, limitMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('Scheduler: discovered targets come and go', () => {
  it('checks a target added after the start at once, and knows it', async () => {
    const checked: string[] = [];
    const { s, delivered } = scheduler({
      runCheck: async (t) => {
        checked.push(t.name);
        return report(t.name);
      },
    });
    await s.start();
    s.add(target('fleet.t1'));
    expect(s.has('fleet.t1')).toBe(true);
    await waitUntil(() => delivered.some((r) => r.target === 'fleet.t1'));
    expect(checked.sort()).toEqual(['a', 'fleet.t1']);
    expect(() => s.add(target('fleet.t1'))).toThrow(RangeError);
  });

  it('aborts the running check of a removed target: no report, no more runs, unknown afterwards', async () => {
    const started = deferred<void>();
    const { s, delivered } = scheduler({
      targets: [],
      runCheck: async (t, signal) => {
        started.resolve();
        await untilAborted(signal);
        return report(t.name, 'timeout');
      },
    });
    await s.start();
    s.add(target('fleet.t1'));
    await started.promise;
    await s.remove('fleet.t1');
    expect(s.has('fleet.t1')).toBe(false);
    expect(delivered).toEqual([]);
    await expect(s.runNow('fleet.t1')).rejects.toBeInstanceOf(UnknownTargetError);
  });

  it('removes a target still waiting for a slot without waiting for the check that holds the slot', async () => {
    const gate = deferred<void>();
    const checked: string[] = [];
    const { s, delivered } = scheduler({
      targets: [],
      concurrency: 1,
      runCheck: async (t) => {
        checked.push(t.name);
        await gate.promise;
        return report(t.name);
      },
    });
    await s.start();
    s.add(target('fleet.busy'));
    s.add(target('fleet.waiting'));
    await waitUntil(() => checked.length === 1);
    // Resolves while fleet.busy still holds the only slot (the gate opens only afterwards).
    await s.remove('fleet.waiting');
    expect(delivered).toEqual([]);
    gate.resolve();
    await waitUntil(() => delivered.length === 1);
    await sleep(20);
    // Never checked, never reported: only the check that held the slot.
    expect(checked).toEqual(['fleet.busy']);
    expect(delivered.map((r) => r.target)).toEqual(['fleet.busy']);
  });

  it('wakes a removed target sleeping before a retry: no retry, no report', async () => {
    const checked: string[] = [];
    const { s, delivered } = scheduler({
      targets: [],
      // A retry 10 minutes away: the removal below resolves long before it (or the test times out).
      retry: { attempts: 3, initialDelayMs: 600_000, maxDelayMs: 600_000 },
      runCheck: async (t) => {
        checked.push(t.name);
        return report(t.name, 'connect');
      },
    });
    await s.start();
    s.add(target('fleet.flaky'));
    await waitUntil(() => checked.length === 1);
    await s.remove('fleet.flaky');
    expect(checked).toEqual(['fleet.flaky']);
    expect(delivered).toEqual([]);
  });
});

describe('Scheduler: claims shared by replicas (a real PostgreSQL store)', () => {
  let db: TempDatabase;
  const stores: PgStore[] = [];
  beforeAll(async () => {
    db = await createTempPgDatabase('sdsched');
  });
  afterAll(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await db?.drop();
  });

  async function replica(
    name: string,
    schema: string,
    runCheck: SchedulerOptions['runCheck'],
    targets = [target('a', { schedule: '* * * * * *' })],
    extra: Partial<SchedulerOptions> = {},
  ) {
    const store = await PgStore.open({ url: db.url, schema, replica: name });
    stores.push(store);
    return scheduler({ targets, claims: store.claims, runCheck, ...extra });
  }

  it('three replicas on an every-second schedule: one check per round, never two at once', async () => {
    const schema = `sched_${Date.now()}`;
    const started: number[] = [];
    let running = 0;
    let overlapped = false;
    const enough = deferred<void>();
    const runCheck: SchedulerOptions['runCheck'] = async (t) => {
      running += 1;
      overlapped ||= running > 1;
      started.push(Date.now());
      await sleep(300);
      running -= 1;
      if (started.length >= 5) enough.resolve();
      return report(t.name);
    };
    const replicas = await Promise.all(['r1', 'r2', 'r3'].map((name) => replica(name, schema, runCheck)));
    await Promise.all(replicas.map(({ s }) => s.start()));
    await enough.promise;
    await Promise.all(replicas.map(({ s }) => s.stop(1_000)));
    expect(overlapped).toBe(false);
    // One check per second-long round (the start round included): never two starts in one round.
    const rounds = started.map((t) => Math.floor(t / 1_000));
    expect(new Set(rounds).size).toBe(rounds.length);
  });

  it("a manual check on one replica waits for another replica's running check, then runs", async () => {
    const schema = `sched_now_${Date.now()}`;
    const gate = deferred<void>();
    const entered = deferred<void>();
    const order: string[] = [];
    const first = await replica('r1', schema, async (t) => {
      order.push('r1 start');
      entered.resolve();
      await gate.promise;
      order.push('r1 end');
      return report(t.name);
    }, [target('a')]);
    const second = await replica('r2', schema, async (t) => {
      order.push('r2 start');
      return report(t.name);
    }, [target('a')]);
    const one = first.s.runNow('a');
    await entered.promise;
    const two = second.s.runNow('a');
    await sleep(600);
    expect(order).toEqual(['r1 start']);
    gate.resolve();
    await Promise.all([one, two]);
    expect(order).toEqual(['r1 start', 'r1 end', 'r2 start']);
  });

  it("a manual check waiting for another replica's check holds no slot and ends at once when its agent stops", async () => {
    const schema = `sched_wait_${Date.now()}`;
    const gate = deferred<void>();
    const entered = deferred<void>();
    const first = await replica('r1', schema, async (t) => {
      entered.resolve();
      await gate.promise;
      return report(t.name);
    }, [target('a', { checkTimeoutMs: 600_000 })]);
    const checked: string[] = [];
    const second = await replica('r2', schema, async (t) => {
      checked.push(t.name);
      return report(t.name);
    }, [target('a', { checkTimeoutMs: 600_000 }), target('b')], { concurrency: 1 });
    const one = first.s.runNow('a');
    await entered.promise;
    const waiting = second.s.runNow('a');
    waiting.catch(() => {});
    // r2's only slot is free for b while its check of a waits for r1's.
    await second.s.runNow('b');
    expect(checked).toEqual(['b']);
    // Stopping r2 ends the wait (r1's check of a still runs: the gate is shut).
    await second.s.stop(0);
    await expect(waiting).rejects.toBeInstanceOf(SchedulerStoppedError);
    expect(checked).toEqual(['b']);
    gate.resolve();
    await one;
  });

  it('a target discovered by every replica is checked by one of them', async () => {
    const schema = `sched_disc_${Date.now()}`;
    const checked: string[] = [];
    const runCheck: SchedulerOptions['runCheck'] = async (t) => {
      checked.push(t.name);
      return report(t.name);
    };
    const replicas = await Promise.all(['r1', 'r2', 'r3'].map((name) => replica(name, schema, runCheck, [])));
    await Promise.all(replicas.map(({ s }) => s.start()));
    // One after the other: the later ones find the round taken, not merely the target busy.
    for (const { s } of replicas) {
      s.add(target('fleet.new'));
      await waitUntil(() => s.status().every((st) => !st.running));
    }
    expect(checked).toEqual(['fleet.new']);
  });
});
