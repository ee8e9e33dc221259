/**
 * Read-only sessions on a monitored MySQL or MariaDB server, flavour and version detection, and the mapping of
 * driver errors to schema-drift's error classes.
 *
 * A session is one `REPEATABLE READ, READ ONLY` transaction started `WITH CONSISTENT SNAPSHOT`, with the session's
 * default access mode set to read only as well, so the server refuses any write even after an implicit commit. Note
 * that `information_schema` on MySQL 8 (data dictionary) and MariaDB is not versioned like InnoDB rows: DDL that
 * commits during an inspection can still be seen part-way. We read the catalogs with a fixed, small number of
 * queries to keep that window short.
 *
 * The session runs under the limits of `connection/limits.ts`: the statement limit, `lock_wait_timeout` and
 * `innodb_lock_wait_timeout`, and `wait_timeout`/`net_read_timeout`/`net_write_timeout` on the server, TCP keepalive
 * and a per-query deadline on the client, so a stalled network never keeps the transaction open on the server for
 * longer than the statement limit.
 */
import type mysql from 'mysql2/promise';
import { type DriverErrorContext, describeDriverError, NETWORK_ERROR_CODES } from '../../connection/errors.ts';
import { type SessionLimits, sessionLimits, wholeSeconds } from '../../connection/limits.ts';
import { type PasswordSource, withSourcedPassword } from '../../connection/password-source.ts';
import { readPasswordFile } from '../../connection/secrets.ts';
import { decodeUrlPart, parseConnectionUrl, redactUrl } from '../../connection/url.ts';
import { AuthError, ConnectError, InspectError, SchemaDriftError, TimeoutError } from '../../core/errors.ts';

/** The smallest query interface the MySQL inspector and revision reader need (`?` placeholders). */
export interface MysqlQueryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** Server flavour. */
export type MysqlFlavor = 'mysql' | 'mariadb';

/** Options of {@link openMysqlSession}. */
export interface MysqlConnectOptions {
  /** Configured target name, used in error messages. */
  readonly target?: string;
  /** File holding the password (read once, surrounding whitespace trimmed); used when the URL has none. */
  readonly passwordFile?: string;
  /**
   * A password command (`connection/password-source.ts`), used when the URL has none: cached, and run again once when
   * the server rejects the password (errno 1045).
   */
  readonly passwordSource?: PasswordSource;
  /** Time allowed to establish the connection; default 10 s. */
  readonly connectTimeoutMs?: number;
  /**
   * Statement time limit; default 60 s, 0 disables it. MariaDB: `max_statement_time` (every statement);
   * MySQL: `max_execution_time` (SELECT statements only, which is all an inspection runs). The other limits follow
   * from it (`sessionLimits`).
   */
  readonly statementTimeoutMs?: number;
  /** Ends the session at once (the connection is dropped, the server rolls back): the check's own time limit. */
  readonly signal?: AbortSignal;
}

/** An open read-only snapshot of one server (and, usually, one database). */
export interface MysqlSession {
  /** Runs queries inside the read-only transaction. */
  readonly db: MysqlQueryable;
  readonly flavor: MysqlFlavor;
  /** `VERSION()`, e.g. `10.11.19-MariaDB-0+deb12u1` or `8.4.3`. */
  readonly serverVersion: string;
  readonly major: number;
  readonly minor: number;
  /** Database named in the URL's path, `null` when the URL names none. */
  readonly database: string | null;
  /** Rolls the transaction back and closes the connection. Safe to call twice. */
  close(): Promise<void>;
}

/** Context of {@link toMysqlError}: where the failure happened and what was being done. */
export type MysqlErrorContext = DriverErrorContext;

/** Connection settings parsed from a `mysql://` or `mariadb://` URL. */
export interface MysqlUrlParts {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Password from the URL (authority or `password` parameter), `undefined` when absent. */
  readonly password: string | undefined;
  readonly database: string | null;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;
const MYSQL_SCHEMES = ['mysql:', 'mariadb:'];

/**
 * Connects and opens a consistent-snapshot, read-only transaction with a statement time limit.
 *
 * The password comes from the URL, else from `passwordFile`, else from the `MYSQL_PWD` environment variable. Errors
 * are mapped by {@link toMysqlError}; their messages never contain the password.
 */
export async function openMysqlSession(url: string, options: MysqlConnectOptions = {}): Promise<MysqlSession> {
  const parts = parseMysqlUrl(url, options.target);
  const source = options.passwordSource;
  if (parts.password !== undefined || !source) return openWith(url, parts, options, await resolvePassword(parts, options));
  const to = { target: options.target, host: parts.host, port: parts.port, user: parts.user };
  // A refused cached password (rotated) is obtained again once; a refused fresh one starts a backoff.
  const refused = (err: unknown): boolean => err instanceof SchemaDriftError && errno(err.cause) === ER_ACCESS_DENIED_ERROR;
  return withSourcedPassword(source, to, (password) => openWith(url, parts, options, password), refused, options.signal);
}

/** The server's answer to a wrong password. */
const ER_ACCESS_DENIED_ERROR = 1045;

function errno(err: unknown): number | undefined {
  const value = typeof err === 'object' && err !== null ? (err as { errno?: unknown }).errno : undefined;
  return typeof value === 'number' ? value : undefined;
}

/** {@link openMysqlSession} with the password decided. */
async function openWith(url: string, parts: MysqlUrlParts, options: MysqlConnectOptions, password: string | undefined): Promise<MysqlSession> {
  const secrets = password ? [password] : [];
  const where = { target: options.target, secrets };
  const described = redactMysqlUrl(url);
  const limits = sessionLimits(options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS);
  let conn: mysql.Connection;
  try {
    // The driver is loaded on first connection, so a command that never connects to MySQL never loads it.
    const driver = (await import('mysql2/promise')).default;
    conn = await driver.createConnection({
      ...connectionConfig(parts, password, options.connectTimeoutMs),
      enableKeepAlive: true,
      keepAliveInitialDelay: limits.keepAliveDelayMs,
    });
  } catch (err) {
    throw toMysqlError(err, { ...where, action: `connecting to ${described}` });
  }
  // A dropped connection is reported as an 'error' event; the next query fails with it anyway.
  conn.on('error', () => {});
  const session = guardedSession(conn, limits.clientDeadlineMs, options.signal);
  try {
    const version = await readServerVersion(session.db);
    await setSessionLimits(session.db, version.flavor, limits);
    await session.db.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    await session.db.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    return { ...session, ...version, database: parts.database };
  } catch (err) {
    destroySocket(conn);
    throw toMysqlError(err, { ...where, action: `opening a read-only transaction on ${described}` });
  }
}

/** Flavour and version of a server, from `VERSION()` and `@@version_comment`. */
export interface MysqlServerVersion {
  readonly flavor: MysqlFlavor;
  readonly serverVersion: string;
  readonly major: number;
  readonly minor: number;
}

/** Reads and classifies the server version (one query). */
export async function readServerVersion(db: MysqlQueryable): Promise<MysqlServerVersion> {
  const { rows } = await db.query<{ version: string; comment: string | null }>(
    'SELECT VERSION() AS version, @@version_comment AS comment',
  );
  const row = rows[0];
  if (!row) throw new Error('server returned no version');
  return parseServerVersion(row.version, row.comment ?? '');
}

/**
 * Classifies a version string: MariaDB says so in `VERSION()` (`10.11.19-MariaDB-0+deb12u1`) or in
 * `@@version_comment` (some builds); anything else is MySQL (`8.0.39`, `8.4.3-commercial`).
 */
export function parseServerVersion(version: string, comment: string): MysqlServerVersion {
  const match = /^(\d+)\.(\d+)/.exec(version);
  const flavor: MysqlFlavor = /mariadb/i.test(version) || /mariadb/i.test(comment) ? 'mariadb' : 'mysql';
  return { flavor, serverVersion: version, major: Number(match?.[1] ?? 0), minor: Number(match?.[2] ?? 0) };
}

/**
 * The server-side limits. `wait_timeout` is MySQL's bound on an idle connection (in a transaction or not), the
 * nearest thing to PostgreSQL's `idle_in_transaction_session_timeout`; `net_write_timeout` bounds a server blocked
 * sending to a peer that stopped reading. With no statement limit (0) the server's defaults stay.
 */
async function setSessionLimits(db: MysqlQueryable, flavor: MysqlFlavor, limits: SessionLimits): Promise<void> {
  if (!limits.statementMs) return;
  const lock = wholeSeconds(limits.lockMs);
  const idle = wholeSeconds(limits.idleMs);
  await db.query(
    'SET SESSION lock_wait_timeout = ?, innodb_lock_wait_timeout = ?, wait_timeout = ?, net_read_timeout = ?, net_write_timeout = ?',
    [lock, lock, idle, idle, idle],
  );
  if (flavor === 'mariadb') await db.query('SET SESSION max_statement_time = ?', [limits.statementMs / 1000]);
  else await db.query('SET SESSION max_execution_time = ?', [Math.round(limits.statementMs)]);
}

/**
 * The session's queryable and `close`. A query past the client-side deadline, or an aborted `signal`, drops the
 * connection: a `ROLLBACK` would queue behind the query that never answered, and the server ends the transaction
 * when the connection goes (or, on a stalled network, at `wait_timeout`).
 */
function guardedSession(conn: mysql.Connection, deadlineMs: number, signal: AbortSignal | undefined): Pick<MysqlSession, 'db' | 'close'> {
  let closed = false;
  let broken = false;
  const drop = (): void => {
    broken = true;
    destroySocket(conn);
  };
  const onAbort = (): void => drop();
  signal?.addEventListener('abort', onAbort, { once: true });
  const inner = asMysqlQueryable(conn, deadlineMs);
  const db: MysqlQueryable = {
    async query(sql, params) {
      if (broken) throw new Error('connection dropped after a client-side deadline or an abort');
      try {
        return await inner.query(sql, params);
      } catch (err) {
        if (isClientDeadline(err)) drop();
        throw err;
      }
    },
  };
  return {
    db,
    async close() {
      if (closed) return;
      closed = true;
      signal?.removeEventListener('abort', onAbort);
      if (broken) return;
      try {
        await db.query('ROLLBACK');
      } finally {
        if (broken) destroySocket(conn);
        else await conn.end().catch(() => destroySocket(conn));
      }
    },
  };
}

/**
 * Closes the socket at once. mysql2's `destroy()` only half-closes it (`end()`) and silences the pending query: on a
 * stalled network the query would wait forever and the open socket would keep the process alive. Destroying the
 * stream itself fails the pending query with `PROTOCOL_CONNECTION_LOST`.
 */
function destroySocket(conn: mysql.Connection): void {
  const core = (conn as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection;
  if (core?.stream?.destroy) core.stream.destroy();
  else conn.destroy();
}

/** mysql2's error for a query past its `timeout` (the client-side deadline). */
function isClientDeadline(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === 'PROTOCOL_SEQUENCE_TIMEOUT' && (err as { syscall?: unknown }).syscall === 'query';
}

/**
 * Wraps a mysql2 connection as a {@link MysqlQueryable}. `?` placeholders are bound by the driver (values escaped, an
 * array expands to a list for `IN (?)`). Binary strings (some `information_schema` columns are `VARBINARY` or
 * `BLOB` on some versions) become UTF-8 text, so the inspector sees the same JavaScript values on every server.
 * With `timeoutMs`, a query that gets no answer in time fails (mysql2's `timeout`; the connection is not reusable
 * after it).
 */
export function asMysqlQueryable(conn: mysql.Connection, timeoutMs = 0): MysqlQueryable {
  return {
    async query<R>(sql: string, params?: unknown[]) {
      const [rows] = await conn.query({ sql, ...(timeoutMs ? { timeout: timeoutMs } : {}) }, params);
      if (!Array.isArray(rows)) return { rows: [] as R[] };
      return { rows: (rows as Record<string, unknown>[]).map(textValues) as R[] };
    },
  };
}

function textValues(row: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(row)) if (Buffer.isBuffer(value)) row[key] = value.toString('utf8');
  return row;
}

/** mysql2 connection options for parsed URL parts (shared with the replay's writable connections). */
export function connectionConfig(
  parts: MysqlUrlParts,
  password: string | undefined,
  connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
): mysql.ConnectionOptions {
  return {
    host: parts.host,
    port: parts.port,
    user: parts.user,
    ...(password !== undefined ? { password } : {}),
    ...(parts.database !== null ? { database: parts.database } : {}),
    connectTimeout: connectTimeoutMs,
    // Exact integers as numbers where safe, as strings beyond 2^53; dates as text: nothing is re-interpreted.
    supportBigNumbers: true,
    dateStrings: true,
    charset: 'utf8mb4_general_ci',
  };
}

/** Parses a `mysql://user:password@host:port/database` (or `mariadb://`) URL; a bad URL is a `ConfigError`. */
export function parseMysqlUrl(url: string, target?: string): MysqlUrlParts {
  const parsed = parseConnectionUrl(url, { schemes: MYSQL_SCHEMES, dialect: 'MySQL', target });
  const param = parsed.searchParams.get('password');
  const database = decodeUrlPart(parsed.pathname.replace(/^\//, ''), 'database name', url, target);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeUrlPart(parsed.username, 'user name', url, target) || 'root',
    password: parsed.password ? decodeUrlPart(parsed.password, 'password', url, target) : (param ?? undefined),
    database: database || null,
  };
}

/** The password to use: the URL's, else `passwordFile`'s, else `MYSQL_PWD` (the mysql client's variable). */
export async function resolvePassword(
  parts: MysqlUrlParts,
  options: { passwordFile?: string; target?: string },
): Promise<string | undefined> {
  if (parts.password !== undefined) return parts.password;
  if (options.passwordFile) return readPasswordFile(options.passwordFile, options.target);
  return process.env.MYSQL_PWD || undefined;
}

/**
 * The URL without credentials (the user name stays); the same rendering as every dialect's, see
 * `connection/url.ts`.
 */
export const redactMysqlUrl: (url: string) => string = redactUrl;

/** Node's network codes, and mysql2's for a connection lost or a handshake that timed out. */
const NETWORK_CODES = new Set([...NETWORK_ERROR_CODES, 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT']);

/** Server error numbers by class (MySQL and MariaDB share them unless noted). */
const AUTH_ERRNOS = new Set([
  1044, // ER_DBACCESS_DENIED_ERROR
  1045, // ER_ACCESS_DENIED_ERROR
  1142, // ER_TABLEACCESS_DENIED_ERROR
  1143, // ER_COLUMNACCESS_DENIED_ERROR
  1227, // ER_SPECIFIC_ACCESS_DENIED_ERROR
  1251, // ER_NOT_SUPPORTED_AUTH_MODE
  1370, // ER_PROCACCESS_DENIED_ERROR
  1698, // ER_ACCESS_DENIED_NO_PASSWORD_ERROR (unix_socket / auth_socket users)
  1862, // ER_MUST_CHANGE_PASSWORD_LOGIN
]);
const CONNECT_ERRNOS = new Set([
  1040, // ER_CON_COUNT_ERROR: too many connections
  1049, // ER_BAD_DB_ERROR: unknown database
  1053, // ER_SERVER_SHUTDOWN
  1129, // ER_HOST_IS_BLOCKED
  1130, // ER_HOST_NOT_PRIVILEGED
  2002, // CR_CONNECTION_ERROR
  2003, // CR_CONN_HOST_ERROR
  2006, // CR_SERVER_GONE_ERROR
  2013, // CR_SERVER_LOST
]);
const TIMEOUT_ERRNOS = new Set([
  1969, // MariaDB ER_STATEMENT_TIMEOUT (max_statement_time)
  3024, // MySQL ER_QUERY_TIMEOUT (max_execution_time)
  1205, // ER_LOCK_WAIT_TIMEOUT
  3572, // MySQL ER_LOCK_NOWAIT
]);

/**
 * Maps a mysql2 error to a schema-drift error class: network failures and a missing database → `ConnectError`,
 * rejected credentials and missing privileges → `AuthError`, statement time limit → `TimeoutError`, anything else →
 * `InspectError`. A `SchemaDriftError` is returned unchanged. Secrets in `context.secrets` are scrubbed.
 */
export function toMysqlError(err: unknown, context: MysqlErrorContext = {}): SchemaDriftError {
  if (err instanceof SchemaDriftError) return err;
  const { code, errno } = errorCodes(err);
  const { where, raw, say, options } = describeDriverError(err, errorMessage(err), context, 'mysql');
  const tag = errno !== undefined ? ` (${code ?? 'errno'} ${errno})` : code ? ` (${code})` : '';
  if (isClientDeadline(err)) {
    return new TimeoutError(say('no answer from the server within the statement limit plus its grace period; the connection was dropped'), where, options);
  }
  if (errno !== undefined && AUTH_ERRNOS.has(errno)) return new AuthError(say(`access denied: ${raw}${tag}`), where, options);
  if (errno === 1049) return new ConnectError(say(`database does not exist: ${raw}${tag}`), where, options);
  if (errno !== undefined && CONNECT_ERRNOS.has(errno)) return new ConnectError(say(`${raw}${tag}`), where, options);
  if (errno !== undefined && TIMEOUT_ERRNOS.has(errno)) return new TimeoutError(say(`statement timeout: ${raw}${tag}`), where, options);
  if (code && NETWORK_CODES.has(code)) return new ConnectError(say(`${raw}${tag}`), where, options);
  return new InspectError(say(`${raw}${tag}`), where, options);
}

function errorCodes(err: unknown): { code?: string; errno?: number } {
  if (typeof err !== 'object' || err === null) return {};
  const { code, errno, errors } = err as { code?: unknown; errno?: unknown; errors?: unknown };
  const out: { code?: string; errno?: number } = {};
  if (typeof code === 'string' && code) out.code = code;
  // Server errors carry a positive errno; Node's network errors a negative one, which is not a server number.
  if (typeof errno === 'number' && errno > 0) out.errno = errno;
  if (!out.code && Array.isArray(errors)) {
    // Node reports a refused dual-stack connect (localhost → ::1 and 127.0.0.1) as an AggregateError.
    const inner = errors.map(errorCodes).find((c) => c.code !== undefined);
    if (inner) return inner;
  }
  return out;
}

function errorMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return err.errors.map(errorMessage).join('; ');
  if (err instanceof Error && err.message) return err.message.split('\n')[0] ?? err.message;
  return String(err);
}
