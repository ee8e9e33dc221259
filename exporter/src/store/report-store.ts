/**
 * The report history: every check's report in `<dataDir>/reports.sqlite`, on Node's built-in `node:sqlite` (no
 * native addon, no external service).
 *
 * Durability: WAL journal with `synchronous = FULL`. WAL alone already makes a killed process harmless (a commit is
 * in the WAL before `save` returns, and a half-written transaction is ignored on the next open); FULL adds an fsync of
 * the WAL at every commit so a power cut or kernel crash cannot roll back a report that `save` returned an id for.
 * NORMAL would skip that fsync, but a save happens a few times a day per target and already spends ~100 ms
 * compressing a large report, so the fsync's few milliseconds buy "a restart loses nothing" for free.
 *
 * The file is never recreated: an unreadable or foreign file is a {@link StoreError} naming it, because starting over
 * would silently throw the history away.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { ConfigError, type ErrorContext } from '../core/errors.ts';
import type { Report } from '../core/model/report.ts';
import { migrateStore, STORE_SCHEMA_VERSION, storeVersion } from './migrations.ts';
import { decodeReportJson, encodeReportJson } from './report-codec.ts';
import {
  reportColumns,
  SUMMARY_COLUMNS,
  toSummary,
  toTransition,
  type BodyRow,
  type ReportSummary,
  type StateRow,
  type StatusSince,
  type StatusTransition,
  type SummaryRow,
  type TransitionRow,
} from './report-rows.ts';

export type { ReportSummary, StatusSince, StatusTransition } from './report-rows.ts';

/** File name of the store inside the data directory. */
export const REPORT_STORE_FILE = 'reports.sqlite';

/** Default page size of {@link ReportStore.list} and {@link ReportStore.transitions}. */
export const DEFAULT_LIST_LIMIT = 50;

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
const DAY_MS = 86_400_000;

/** The store cannot be opened, read or written. A `ConfigError`: at start it means the data directory is unusable. */
export class StoreError extends ConfigError {
  override name = 'StoreError';
}

/** The part of a pino logger the store uses. */
export interface StoreLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Options of {@link ReportStore.open}. */
export interface ReportStoreOptions {
  readonly logger?: StoreLogger;
  /** How long a statement waits for another connection's lock; default 5 s. */
  readonly busyTimeoutMs?: number;
  /** Run `PRAGMA quick_check` at open so damage is reported at start rather than on some later read; default true. */
  readonly verify?: boolean;
}

/** Retention: a report is deleted when it is older than `maxAgeDays` OR beyond the newest `maxReportsPerTarget`. */
export interface RetentionPolicy {
  /** Positive; `Infinity` = no age limit. */
  readonly maxAgeDays: number;
  /** Positive integer; `Infinity` = no count limit. */
  readonly maxReportsPerTarget: number;
}

/** Paging of {@link ReportStore.list}: newest first, `beforeId` continues below the last id seen. */
export interface ListOptions {
  readonly limit?: number;
  readonly beforeId?: number;
}

/** Report history on SQLite. Synchronous: every call completes before it returns. */
export class ReportStore {
  /** Absolute path of the SQLite file. */
  readonly file: string;
  readonly #db: DatabaseSync;
  readonly #logger: StoreLogger | undefined;
  readonly #stmts: ReturnType<typeof prepareStatements>;
  #closed = false;
  /** Parsed newest report per target, reused while it is still the newest (see `latest`). */
  readonly #latest = new Map<string, Report>();

  private constructor(file: string, db: DatabaseSync, logger: StoreLogger | undefined) {
    this.file = file;
    this.#db = db;
    this.#logger = logger;
    this.#stmts = prepareStatements(db);
  }

  /**
   * Opens (creating when missing) `<dataDir>/reports.sqlite` and brings its tables to the current version.
   * Throws {@link StoreError} naming the file when it cannot be created, is not a SQLite database, is damaged, belongs
   * to something else or was written by a newer schema-drift.
   */
  static open(dataDir: string, options: ReportStoreOptions = {}): ReportStore {
    const file = path.resolve(dataDir, REPORT_STORE_FILE);
    try {
      // Owner-only, like the reports inside: schemas, SQL and error text are sensitive.
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new StoreError(`report store: cannot create data directory: ${messageOf(err)}`, { file }, { cause: err });
    }
    try {
      // A missing file is created 0600 before SQLite opens it (an existing one keeps its mode, and its bytes); SQLite
      // gives the -wal and -shm files the database file's mode.
      closeSync(openSync(file, 'a', 0o600));
    } catch (err) {
      throw new StoreError(`report store cannot be created: ${messageOf(err)}`, { file }, { cause: err });
    }
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(file, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
      // Everything that could refuse the file runs before the first write: a refused file is left byte for byte.
      if (options.verify ?? true) verifyIntegrity(db);
      const from = storeVersion(db);
      configure(db, from === 0);
      migrateStore(db, from);
      if (from !== STORE_SCHEMA_VERSION) {
        options.logger?.info({ file, from, to: STORE_SCHEMA_VERSION }, 'report store schema migrated');
      }
      return new ReportStore(file, db, options.logger);
    } catch (err) {
      closeQuietly(db);
      throw new StoreError(`report store cannot be opened: ${messageOf(err)}`, { file }, { cause: err });
    }
  }

  /** Stores a report in one transaction and returns its new id; the stored JSON carries that id. */
  save(report: Report): number {
    const context = { target: report.target, file: this.file };
    const db = this.#open(context);
    const columns = this.#wrap(context, 'invalid report', () => reportColumns(report));
    return this.#wrap(context, 'saving a report failed', () => {
      db.exec('BEGIN IMMEDIATE');
      try {
        const prev = this.#stmts.state.get(report.target) as StateRow | undefined;
        const seq = this.#stmts.sequence.get() as { seq: number } | undefined;
        const id = (seq?.seq ?? 0) + 1;
        const body = encodeReportJson(JSON.stringify({ ...report, id }));
        this.#stmts.insert.run({
          ...columns,
          id,
          ...derivedState(prev, report, columns.finished_at),
          report_encoding: body.encoding,
          report_json: body.value,
        });
        db.exec('COMMIT');
        return id;
      } catch (err) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  /**
   * The target's newest report, or null when it has none. Grafana polls views built from it: the parsed report is
   * kept per target and reused while its id is still the newest (one indexed summary read instead of inflating and
   * parsing the whole JSON, which runs to tens of MB at 10,000 tables). Treat it as immutable.
   */
  latest(target: string): Report | null {
    const newest = this.list(target, { limit: 1 })[0];
    const cached = this.#latest.get(target);
    if (newest && cached?.id === newest.id) return cached;
    const row = this.#read({ target }, () => this.#stmts.latest.get(target)) as BodyRow | undefined;
    const report = row ? this.#parse(target, row) : null;
    if (report) this.#latest.set(target, report);
    else this.#latest.delete(target);
    return report;
  }

  /**
   * The newest report of every target that has one, ordered by target name: one indexed read of the newest ids, and
   * the body only of those not in the {@link latest} cache.
   */
  latestAll(): Report[] {
    const newest = this.#read({}, () => this.#stmts.newestIds.all()) as unknown as { target: string; id: number }[];
    return newest.flatMap(({ target, id }) => {
      const cached = this.#latest.get(target);
      if (cached?.id === id) return [cached];
      const row = this.#read({ target }, () => this.#stmts.byId.get(id, target)) as BodyRow | undefined;
      if (!row) return [];
      const report = this.#parse(target, row);
      this.#latest.set(target, report);
      return [report];
    });
  }

  /** The report `id` if it belongs to `target`; null otherwise (another target's id is "not found", not a leak). */
  get(target: string, id: number): Report | null {
    if (!Number.isSafeInteger(id)) return null;
    const row = this.#read({ target }, () => this.#stmts.byId.get(id, target)) as BodyRow | undefined;
    return row ? this.#parse(target, row) : null;
  }

  /** The target's history, newest first, without the heavy fields. */
  list(target: string, options: ListOptions = {}): ReportSummary[] {
    const limit = checkLimit(options.limit);
    const before = options.beforeId ?? Number.MAX_SAFE_INTEGER;
    const rows = this.#read({ target }, () => this.#stmts.list.all(target, before, limit));
    return (rows as unknown as SummaryRow[]).map(toSummary);
  }

  /** The target's status changes, newest first; the first report of a target is a transition from null. */
  transitions(target: string, options: { readonly limit?: number } = {}): StatusTransition[] {
    const limit = checkLimit(options.limit);
    const rows = this.#read({ target }, () => this.#stmts.transitions.all(target, limit));
    return (rows as unknown as TransitionRow[]).map(toTransition);
  }

  /** The target's current status and since when it has held without a break; null when it has no report. */
  statusSince(target: string): StatusSince | null {
    const row = this.#read({ target }, () => this.#stmts.state.get(target)) as StateRow | undefined;
    return row ? { status: row.status, since: row.status_since } : null;
  }

  /**
   * When the target's current drift began, or null when its last successful check found none. A check found drift
   * when it listed changes (status `drift`, or `dirty` with changes); failed checks (`error`) and deploys in flight
   * (`deploying`) neither end nor start a drift: they did not compare. This is `schema_drift_drift_since_timestamp_seconds`, and matches `schema_drift_detected`.
   */
  driftSince(target: string): string | null {
    const row = this.#read({ target }, () => this.#stmts.state.get(target)) as StateRow | undefined;
    return row?.drift_since ?? null;
  }

  /**
   * Deletes reports older than `maxAgeDays` or beyond the newest `maxReportsPerTarget` of their target; each
   * target's newest report is always kept. Status-since, drift-since and transitions' `from` were computed at save
   * time, so pruning never changes them. Returns the number of reports deleted.
   */
  prune(retention: RetentionPolicy, now: Date = new Date(), target?: string): number {
    const context = { file: this.file };
    const db = this.#open(context);
    const bounds = this.#wrap(context, 'invalid retention', () => retentionBounds(retention, now));
    const deleted = this.#wrap(context, 'pruning failed', () => {
      const result = target === undefined ? this.#stmts.prune.run(bounds) : this.#stmts.pruneTarget.run({ ...bounds, target });
      reclaimSpace(db);
      return Number(result.changes);
    });
    if (deleted > 0) this.#logger?.info({ file: this.file, deleted, ...bounds }, 'report store pruned');
    return deleted;
  }

  /** Whether the store can be read and written (not closed yet); `/readyz` reports it. */
  get isOpen(): boolean {
    return !this.#closed;
  }

  /** Closes the database (checkpointing the WAL). Further calls throw; closing twice is harmless. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #open(context: ErrorContext): DatabaseSync {
    if (this.#closed) throw new StoreError('report store is closed', context);
    return this.#db;
  }

  #read<T>(context: ErrorContext, fn: () => T): T {
    this.#open({ ...context, file: this.file });
    return this.#wrap({ ...context, file: this.file }, 'reading failed', fn);
  }

  #wrap<T>(context: ErrorContext, what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`report store: ${what}: ${messageOf(err)}`, context, { cause: err });
    }
  }

  #parse(target: string, row: BodyRow): Report {
    return this.#wrap({ target, file: this.file }, `report ${row.id} is unreadable`, () => {
      const report = JSON.parse(decodeReportJson(row.report_encoding, row.report_json)) as Report;
      return report.id === row.id ? report : { ...report, id: row.id };
    });
  }
}

/** `PRAGMA quick_check`: damage is reported at start rather than on some later read. */
function verifyIntegrity(db: DatabaseSync): void {
  // The first read of the header happens here: a file that is not SQLite fails with "file is not a database".
  const rows = db.prepare('PRAGMA quick_check(3)').all() as { quick_check: string }[];
  // Rows may hold several lines and a "*** in database main ***" header; the message must stay one line.
  const problems = rows
    .flatMap((r) => r.quick_check.split('\n'))
    .filter((line) => line !== 'ok' && !line.startsWith('***'));
  if (problems.length) throw new Error(`damaged (PRAGMA quick_check): ${problems.join('; ')}`);
}

function configure(db: DatabaseSync, fresh: boolean): void {
  // Incremental auto-vacuum lets prune give space back without a full VACUUM. It can only be chosen on a file
  // without tables, before WAL is switched on.
  if (fresh) db.exec('PRAGMA auto_vacuum = INCREMENTAL');
  const mode = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string } | undefined;
  if (mode?.journal_mode !== 'wal') throw new Error(`cannot use WAL journal mode (got ${mode?.journal_mode})`);
  db.exec('PRAGMA synchronous = FULL');
  // The WAL file is reset, not shrunk, after a checkpoint; cap what a burst of large reports leaves behind.
  db.exec('PRAGMA journal_size_limit = 67108864');
}

function prepareStatements(db: DatabaseSync) {
  const stmt = (sql: string): StatementSync => db.prepare(sql);
  return {
    state: stmt(`SELECT status, status_since, drift_since FROM reports WHERE target = ? ORDER BY id DESC LIMIT 1`),
    sequence: stmt(`SELECT seq FROM sqlite_sequence WHERE name = 'reports'`),
    insert: stmt(`INSERT INTO reports (id, target, status, prev_status, status_since, drift_since, started_at,
        finished_at, duration_ms, changes_total, extra, missing, changed, pending, error_reason, error_message,
        report_encoding, report_json)
      VALUES (:id, :target, :status, :prev_status, :status_since, :drift_since, :started_at, :finished_at,
        :duration_ms, :changes_total, :extra, :missing, :changed, :pending, :error_reason, :error_message,
        :report_encoding, :report_json)`),
    latest: stmt(`SELECT id, report_encoding, report_json FROM reports WHERE target = ? ORDER BY id DESC LIMIT 1`),
    newestIds: stmt(`SELECT target, max(id) AS id FROM reports GROUP BY target ORDER BY target`),
    byId: stmt(`SELECT id, report_encoding, report_json FROM reports WHERE id = ? AND target = ?`),
    list: stmt(`SELECT ${SUMMARY_COLUMNS} FROM reports WHERE target = ? AND id < ? ORDER BY id DESC LIMIT ?`),
    transitions: stmt(`SELECT id, finished_at, prev_status, status FROM reports
      WHERE target = ? AND (prev_status IS NULL OR prev_status <> status) ORDER BY id DESC LIMIT ?`),
    prune: stmt(`DELETE FROM reports WHERE id IN (
      SELECT id FROM (
        SELECT id, finished_at, row_number() OVER (PARTITION BY target ORDER BY id DESC) AS rank FROM reports
      ) WHERE rank > 1 AND (rank > :max_count OR finished_at < :cutoff))`),
    pruneTarget: stmt(`DELETE FROM reports WHERE id IN (
      SELECT id FROM (
        SELECT id, finished_at, row_number() OVER (ORDER BY id DESC) AS rank FROM reports WHERE target = :target
      ) WHERE rank > 1 AND (rank > :max_count OR finished_at < :cutoff))`),
  };
}

/** `prev_status`, `status_since` and `drift_since` of a new report (shared with `pg-store.ts`), from the target's previous one. */
export function derivedState(prev: StateRow | undefined, report: Report, finishedAt: string) {
  const { status } = report;
  const carriedDrift = prev?.drift_since ?? null;
  let driftSince: string | null = null;
  // A failed check did not look, and a deploy in flight was not compared: neither ends nor starts a drift.
  if (status === 'error' || status === 'deploying') driftSince = carriedDrift;
  else if (report.counts.total > 0) driftSince = carriedDrift ?? finishedAt;
  return {
    prev_status: prev?.status ?? null,
    status_since: prev?.status === status ? prev.status_since : finishedAt,
    drift_since: driftSince,
  };
}

/** The retention query's bounds: the count kept per target and the age cutoff as ISO text (shared with `pg-store.ts`). */
export function retentionBounds(retention: RetentionPolicy, now: Date): { max_count: number; cutoff: string } {
  const { maxAgeDays, maxReportsPerTarget } = retention;
  if (!(maxAgeDays > 0)) throw new RangeError(`maxAgeDays must be positive, got ${maxAgeDays}`);
  if (!(maxReportsPerTarget >= 1) || (Number.isFinite(maxReportsPerTarget) && !Number.isInteger(maxReportsPerTarget))) {
    throw new RangeError(`maxReportsPerTarget must be a positive integer, got ${maxReportsPerTarget}`);
  }
  if (Number.isNaN(now.getTime())) throw new RangeError('now is not a valid date');
  // '' sorts before every timestamp: no age limit.
  const cutoff = Number.isFinite(maxAgeDays) ? new Date(now.getTime() - maxAgeDays * DAY_MS).toISOString() : '';
  return { max_count: Number.isFinite(maxReportsPerTarget) ? maxReportsPerTarget : Number.MAX_SAFE_INTEGER, cutoff };
}

/** Gives free pages back to the file system once they are a quarter of the file (after a retention cut). */
function reclaimSpace(db: DatabaseSync): void {
  const pages = db.prepare('PRAGMA page_count').get() as { page_count: number } | undefined;
  const free = db.prepare('PRAGMA freelist_count').get() as { freelist_count: number } | undefined;
  if (pages && free && free.freelist_count * 4 > pages.page_count) db.exec('PRAGMA incremental_vacuum');
}

function checkLimit(limit: number | undefined): number {
  const value = limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`limit must be a positive integer, got ${value}`);
  return value;
}

function closeQuietly(db: DatabaseSync | undefined): void {
  try {
    if (db?.isOpen) db.close();
  } catch {
    // Already failing to open: the first error is the one to report.
  }
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
