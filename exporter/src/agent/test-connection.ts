/**
 * "Test connection" for a configured target, like the button before saving a data source: connect read-only, make
 * sure the role can read what a check reads (catalogs, the configured schemas, the migration tool's revision table),
 * and report the server version and the deployed revision. Used at agent start (logged; a down target does not stop
 * the agent) and by `schema-drift test-connection`.
 */
import type { TargetConfig } from '../config/types.ts';
import { type FailureReason, SchemaDriftError } from '../core/errors.ts';
import { openMysqlSession, type MysqlQueryable, type MysqlSession, toMysqlError } from '../dialects/mysql/connect.ts';
import { mysqlReplayEngineIdentity } from '../dialects/mysql/replay.ts';
import { readMysqlRevision } from '../dialects/mysql/revision.ts';
import { openReadOnlySession, type PgSession, toSchemaDriftError } from '../dialects/postgres/connect.ts';
import type { Queryable } from '../dialects/postgres/queryable.ts';
import { readPostgresRevision, type RevisionState } from '../dialects/postgres/revision.ts';

/** Outcome of {@link testConnection}. Never holds a secret: URLs are the redacted `displayUrl`. */
export interface ConnectionTestResult {
  readonly target: string;
  /** The target's URL without its password. */
  readonly url: string;
  /** True when a check could connect and read everything it needs. */
  readonly ok: boolean;
  /** `server_version` (MySQL: `VERSION()`), once connected. */
  readonly serverVersion?: string;
  /** Added field: `mysql` or `mariadb` once connected to a MySQL target; absent for PostgreSQL. */
  readonly flavor?: string;
  /** The migration tool's revision table, `null` when the database has none; absent when not reached. */
  readonly revision?: RevisionState | null;
  /** Things that do not fail a check but deserve a look (a configured schema that does not exist, no USAGE). */
  readonly warnings: string[];
  readonly error?: { readonly reason: FailureReason; readonly message: string };
}

/** Schemas a check reads: the configured ones, or every user schema. */
const SCHEMAS_SQL = `
SELECT n.nspname::text AS name, pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS usage
FROM pg_catalog.pg_namespace n
WHERE CASE WHEN $1::text[] IS NULL
  THEN n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname !~ '^pg_(toast_)?temp_'
  ELSE n.nspname = ANY ($1::text[]) END
ORDER BY 1`;

/**
 * Tests one target's connection. Never throws: a failure is `ok: false` with the reason class a check would report
 * (`connect`, `auth`, `timeout`, `inspect`; `config` for what this version cannot check).
 */
export async function testConnection(target: TargetConfig): Promise<ConnectionTestResult> {
  const base = { target: target.name, url: target.displayUrl, warnings: [] as string[] };
  if (target.dialect === 'mysql') return testMysqlConnection(target, base);
  let session: PgSession;
  try {
    session = await openReadOnlySession(target.url, {
      target: target.name,
      passwordFile: target.passwordFile,
      connectTimeoutMs: target.connectTimeoutMs,
      statementTimeoutMs: target.statementTimeoutMs,
      applicationName: 'schema-drift test-connection',
    });
  } catch (err) {
    return failWith(base, err, target.name);
  }
  const connected = { ...base, serverVersion: session.serverVersion };
  try {
    const warnings = await checkCatalogs(session.db, target);
    const revision = await readPostgresRevision(session.db, { target: target.name });
    return { ...connected, ok: true, revision, warnings };
  } catch (err) {
    return failWith(connected, err, target.name);
  } finally {
    await session.close().catch(() => {});
  }
}

/** Reads a catalog the way the inspector does, and lists schemas a check would not see or could not use. */
async function checkCatalogs(db: Queryable, target: TargetConfig): Promise<string[]> {
  try {
    await db.query('SELECT count(*)::int4 AS n FROM pg_catalog.pg_class');
    const { rows } = await db.query<{ name: string; usage: boolean }>(SCHEMAS_SQL, [target.schemas ?? null]);
    const warnings: string[] = [];
    const found = new Set(rows.map((r) => r.name));
    const missing = (target.schemas ?? []).filter((s) => !found.has(s));
    if (missing.length) warnings.push(`schema not found: ${missing.join(', ')} (a check reports it as missing)`);
    const denied = rows.filter((r) => !r.usage).map((r) => r.name);
    if (denied.length) warnings.push(`no USAGE privilege on schema ${denied.join(', ')}`);
    return warnings;
  } catch (err) {
    throw toSchemaDriftError(err, { target: target.name, action: 'reading the catalogs' });
  }
}

/**
 * The MySQL/MariaDB test: a read-only session on the target's database, one `information_schema` read scoped to
 * it, the revision table, and the dev server the replay needs (unreachable: a warning, as a check would then fail
 * at its replay step with its own reason).
 */
async function testMysqlConnection(target: TargetConfig, base: Base): Promise<ConnectionTestResult> {
  let session: MysqlSession;
  try {
    session = await openMysqlSession(target.url, {
      target: target.name,
      passwordFile: target.passwordFile,
      connectTimeoutMs: target.connectTimeoutMs,
      statementTimeoutMs: target.statementTimeoutMs,
    });
  } catch (err) {
    return failWith(base, err, target.name);
  }
  const connected = { ...base, serverVersion: session.serverVersion, flavor: session.flavor };
  try {
    if (!session.database) return fail(connected, 'config', 'the URL names no database (mysql://user@host:3306/<database>)');
    const warnings = await checkMysqlCatalogs(session.db, session.database, target.name);
    const revision = await readMysqlRevision(session.db, session.database, { target: target.name });
    warnings.push(...(await devServerWarnings(target)));
    return { ...connected, ok: true, revision, warnings };
  } catch (err) {
    return failWith(connected, err, target.name);
  } finally {
    await session.close().catch(() => {});
  }
}

async function checkMysqlCatalogs(db: MysqlQueryable, database: string, target: string): Promise<string[]> {
  try {
    const { rows } = await db.query<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
      [database],
    );
    // information_schema shows only what the account may see: an empty list usually means missing privileges.
    return Number(rows[0]?.n ?? 0) === 0 ? [`no tables visible in database ${database} (empty, or no privileges on it)`] : [];
  } catch (err) {
    throw toMysqlError(err, { target, action: 'reading information_schema' });
  }
}

async function devServerWarnings(target: TargetConfig): Promise<string[]> {
  try {
    await mysqlReplayEngineIdentity({ devUrl: target.desired.devUrl, target: target.name });
    return [];
  } catch (err) {
    const error = err instanceof SchemaDriftError ? err : toMysqlError(err, { target: target.name });
    return [`dev server (desired.devUrl) not usable, checks will fail to replay: ${error.reason}: ${error.message}`];
  }
}

type Base = Omit<ConnectionTestResult, 'ok' | 'error'>;

function fail(base: Base, reason: FailureReason, message: string): ConnectionTestResult {
  return { ...base, ok: false, error: { reason, message } };
}

function failWith(base: Base, err: unknown, target: string): ConnectionTestResult {
  const error = err instanceof SchemaDriftError ? err : toSchemaDriftError(err, { target });
  return fail(base, error.reason, error.message);
}

/**
 * One line for a person: `ok   production  PostgreSQL 15.20; revision public.schema_migrations (golang-migrate) at
 * version 3` or `FAIL staging  connect: connecting to postgres://app@db/staging: ... (ECONNREFUSED)`.
 */
export function formatConnectionTest(result: ConnectionTestResult): string {
  if (!result.ok) {
    const error = result.error ?? { reason: 'internal', message: 'failed' };
    return `FAIL ${result.target} (${result.url}): ${error.reason}: ${error.message}`;
  }
  const parts = [`${FLAVOR_NAMES[result.flavor ?? 'postgresql'] ?? 'PostgreSQL'} ${result.serverVersion ?? '?'}`, 'catalogs readable', describeRevision(result.revision)];
  parts.push(...result.warnings.map((w) => `warning: ${w}`));
  return `ok   ${result.target} (${result.url}): ${parts.join('; ')}`;
}

const FLAVOR_NAMES: Record<string, string> = { postgresql: 'PostgreSQL', mysql: 'MySQL', mariadb: 'MariaDB' };

function describeRevision(revision: RevisionState | null | undefined): string {
  if (!revision) return 'no migration revision table (every migration counts as deployed)';
  const at = revision.version === null ? ': no migration deployed' : ` at version ${revision.version}`;
  const dirty = revision.dirty ? `, DIRTY (failed at ${revision.failedVersion ?? 'an unknown version'})` : '';
  return `revision table ${revision.table} (${revision.tool})${at}${dirty}`;
}
