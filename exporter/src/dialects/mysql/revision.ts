/**
 * Revision tables of migration tools on a live MySQL/MariaDB database: finds the table (one `information_schema`
 * query) and reads its rows; what they mean is dialect-free (`revision/revision-state.ts`).
 *
 * As the tools create them on MySQL: Atlas `atlas_schema_revisions` in the target database (a database-bound URL)
 * or in a database of that name (a server-wide URL); Flyway `flyway_schema_history` (`success` is a BOOL, i.e.
 * `tinyint(1)`); golang-migrate `schema_migrations(version bigint not null primary key, dirty boolean not null)`;
 * dbmate `schema_migrations(version varchar(128) primary key)`; Prisma `_prisma_migrations` (`finished_at` and
 * `rolled_back_at` DATETIME(3)); drizzle-orm `__drizzle_migrations(id serial, hash text, created_at bigint)` in the
 * connection's database (1.x: `name`); goose `goose_db_version(id bigint unsigned auto_increment, version_id bigint,
 * is_applied boolean, tstamp datetime)` in the connection's database; Liquibase `DATABASECHANGELOG` and
 * `DATABASECHANGELOGLOCK` (upper case; `LOCKED` a TINYINT, BIT(1) before Liquibase 4.x) in the connection's database;
 * Sqitch's registry, the database `sqitch` (Sqitch's default `registry`: one per server, outside the inspected database,
 * read on the same connection).
 */
import {
  type AtlasRow,
  atlasState,
  dbmateState,
  flywayState,
  golangMigrateState,
  READ_TABLES,
  type RevisionState,
  type RevisionTool,
} from '../../revision/revision-state.ts';
import { drizzleState } from '../../revision/drizzle-state.ts';
import { gooseState } from '../../revision/goose-state.ts';
import { JS_MIGRATORS, jsMigratorOf, jsMigratorState } from '../../revision/js-migrator-state.ts';
import { liquibaseState, lockTableOf } from '../../revision/liquibase-state.ts';
import { prismaState } from '../../revision/prisma-state.ts';
import { sqitchState } from '../../revision/sqitch-state.ts';
import { mysqlDeployLocks, whileDeploying } from '../../revision/deploy-locks.ts';
import { type MysqlQueryable, toMysqlError } from './connect.ts';
import { quoteIdent } from './quote.ts';

/**
 * The DDL `tool` runs to create its revision table before the first migration: golang-migrate's mysql driver
 * (`ensureVersionTable`) runs ``CREATE TABLE `schema_migrations` (version bigint not null primary key, dirty boolean
 * not null)`` when `SHOW TABLES` does not list it.
 */
export function mysqlRevisionTableDdl(tool: RevisionTool): readonly string[] {
  if (tool !== 'golang-migrate') return [];
  return ['CREATE TABLE `schema_migrations` (version bigint not null primary key, dirty boolean not null)'];
}

interface FoundTable {
  schema: string;
  name: string;
  has_dirty: number | string;
  has_name: number | string;
}

/** Atlas' own database when it is connected to a whole server rather than one database. */
const ATLAS_DATABASE = 'atlas_schema_revisions';

// Preference: tool order (`READ_TABLES`), then the inspected database over Atlas' own.
const FIND_SQL = `
SELECT t.TABLE_SCHEMA AS \`schema\`, t.TABLE_NAME AS name,
  EXISTS (SELECT 1 FROM information_schema.COLUMNS c
          WHERE c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME AND c.COLUMN_NAME = 'dirty') AS has_dirty,
  EXISTS (SELECT 1 FROM information_schema.COLUMNS c
          WHERE c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME AND c.COLUMN_NAME = 'name') AS has_name
FROM information_schema.TABLES t
WHERE t.TABLE_TYPE = 'BASE TABLE'
  AND ((t.TABLE_SCHEMA = ? AND t.TABLE_NAME IN (?)) OR (t.TABLE_SCHEMA = ? AND t.TABLE_NAME = ?))
ORDER BY FIELD(t.TABLE_NAME, ?), t.TABLE_SCHEMA = ? DESC`;

/**
 * Finds the revision table of a known tool in `database` (default: the connection's current database) and reads the
 * deployed state from it. Returns `null` when there is none. When several exist, the first of `READ_TABLES` wins
 * (`schema_migrations` is golang-migrate's when it has a `dirty` column, else dbmate's). A migration tool's `GET_LOCK`
 * lock held by another connection (`deploy-locks.ts`) makes the state `deploying`.
 */
export async function readMysqlRevision(
  db: MysqlQueryable,
  database: string | null | undefined,
  options: { target?: string } = {},
): Promise<RevisionState | null> {
  let current: string;
  try {
    current = database ?? (await db.query<{ d: string | null }>('SELECT DATABASE() AS d')).rows[0]?.d ?? '';
  } catch (err) {
    throw toMysqlError(err, { target: options.target, action: 'looking up migration revision tables' });
  }
  const state = await readTables(db, current, options);
  const locks = mysqlDeployLocks(current);
  let used: Record<string, unknown> | undefined;
  try {
    // IS_USED_LOCK: the holder's connection id, or NULL. One query for every tool's lock name.
    const columns = locks.map((_, i) => `IS_USED_LOCK(?) AS l${i}`).join(', ');
    used = (await db.query<Record<string, unknown>>(`SELECT ${columns}`, locks.map((lock) => lock.key))).rows[0];
  } catch (err) {
    throw toMysqlError(err, { target: options.target, action: 'reading migration locks (IS_USED_LOCK)' });
  }
  return whileDeploying(state, locks.filter((_, i) => used?.[`l${i}`] != null));
}

async function readTables(db: MysqlQueryable, current: string, options: { target?: string }): Promise<RevisionState | null> {
  let found: FoundTable | undefined;
  try {
    // node-pg-migrate is PostgreSQL-only: a `pgmigrations` table here is not its revision table.
    const tables = READ_TABLES.filter((t) => t !== 'pgmigrations');
    found = (await db.query<FoundTable>(FIND_SQL, [current, tables, ATLAS_DATABASE, 'atlas_schema_revisions', tables, current]))
      .rows[0];
  } catch (err) {
    throw toMysqlError(err, { target: options.target, action: 'looking up migration revision tables' });
  }
  if (!found) {
    // Sqitch keeps its registry in a database of its own, one per server and not tied to a database: it is read only
    // when the target database holds no revision table of its own.
    return (await hasSqitchRegistry(db, options.target)) ? await readSqitch(db, options.target) : null;
  }
  const table = `${found.schema}.${found.name}`;
  const from = `${quoteIdent(found.schema)}.${quoteIdent(found.name)}`;
  try {
    if (found.name === 'atlas_schema_revisions') return await readAtlas(db, table, from);
    if (found.name === 'flyway_schema_history') return await readFlyway(db, table, from);
    if (found.name === '_prisma_migrations') return await readPrisma(db, table, from);
    if (found.name === '__drizzle_migrations') return await readDrizzle(db, table, from, Number(found.has_name) === 1);
    if (found.name === 'goose_db_version') return await readGoose(db, table, from);
    if (found.name.toLowerCase() === 'databasechangelog') return await readLiquibase(db, table, found);
    const jsMigrator = jsMigratorOf(found.name);
    if (jsMigrator) return await readJsMigrator(db, jsMigrator, found.schema, table, from);
    return Number(found.has_dirty) === 1 ? await readGolangMigrate(db, table, from) : await readDbmate(db, table, from);
  } catch (err) {
    throw toMysqlError(err, { target: options.target, action: `reading revision table ${table}` });
  }
}

async function readAtlas(db: MysqlQueryable, table: string, from: string): Promise<RevisionState> {
  // `.atlas_cloud_identifier` (and any other dot-prefixed row) is Atlas' own bookkeeping, not a migration.
  const { rows } = await db.query<AtlasRow>(
    `SELECT CAST(version AS CHAR) AS version, CAST(type AS SIGNED) AS type, CAST(applied AS SIGNED) AS applied,
       CAST(total AS SIGNED) AS total, NULLIF(error, '') AS error
     FROM ${from} WHERE version NOT LIKE '.%'`,
  );
  return atlasState(table, rows.map((r) => ({ ...r, type: Number(r.type), applied: Number(r.applied), total: Number(r.total) })));
}

async function readFlyway(db: MysqlQueryable, table: string, from: string): Promise<RevisionState> {
  const { rows } = await db.query<{ version: string | null; description: string; type: string; success: number | string; checksum: string | null }>(
    `SELECT CAST(version AS CHAR) AS version, description, type, CAST(success AS SIGNED) AS success,
       CAST(checksum AS CHAR) AS checksum
     FROM ${from} ORDER BY installed_rank`,
  );
  return flywayState(table, rows.map((r) => ({ ...r, success: Number(r.success) !== 0 })));
}

async function readGolangMigrate(db: MysqlQueryable, table: string, from: string): Promise<RevisionState> {
  const { rows } = await db.query<{ version: string; dirty: number | string }>(
    `SELECT CAST(version AS CHAR) AS version, CAST(dirty AS SIGNED) AS dirty FROM ${from} ORDER BY version DESC LIMIT 1`,
  );
  const row = rows[0];
  return golangMigrateState(table, row ? { version: row.version, dirty: Number(row.dirty) !== 0 } : undefined);
}

async function readDbmate(db: MysqlQueryable, table: string, from: string): Promise<RevisionState> {
  const { rows } = await db.query<{ version: string }>(`SELECT CAST(version AS CHAR) AS version FROM ${from}`);
  return dbmateState(table, rows.map((r) => r.version));
}

async function readPrisma(db: MysqlQueryable, table: string, from: string): Promise<RevisionState> {
  const { rows } = await db.query<{
    name: string;
    checksum: string;
    finished: number | string;
    rolled_back: number | string;
    logs: string | null;
  }>(
    `SELECT migration_name AS name, checksum, finished_at IS NOT NULL AS finished,
       rolled_back_at IS NOT NULL AS rolled_back, logs
     FROM ${from} ORDER BY started_at, id`,
  );
  return prismaState(
    table,
    rows.map((r) => ({
      name: r.name,
      checksum: r.checksum,
      finished: Number(r.finished) === 1,
      rolledBack: Number(r.rolled_back) === 1,
      logs: r.logs,
    })),
  );
}

async function readDrizzle(db: MysqlQueryable, table: string, from: string, byName: boolean): Promise<RevisionState> {
  const { rows } = await db.query<{ hash: string; created_at: string | null; name: string | null }>(
    `SELECT hash, CAST(created_at AS CHAR) AS created_at, ${byName ? 'name' : 'NULL'} AS name FROM ${from} ORDER BY id`,
  );
  return drizzleState(table, rows.map((r) => ({ hash: r.hash, createdAt: r.created_at, name: r.name })), { byName });
}

async function readJsMigrator(
  db: MysqlQueryable,
  tool: keyof typeof JS_MIGRATORS,
  schema: string,
  table: string,
  from: string,
): Promise<RevisionState> {
  const { rows } = await db.query<{ name: string }>(`SELECT name FROM ${from}`);
  const lockName = JS_MIGRATORS[tool].lock;
  const lock = await db
    .query<{ locked: number | string | null }>(`SELECT MAX(CAST(is_locked AS SIGNED)) AS locked FROM ${quoteIdent(schema)}.${quoteIdent(lockName)}`)
    .then(
      (r) => ({ table: `${schema}.${lockName}`, locked: Number(r.rows[0]?.locked ?? 0) !== 0 }),
      (err: unknown) => {
        if ((err as { errno?: number }).errno === NO_SUCH_TABLE) return null;
        throw err;
      },
    );
  return jsMigratorState(tool, table, rows.map((r) => r.name), lock);
}

async function readGoose(db: MysqlQueryable, table: string, from: string): Promise<RevisionState> {
  const { rows } = await db.query<{ version_id: string; is_applied: number | string }>(
    `SELECT CAST(version_id AS CHAR) AS version_id, CAST(is_applied AS SIGNED) AS is_applied FROM ${from} ORDER BY id`,
  );
  return gooseState(table, rows.map((r) => ({ versionId: r.version_id, isApplied: Number(r.is_applied) !== 0 })));
}

/** Sqitch's default registry database. */
const SQITCH_REGISTRY = 'sqitch';

async function hasSqitchRegistry(db: MysqlQueryable, target: string | undefined): Promise<boolean> {
  try {
    const { rows } = await db.query<{ found: number | string }>(
      `SELECT COUNT(*) AS found FROM information_schema.TABLES
       WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN ('changes', 'events') AND TABLE_TYPE = 'BASE TABLE'`,
      [SQITCH_REGISTRY],
    );
    return Number(rows[0]?.found) === 2;
  } catch (err) {
    throw toMysqlError(err, { target, action: 'looking up the Sqitch registry' });
  }
}

async function readSqitch(db: MysqlQueryable, target: string | undefined): Promise<RevisionState> {
  const table = `${SQITCH_REGISTRY}.changes`;
  const registry = quoteIdent(SQITCH_REGISTRY);
  try {
    // `change` is a reserved word in MySQL; after a qualifier it needs no quotes.
    const changes = await db.query<{ change_id: string; change: string; project: string }>(
      `SELECT c.change_id AS change_id, c.change AS \`change\`, c.project AS project
       FROM ${registry}.changes c ORDER BY c.committed_at, c.change_id`,
    );
    // Failures not followed by a successful deploy of the same project.
    const failures = await db.query<{ change: string; project: string; committed_at: string }>(
      `SELECT e.change AS \`change\`, e.project AS project, CAST(e.committed_at AS CHAR) AS committed_at
       FROM ${registry}.events e
       WHERE e.event = 'fail' AND NOT EXISTS (
         SELECT 1 FROM ${registry}.events d WHERE d.project = e.project AND d.event = 'deploy' AND d.committed_at > e.committed_at)
       ORDER BY e.committed_at`,
    );
    return sqitchState(
      table,
      changes.rows.map((r) => ({ changeId: r.change_id, change: r.change, project: r.project })),
      failures.rows.map((r) => ({ change: r.change, project: r.project, committedAt: r.committed_at })),
    );
  } catch (err) {
    throw toMysqlError(err, { target, action: `reading revision table ${table}` });
  }
}

async function readLiquibase(db: MysqlQueryable, table: string, found: FoundTable): Promise<RevisionState> {
  const { rows } = await db.query<{ id: string; author: string; filename: string; exectype: string; md5sum: string | null }>(
    `SELECT ID AS id, AUTHOR AS author, FILENAME AS filename, EXECTYPE AS exectype, MD5SUM AS md5sum
     FROM ${quoteIdent(found.schema)}.${quoteIdent(found.name)} ORDER BY ORDEREXECUTED, DATEEXECUTED`,
  );
  // The lock table beside it, named in the changelog table's case; `LOCKED` read as a number (TINYINT or BIT(1)).
  const lockName = lockTableOf(found.name);
  const lock = await db
    .query<{ locked: number | string; locked_by: string | null; lock_granted: string | null }>(
      `SELECT CAST(\`LOCKED\` AS SIGNED) AS locked, LOCKEDBY AS locked_by, CAST(LOCKGRANTED AS CHAR) AS lock_granted
       FROM ${quoteIdent(found.schema)}.${quoteIdent(lockName)} WHERE ID = 1`,
    )
    .then(
      (r) => r.rows[0] ?? null,
      (err: unknown) => {
        if ((err as { errno?: number }).errno === NO_SUCH_TABLE) return null;
        throw err;
      },
    );
  return liquibaseState(
    table,
    rows.map((r) => ({ id: r.id, author: r.author, filename: r.filename, execType: r.exectype, md5sum: r.md5sum })),
    lock ? { table: `${found.schema}.${lockName}`, locked: Number(lock.locked) !== 0, lockedBy: lock.locked_by, lockGranted: lock.lock_granted } : null,
  );
}

/** ER_NO_SUCH_TABLE. */
const NO_SUCH_TABLE = 1146;
