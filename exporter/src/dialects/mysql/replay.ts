/**
 * The desired schema of a MySQL/MariaDB target: replay its migration directory into a temporary database on a dev
 * server and read it back with the same inspector that reads the live database.
 *
 * There is no embedded MySQL, so a dev server (`desired.devUrl`, `--dev-url`) is required; ideally the target's
 * flavour and major version, since both normalise types, defaults and view text differently. MySQL DDL commits
 * implicitly, so files are not wrapped in transactions: each file runs statement by statement (split by
 * `splitMysqlStatements`, so `DELIMITER` blocks work as in the `mysql` client), and a failing statement is reported
 * with its file and line. The temporary database `schema_drift_tmp_<created>_<hex>` is dropped on every path (leftovers of killed processes by a later replay: `connection/scratch-names.ts`).
 */
import mysql from 'mysql2/promise';
import { isStaleScratch, SCRATCH_DATABASE_PREFIX, scratchDatabaseName } from '../../connection/scratch-names.ts';
import { type ReplayPosition, replayStoppedError, settledWithin, throwIfStopped } from '../../connection/deadline.ts';
import { ConfigError, ReplayError, type SchemaDriftError } from '../../core/errors.ts';
import { migrationFilePath } from '../../migrations/format-schema.ts';
import { mysqlScriptStatements } from './replay-script.ts';
import { splitMysqlStatements, type SqlStatement } from './split.ts';
import type { MigrationDirectory, MigrationFile } from '../../migrations/types.ts';
import type { SchemaSnapshot } from '../../core/model/schema.ts';
import { selectFiles } from '../../migrations/select.ts';
import type { ReplayResult } from '../dialect.ts';
import {
  asMysqlQueryable,
  connectionConfig,
  type MysqlServerVersion,
  parseMysqlUrl,
  readServerVersion,
  redactMysqlUrl,
  resolvePassword,
  toMysqlError,
} from './connect.ts';
import { inspectMysql, type MysqlInspectOptions } from './inspect.ts';

/** Options of {@link replayMysql}. */
export interface MysqlReplayOptions {
  /** The MySQL/MariaDB server to replay on (a temporary database is created and dropped there). Required. */
  readonly devUrl?: string;
  /** Target name (or the directory as given), for error messages. */
  readonly target?: string;
  /**
   * Apply versioned files with version <= this; `undefined` applies all; `null` applies none (nothing deployed,
   * so Flyway repeatable files are skipped too).
   */
  readonly upToVersion?: string | null;
  /** `fileId`s of files to leave out whatever their version (see `ReplayRequest.leaveOut`). */
  readonly leaveOut?: readonly string[];
  /** Statements run before the first file (the migration tool's revision table, see `ReplayRequest.setup`). */
  readonly setup?: readonly string[];
  /** Passed to `inspectMysql` (events, ...); `database`, `schemaName`, `source` and `target` are filled in here. */
  readonly inspect?: Omit<MysqlInspectOptions, 'database' | 'schemaName' | 'source' | 'target'>;
  /**
   * Name of the replayed database in the snapshot: the live database's name, so both sides line up (the temporary
   * database's random name must never reach a diff). Default {@link DEFAULT_DESIRED_SCHEMA}.
   */
  readonly schemaName?: string;
  /** File holding the dev server's password when its URL has none. */
  readonly passwordFile?: string;
  /**
   * Default character set and collation of the temporary database, so tables inherit what they inherit on the
   * target (give the target database's defaults); absent: the dev server's defaults.
   */
  readonly defaults?: { readonly charset?: string; readonly collation?: string };
  /**
   * Stops the replay: the running statement is ended with `KILL QUERY` from the admin connection (its connection with
   * `KILL` if it has not ended within {@link CANCEL_GRACE_MS}), no further statement starts, the temporary database is
   * dropped, and the error names the file and line in progress.
   */
  readonly signal?: AbortSignal;
}

/** How long a killed query has to end before its connection is killed too. */
const CANCEL_GRACE_MS = 2_000;

/** Snapshot name of a replayed database when no live database name is known (e.g. `inspect <dir>`). */
export const DEFAULT_DESIRED_SCHEMA = 'desired';

/** Prefix of temporary databases on a dev server; a leftover one is safe to drop. */
export const MYSQL_TEMP_DATABASE_PREFIX = SCRATCH_DATABASE_PREFIX;

/** A temporary database on the dev server, with its own connection. */
export interface MysqlScratch {
  readonly name: string;
  readonly version: MysqlServerVersion;
  readonly conn: mysql.Connection;
  /** Ends the statement in progress on `conn` from the admin connection (see {@link MysqlReplayOptions.signal}). */
  cancel(): Promise<void>;
  /** Drops the database and closes both connections. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Replays `dir` into a fresh temporary database on `options.devUrl` and inspects the result.
 *
 * @throws ConfigError when no dev server is configured (naming the target).
 * @throws ReplayError naming the file and line of the failing statement, with the server's message.
 * @throws ConnectError, AuthError for a dev server that cannot be reached or refuses to create a database.
 */
export async function replayMysql(dir: MigrationDirectory, options: MysqlReplayOptions = {}): Promise<ReplayResult> {
  const devUrl = requireDevUrl(options);
  const { signal, target } = options;
  let position: ReplayPosition = { step: 'creating the temporary database' };
  throwIfStopped(signal, position, target);
  const { applied, pending } = selectFiles(dir.files, options.upToVersion, options.leaveOut);
  const scratch = await openScratch(devUrl, options);
  const onAbort = (): void => void scratch.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  // Once stopped, no statement starts.
  const run = async (sql: string): Promise<void> => {
    throwIfStopped(signal, position, target);
    await scratch.conn.query(sql);
  };
  try {
    position = { step: "creating the migration tool's revision table" };
    for (const sql of options.setup ?? []) await runSetup(run, dir, sql, target);
    for (const file of applied) {
      await applyFile(run, dir, file, target, (line) => {
        position = { step: 'applying', file: migrationFilePath(dir, file), line };
      });
    }
    position = { step: 'reading the replayed schema back' };
    throwIfStopped(signal, position, target);
    const snapshot = await inspectMysql(asMysqlQueryable(scratch.conn), {
      ...options.inspect,
      database: scratch.name,
      schemaName: options.schemaName ?? DEFAULT_DESIRED_SCHEMA,
      target,
      source: {
        description: dir.dir,
        serverVersion: scratch.version.serverVersion,
        serverMajor: scratch.version.major,
        flavor: scratch.version.flavor,
      },
    });
    throwIfStopped(signal, position, target);
    await scratch.close();
    return {
      snapshot,
      applied,
      pending,
      engine: 'server',
      serverVersion: scratch.version.serverVersion,
    };
  } catch (err) {
    // The replay's own error wins over a failing cleanup; close() is idempotent, so a failed drop is not retried.
    await scratch.close().catch(() => {});
    // Whatever the killed statement threw, the cause is the stop.
    if (signal?.aborted) throw replayStoppedError(signal.reason, position, target);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Identity of the dev server a replay would use, for cache keys: `mariadb 10.11.19-MariaDB-...` (one short
 * connection). Throws the same ConfigError as {@link replayMysql} without a dev server.
 */
export async function mysqlReplayEngineIdentity(options: Pick<MysqlReplayOptions, 'devUrl' | 'target' | 'passwordFile'>): Promise<string> {
  const devUrl = requireDevUrl(options);
  const conn = await connectDev(devUrl, null, options);
  try {
    const version = await readServerVersion(asMysqlQueryable(conn));
    return `${version.flavor} ${version.serverVersion}`;
  } catch (err) {
    throw toMysqlError(err, { target: options.target, action: `reading the version of dev server ${redactMysqlUrl(devUrl)}` });
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

export function requireDevUrl(options: Pick<MysqlReplayOptions, 'devUrl' | 'target'>): string {
  if (options.devUrl) return options.devUrl;
  // The target is in the error's context, which every rendering of it shows; without one, say what is meant.
  const who = options.target ? '' : 'this MySQL/MariaDB source: ';
  throw new ConfigError(
    `${who}replaying MySQL migrations needs a dev server (desired.devUrl in the configuration, --dev-url on the command line); there is no embedded MySQL`,
    { target: options.target },
  );
}

async function connectDev(devUrl: string, database: string | null, options: MysqlReplayOptions): Promise<mysql.Connection> {
  const parts = parseMysqlUrl(devUrl, options.target);
  const password = await resolvePassword(parts, { passwordFile: options.passwordFile, target: options.target });
  const action = database ? `connecting to temporary database ${database}` : `connecting to dev server ${redactMysqlUrl(devUrl)}`;
  try {
    const conn = await mysql.createConnection(connectionConfig({ ...parts, database }, password));
    // A dropped connection is reported as an 'error' event; the next query fails with it anyway.
    conn.on('error', () => {});
    return conn;
  } catch (err) {
    throw toMysqlError(err, { target: options.target, action, secrets: password ? [password] : [] });
  }
}

/**
 * Creates `schema_drift_tmp_<created>_<hex>` through an admin connection, and a second connection that uses it: a migration
 * that breaks its own connection cannot keep the admin connection from dropping the database.
 */
export async function openScratch(devUrl: string, options: MysqlReplayOptions): Promise<MysqlScratch> {
  const described = redactMysqlUrl(devUrl);
  const admin = await connectDev(devUrl, null, options);
  const name = scratchDatabaseName();
  let version: MysqlServerVersion;
  try {
    version = await readServerVersion(asMysqlQueryable(admin));
    await admin.query(createDatabaseSql(name, options.defaults));
  } catch (err) {
    await admin.end().catch(() => admin.destroy());
    throw toMysqlError(err, { target: options.target, action: `creating a temporary database on ${described}` });
  }
  await dropStaleScratches(admin);
  const drop = once(async () => {
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteName(name)}`);
    } catch (err) {
      throw toMysqlError(err, { target: options.target, action: `dropping temporary database ${name} (drop it by hand)` });
    } finally {
      await admin.end().catch(() => admin.destroy());
    }
  });
  let conn: mysql.Connection;
  try {
    conn = await connectDev(devUrl, name, options);
  } catch (err) {
    await drop().catch(() => {});
    throw err;
  }
  const work = conn;
  let closing = false;
  const cancel = async (): Promise<void> => {
    if (closing) return;
    await admin.query(`KILL QUERY ${Number(work.threadId)}`).catch(() => {});
    // A statement that started just after the kill is ended with its connection.
    setTimeout(() => {
      if (!closing) void admin.query(`KILL ${Number(work.threadId)}`).catch(() => {});
    }, CANCEL_GRACE_MS).unref();
  };
  const close = once(async () => {
    closing = true;
    // A connection still busy (its query killed but not yet ended) must not hold up the drop.
    if (!(await settledWithin(work.end(), CANCEL_GRACE_MS))) {
      await admin.query(`KILL ${Number(work.threadId)}`).catch(() => {});
      work.destroy();
    }
    await drop();
  });
  return { name, version, conn: work, cancel, close };
}

/**
 * Drops the temporary databases on this server that a killed process left behind (`isStaleScratch`). Best effort: one
 * that cannot be dropped now is tried again by the next replay.
 */
async function dropStaleScratches(admin: mysql.Connection): Promise<void> {
  try {
    const [rows] = await admin.query<mysql.RowDataPacket[]>(
      'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE LEFT(SCHEMA_NAME, ?) = ?',
      [SCRATCH_DATABASE_PREFIX.length, SCRATCH_DATABASE_PREFIX],
    );
    for (const { name } of rows as { name: string }[]) {
      if (isStaleScratch(name)) await admin.query(`DROP DATABASE IF EXISTS ${quoteName(name)}`).catch(() => {});
    }
  } catch {
    // Listing failed: nothing to sweep this time.
  }
}

function createDatabaseSql(name: string, defaults: MysqlReplayOptions['defaults']): string {
  let sql = `CREATE DATABASE ${quoteName(name)}`;
  if (defaults?.charset) sql += ` CHARACTER SET ${mysql.escape(defaults.charset)}`;
  if (defaults?.collation) sql += ` COLLATE ${mysql.escape(defaults.collation)}`;
  return sql;
}

/** The temporary database's name is ours (`[a-z0-9_]`), so backticks alone quote it. */
function quoteName(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

/** Runs one statement on the scratch database (refusing to start once the replay is stopped). */
type RunSql = (sql: string) => Promise<void>;

/** One setup statement (the tool's revision table): its failure names the directory, not a migration file. */
async function runSetup(run: RunSql, dir: MigrationDirectory, sql: string, target?: string): Promise<void> {
  try {
    await run(sql);
  } catch (err) {
    throw toMysqlError(err, { target, file: dir.dir, action: `creating the migration tool's revision table before the first ${dir.format} migration` });
  }
}

async function applyFile(
  run: RunSql,
  dir: MigrationDirectory,
  file: MigrationFile,
  target: string | undefined,
  at: (line: number) => void,
): Promise<void> {
  // The tool's own boundaries when it has them (drizzle-kit's breakpoints: each part is one query, no DELIMITER).
  // A schema file (mysqldump output) without the switches to its own database (`replay-script.ts`).
  const statements = file.clientScript ? mysqlScriptStatements(dir, file, target) : (file.statements ?? splitMysqlStatements(file.sql));
  // Lines counted on from the previous statement: a dump of thousands of statements is not rescanned for each.
  let counted = { offset: 0, line: file.startLine };
  for (const statement of statements) {
    if (statement.offset >= counted.offset) {
      counted = { offset: statement.offset, line: counted.line + countNewlinesBetween(file.sql, counted.offset, statement.offset) };
    }
    at(counted.line);
    try {
      await run(statement.sql);
    } catch (err) {
      throw statementFailure(dir, file, statement, err, target);
    }
  }
}

/** Client-side and network failures (no SQLSTATE from the server) are not the migration's fault. */
function isConnectionError(err: unknown): boolean {
  const { sqlState, fatal } = (err ?? {}) as { sqlState?: unknown; fatal?: unknown };
  return fatal === true || typeof sqlState !== 'string';
}

function statementFailure(
  dir: MigrationDirectory,
  file: MigrationFile,
  statement: SqlStatement,
  err: unknown,
  target?: string,
): SchemaDriftError {
  const context = { target, file: migrationFilePath(dir, file), line: failureLine(file, statement, err) };
  if (isConnectionError(err)) return toMysqlError(err, { ...context, action: 'replaying migrations' });
  const { code, errno } = err as { code?: unknown; errno?: unknown };
  const message = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
  const tag = typeof code === 'string' ? ` (${code}${typeof errno === 'number' ? ` ${errno}` : ''})` : '';
  return new ReplayError(`${message}${tag}`, context, { cause: err });
}

/**
 * 1-based line in the migration file: the statement's start, moved down by the server's `at line N` (counted inside
 * the statement) for syntax errors.
 */
function failureLine(file: MigrationFile, statement: SqlStatement, err: unknown): number {
  const start = file.startLine + countNewlines(file.sql, statement.offset);
  const message = err instanceof Error ? err.message : '';
  const at = / at line (\d+)$/.exec(message);
  const within = at ? Number(at[1]) - 1 : 0;
  const statementLines = countNewlines(statement.sql, statement.sql.length) + 1;
  return start + (within >= 0 && within < statementLines ? within : 0);
}

function countNewlinesBetween(text: string, start: number, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', start); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
