/**
 * The watch: per target, every `watchMs`, one cheap read-only query for a fingerprint of the schema
 * (`LiveSession.fingerprint`); when it changes, a full check runs at once (`Scheduler.schemaChanged`, within the
 * concurrency limit). The cron schedule stays as the safety net: a change the fingerprint cannot see (see the
 * dialects' `fingerprint.ts`) is still found by the next scheduled check.
 *
 * Connections: one short session per tick, opened, read and closed, rather than a kept one. Our sessions are one
 * read-only `REPEATABLE READ` (PostgreSQL) or consistent-snapshot (MySQL) transaction, whose snapshot would never see
 * a later DDL statement, and the server ends a session idle in a transaction after the statement limit anyway
 * (`connection/limits.ts`); a session per tick also picks up a rotated password file and holds nothing between ticks.
 * At most one read per target is in flight, so the watch adds at most one connection per target; each read runs under
 * the target's connect and statement limits, and its time goes to `schema_drift_watch_seconds_total`.
 *
 * MySQL/MariaDB: the dialect's gate (the server's DDL counters) may answer a read without the fingerprint query once
 * the counters have been still for max(2 × `watchMs`, 60 s) (`gateQuietMs`); `watchCounters: false` turns it off.
 * Reads that ran the query are counted (`schema_drift_watch_full_queries_total`); a gate that could not be read is
 * logged once per run of such reads, at debug level.
 *
 * Besides the schema, each read takes the migration tool's revision state (version, flags, lock): a deploy's last
 * step writes a row, not DDL, and the check its DDL started may have run before that row was there.
 *
 * The first read after start is the baseline (the start-up check covers what came before). A failed read is counted
 * (`schema_drift_watch_errors_total`), logged once per run of failures, and leaves the baseline as it was. Nothing
 * here writes to a database.
 */
import type { TargetConfig } from '../config/types.ts';
import type { LiveSession, SchemaFingerprint } from '../dialects/dialect.ts';
import { FULL_QUERY_EVERY_MS, gateQuietMs } from '../dialects/dialect.ts';
import { dialectNamed } from '../dialects/registry.ts';
import type { RevisionState } from '../revision/revision-state.ts';
import { type CheckLogger, silentLogger } from './logger.ts';

/** One fingerprint read, as the metrics record it. */
export interface WatchRead {
  readonly seconds: number;
  readonly failed: boolean;
  /** Whether the fingerprint query ran (false: the dialect's gate let the previous fingerprint stand). */
  readonly queried?: boolean;
  /** Unix seconds, when the fingerprint differed from the previous one. */
  readonly changedAt?: number;
}

/** Options of {@link Watch}. */
export interface WatchOptions {
  /** Targets with `watchMs` 0 are not watched. */
  readonly targets: readonly TargetConfig[];
  /** The fingerprint of `target` changed (typically `Scheduler.schemaChanged`). */
  readonly onChange: (target: string) => void;
  /** Every read (typically `Metrics.recordWatch`). */
  readonly onRead?: (target: string, read: WatchRead) => void;
  readonly logger?: CheckLogger;
  /** Opens the read-only session instead of the dialect's `connect` (the demo's embedded databases). */
  readonly openSession?: (target: TargetConfig) => Promise<LiveSession>;
  readonly now?: () => number;
}

interface Watched {
  readonly target: TargetConfig;
  last: string | null;
  /** The schema part of the last read, handed back to the dialect (its cheap gate, `SchemaFingerprint.gate`). */
  lastSchema: SchemaFingerprint | null;
  failing: boolean;
  /** The dialect's gate could not be read on the last read (logged once per run of such reads). */
  gateFailing: boolean;
  timer: NodeJS.Timeout | null;
  reading: Promise<void> | null;
}

/** Watches the targets' schema fingerprints; `start()` once, `stop()` before closing the store. */
export class Watch {
  readonly #options: WatchOptions;
  readonly #log: CheckLogger;
  readonly #now: () => number;
  readonly #watched: Watched[];
  readonly #stopping = new AbortController();

  constructor(options: WatchOptions) {
    this.#options = options;
    this.#log = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    this.#watched = options.targets
      .filter((target) => target.watchMs > 0)
      .map((target) => ({ target, last: null, lastSchema: null, failing: false, gateFailing: false, timer: null, reading: null }));
  }

  /** Names of the watched targets. */
  get targets(): string[] {
    return this.#watched.map((w) => w.target.name);
  }

  /** Takes each watched target's baseline now, then reads every `watchMs`. */
  start(): void {
    for (const watched of this.#watched) this.#tick(watched);
  }

  /** Stops the timers and waits for reads in flight (their sessions are dropped at once). Safe to call twice. */
  async stop(): Promise<void> {
    this.#stopping.abort(new Error('the watch is stopping'));
    for (const watched of this.#watched) {
      if (watched.timer) clearTimeout(watched.timer);
      watched.timer = null;
    }
    await Promise.all(this.#watched.map((w) => w.reading ?? Promise.resolve()));
  }

  #tick(watched: Watched): void {
    if (this.#stopping.signal.aborted) return;
    watched.reading = this.#read(watched).finally(() => {
      watched.reading = null;
      if (this.#stopping.signal.aborted) return;
      watched.timer = setTimeout(() => this.#tick(watched), watched.target.watchMs);
      watched.timer.unref();
    });
  }

  async #read(watched: Watched): Promise<void> {
    const { target } = watched;
    const started = this.#now();
    let fingerprint: SchemaFingerprint & { schema: SchemaFingerprint };
    try {
      fingerprint = await this.#fingerprint(target, watched.lastSchema);
    } catch (err) {
      if (this.#stopping.signal.aborted) return;
      this.#options.onRead?.(target.name, { seconds: (this.#now() - started) / 1000, failed: true });
      const fields = { target: target.name, err: err instanceof Error ? err.message : String(err) };
      if (!watched.failing) this.#log.warn(fields, 'watch: could not read the schema fingerprint (the scheduled checks go on)');
      else this.#log.debug(fields, 'watch: fingerprint read failed again');
      watched.failing = true;
      return;
    }
    const finished = this.#now();
    if (watched.failing) this.#log.info({ target: target.name }, 'watch: reading the schema fingerprint again');
    watched.failing = false;
    const changed = watched.last !== null && watched.last !== fingerprint.value;
    watched.last = fingerprint.value;
    watched.lastSchema = fingerprint.schema;
    const { gateError } = fingerprint.schema;
    if (gateError !== undefined && !watched.gateFailing) {
      this.#log.debug({ target: target.name, err: gateError }, 'watch: could not read the DDL counters (the full query runs)');
    }
    watched.gateFailing = gateError !== undefined;
    this.#options.onRead?.(target.name, {
      seconds: (finished - started) / 1000,
      failed: false,
      queried: fingerprint.schema.queried !== false,
      ...(changed ? { changedAt: finished / 1000 } : {}),
    });
    if (!changed) return;
    this.#log.info({ target: target.name, classes: fingerprint.classes }, 'watch: the schema changed: checking now');
    this.#options.onChange(target.name);
  }

  async #fingerprint(target: TargetConfig, previous: SchemaFingerprint | null): Promise<SchemaFingerprint & { schema: SchemaFingerprint }> {
    const open = this.#options.openSession;
    const session = open
      ? await open(target)
      : await dialectNamed(target.dialect).connect({
          url: target.url,
          target: target.name,
          ...(target.passwordFile !== undefined ? { passwordFile: target.passwordFile } : {}),
          ...(target.passwordSource ? { passwordSource: target.passwordSource } : {}),
          connectTimeoutMs: target.connectTimeoutMs,
          statementTimeoutMs: target.statementTimeoutMs,
          signal: this.#stopping.signal,
          applicationName: 'schema-drift watch',
        });
    try {
      const gate = target.watchCounters === false ? false : { quietMs: gateQuietMs(target.watchMs), fullQueryEveryMs: FULL_QUERY_EVERY_MS };
      const schema = await session.fingerprint({ ...(target.schemas ? { schemas: target.schemas } : {}), previous, gate });
      // The revision table is rows, not DDL: a deploy's last step (the tool writing its version) changes no catalog,
      // yet the check that ran on its DDL may have seen the migration's objects without the version that explains
      // them. So the revision state is part of what is watched, and so is a migration tool's lock being taken.
      const revision = revisionDigest(await session.readRevision());
      return { value: `${schema.value}/${revision}`, classes: schema.classes, schema };
    } finally {
      await session.close().catch(() => {});
    }
  }
}

/** What of a revision state a deploy changes: the version, its flags, how many migrations are recorded. */
function revisionDigest(revision: RevisionState | null): string {
  if (!revision) return 'none';
  const { tool, table, version, dirty, deploying, appliedVersions, appliedKeys } = revision;
  return JSON.stringify([tool, table, version, dirty, deploying !== undefined, appliedVersions.length, appliedKeys?.length ?? 0]);
}
