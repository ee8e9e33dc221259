/**
 * Revision tables of migration tools on a live PostgreSQL database: finds the table in the catalogs and reads its
 * rows; what they mean is dialect-free (`revision/revision-state.ts`).
 *
 * As the tools create them on PostgreSQL: Atlas `atlas_schema_revisions` (in the schema of the same name by default,
 * or in the URL's schema); Flyway `flyway_schema_history`; golang-migrate `schema_migrations(version bigint, dirty
 * boolean)`; dbmate `schema_migrations(version varchar(255) primary key)`; Prisma `_prisma_migrations` (in the URL's
 * `schema`); drizzle-orm `drizzle.__drizzle_migrations(id serial, hash text, created_at bigint)` (1.x: `name`); goose
 * `goose_db_version(id integer identity, version_id bigint, is_applied boolean, tstamp timestamp)` (older goose: `id
 * serial`); node-pg-migrate `pgmigrations(id serial, name varchar(255), run_on timestamp)` (in its migrations schema,
 * `public` by default); Sqitch's registry, the schema `sqitch` (`changes`, `events`, ...: Sqitch's default `registry`);
 * Liquibase `databasechangelog` and `databasechangeloglock` (created unquoted, so lower case, in the default schema or
 * `liquibaseSchemaName`).
 */
import {
  type AtlasRow,
  atlasState,
  dbmateState,
  type FlywayRow,
  flywayState,
  golangMigrateState,
  READ_TABLES,
  type RevisionState,
  type RevisionTool,
  versionSetState,
} from '../../revision/revision-state.ts';
import { type DrizzleRow, drizzleState } from '../../revision/drizzle-state.ts';
import { type GooseRow, gooseState } from '../../revision/goose-state.ts';
import { JS_MIGRATORS, jsMigratorOf, jsMigratorState } from '../../revision/js-migrator-state.ts';
import { type LiquibaseLock, type LiquibaseRow, liquibaseState, lockTableOf } from '../../revision/liquibase-state.ts';
import { type PrismaRow, prismaState } from '../../revision/prisma-state.ts';
import { type SqitchChangeRow, type SqitchFailRow, sqitchState } from '../../revision/sqitch-state.ts';
import { FLYWAY_TABLE, postgresDeployLocks, whileDeploying } from '../../revision/deploy-locks.ts';
import { toPostgresError } from './connect.ts';
import type { Queryable } from './queryable.ts';
import { quoteIdent } from './quote.ts';

/**
 * The DDL `tool` runs to create its revision table before the first migration: golang-migrate's postgres driver
 * (`ensureVersionTable`) runs `CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty
 * boolean not null)` (qualified with the current schema, which in a scratch database is the search path's first).
 */
export function postgresRevisionTableDdl(tool: RevisionTool): readonly string[] {
  if (tool !== 'golang-migrate') return [];
  return ['CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)'];
}

interface FoundTable {
  schema: string;
  name: string;
  has_dirty: boolean;
  has_name: boolean;
}

// One catalog query for all candidates. Preference: a table in the preferred schema ($2, a tenant's; null: none), then
// tool order, then a table on the search_path, then `public`.
const FIND_SQL = `
SELECT n.nspname::text AS schema, c.relname::text AS name,
       EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
               WHERE a.attrelid = c.oid AND a.attname = 'dirty' AND a.attnum > 0 AND NOT a.attisdropped) AS has_dirty,
       EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
               WHERE a.attrelid = c.oid AND a.attname = 'name' AND a.attnum > 0 AND NOT a.attisdropped) AS has_name
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND c.relname = ANY($1::text[])
ORDER BY n.nspname IS NOT DISTINCT FROM $2::text DESC, array_position($1::text[], c.relname::text),
         pg_catalog.pg_table_is_visible(c.oid) DESC, n.nspname = 'public' DESC, n.nspname`;

/**
 * Advisory locks held in this database by other sessions, session- or transaction-level (Flyway's default is
 * `pg_try_advisory_xact_lock`), as the 64-bit keys `pg_advisory_lock(bigint)` takes (a
 * bigint key is stored as `classid` high and `objid` low 32 bits with `objsubid` 1), the database's name and the
 * session's current schema (where Flyway keeps its history table unless told otherwise).
 */
const ADVISORY_LOCKS_SQL = `
SELECT current_database()::text AS database, current_schema()::text AS schema,
       ARRAY(SELECT ((l.classid::int8 << 32) | l.objid::int8)::text
             FROM pg_catalog.pg_locks l
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.pid <> pg_catalog.pg_backend_pid()
               AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = current_database())) AS keys`;

/**
 * Finds the revision table of a known tool (one catalog query) and reads the deployed state from it, then whether a
 * migration tool holds its advisory lock (`deploy-locks.ts`): a deploy in flight makes the state `deploying`.
 * Returns `null` when the database has none and no tool holds its lock. When several exist, the first of
 * `READ_TABLES` wins.
 */
export async function readPostgresRevision(db: Queryable, options: { target?: string; preferSchema?: string } = {}): Promise<RevisionState | null> {
  let found: FoundTable | undefined;
  try {
    found = (await db.query<FoundTable>(FIND_SQL, [READ_TABLES, options.preferSchema ?? null])).rows[0];
  } catch (err) {
    throw toPostgresError(err, { target: options.target, action: 'looking up migration revision tables' });
  }
  const state = await readFound(db, found, options.target);
  let locks: { database: string; schema: string | null; keys: string[] } | undefined;
  try {
    locks = (await db.query<{ database: string; schema: string | null; keys: string[] }>(ADVISORY_LOCKS_SQL)).rows[0];
  } catch (err) {
    throw toPostgresError(err, { target: options.target, action: 'reading advisory locks (pg_locks)' });
  }
  if (!locks || locks.keys.length === 0) return state;
  const heldKeys = new Set(locks.keys);
  const flywaySchema = found?.name === FLYWAY_TABLE ? found.schema : (locks.schema ?? undefined);
  const scope = found?.has_dirty
    ? { database: locks.database, schema: found.schema, table: found.name, flywaySchema }
    : { database: locks.database, flywaySchema };
  const held = postgresDeployLocks(scope).filter((lock) => heldKeys.has(lock.key.toString()));
  return whileDeploying(state, held);
}

async function readFound(db: Queryable, found: FoundTable | undefined, target: string | undefined): Promise<RevisionState | null> {
  const options = { target };
  // Sqitch's registry has generic table names (`changes`), so it is looked up by its schema, and only when no tool's
  // table is there: a golang-migrate or dbmate database that also holds a `sqitch` schema keeps its own bound (the
  // registry would be ignored for a directory that is not a Sqitch project anyway, see `revisionForDirectory`).
  if (!found) return (await hasSqitchRegistry(db, options.target)) ? await readSqitch(db, options.target) : null;
  const table = `${found.schema}.${found.name}`;
  const from = `${quoteIdent(found.schema)}.${quoteIdent(found.name)}`;
  try {
    if (found.name === 'atlas_schema_revisions') return await readAtlas(db, table, from);
    if (found.name === 'flyway_schema_history') return await readFlyway(db, table, from);
    if (found.name === '_prisma_migrations') return await readPrisma(db, table, from);
    if (found.name === '__drizzle_migrations') return await readDrizzle(db, table, from, found.has_name);
    if (found.name === 'goose_db_version') return await readGoose(db, table, from);
    if (found.name === 'pgmigrations') return await readNodePgMigrate(db, table, from);
    const jsMigrator = jsMigratorOf(found.name);
    if (jsMigrator) return await readJsMigrator(db, jsMigrator, found.schema, table, from);
    if (found.name.toLowerCase() === 'databasechangelog') return await readLiquibase(db, table, found);
    return found.has_dirty ? await readGolangMigrate(db, table, from) : await readDbmate(db, table, from);
  } catch (err) {
    throw toPostgresError(err, { target: options.target, action: `reading revision table ${table}` });
  }
}

async function readAtlas(db: Queryable, table: string, from: string): Promise<RevisionState> {
  // `.atlas_cloud_identifier` (and any other dot-prefixed row) is Atlas' own bookkeeping, not a migration.
  const { rows } = await db.query<AtlasRow>(
    `SELECT version::text AS version, type::int4 AS type, applied::int4 AS applied, total::int4 AS total,
            NULLIF(error, '')::text AS error
     FROM ${from} WHERE version NOT LIKE '.%'`,
  );
  return atlasState(table, rows);
}

async function readFlyway(db: Queryable, table: string, from: string): Promise<RevisionState> {
  const { rows } = await db.query<FlywayRow>(
    `SELECT version::text AS version, description::text AS description, type::text AS type, success::bool AS success,
            checksum::text AS checksum
     FROM ${from} ORDER BY installed_rank`,
  );
  return flywayState(table, rows);
}

async function readGolangMigrate(db: Queryable, table: string, from: string): Promise<RevisionState> {
  const { rows } = await db.query<{ version: string; dirty: boolean }>(
    `SELECT version::text AS version, dirty::bool AS dirty FROM ${from} ORDER BY version DESC LIMIT 1`,
  );
  return golangMigrateState(table, rows[0]);
}

async function readDbmate(db: Queryable, table: string, from: string): Promise<RevisionState> {
  const { rows } = await db.query<{ version: string }>(`SELECT version::text AS version FROM ${from}`);
  return dbmateState(table, rows.map((r) => r.version));
}

async function readPrisma(db: Queryable, table: string, from: string): Promise<RevisionState> {
  const { rows } = await db.query<PrismaRow>(
    `SELECT migration_name::text AS name, checksum::text AS checksum, finished_at IS NOT NULL AS finished,
            rolled_back_at IS NOT NULL AS "rolledBack", logs::text AS logs
     FROM ${from} ORDER BY started_at, id`,
  );
  return prismaState(table, rows);
}

async function readDrizzle(db: Queryable, table: string, from: string, byName: boolean): Promise<RevisionState> {
  const { rows } = await db.query<DrizzleRow>(
    `SELECT hash::text AS hash, created_at::text AS "createdAt", ${byName ? 'name::text' : 'NULL::text'} AS name
     FROM ${from} ORDER BY id`,
  );
  return drizzleState(table, rows, { byName });
}

async function readGoose(db: Queryable, table: string, from: string): Promise<RevisionState> {
  const { rows } = await db.query<GooseRow>(
    `SELECT version_id::text AS "versionId", is_applied::bool AS "isApplied" FROM ${from} ORDER BY id`,
  );
  return gooseState(table, rows);
}

async function readJsMigrator(
  db: Queryable,
  tool: keyof typeof JS_MIGRATORS,
  schema: string,
  table: string,
  from: string,
): Promise<RevisionState> {
  const { rows } = await db.query<{ name: string }>(`SELECT name::text AS name FROM ${from}`);
  // Looked up first rather than caught: a failed query would abort the session's read-only transaction.
  const lockFrom = `${quoteIdent(schema)}.${quoteIdent(JS_MIGRATORS[tool].lock)}`;
  const exists = (await db.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [lockFrom])).rows[0]?.found === true;
  const locked = exists
    ? (await db.query<{ locked: boolean }>(`SELECT coalesce(bool_or(is_locked::int <> 0), false) AS locked FROM ${lockFrom}`)).rows[0]?.locked === true
    : undefined;
  const lock = locked === undefined ? null : { table: `${schema}.${JS_MIGRATORS[tool].lock}`, locked };
  return jsMigratorState(tool, table, rows.map((r) => r.name), lock);
}

async function readNodePgMigrate(db: Queryable, table: string, from: string): Promise<RevisionState> {
  const { rows } = await db.query<{ name: string }>(`SELECT name::text AS name FROM ${from} ORDER BY run_on, id`);
  return versionSetState('node-pg-migrate', table, rows.map((r) => r.name));
}

/** Sqitch's default registry schema. */
const SQITCH_REGISTRY = 'sqitch';

async function hasSqitchRegistry(db: Queryable, target: string | undefined): Promise<boolean> {
  try {
    const { rows } = await db.query<{ found: boolean }>(
      `SELECT count(*) = 2 AS found FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname IN ('changes', 'events') AND c.relkind IN ('r', 'p')
         AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
         AND pg_catalog.has_table_privilege(c.oid, 'SELECT')`,
      [SQITCH_REGISTRY],
    );
    return rows[0]?.found === true;
  } catch (err) {
    throw toPostgresError(err, { target, action: 'looking up the Sqitch registry' });
  }
}

async function readSqitch(db: Queryable, target: string | undefined): Promise<RevisionState> {
  const table = `${SQITCH_REGISTRY}.changes`;
  try {
    const changes = await db.query<SqitchChangeRow>(
      `SELECT change_id::text AS "changeId", change::text AS change, project::text AS project
       FROM ${quoteIdent(SQITCH_REGISTRY)}.changes ORDER BY committed_at, change_id`,
    );
    // Failures not followed by a successful deploy of the same project.
    const events = `${quoteIdent(SQITCH_REGISTRY)}.events`;
    const failures = await db.query<SqitchFailRow>(
      `SELECT e.change::text AS change, e.project::text AS project, e.committed_at::text AS "committedAt"
       FROM ${events} e
       WHERE e.event = 'fail' AND NOT EXISTS (
         SELECT 1 FROM ${events} d WHERE d.project = e.project AND d.event = 'deploy' AND d.committed_at > e.committed_at)
       ORDER BY e.committed_at`,
    );
    return sqitchState(table, changes.rows, failures.rows);
  } catch (err) {
    throw toPostgresError(err, { target, action: `reading revision table ${table}` });
  }
}

async function readLiquibase(db: Queryable, table: string, found: FoundTable): Promise<RevisionState> {
  const { rows } = await db.query<LiquibaseRow>(
    `SELECT id::text AS id, author::text AS author, filename::text AS filename, exectype::text AS "execType",
            md5sum::text AS md5sum
     FROM ${quoteIdent(found.schema)}.${quoteIdent(found.name)} ORDER BY orderexecuted, dateexecuted`,
  );
  // The lock table sits beside the changelog table; Liquibase creates both, but a copied schema may lack it. Looked
  // up first rather than caught: a failed query would abort the session's read-only transaction.
  const lockName = lockTableOf(found.name);
  const lockFrom = `${quoteIdent(found.schema)}.${quoteIdent(lockName)}`;
  const exists = (await db.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [lockFrom])).rows[0]?.found === true;
  const lockRow = exists
    ? (
        await db.query<Omit<LiquibaseLock, 'table'>>(
          `SELECT locked::bool AS locked, lockedby::text AS "lockedBy", lockgranted::text AS "lockGranted" FROM ${lockFrom} WHERE id = 1`,
        )
      ).rows[0]
    : undefined;
  const lock = lockRow ? { ...lockRow, table: `${found.schema}.${lockName}` } : null;
  return liquibaseState(table, rows, lock);
}
