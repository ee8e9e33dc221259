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
import { Discovery } from './discovery.ts';
import { FleetView } from './fleet-view.ts';
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
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
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
  readonly store: Store;
  /** The discovered targets (`targets[].discover`), listed again on their intervals. */
  readonly discovery: Discovery;
  /** Resolves when the first check of every target has finished. */
  readonly firstChecks: Promise<void>;
  /** Stops scheduling, waits for running checks (bounded), closes the server and the store. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The newest report of each target and the newest one that compared, so a restart shows what was last known. Returns
 * the newest report id per target (what {@link followStore} compares against).
 */
async function restoreMetrics(
  metrics: Metrics,
  store: Store,
  targets: readonly { readonly name: string }[],
  /** Checked just before the gauges are set: false drops a target whose newer report arrived while the store was read. */
  stillNewest: (target: string, id: number) => boolean = () => true,
): Promise<Map<string, number>> {
  const reports: Report[] = [];
  const since = new Map<string, StatusSince>();
  const newest = new Map<string, number>();
  for (const { name } of targets) {
    const latest = await store.latest(name);
    if (!latest) continue;
    newest.set(name, latest.id);
    // Neither a failed check nor a deploy in flight compared anything: drift and changes come from the last that did.
    if (latest.status === 'error' || latest.status === 'deploying') {
      const success = (await store.list(name, { limit: 500 })).find((summary) => summary.status !== 'error' && summary.status !== 'deploying');
      const report = success ? await store.get(name, success.id) : null;
      if (report) reports.push(report);
    }
    reports.push(latest);
    const status = await store.statusSince(name);
    if (status) since.set(name, { ...status, driftSince: await store.driftSince(name) });
  }
  for (const [name, id] of newest) {
    if (stillNewest(name, id)) continue;
    newest.delete(name);
    since.delete(name);
  }
  const current = reports.filter((r) => newest.has(r.target)).sort((a, b) => a.id - b.id);
  metrics.restore(current, since);
  return newest;
}

/** How often the whole history is pruned (a save prunes only its own target). */
const PRUNE_ALL_INTERVAL_MS = 3_600_000;

/** How often a replica sharing the store reads the other replicas' new reports into its per-target gauges. */
export const FOLLOW_STORE_INTERVAL_MS = 10_000;

/**
 * With replicas sharing a store, each publishes every target's gauges (status, drift, changes) from the store's
 * newest reports, not only from the checks it ran itself, so whichever replica Prometheus scrapes says the same and
 * dashboards count each target once (`max without (instance, pod)`). Counters stay this replica's own. Returns a stop
 * function.
 */
function followStore(
  metrics: Metrics,
  store: Store,
  targets: () => readonly TargetConfig[],
  known: Map<string, number>,
  observe: (report: Report) => void,
  /** The store answered: a claim failure that made `/readyz` 503 is over. */
  storeAnswered: () => void,
  log: Logger,
): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy || !store.isOpen) return;
    busy = true;
    (async () => {
      const current = new Map(targets().map((t) => [t.name, t]));
      // One grouped query for every target's newest id (the store reads only the bodies it has not cached): not a
      // query per target every interval.
      const newer = (await store.latestAll()).filter((r) => current.has(r.target) && r.id > (known.get(r.target) ?? -1));
      storeAnswered();
      if (newer.length === 0) return;
      // A check of this replica's own may be stored while the store is read: its newer state is never overwritten.
      const stillNewest = (name: string, id: number): boolean => id > (known.get(name) ?? -1);
      const restored = await restoreMetrics(metrics, store, newer.map((r) => current.get(r.target)!), stillNewest);
      for (const [name, id] of restored) known.set(name, id);
      // The fleet view groups every replica's checks, not only this one's.
      for (const report of newer) if (restored.has(report.target)) observe(report);
    })()
      .catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'reading other agents\' reports from the store failed'))
      .finally(() => {
        busy = false;
      });
  }, FOLLOW_STORE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** When the target's current run of `deploying` reports began, or null when its last report is something else. */
async function deployingSince(store: Store, target: string): Promise<Date | null> {
  const status = await store.statusSince(target);
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
  const store = await openStore(config, log);
  // A discovering entry is a template, never checked itself: its targets come from `discovery.ts`.
  const configured = config.targets.filter((t) => !t.discover);
  const entries = config.targets.filter((t) => t.discover);
  /** Every target checked now: the configured ones, and the discovered ones while discovery lists them. */
  const targets = new Map(configured.map((t) => [t.name, t]));
  const fleetView = new FleetView();
  const metrics = createMetrics({
    targets: configured.map(({ name, labels }) => ({ name, labels })),
    labelNames: config.labelNames,
    version: options.version,
    fleets: entries.map((e) => e.name),
    fleetVariants: (fleet) => fleetView.variants(fleet),
  });
  let known: Map<string, number>;
  try {
    known = await restoreMetrics(metrics, store, configured);
  } catch (err) {
    await store.close().catch(() => {});
    await metrics.shutdown();
    throw err;
  }

  // With the PostgreSQL store the replayed desired schemas live in it: replicas share one replay.
  const cache = new DesiredCache<DesiredSchema>({
    ...(store.desiredCache ? { backend: store.desiredCache } : { directory: join(config.dataDir, 'desired-cache') }),
    onWarning: (message: string) => log.warn({}, message),
  });
  // PGlite's initialised data directory, kept across restarts so that no replay after the first runs initdb.
  const replayCacheDir = join(config.dataDir, 'replay-cache');
  /** Set by a failed save, cleared by the next one that succeeds: `/readyz` reports it. */
  let lastSaveFailure: SaveFailureReason | undefined;
  /** Set by a failed claim (the shared store did not answer), cleared by the next claim or save that succeeds. */
  let lastClaimFailure: SaveFailureReason | undefined;
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
    targets: configured,
    concurrency: config.concurrency,
    retry: config.retry,
    logger: log,
    ...(store.claims ? { claims: store.claims } : {}),
    onClaim: (err) => {
      if (err === undefined) {
        lastClaimFailure = undefined;
        return;
      }
      lastClaimFailure = saveFailureReason(err);
      metrics.recordClaimFailure(lastClaimFailure);
    },
    runCheck: async (target, signal) => {
      const since = await deployingSince(store, target.name);
      return idleRelease.run(() =>
        runCheck(target, { cache, logger: log, signal, openSession: options.openSession, replayCacheDir, deployingSince: since }),
      );
    },
    onReport: async (report) => {
      let id: number;
      try {
        id = await store.save(report);
        lastSaveFailure = undefined;
        lastClaimFailure = undefined;
      } catch (err) {
        const reason = saveFailureReason(err);
        lastSaveFailure = reason;
        metrics.recordSaveFailure(reason);
        log.error({ target: report.target, reason, err: err instanceof Error ? err.message : String(err) }, 'report not stored');
        throw new ReportNotStoredError(report.target, reason, { cause: err });
      }
      const stored: Report = { ...report, id };
      // A discovered target removed while its check ran has no series any more; its report is kept all the same.
      if (targets.has(stored.target)) {
        metrics.observe(stored);
        known.set(stored.target, id);
      }
      fleetView.observe(stored);
      // The report is stored: a retention pass that fails (a full disk can refuse the delete's journal too) is logged
      // and tried again after the next check, it does not turn a stored report into a failed request.
      let pruned = 0;
      try {
        pruned = await store.prune(config.retention, undefined, stored.target);
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
    targets: { list: () => [...targets.values()], get: (name) => targets.get(name) },
    fleets: { names: entries.map((e) => e.name), variants: (fleet) => fleetView.variants(fleet), size: (fleet) => fleetView.size(fleet) },
    metricsHandler: metrics.handler,
    ready: () => readiness(store, stopping !== undefined, lastSaveFailure, lastClaimFailure),
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
    await store.close();
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
    { address: httpUrl(scheme, bound, port), tls: scheme === 'https', ...(config.web ? { webConfigFile: config.web.file } : {}), targets: config.targets.length, dataDir: config.dataDir, store: store.display, demo: options.demo ?? false },
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
      configured.map(async (target) => {
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
  const discovery = new Discovery({
    entries,
    reserved: new Set(configured.map((t) => t.name)),
    logger: log,
    onAdded: async (target) => {
      targets.set(target.name, target);
      metrics.addTarget({ name: target.name, labels: target.labels });
      // What the store last said of it, before its first check here can report anything newer.
      try {
        for (const [name, id] of await restoreMetrics(metrics, store, [target])) known.set(name, id);
        fleetView.add(target.tenant?.fleet ?? target.name, target.name, await store.latest(target.name));
      } catch (err) {
        fleetView.add(target.tenant?.fleet ?? target.name, target.name);
        log.warn({ target: target.name, err: err instanceof Error ? err.message : String(err) }, 'report store: reading the last report of a discovered target failed');
      }
      scheduler.add(target);
    },
    onRemoved: async (name) => {
      targets.delete(name);
      known.delete(name);
      fleetView.remove(name);
      metrics.removeTarget(name);
      await scheduler.remove(name);
    },
    onListed: (fleet, listing) => metrics.recordDiscovery(fleet, listing),
  });
  // The first listing before the first round, so the round checks the discovered targets too.
  await discovery.start();
  const firstChecks = scheduler.start();
  const storeAnswered = (): void => {
    lastClaimFailure = undefined;
  };
  const unfollow = store.claims
    ? followStore(metrics, store, () => [...targets.values()], known, (report) => fleetView.observe(report), storeAnswered, log)
    : () => {};
  // A save prunes only its own target; the whole history (targets no longer configured or discovered too) is pruned at
  // start and every hour.
  const pruneAll = (): void => {
    store
      .prune(config.retention)
      .then((pruned) => (pruned ? log.info({ pruned }, 'report store: pruned') : undefined))
      .catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'report store: pruning failed'));
  };
  pruneAll();
  const pruneTimer = setInterval(pruneAll, PRUNE_ALL_INTERVAL_MS);
  pruneTimer.unref();
  const watch = new Watch({
    targets: configured,
    onChange: (name) => scheduler.schemaChanged(name),
    onRead: (name, read) => metrics.recordWatch(name, read),
    logger: log,
    ...(options.openSession ? { openSession: options.openSession } : {}),
  });
  watch.start();

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      log.info({}, 'stopping: no new checks, waiting for running ones');
      discovery.stop();
      await watch.stop();
      unfollow();
      clearInterval(pruneTimer);
      await scheduler.stop(options.stopGraceMs ?? 30_000, options.stopAbortGraceMs);
      idleRelease.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await metrics.shutdown();
      await store.close();
      lock.release();
      log.info({}, 'stopped');
    })());
  return { url, scheduler, store, firstChecks, discovery, stop };
}

/**
 * `/readyz`: the configuration is loaded (we would not be running otherwise), the store is open and its last save
 * succeeded, no stop begun.
 */
function readiness(store: Store, stopping: boolean, saveFailure: SaveFailureReason | undefined, claimFailure: SaveFailureReason | undefined): Readiness {
  if (stopping) return { ready: false, reason: 'stopping' };
  if (!store.isOpen) return { ready: false, reason: 'report store closed' };
  if (saveFailure) return { ready: false, reason: `the last report could not be stored (${saveFailure})` };
  // Checks are claimed through the shared store before they run: while it is unreachable none runs.
  if (claimFailure) return { ready: false, reason: `the report store is unreachable: checks cannot be claimed (${claimFailure})` };
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
