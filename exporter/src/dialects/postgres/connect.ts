/**
 * Read-only sessions on a monitored PostgreSQL server, and the mapping of driver errors to schema-drift's error
 * classes.
 *
 * A session is one `REPEATABLE READ, READ ONLY` transaction: every catalog query of an inspection sees the same
 * snapshot, and the server itself refuses any write (we never write to a monitored database). It runs under the
 * limits of `connection/limits.ts`: `statement_timeout`, `lock_timeout`, `idle_in_transaction_session_timeout` and
 * `tcp_user_timeout` on the server, TCP keepalive and a per-query deadline on the client, so a stalled network never
 * leaves the transaction open on the server for longer than the statement limit.
 */
import pg from 'pg';
import { type DriverErrorContext, describeDriverError, NETWORK_ERROR_CODES } from '../../connection/errors.ts';
import { sessionLimits } from '../../connection/limits.ts';
import { type PasswordSource, withSourcedPassword } from '../../connection/password-source.ts';
import { readPasswordFile } from '../../connection/secrets.ts';
import { decodeUrlPart, parseConnectionUrl, redactUrl } from '../../connection/url.ts';
import { AuthError, ConfigError, ConnectError, InspectError, SchemaDriftError, TimeoutError } from '../../core/errors.ts';
import type { Queryable } from './queryable.ts';

/** Options of {@link openPostgresSession}. */
export interface PostgresConnectOptions {
  /** Configured target name, used in error messages. */
  readonly target?: string;
  /** File holding the password (read once, surrounding whitespace trimmed); used when the URL has none. */
  readonly passwordFile?: string;
  /**
   * A command or AWS IAM (`connection/password-source.ts`), used when the URL has none: cached, and obtained again
   * once when the server rejects it (SQLSTATE 28P01, 28000).
   */
  readonly passwordSource?: PasswordSource;
  /** Time allowed to establish the connection; default 10 s. */
  readonly connectTimeoutMs?: number;
  /**
   * `statement_timeout` inside the session's transaction; default 60 s, 0 disables it. The other limits follow from
   * it (`sessionLimits`).
   */
  readonly statementTimeoutMs?: number;
  /** Ends the session at once (the connection is dropped, the server rolls back): the check's own time limit. */
  readonly signal?: AbortSignal;
  /** `application_name` shown in `pg_stat_activity`; default `schema-drift`. A URL parameter wins. */
  readonly applicationName?: string;
}

/** An open read-only snapshot of one database. */
export interface PostgresSession {
  /** Runs queries inside the read-only transaction. */
  readonly db: Queryable;
  /**
   * Runs one statement of the user's inside the read-only transaction with the extended protocol, which the server
   * refuses to run when the text holds several statements: `SELECT 1; COMMIT; DELETE …` cannot end the transaction.
   */
  singleStatement<R = Record<string, unknown>>(sql: string): Promise<{ rows: R[] }>;
  /** `server_version`, e.g. `15.20 (Debian 15.20-0+deb12u1)`. */
  readonly serverVersion: string;
  /** `server_version_num`, e.g. `150020`. */
  readonly serverVersionNum: number;
  /** Rolls the transaction back and closes the connection. Safe to call twice. */
  close(): Promise<void>;
}

/** Context of {@link toPostgresError}: where the failure happened and what was being done. */
export type PostgresErrorContext = DriverErrorContext;

// Part of this module's API since the PostgreSQL engine came first; the rendering is every dialect's.
export { redactUrl };

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;
const POSTGRES_SCHEMES = ['postgres:', 'postgresql:'];

/**
 * Connects and opens a `REPEATABLE READ, READ ONLY` transaction with a `statement_timeout`.
 *
 * The password comes from the URL, else from `passwordFile`, else from `PGPASSWORD`/`~/.pgpass` (handled by `pg`).
 * Errors are mapped by {@link toPostgresError}; their messages never contain the password.
 */
export async function openPostgresSession(url: string, options: PostgresConnectOptions = {}): Promise<PostgresSession> {
  const source = options.passwordSource;
  const parsed = parsePostgresUrl(url, options.target);
  if (parsed.password || !source) return openWith(url, parsed, options);
  const to = {
    target: options.target,
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username),
  };
  // A refused cached password (rotated, an expired token) is obtained again once; a refused fresh one starts a backoff.
  return withSourcedPassword(source, to, (password) => openWith(url, parsed, options, password), rejectedCredentials, options.signal);
}

/** The server refused the password (not a missing privilege): SQLSTATE 28P01 or 28000. */
function rejectedCredentials(err: unknown): boolean {
  const code = errorCode(err instanceof SchemaDriftError ? err.cause : err);
  return code === '28P01' || code === '28000';
}

/** {@link openPostgresSession} with the password given, or read from `passwordFile` when none is. */
async function openWith(url: string, base: URL, options: PostgresConnectOptions, sourced?: string): Promise<PostgresSession> {
  const parsed = new URL(base.toString());
  const secrets = parsed.password ? [decodeURIComponent(parsed.password)] : [];
  const where = { target: options.target, secrets };
  const password = sourced ?? (!parsed.password && options.passwordFile ? await readPasswordFile(options.passwordFile, options.target) : undefined);
  if (password !== undefined) {
    if (password) secrets.push(password);
    // pg lets the URL's (empty) password override a `password` config field, so it travels as a URL parameter.
    parsed.searchParams.set('password', password);
  }
  const limits = sessionLimits(options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS);
  const client = new pg.Client({
    connectionString: parsed.toString(),
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    application_name: options.applicationName ?? 'schema-drift',
    keepAlive: true,
    keepAliveInitialDelayMillis: limits.keepAliveDelayMs,
    // The client-side deadline: a query with no answer fails here even when the server never says anything.
    ...(limits.clientDeadlineMs ? { query_timeout: limits.clientDeadlineMs } : {}),
  });
  // A dropped connection is reported as an 'error' event; without a listener it would crash the process. The next
  // query fails with it anyway, so it is only kept for that.
  client.on('error', () => {});
  const described = redactUrl(url);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw toPostgresError(err, { ...where, action: `connecting to ${described}` });
  }
  const session = makeSession(client, options.signal);
  try {
    await session.db.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    // set_config(..., true) is SET LOCAL with bind parameters instead of text pasted into SQL. All four exist on every
    // supported server (13+); tcp_user_timeout is ignored on a Unix socket.
    await session.db.query(
      `SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true),
              set_config('idle_in_transaction_session_timeout', $3, true), set_config('tcp_user_timeout', $3, true)`,
      [String(limits.statementMs), String(limits.lockMs), String(limits.idleMs)],
    );
    const { rows } = await session.db.query<{ version: string; num: number }>(
      `SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int4 AS num`,
    );
    const row = rows[0];
    if (!row) throw new Error('server returned no version');
    return { ...session, serverVersion: row.version, serverVersionNum: row.num };
  } catch (err) {
    await session.close().catch(() => {});
    throw toPostgresError(err, { ...where, action: `opening a read-only transaction on ${described}` });
  }
}

/** pg's message for a query that passed `query_timeout` (the client-side deadline). */
const CLIENT_DEADLINE_MESSAGE = 'Query read timeout';

/**
 * The session over a connected client. A query past the client-side deadline, or an aborted `signal`, marks the
 * connection broken: it is then dropped without a `ROLLBACK` (which would queue behind the query that never
 * answered) and without waiting for the server's goodbye (which a stalled network never delivers).
 */
function makeSession(client: pg.Client, signal: AbortSignal | undefined): Omit<PostgresSession, 'serverVersion' | 'serverVersionNum'> {
  let closed = false;
  let broken = false;
  const drop = (): void => {
    broken = true;
    client.connection.stream.destroy();
  };
  const onAbort = (): void => drop();
  signal?.addEventListener('abort', onAbort, { once: true });
  const run = async <R>(config: string | pg.QueryConfig, params?: unknown[]): Promise<{ rows: R[] }> => {
    if (broken) throw new Error('connection dropped after a client-side deadline or an abort');
    try {
      return (await client.query(config, params)) as unknown as { rows: R[] };
    } catch (err) {
      if (err instanceof Error && err.message === CLIENT_DEADLINE_MESSAGE) drop();
      throw err;
    }
  };
  const db: Queryable = {
    async query<R>(sql: string, params?: unknown[]) {
      return run<R>(sql, params);
    },
  };
  return {
    db,
    // `queryMode` (pg ≥ 8.12) is missing from the type definitions; without it an empty parameter list means simple.
    singleStatement: <R>(sql: string) => run<R>({ text: sql, values: [], queryMode: 'extended' } as pg.QueryConfig),
    async close() {
      if (closed) return;
      closed = true;
      signal?.removeEventListener('abort', onAbort);
      if (broken) {
        await client.end().catch(() => {});
        return;
      }
      try {
        await db.query('ROLLBACK');
      } finally {
        if (broken) await client.end().catch(() => {});
        else await client.end();
      }
    },
  };
}

function parsePostgresUrl(url: string, target: string | undefined): URL {
  const parsed = parseConnectionUrl(url, { schemes: POSTGRES_SCHEMES, dialect: 'PostgreSQL', target });
  // The driver decodes both and would fail with a bare "URI malformed"; say which part is wrong, never its text.
  decodeUrlPart(parsed.username, 'user name', url, target);
  decodeUrlPart(parsed.password, 'password', url, target);
  return parsed;
}

/**
 * Maps a driver error to a schema-drift error class: network failures and a missing database → `ConnectError`,
 * rejected credentials and missing privileges → `AuthError`, statement timeout → `TimeoutError`, anything else →
 * `InspectError`. A `SchemaDriftError` is returned unchanged. Secrets in `context.secrets` are scrubbed.
 */
export function toPostgresError(err: unknown, context: PostgresErrorContext = {}): SchemaDriftError {
  if (err instanceof SchemaDriftError) return err;
  const code = errorCode(err);
  const { where, raw, say, options } = describeDriverError(err, errorMessage(err), context, 'postgres');
  if (code && NETWORK_ERROR_CODES.has(code)) return new ConnectError(say(`${raw} (${code})`), where, options);
  if (!code && raw === CLIENT_DEADLINE_MESSAGE) {
    return new TimeoutError(say('no answer from the server within the statement limit plus its grace period; the connection was dropped'), where, options);
  }
  if (!code && /connection terminated|connection timeout|timeout expired/i.test(raw)) {
    return new ConnectError(say(raw), where, options);
  }
  switch (code) {
    case '28P01':
    case '28000':
      return new AuthError(say(`authentication failed: ${raw}`), where, options);
    case '42501':
      return new AuthError(say(`insufficient privilege: ${raw}`), where, options);
    case '3D000':
      return new ConnectError(say(`database does not exist: ${raw}`), where, options);
    case '57014':
      return new TimeoutError(say(`statement timeout: ${raw}`), where, options);
    case '55P03':
      return new TimeoutError(say(`lock timeout: ${raw}`), where, options);
    case '25P03':
      return new TimeoutError(say(`idle-in-transaction timeout: ${raw}`), where, options);
    case '57P01':
    case '57P02':
    case '57P03':
    case '08000':
    case '08003':
    case '08006':
    case '08001':
    case '08004':
      return new ConnectError(say(raw), where, options);
    default:
      return new InspectError(say(code ? `${raw} (SQLSTATE ${code})` : raw), where, options);
  }
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code) return code;
  // Node reports a refused dual-stack connect (localhost → ::1 and 127.0.0.1) as an AggregateError.
  const inner = (err as { errors?: unknown }).errors;
  if (Array.isArray(inner)) return inner.map(errorCode).find((c) => c !== undefined);
  return undefined;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error && err.message) return err.message.split('\n')[0] ?? err.message;
  if (err instanceof AggregateError) return err.errors.map(errorMessage).join('; ');
  return String(err);
}
