/**
 * The shared store on PostgreSQL (`store: { url: postgres://… }`): the report history, the desired-schema cache and
 * the claims on checks of any number of agent replicas, in a schema of its own (default `schema_drift`).
 *
 * Reports are the SQLite store's rows (same columns, same derived `prev_status`/`status_since`/`drift_since`, same
 * retention query), so the two pass one test suite. A save takes a transaction-level advisory lock per target, so
 * two replicas saving reports of one target (a manual check meeting a scheduled one) derive their state in order.
 *
 * The URL holds a secret: errors and logs name the store by {@link PgStore.display}, the URL without its password.
 */
import { hostname } from 'node:os';
import pg from 'pg';
import { readPasswordFile } from '../connection/secrets.ts';
import { redactUrl } from '../connection/url.ts';
import type { ErrorContext } from '../core/errors.ts';
import type { Report } from '../core/model/report.ts';
import { PgClaims } from './pg-claims.ts';
import { migratePgStore, PG_STORE_SCHEMA_VERSION, quoteSchema, SCHEMA_NAME, STORE_LOCK_CLASS } from './pg-migrations.ts';
import { decodeReportJson, encodeReportJson } from './report-codec.ts';
import {
  reportColumns,
  SUMMARY_COLUMNS,
  toSummary,
  toTransition,
  type StateRow,
  type SummaryRow,
  type TransitionRow,
} from './report-rows.ts';
import { DEFAULT_LIST_LIMIT, derivedState, retentionBounds, StoreError, type StoreLogger } from './report-store.ts';
import type { DesiredCacheBackend, ListOptions, ReportSummary, RetentionPolicy, StatusSince, StatusTransition, Store } from './store.ts';

/** How long `close` waits for connections still checked out. */
const CLOSE_WAIT_MS = 2_000;

/** Default schema of the store's tables. */
export const DEFAULT_PG_STORE_SCHEMA = 'schema_drift';

/**
 * Session settings of every store connection. A claim's advisory lock lives as long as its session: when a replica's
 * node is lost (or partitioned away) the server only notices the dead peer through TCP keepalive, whose system default
 * is 2 hours. These bound it to ~25 s idle + probes (10 s + 3 × 5 s), and `tcp_user_timeout` drops a connection whose
 * sent data stays unacknowledged for 30 s. All are user-settable (PGC_USERSET); a URL's own `options` come after
 * these and win. (`idle_session_timeout`, which a lock's idle connection must not be cut by, exists from PostgreSQL 14
 * only, so a startup option would refuse a 13 server: the claim sets it on its connection instead, `pg-claims.ts`.)
 * A pooler must pass startup options and keep sessions (PgBouncer in session mode with `options` allowed, or none).
 */
export const PG_STORE_SESSION_OPTIONS =
  '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 -c tcp_user_timeout=30000';

/** The pool configuration of a store at `url` (password already resolved). */
export function pgStorePoolConfig(url: URL, max: number): pg.PoolConfig {
  const withOptions = new URL(url);
  // pg lets the connection string override separate fields, so the options travel in the URL.
  const own = withOptions.searchParams.get('options');
  withOptions.searchParams.set('options', own ? `${PG_STORE_SESSION_OPTIONS} ${own}` : PG_STORE_SESSION_OPTIONS);
  return {
    connectionString: withOptions.toString(),
    max,
    application_name: 'schema-drift store',
    connectionTimeoutMillis: 10_000,
    // The agent's side: probes after 10 s idle (Node's default delay is the system's 2 hours).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/** Options of {@link PgStore.open}. */
export interface PgStoreOptions {
  /** Connection URL (secret). */
  readonly url: string;
  /** File holding the password when the URL has none (read at open). */
  readonly passwordFile?: string;
  /** Schema of the store's tables; default `schema_drift`. */
  readonly schema?: string;
  /** Connections kept: a check in progress holds one (its claim's advisory lock); default 10. */
  readonly poolSize?: number;
  /** Names this replica in the claim table; default `<hostname>:<pid>`. */
  readonly replica?: string;
  readonly logger?: StoreLogger;
}

const SUMMARY_SELECT = SUMMARY_COLUMNS.replace(/\bid\b/, 'id::float8 AS id').replace('duration_ms', 'duration_ms::float8 AS duration_ms');
const BODY_SELECT = 'id::float8 AS id, report_encoding, report_text, report_bytes';

interface PgBodyRow {
  readonly id: number;
  readonly target?: string;
  readonly report_encoding: string;
  readonly report_text: string | null;
  readonly report_bytes: Buffer | null;
}

/** The report history (and desired cache, and claims) on PostgreSQL. */
export class PgStore implements Store {
  readonly display: string;
  readonly schema: string;
  readonly desiredCache: DesiredCacheBackend;
  readonly claims: PgClaims;
  readonly #pool: pg.Pool;
  readonly #q: string;
  readonly #logger: StoreLogger | undefined;
  readonly #latest = new Map<string, Report>();
  #closed = false;

  private constructor(pool: pg.Pool, display: string, schema: string, replica: string, logger: StoreLogger | undefined) {
    this.#pool = pool;
    this.display = display;
    this.schema = schema;
    this.#q = quoteSchema(schema);
    this.#logger = logger;
    this.claims = new PgClaims(pool, schema, replica, logger, display);
    this.desiredCache = {
      read: (key) => this.#readCache(key),
      write: (key, value, maxEntries) => this.#writeCache(key, value, maxEntries),
    };
  }

  /**
   * Connects, creates the schema when missing and migrates it (under an advisory lock: replicas may start together).
   * @throws StoreError naming the display URL when the server cannot be reached or the schema is not ours.
   */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const display = redactUrl(options.url);
    const schema = options.schema ?? DEFAULT_PG_STORE_SCHEMA;
    if (!SCHEMA_NAME.test(schema)) throw new StoreError(`report store ${display}: schema ${JSON.stringify(schema)} is not a lower-case identifier`);
    const parsed = new URL(options.url);
    if (!parsed.password && options.passwordFile) {
      // pg lets the URL's (empty) password override a `password` field, so it travels as a URL parameter.
      parsed.searchParams.set('password', await readPasswordFile(options.passwordFile, undefined));
    }
    const pool = new pg.Pool(pgStorePoolConfig(parsed, options.poolSize ?? 10));
    // An idle connection that drops is reported here; the next query on the pool gets a fresh one.
    pool.on('error', (err) => options.logger?.warn({ store: display, err: err.message }, 'report store: connection lost'));
    let from: number;
    try {
      const client = await pool.connect();
      try {
        from = await migratePgStore(client, schema);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => {});
      throw new StoreError(`report store ${display} cannot be opened: ${messageOf(err)}`, {}, { cause: err });
    }
    if (from !== PG_STORE_SCHEMA_VERSION) {
      options.logger?.info({ store: display, schema, from, to: PG_STORE_SCHEMA_VERSION }, 'report store schema migrated');
    }
    const replica = options.replica ?? `${hostname()}:${process.pid}`;
    return new PgStore(pool, display, schema, replica, options.logger);
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  async save(report: Report): Promise<number> {
    const context = { target: report.target };
    this.#open(context);
    const columns = this.#wrapSync(context, 'invalid report', () => reportColumns(report));
    return this.#wrap(context, 'saving a report failed', async () => {
      const client = await this.#pool.connect();
      // A connection dropping between two statements is an 'error' event; the next statement fails with it anyway.
      const onError = (): void => {};
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        // Reports of one target are saved one after the other: each derives its state from the previous one.
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [STORE_LOCK_CLASS, `save:${this.schema}:${report.target}`]);
        const prev = (await client.query<StateRow>(this.#stateSql(), [report.target])).rows[0];
        const id = Number((await client.query<{ id: string }>(`SELECT nextval('${this.#q}.reports_id_seq') AS id`)).rows[0]!.id);
        const body = encodeReportJson(JSON.stringify({ ...report, id }));
        const derived = derivedState(prev, report, columns.finished_at);
        await client.query(
          `INSERT INTO ${this.#q}.reports (id, target, status, prev_status, status_since, drift_since, started_at, finished_at,
             duration_ms, changes_total, extra, missing, changed, pending, error_reason, error_message, report_encoding,
             report_text, report_bytes)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
          [
            id, columns.target, columns.status, derived.prev_status, derived.status_since, derived.drift_since,
            columns.started_at, columns.finished_at, columns.duration_ms, columns.changes_total, columns.extra,
            columns.missing, columns.changed, columns.pending, columns.error_reason, columns.error_message, body.encoding,
            body.encoding === 'json' ? body.value : null, body.encoding === 'br' ? Buffer.from(body.value as Uint8Array) : null,
          ],
        );
        await client.query('COMMIT');
        return id;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.off('error', onError);
        client.release();
      }
    });
  }

  async latest(target: string): Promise<Report | null> {
    const newest = (await this.list(target, { limit: 1 }))[0];
    const cached = this.#latest.get(target);
    if (newest && cached?.id === newest.id) return cached;
    const rows = await this.#read<PgBodyRow>({ target }, `SELECT ${BODY_SELECT} FROM ${this.#q}.reports WHERE target = $1 ORDER BY id DESC LIMIT 1`, [target]);
    const report = rows[0] ? this.#parse(target, rows[0]) : null;
    if (report) this.#latest.set(target, report);
    else this.#latest.delete(target);
    return report;
  }

  /**
   * One query for the newest id of every target; the bodies only of those not cached yet (a second query). `/targets`
   * calls it on every request: 2 × N queries at once (`latest` per target) would queue on the pool.
   */
  async latestAll(): Promise<Report[]> {
    const newest = await this.#read<{ target: string; id: number }>(
      {},
      `SELECT target, max(id)::float8 AS id FROM ${this.#q}.reports GROUP BY target ORDER BY target COLLATE "C"`,
      [],
    );
    const stale = newest.filter((n) => this.#latest.get(n.target)?.id !== n.id).map((n) => n.id);
    if (stale.length > 0) {
      const rows = await this.#read<PgBodyRow & { target: string }>({}, `SELECT ${BODY_SELECT}, target FROM ${this.#q}.reports WHERE id = ANY($1::bigint[])`, [stale]);
      for (const row of rows) this.#latest.set(row.target, this.#parse(row.target, row));
    }
    return newest.flatMap((n) => {
      const report = this.#latest.get(n.target);
      return report?.id === n.id ? [report] : [];
    });
  }

  async get(target: string, id: number): Promise<Report | null> {
    if (!Number.isSafeInteger(id)) return null;
    const rows = await this.#read<PgBodyRow>({ target }, `SELECT ${BODY_SELECT} FROM ${this.#q}.reports WHERE id = $1 AND target = $2`, [id, target]);
    return rows[0] ? this.#parse(target, rows[0]) : null;
  }

  async list(target: string, options: ListOptions = {}): Promise<ReportSummary[]> {
    const limit = checkLimit(options.limit);
    const before = options.beforeId ?? Number.MAX_SAFE_INTEGER;
    const rows = await this.#read<SummaryRow>(
      { target },
      `SELECT ${SUMMARY_SELECT} FROM ${this.#q}.reports WHERE target = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
      [target, before, limit],
    );
    return rows.map(toSummary);
  }

  async transitions(target: string, options: { readonly limit?: number } = {}): Promise<StatusTransition[]> {
    const limit = checkLimit(options.limit);
    const rows = await this.#read<TransitionRow>(
      { target },
      `SELECT id::float8 AS id, finished_at, prev_status, status FROM ${this.#q}.reports
       WHERE target = $1 AND (prev_status IS NULL OR prev_status <> status) ORDER BY id DESC LIMIT $2`,
      [target, limit],
    );
    return rows.map(toTransition);
  }

  async statusSince(target: string): Promise<StatusSince | null> {
    const row = (await this.#read<StateRow>({ target }, this.#stateSql(), [target]))[0];
    return row ? { status: row.status, since: row.status_since } : null;
  }

  async driftSince(target: string): Promise<string | null> {
    const row = (await this.#read<StateRow>({ target }, this.#stateSql(), [target]))[0];
    return row?.drift_since ?? null;
  }

  async prune(retention: RetentionPolicy, now: Date = new Date(), target?: string): Promise<number> {
    this.#open({});
    const bounds = this.#wrapSync({}, 'invalid retention', () => retentionBounds(retention, now));
    const deleted = await this.#wrap({}, 'pruning failed', async () => {
      const result = await this.#pool.query(
        `DELETE FROM ${this.#q}.reports WHERE id IN (
           SELECT id FROM (
             SELECT id, finished_at, row_number() OVER (PARTITION BY target ORDER BY id DESC) AS rank FROM ${this.#q}.reports
             WHERE $3::text IS NULL OR target = $3
           ) ranked WHERE rank > 1 AND (rank > $1 OR finished_at < $2))`,
        // With a target (every save) the scan stays on that target's rows (the (target, id) index), so replicas saving
        // different targets do not delete from each other's rows.
        [bounds.max_count, bounds.cutoff, target ?? null],
      );
      return result.rowCount ?? 0;
    });
    if (deleted > 0) this.#logger?.info({ store: this.display, deleted, ...bounds }, 'report store pruned');
    return deleted;
  }

  /**
   * Closes the pool. A check that ignored its abort may still hold its claim's connection, and `pool.end()` waits for
   * every connection to come back: the wait is bounded so the agent's shutdown bound holds (the process's exit then
   * closes the socket, and the server drops the lock).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_WAIT_MS);
      timer.unref();
    });
    await Promise.race([this.#pool.end().catch(() => {}), bound]);
    clearTimeout(timer);
  }

  #stateSql(): string {
    return `SELECT status, status_since, drift_since FROM ${this.#q}.reports WHERE target = $1 ORDER BY id DESC LIMIT 1`;
  }

  async #readCache(key: string): Promise<unknown> {
    const rows = await this.#read<{ value: string }>(
      {},
      `UPDATE ${this.#q}.desired_cache SET used_at = now() WHERE key_hash = md5($1) AND key = $1 RETURNING value`,
      [key],
    );
    return rows[0] ? (JSON.parse(rows[0].value) as unknown) : undefined;
  }

  async #writeCache(key: string, value: unknown, maxEntries: number): Promise<void> {
    await this.#wrap({}, 'writing the desired cache failed', async () => {
      await this.#pool.query(
        `INSERT INTO ${this.#q}.desired_cache (key_hash, key, value) VALUES (md5($1), $1, $2)
         ON CONFLICT (key_hash) DO UPDATE SET key = excluded.key, value = excluded.value, used_at = now()`,
        [key, JSON.stringify(value)],
      );
      await this.#pool.query(
        `DELETE FROM ${this.#q}.desired_cache WHERE key_hash IN (
           SELECT key_hash FROM ${this.#q}.desired_cache ORDER BY used_at DESC OFFSET $1)`,
        [maxEntries],
      );
    });
  }

  #open(context: ErrorContext): void {
    if (this.#closed) throw new StoreError('report store is closed', context);
  }

  async #read<T extends pg.QueryResultRow>(context: ErrorContext, sql: string, params: unknown[]): Promise<T[]> {
    this.#open(context);
    return this.#wrap(context, 'reading failed', async () => (await this.#pool.query<T>(sql, params)).rows);
  }

  async #wrap<T>(context: ErrorContext, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`report store ${this.display}: ${what}: ${messageOf(err)}`, context, { cause: err });
    }
  }

  #wrapSync<T>(context: ErrorContext, what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new StoreError(`report store ${this.display}: ${what}: ${messageOf(err)}`, context, { cause: err });
    }
  }

  #parse(target: string, row: PgBodyRow): Report {
    return this.#wrapSync({ target }, `report ${row.id} is unreadable`, () => {
      const value = row.report_encoding === 'br' ? new Uint8Array(row.report_bytes ?? []) : row.report_text;
      const report = JSON.parse(decodeReportJson(row.report_encoding, value)) as Report;
      return report.id === row.id ? report : { ...report, id: row.id };
    });
  }
}

function checkLimit(limit: number | undefined): number {
  const value = limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`limit must be a positive integer, got ${value}`);
  return value;
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
