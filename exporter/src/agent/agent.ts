/**
 * The agent: `schema-drift serve`. Wires the configuration to the report store, the metrics, the scheduler and the
 * HTTP server, and stops them in order.
 *
 * At start: open the store, restore the metrics from the stored history, test each target's connection (logged; a
 * down target does not stop the agent), listen, then run a first check of every target, follow their schedules and
 * watch their schema fingerprints (`watch.ts`), checking at once when one changes.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { AgentConfig, TargetConfig } from '../config/types.ts';
import { ConfigError } from '../core/errors.ts';
import { IdleMemoryRelease, releaseMemory } from './memory.ts';
import { runCheck, type DesiredSchema } from './run-check.ts';
import { Scheduler } from './scheduler.ts';
import { Semaphore } from './semaphore.ts';
import { Watch } from './watch.ts';
import { formatConnectionTest, testConnection } from './test-connection.ts';
import { DesiredCache } from '../engine/desired-cache.ts';
import { createApp } from '../http/app.ts';
import { openToTheNetwork } from '../http/exposure.ts';
import { createTlsServer } from '../http/tls.ts';
import type { Readiness } from '../http/deps.ts';
import type { Logger } from '../log.ts';
import { createMetrics, type Metrics, type StatusSince } from '../metrics/metrics.ts';
import type { Report } from '../core/model/report.ts';
import type { LiveSession } from '../dialects/dialect.ts';
import { type DataDirLock, lockDataDir } from '../store/data-dir-lock.ts';
import { ReportStore } from '../store/report-store.ts';
import { ReportNotStoredError, saveFailureReason, type SaveFailureReason } from '../store/save-failure.ts';

/** How the agent runs besides its configuration: logger, version, and the demo's in-process sessions. */
export interface AgentOptions {
  readonly logger: Logger;
  readonly version: string;
  /** Demo mode: labelled as such, sessions on embedded databases. */
  readonly demo?: boolean;
  readonly openSession?: (target: TargetConfig) => Promise<LiveSession>;
  /** How long `stop()` waits for running checks before aborting them. */
  readonly stopGraceMs?: number;
  /** How long `stop()` then waits for the aborted checks to wind down (default: the scheduler's abort grace). */
  readonly stopAbortGraceMs?: number;
}

/** A started agent, as `startAgent` returns it once it listens. */
export interface RunningAgent {
  /** `http://host:port` (`https://` with TLS) the agent listens on. */
  readonly url: string;
  readonly scheduler: Scheduler;
  readonly store: ReportStore;
  /** Resolves when the first check of every target has finished. */
  readonly firstChecks: Promise<void>;
  /** Stops scheduling, waits for running checks (bounded), closes the server and the store. Safe to call twice. */
  stop(): Promise<void>;
}

/** The newest report of each target and the newest one that compared, so a restart shows what was last known. */
function restoreMetrics(metrics: Metrics, store: ReportStore, targets: readonly TargetConfig[]): void {
  const reports: Report[] = [];
  const since = new Map<string, StatusSince>();
  for (const { name } of targets) {
    const latest = store.latest(name);
    if (!latest) continue;
    // Neither a failed check nor a deploy in flight compared anything: drift and changes come from the last that did.
    if (latest.status === 'error' || latest.status === 'deploying') {
      const success = store.list(name, { limit: 500 }).find((summary) => summary.status !== 'error' && summary.status !== 'deploying');
      const report = success ? store.get(name, success.id) : null;
      if (report) reports.push(report);
    }
    reports.push(latest);
    const status = store.statusSince(name);
    if (status) since.set(name, { ...status, driftSince: store.driftSince(name) });
  }
  reports.sort((a, b) => a.id - b.id);
  metrics.restore(reports, since);
}

/** When the target's current run of `deploying` reports began, or null when its last report is something else. */
function deployingSince(store: ReportStore, target: string): Date | null {
  const status = store.statusSince(target);
  return status?.status === 'deploying' ? new Date(status.since) : null;
}

/**
 * Starts the agent; returns once it listens.
 * @throws StoreError naming the other agent's pid when another agent holds the data directory.
 */
export async function startAgent(config: AgentConfig, options: AgentOptions): Promise<RunningAgent> {
  // Taken before the store is opened: a second agent reads and writes nothing in the data directory.
  const lock = lockDataDir(config.dataDir);
  try {
    return await startLocked(config, options, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function startLocked(config: AgentConfig, options: AgentOptions, lock: DataDirLock): Promise<RunningAgent> {
  const log = options.logger;
  const store = ReportStore.open(config.dataDir, { logger: log });
  const metrics = createMetrics({
    targets: config.targets.map(({ name, labels }) => ({ name, labels })),
    labelNames: config.labelNames,
    version: options.version,
  });
  restoreMetrics(metrics, store, config.targets);

  const cache = new DesiredCache<DesiredSchema>({
    directory: join(config.dataDir, 'desired-cache'),
    onWarning: (message: string) => log.warn({}, message),
  });
  // PGlite's initialised data directory, kept across restarts so that no replay after the first runs initdb.
  const replayCacheDir = join(config.dataDir, 'replay-cache');
  /** Set by a failed save, cleared by the next one that succeeds: `/readyz` reports it. */
  let lastSaveFailure: SaveFailureReason | undefined;
  // A large check leaves V8 holding hundreds of MB it no longer uses: given back once no check has run for 2 s.
  const idleRelease = new IdleMemoryRelease({
    release: () => {
      const rssBefore = process.memoryUsage.rss();
      const started = performance.now();
      if (!releaseMemory()) return;
      const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);
      log.debug({ rssBeforeMb: mb(rssBefore), rssAfterMb: mb(process.memoryUsage.rss()), ms: Math.round(performance.now() - started) }, 'idle: memory released');
    },
  });
  const scheduler = new Scheduler({
    targets: config.targets,
    concurrency: config.concurrency,
    retry: config.retry,
    logger: log,
    runCheck: (target, signal) =>
      idleRelease.run(() =>
        runCheck(target, { cache, logger: log, signal, openSession: options.openSession, replayCacheDir, deployingSince: deployingSince(store, target.name) }),
      ),
    onReport: (report) => {
      let id: number;
      try {
        id = store.save(report);
        lastSaveFailure = undefined;
      } catch (err) {
        const reason = saveFailureReason(err);
        lastSaveFailure = reason;
        metrics.recordSaveFailure(reason);
        log.error({ target: report.target, reason, err: err instanceof Error ? err.message : String(err) }, 'report not stored');
        throw new ReportNotStoredError(report.target, reason, { cause: err });
      }
      const stored: Report = { ...report, id };
      metrics.observe(stored);
      // The report is stored: a retention pass that fails (a full disk can refuse the delete's journal too) is logged
      // and tried again after the next check, it does not turn a stored report into a failed request.
      let pruned = 0;
      try {
        pruned = store.prune(config.retention);
      } catch (err) {
        log.warn({ target: stored.target, err: err instanceof Error ? err.message : String(err) }, 'report store: pruning failed');
      }
      log.info(
        { target: stored.target, status: stored.status, changes: stored.counts.total, reportId: stored.id, durationMs: stored.durationMs, ...(stored.error ? { reason: stored.error.reason, error: stored.error.message } : {}), ...(pruned ? { pruned } : {}) },
        // The scheduler already logs "check finished"/"check failed"; this line adds what only the store knows.
        'report stored',
      );
      return stored;
    },
  });

  // Declared before the server listens: /readyz reads it, and a load balancer should drain while checks finish.
  let stopping: Promise<void> | undefined;
  const app = createApp({
    config,
    store,
    scheduler,
    metricsHandler: metrics.handler,
    ready: () => readiness(store, stopping !== undefined, lastSaveFailure),
    version: options.version,
    demo: options.demo,
    log,
  });
  let server: Server;
  try {
    const tls = config.web?.tls;
    server = await listen(tls ? createTlsServer(app, tls, log) : createHttpServer(app), config.listen.host, config.listen.port);
  } catch (err) {
    // Nothing else holds them yet: give the store and the meter back before the data directory's lock goes.
    store.close();
    await metrics.shutdown();
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;
  const bound = typeof address === 'object' && address ? address.address : config.listen.host;
  // `url` is where a local client reaches it (the demo prints it); the log says what was actually bound.
  const host = bound === '0.0.0.0' || bound === '::' ? '127.0.0.1' : bound;
  const scheme = config.web?.tls ? 'https' : 'http';
  const url = httpUrl(scheme, host, port);
  // Not under `url`: the logger redacts that key (it could hold a connection string); this address is no secret.
  log.info(
    { address: httpUrl(scheme, bound, port), tls: scheme === 'https', ...(config.web ? { webConfigFile: config.web.file } : {}), targets: config.targets.length, dataDir: config.dataDir, demo: options.demo ?? false },
    'listening',
  );
  if (openToTheNetwork(config)) {
    log.warn(
      { address: httpUrl(scheme, bound, port) },
      'listening beyond loopback with no bearerToken and no basic auth: anyone who can reach this address can read the reports and start checks; ' +
        'hosts and users of the targets are hidden from the landing page and the API. Set basic_auth_users (and tls_server_config) in a web ' +
        'configuration file (--web.config.file or webConfigFile), or bearerToken, or listen on 127.0.0.1',
    );
  }

  if (!options.openSession) {
    // No more connections at once than checks may open (`concurrency`): a fleet's start must not stampede its servers.
    const slots = new Semaphore(config.concurrency);
    const results = await Promise.all(
      config.targets.map(async (target) => {
        const release = await slots.acquire();
        try {
          return await testConnection(target);
        } finally {
          release();
        }
      }),
    );
    for (const result of results) {
      const line = formatConnectionTest(result);
      if (result.ok) log.info({ target: result.target }, line);
      else log.warn({ target: result.target, reason: result.error?.reason }, line);
    }
  }
  const firstChecks = scheduler.start();
  const watch = new Watch({
    targets: config.targets,
    onChange: (name) => scheduler.schemaChanged(name),
    onRead: (name, read) => metrics.recordWatch(name, read),
    logger: log,
    ...(options.openSession ? { openSession: options.openSession } : {}),
  });
  watch.start();

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      log.info({}, 'stopping: no new checks, waiting for running ones');
      await watch.stop();
      await scheduler.stop(options.stopGraceMs ?? 30_000, options.stopAbortGraceMs);
      idleRelease.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await metrics.shutdown();
      store.close();
      lock.release();
      log.info({}, 'stopped');
    })());
  return { url, scheduler, store, firstChecks, stop };
}

/**
 * `/readyz`: the configuration is loaded (we would not be running otherwise), the store is open and its last save
 * succeeded, no stop begun.
 */
function readiness(store: ReportStore, stopping: boolean, saveFailure: SaveFailureReason | undefined): Readiness {
  if (stopping) return { ready: false, reason: 'stopping' };
  if (!store.isOpen) return { ready: false, reason: 'report store closed' };
  if (saveFailure) return { ready: false, reason: `the last report could not be stored (${saveFailure})` };
  return { ready: true };
}

function httpUrl(scheme: 'http' | 'https', host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function listen(server: Server, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('listening', () => resolve(server));
    server.once('error', (err) => reject(listenError(err, host, port)));
    server.listen(port, host);
  });
}

/**
 * Fails at once when `host:port` cannot be listened on (in use, not allowed), before a set-up that takes seconds (the
 * demo deploys two embedded databases first): binds a server and closes it again. Port 0 always succeeds.
 * @throws ConfigError naming the address and what to change.
 */
export function assertCanListen(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => reject(listenError(err, host, port)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

function listenError(err: unknown, host: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (code === 'EADDRINUSE') {
    return new ConfigError(`listen ${address}: the address is already in use (another schema-drift agent?); choose another with --port or the configuration's listen`, {}, { cause: err });
  }
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return new ConfigError(`listen ${address}: cannot listen there (${code}); choose another address with --port or the configuration's listen`, {}, { cause: err });
  }
  return err as Error;
}
