/**
 * Read-only sessions on a monitored PostgreSQL server, and the mapping of driver errors to schema-drift's error
 * classes.
 *
 * A session is one `REPEATABLE READ, READ ONLY` transaction: every catalog query of an inspection sees the same
 * snapshot, and the server itself refuses any write (we never write to a monitored database).
 */
import pg from 'pg';
import { type DriverErrorContext, describeDriverError, NETWORK_ERROR_CODES } from '../../connection/errors.ts';
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
  /** Time allowed to establish the connection; default 10 s. */
  readonly connectTimeoutMs?: number;
  /** `statement_timeout` inside the session's transaction; default 60 s, 0 disables it. */
  readonly statementTimeoutMs?: number;
  /** `application_name` shown in `pg_stat_activity`; default `schema-drift`. A URL parameter wins. */
  readonly applicationName?: string;
}

/** An open read-only snapshot of one database. */
export interface PostgresSession {
  /** Runs queries inside the read-only transaction. */
  readonly db: Queryable;
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
  const parsed = parsePostgresUrl(url, options.target);
  const secrets = parsed.password ? [decodeURIComponent(parsed.password)] : [];
  const where = { target: options.target, secrets };
  if (!parsed.password && options.passwordFile) {
    const password = await readPasswordFile(options.passwordFile, options.target);
    if (password) secrets.push(password);
    // pg lets the URL's (empty) password override a `password` config field, so it travels as a URL parameter.
    parsed.searchParams.set('password', password);
  }
  const client = new pg.Client({
    connectionString: parsed.toString(),
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    application_name: options.applicationName ?? 'schema-drift',
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
  try {
    await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    // set_config(..., true) is SET LOCAL with a bind parameter instead of text pasted into SQL.
    const timeout = String(options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS);
    await client.query(`SELECT set_config('statement_timeout', $1, true)`, [timeout]);
    const { rows } = await client.query<{ version: string; num: number }>(
      `SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int4 AS num`,
    );
    const row = rows[0];
    if (!row) throw new Error('server returned no version');
    return makeSession(client, row.version, row.num);
  } catch (err) {
    await client.end().catch(() => {});
    throw toPostgresError(err, { ...where, action: `opening a read-only transaction on ${described}` });
  }
}

function makeSession(client: pg.Client, serverVersion: string, serverVersionNum: number): PostgresSession {
  let closed = false;
  return {
    db: client,
    serverVersion,
    serverVersionNum,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await client.query('ROLLBACK');
      } finally {
        await client.end();
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
