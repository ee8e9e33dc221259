/**
 * Deploys in flight, dialect-free: the locks migration tools hold while they apply migrations, and what a revision
 * state means while one is held. A deploy in progress is not drift: the schema is between two versions for as long as
 * the tool runs, so a check that sees one reports `deploying` (the agent checks again shortly) instead of `dirty` or
 * `drift`.
 *
 * The locks, as the tools take them (their source and documentation):
 * - golang-migrate: a session advisory lock, PostgreSQL `pg_advisory_lock(id)` and MySQL `GET_LOCK('<id>')`, where id
 *   is `crc32(name) * 1486364155` (uint32 arithmetic) of the database name, or, in newer releases on PostgreSQL, of
 *   `schema \0 table \0 database`. While it applies a migration its row reads `dirty = true`.
 * - Atlas: a named advisory lock, `atlas_migrate_execute` by default (`--lock-name`); on PostgreSQL its driver turns
 *   the name into a 32-bit FNV-1 hash for `pg_advisory_lock`, on MySQL it is `GET_LOCK`'s name.
 * - Prisma Migrate: PostgreSQL `pg_advisory_lock(72707369)`, MySQL `GET_LOCK('prisma_migrate')`.
 * - Flyway: around each migration (or group) it applies, a lock named after its schema history table's quoted name
 *   (`Table.toString()`: `"schema"."flyway_schema_history"` on PostgreSQL, `` `db`.`flyway_schema_history` `` on
 *   MySQL, a quote inside a name doubled) through Java's `String.hashCode()`: on PostgreSQL
 *   `0x466C79776179 + hash` ("Flyway" in ASCII plus the hash), taken by default with `pg_try_advisory_xact_lock`
 *   (`flyway.postgresql.transactional.lock`, true by default: held until the migration's transaction ends) and with
 *   the session-level `pg_try_advisory_lock` when that is false; both show in `pg_locks`. On MySQL/MariaDB
 *   `GET_LOCK('Flyway-<hash>', 10)`. A failed migration leaves a `success = false` row where DDL is not transactional
 *   (MySQL): that is `dirty` (`revision-state.ts`), unless the lock is still held.
 *   Not detected: Percona XtraDB Cluster in strict mode (Flyway locks its table there instead), a history table
 *   renamed with `flyway.table` (the default name is assumed), and, on PostgreSQL, a first deploy (no history table
 *   yet) into another schema than the current one.
 * - Liquibase: `DATABASECHANGELOGLOCK.LOCKED` (`liquibase-state.ts`); Knex and Kysely: their `_lock` rows
 *   (`js-migrator-state.ts`).
 * On MySQL/MariaDB a `GET_LOCK` name is server-wide: Atlas's and Prisma's fixed names are held while either deploys
 * into any database of the server, so every target on that server reads `deploying` meanwhile (and is checked again
 * after `deployingRetry`); golang-migrate's name is its database's.
 * A lock of a tool that stopped without releasing it (Liquibase's and the JS migrators' lock rows stay after a crash;
 * session advisory locks do not) keeps a target `deploying` until the configured limit, then it is `dirty`.
 */
import { crc32 } from 'node:zlib';
import type { RevisionState, RevisionTool } from './revision-state.ts';

/** golang-migrate's salt (`advisoryLockIDSalt`). */
const GOLANG_MIGRATE_SALT = 1486364155;
/** Flyway's `LOCK_MAGIC_NUM`: "Flyway" as six ASCII bytes, the base of its PostgreSQL advisory lock keys. */
const FLYWAY_LOCK_BASE = 0x466c79776179n;
/** Flyway's default schema history table (`table`). */
export const FLYWAY_TABLE = 'flyway_schema_history';
/** Prisma Migrate's advisory lock key on PostgreSQL. */
const PRISMA_LOCK_KEY = 72707369n;
/** Atlas's default lock name (`--lock-name`). */
export const ATLAS_LOCK_NAME = 'atlas_migrate_execute';

/** golang-migrate's `GenerateAdvisoryLockId(databaseName, additionalNames...)`. */
export function golangMigrateLockId(databaseName: string, ...additionalNames: string[]): bigint {
  const name = additionalNames.length > 0 ? [...additionalNames, databaseName].join('\0') : databaseName;
  return BigInt(Math.imul(crc32(Buffer.from(name, 'utf8')), GOLANG_MIGRATE_SALT) >>> 0);
}

/** Java's `String.hashCode()` (31-based over UTF-16 code units, signed 32-bit): Flyway's lock discriminator. */
export function javaStringHash(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i += 1) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/** Flyway's PostgreSQL advisory lock key for its history table `schema.table`. */
export function flywayPostgresLockKey(schema: string, table: string = FLYWAY_TABLE): bigint {
  const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
  return FLYWAY_LOCK_BASE + BigInt(javaStringHash(`${quote(schema)}.${quote(table)}`));
}

/** Flyway's MySQL/MariaDB `GET_LOCK` name for its history table `database.table`. */
export function flywayMysqlLockName(database: string, table: string = FLYWAY_TABLE): string {
  const quote = (name: string): string => `\`${name.replaceAll('`', '``')}\``;
  return `Flyway-${javaStringHash(`${quote(database)}.${quote(table)}`)}`;
}

/** 32-bit FNV-1 (Go's `hash/fnv.New32`: multiply, then xor) of `text`: Atlas's PostgreSQL key for a lock name. */
export function fnv1_32(text: string): bigint {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash = Math.imul(hash, 0x01000193) >>> 0;
    hash = (hash ^ byte) >>> 0;
  }
  return BigInt(hash);
}

/** An advisory lock a migration tool takes while it applies migrations. */
export interface DeployLock<K> {
  readonly tool: RevisionTool;
  readonly key: K;
}

/** Where a PostgreSQL database's tools would take their locks: the database, and the revision table if one exists. */
export interface PostgresLockScope {
  readonly database: string;
  /** Schema and name of golang-migrate's `schema_migrations`, when known; default `public.schema_migrations`. */
  readonly schema?: string;
  readonly table?: string;
  /** Schema of Flyway's history table, when found; else the session's current schema (where Flyway creates it). */
  readonly flywaySchema?: string;
}

/** The PostgreSQL advisory lock keys (one 64-bit key each, as `pg_advisory_lock(bigint)` takes them). */
export function postgresDeployLocks(scope: PostgresLockScope): DeployLock<bigint>[] {
  return [
    { tool: 'golang-migrate', key: golangMigrateLockId(scope.database) },
    { tool: 'golang-migrate', key: golangMigrateLockId(scope.database, scope.schema ?? 'public', scope.table ?? 'schema_migrations') },
    { tool: 'atlas', key: fnv1_32(ATLAS_LOCK_NAME) },
    { tool: 'prisma', key: PRISMA_LOCK_KEY },
    { tool: 'flyway', key: flywayPostgresLockKey(scope.flywaySchema ?? 'public') },
  ];
}

/** The MySQL/MariaDB `GET_LOCK` names of a database's tools. */
export function mysqlDeployLocks(database: string): DeployLock<string>[] {
  return [
    { tool: 'golang-migrate', key: String(golangMigrateLockId(database)) },
    { tool: 'atlas', key: ATLAS_LOCK_NAME },
    { tool: 'prisma', key: 'prisma_migrate' },
    { tool: 'flyway', key: flywayMysqlLockName(database) },
  ];
}

/**
 * The state while `held` (a tool's lock, found held by another session) is: `deploying` says so, and what the row
 * says of an unfinished migration (golang-migrate's `dirty`, Atlas's `applied < total`, Prisma's unfinished row) is the
 * deploy's progress, not a failure. With no revision table yet (a first deploy creating it) a state is made up.
 */
export function whileDeploying(state: RevisionState | null, held: readonly DeployLock<unknown>[]): RevisionState | null {
  const first = held[0];
  if (!first) return state;
  const tools = [...new Set(held.map((lock) => lock.tool))].join(', ');
  const deploying = `${tools} holds its migration lock: a deploy is in progress`;
  if (!state) return { tool: first.tool, table: '(none yet)', version: null, dirty: false, appliedVersions: [], deploying };
  const { failedVersion: _failed, error: _error, ...rest } = state;
  return { ...rest, dirty: false, deploying };
}
