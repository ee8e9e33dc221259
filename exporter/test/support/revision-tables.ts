/**
 * Migration tools' revision tables as test data, per dialect: each tool's table (Atlas, Flyway, golang-migrate, dbmate)
 * created with the DDL the tool itself runs on that dialect, the rows the tool writes, and the {@link RevisionState}
 * a reader must make of them. The rows and the expected states are written once: only the DDL and where a table
 * lives (so how `RevisionState.table` names it) differ between dialects. Used by
 * `test/migrations/revision-tables.test.ts` (every dialect, through the contract) and the dialect folders' own
 * revision tests.
 */
import type { DialectName } from '../../src/core/model/schema.ts';
import type { RevisionState } from '../../src/revision/revision-state.ts';

/** How `RevisionState.table` names each tool's table in a test database. */
export interface Located {
  readonly atlas: string;
  readonly flyway: string;
  /** golang-migrate's and dbmate's table (same name, told apart by a `dirty` column). */
  readonly schemaMigrations: string;
}

/** One dialect's revision tables. */
export interface ToolTables {
  /** Atlas' table where Atlas creates it for a URL bound to the test database (PostgreSQL: in its own schema). */
  readonly atlas: string;
  /** The Atlas table as an `INSERT` in the test database names it. */
  readonly atlasInsertInto: string;
  readonly flyway: string;
  readonly golangMigrate: string;
  readonly dbmate: string;
  /** An error as the dialect's driver words it, as Atlas records it in its `error` column. */
  readonly driverError: string;
  /** Where the tables are, in the test database named `database`. */
  located(database: string): Located;
  /** Cases about placements only this dialect has (PostgreSQL schemas). */
  readonly only: readonly RevisionCase[];
}

/** One revision-table case: the SQL that builds the tables and rows, and what a reader must return. */
export interface RevisionCase {
  readonly name: string;
  readonly setup: (tables: ToolTables) => string;
  /** `tables` only for the Atlas error text: the rest of a state is the same on every dialect but for `at`. */
  readonly expected: (at: Located, tables: ToolTables) => RevisionState | null;
}

/** A string as an SQL literal (both dialects: single quotes, doubled). */
function lit(value: string | null): string {
  return value === null ? 'NULL' : `'${value.replaceAll("'", "''")}'`;
}

/** One row of Atlas' table. */
export interface AtlasRowSpec {
  readonly version: string;
  readonly applied: number;
  readonly total: number;
  /** Atlas' type bits: 2 = file, 4 = resolved by hand (`atlas migrate set`). */
  readonly type?: number;
  readonly error?: string;
  readonly errorStmt?: string;
}

/** `INSERT`s of rows as Atlas writes them (`.atlas_cloud_identifier` is its own bookkeeping row). */
export function atlasRows(into: string, rows: readonly AtlasRowSpec[]): string {
  return rows
    .map(
      (r) => `INSERT INTO ${into}
  (version, description, type, applied, total, executed_at, execution_time, error, error_stmt, hash, operator_version)
VALUES (${lit(r.version)}, 'x', ${r.type ?? 2}, ${r.applied}, ${r.total}, NOW(), 1000,
  ${lit(r.error ?? null)}, ${lit(r.errorStmt ?? null)}, 'h', 'Atlas CLI v0.30.0');`,
    )
    .join('\n');
}

const ATLAS_CLEAN: readonly AtlasRowSpec[] = [
  { version: '.atlas_cloud_identifier', applied: 0, total: 0 },
  { version: '20240101000000', applied: 2, total: 2 },
  { version: '20240102000000', applied: 3, total: 3 },
];

/** installed_rank, version (null: repeatable), description, type, script, success. */
type FlywayRowSpec = readonly [number, string | null, string, string, string, boolean];

function flywayRows(rows: readonly FlywayRowSpec[]): string {
  return rows
    .map(
      ([rank, version, description, type, script, success]) => `INSERT INTO flyway_schema_history
  (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
VALUES (${rank}, ${lit(version)}, ${lit(description)}, ${lit(type)}, ${lit(script)}, 1, 'deploy', 10, ${success});`,
    )
    .join('\n');
}

/** The repeatable `R__views.sql` of {@link FLYWAY_CLEAN}, by description, with the checksum its row records. */
const VIEWS_RERUN = [{ key: 'views', checksum: '1' }];

const FLYWAY_CLEAN: readonly FlywayRowSpec[] = [
  [1, '0', '<< Flyway Schema Creation >>', 'SCHEMA', '"app"', true],
  [2, '1', 'init', 'SQL', 'V1__init.sql', true],
  [3, '1.1', 'users', 'SQL', 'V1_1__users.sql', true],
  [4, '2', 'orders', 'SQL', 'V2__orders.sql', true],
  [5, null, 'views', 'SQL', 'R__views.sql', true],
];

// PostgreSQL, as the tools create the tables there: Atlas its Ent schema (in the schema `atlas_schema_revisions` by
// default); Flyway createMetaDataTable.sql; golang-migrate ensureVersionTable; dbmate CreateMigrationsTable.
const PG_ATLAS = `
CREATE SCHEMA "atlas_schema_revisions";
CREATE TABLE "atlas_schema_revisions"."atlas_schema_revisions" ("version" character varying NOT NULL,
  "description" character varying NOT NULL, "type" bigint NOT NULL DEFAULT 2, "applied" bigint NOT NULL DEFAULT 0,
  "total" bigint NOT NULL DEFAULT 0, "executed_at" timestamptz NOT NULL, "execution_time" bigint NOT NULL,
  "error" text NULL, "error_stmt" text NULL, "hash" character varying NOT NULL, "partial_hashes" jsonb NULL,
  "operator_version" character varying NOT NULL, PRIMARY KEY ("version"));`;
const PG_FLYWAY = `
CREATE TABLE "public"."flyway_schema_history" (
  "installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL,
  "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER,
  "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
  "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL);
ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");`;
const PG_GOLANG_MIGRATE = `CREATE TABLE IF NOT EXISTS "public"."schema_migrations" (version bigint not null primary key, dirty boolean not null);`;
const PG_DBMATE = `create table if not exists "public"."schema_migrations" (version varchar(255) primary key);`;

// MySQL/MariaDB, as the tools create the tables there: Atlas its Ent schema as rendered for MySQL (utf8mb4_bin,
// bigint unsigned type; in the URL's database); Flyway mysql/createMetaDataTable.sql; golang-migrate
// ensureVersionTable; dbmate CreateMigrationsTable.
const MYSQL_ATLAS = `
CREATE TABLE \`atlas_schema_revisions\` (\`version\` varchar(255) NOT NULL, \`description\` varchar(255) NOT NULL,
  \`type\` bigint unsigned NOT NULL DEFAULT 2, \`applied\` bigint NOT NULL DEFAULT 0, \`total\` bigint NOT NULL DEFAULT 0,
  \`executed_at\` timestamp NOT NULL, \`execution_time\` bigint NOT NULL, \`error\` longtext NULL,
  \`error_stmt\` longtext NULL, \`hash\` varchar(255) NOT NULL, \`partial_hashes\` json NULL,
  \`operator_version\` varchar(255) NOT NULL, PRIMARY KEY (\`version\`)) CHARSET utf8mb4 COLLATE utf8mb4_bin;`;
const MYSQL_FLYWAY = `
CREATE TABLE \`flyway_schema_history\` (
    \`installed_rank\` INT NOT NULL,
    \`version\` VARCHAR(50),
    \`description\` VARCHAR(200) NOT NULL,
    \`type\` VARCHAR(20) NOT NULL,
    \`script\` VARCHAR(1000) NOT NULL,
    \`checksum\` INT,
    \`installed_by\` VARCHAR(100) NOT NULL,
    \`installed_on\` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    \`execution_time\` INT NOT NULL,
    \`success\` BOOL NOT NULL,
    CONSTRAINT \`flyway_schema_history_pk\` PRIMARY KEY (\`installed_rank\`)
) ENGINE=InnoDB;
CREATE INDEX \`flyway_schema_history_s_idx\` ON \`flyway_schema_history\` (\`success\`);`;
const MYSQL_GOLANG_MIGRATE = 'CREATE TABLE IF NOT EXISTS `schema_migrations` (version bigint not null primary key, dirty boolean not null);';
const MYSQL_DBMATE = 'create table if not exists `schema_migrations` (version varchar(128) primary key);';

/** Placements only PostgreSQL has: schemas other than the URL's. */
const POSTGRES_ONLY: RevisionCase[] = [
  {
    name: 'atlas, table in the URL schema',
    setup: () =>
      PG_ATLAS.replaceAll('"atlas_schema_revisions"."atlas_schema_revisions"', 'public.atlas_schema_revisions').replace(
        'CREATE SCHEMA "atlas_schema_revisions";',
        '',
      ) + atlasRows('public.atlas_schema_revisions', ATLAS_CLEAN),
    expected: () => ({
      tool: 'atlas',
      table: 'public.atlas_schema_revisions',
      version: '20240102000000',
      dirty: false,
      appliedVersions: ['20240101000000', '20240102000000'],
    }),
  },
  {
    name: 'dbmate in its own schema, with flyway elsewhere: flyway preferred',
    setup: () => `CREATE SCHEMA dbmate; ${PG_DBMATE.replace('"public"', '"dbmate"')}
      INSERT INTO dbmate.schema_migrations VALUES ('1'); ${PG_FLYWAY} ${flywayRows(FLYWAY_CLEAN)}`,
    expected: () => ({
      tool: 'flyway',
      table: 'public.flyway_schema_history',
      version: '2',
      dirty: false,
      appliedVersions: ['1', '1.1', '2'],
      rerunChecksums: VIEWS_RERUN,
    }),
  },
];

/** Each dialect's tables. */
export const TOOL_TABLES: Record<DialectName, ToolTables> = {
  postgres: {
    atlas: PG_ATLAS,
    atlasInsertInto: 'atlas_schema_revisions.atlas_schema_revisions',
    flyway: PG_FLYWAY,
    golangMigrate: PG_GOLANG_MIGRATE,
    dbmate: PG_DBMATE,
    driverError: 'pq: column "x" does not exist',
    located: () => ({
      atlas: 'atlas_schema_revisions.atlas_schema_revisions',
      flyway: 'public.flyway_schema_history',
      schemaMigrations: 'public.schema_migrations',
    }),
    only: POSTGRES_ONLY,
  },
  mysql: {
    atlas: MYSQL_ATLAS,
    atlasInsertInto: 'atlas_schema_revisions',
    flyway: MYSQL_FLYWAY,
    golangMigrate: MYSQL_GOLANG_MIGRATE,
    dbmate: MYSQL_DBMATE,
    driverError: 'Duplicate column name',
    located: (database) => ({
      atlas: `${database}.atlas_schema_revisions`,
      flyway: `${database}.flyway_schema_history`,
      schemaMigrations: `${database}.schema_migrations`,
    }),
    only: [],
  },
};

/** The cases every dialect runs: same rows, same expected state. */
export const REVISION_CASES: readonly RevisionCase[] = [
  { name: 'no revision table', setup: () => 'CREATE TABLE users (id int);', expected: () => null },
  {
    name: 'atlas, clean (identifier row skipped)',
    setup: (t) => t.atlas + atlasRows(t.atlasInsertInto, ATLAS_CLEAN),
    expected: (at) => ({
      tool: 'atlas',
      table: at.atlas,
      version: '20240102000000',
      dirty: false,
      appliedVersions: ['20240101000000', '20240102000000'],
    }),
  },
  {
    name: 'atlas, partially applied with an error',
    setup: (t) =>
      t.atlas +
      atlasRows(t.atlasInsertInto, [
        ...ATLAS_CLEAN,
        { version: '20240103000000', applied: 1, total: 3, error: t.driverError, errorStmt: 'ALTER TABLE t ADD y int' },
      ]),
    expected: (at, t) => ({
      tool: 'atlas',
      table: at.atlas,
      version: '20240103000000',
      dirty: true,
      failedVersion: '20240103000000',
      error: t.driverError,
      appliedVersions: ['20240101000000', '20240102000000', '20240103000000'],
    }),
  },
  {
    name: 'atlas, failure marked resolved (type 2|4)',
    setup: (t) =>
      t.atlas +
      atlasRows(t.atlasInsertInto, [...ATLAS_CLEAN, { version: '20240103000000', type: 6, applied: 1, total: 3, error: 'boom' }]),
    expected: (at) => ({
      tool: 'atlas',
      table: at.atlas,
      version: '20240103000000',
      dirty: false,
      appliedVersions: ['20240101000000', '20240102000000', '20240103000000'],
    }),
  },
  {
    name: 'flyway, clean (SCHEMA row and repeatable skipped, numeric order)',
    setup: (t) => t.flyway + flywayRows(FLYWAY_CLEAN),
    expected: (at) => ({
      tool: 'flyway',
      table: at.flyway,
      version: '2',
      dirty: false,
      appliedVersions: ['1', '1.1', '2'],
      rerunChecksums: VIEWS_RERUN,
    }),
  },
  {
    // A failed row stays where the tool cannot roll the file back: always on MySQL (DDL commits), on PostgreSQL
    // for a file run outside a transaction.
    name: 'flyway, failed migration (success false)',
    setup: (t) => t.flyway + flywayRows([...FLYWAY_CLEAN, [6, '10', 'payments', 'SQL', 'V10__payments.sql', false]]),
    expected: (at) => ({
      tool: 'flyway',
      table: at.flyway,
      version: '10',
      dirty: true,
      failedVersion: '10',
      appliedVersions: ['1', '1.1', '2'],
      rerunChecksums: VIEWS_RERUN,
    }),
  },
  {
    name: 'flyway, baseline then migrations',
    setup: (t) =>
      t.flyway +
      flywayRows([
        [1, '5', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', true],
        [2, '6', 'more', 'SQL', 'V6__more.sql', true],
      ]),
    // Neither row is a repeatable's run: no rerun checksums (the baseline row has none).
    expected: (at) => ({ tool: 'flyway', table: at.flyway, version: '6', dirty: false, appliedVersions: ['5', '6'], rerunChecksums: [] }),
  },
  {
    name: 'golang-migrate, clean',
    setup: (t) => `${t.golangMigrate} INSERT INTO schema_migrations VALUES (20240102000000, false);`,
    expected: (at) => ({
      tool: 'golang-migrate',
      table: at.schemaMigrations,
      version: '20240102000000',
      dirty: false,
      appliedVersions: ['20240102000000'],
    }),
  },
  {
    name: 'golang-migrate, dirty',
    setup: (t) => `${t.golangMigrate} INSERT INTO schema_migrations VALUES (3, true);`,
    expected: (at) => ({
      tool: 'golang-migrate',
      table: at.schemaMigrations,
      version: '3',
      dirty: true,
      failedVersion: '3',
      appliedVersions: ['3'],
    }),
  },
  {
    name: 'golang-migrate, first migration failed (version -1)',
    setup: (t) => `${t.golangMigrate} INSERT INTO schema_migrations VALUES (-1, true);`,
    expected: (at) => ({
      tool: 'golang-migrate',
      table: at.schemaMigrations,
      version: null,
      dirty: true,
      failedVersion: '-1',
      appliedVersions: [],
    }),
  },
  {
    name: 'golang-migrate, empty after a full down',
    setup: (t) => t.golangMigrate,
    expected: (at) => ({ tool: 'golang-migrate', table: at.schemaMigrations, version: null, dirty: false, appliedVersions: [] }),
  },
  {
    name: 'dbmate, highest version wins',
    setup: (t) => `${t.dbmate} INSERT INTO schema_migrations VALUES ('20240101000000'), ('20240201000000'), ('20231231000000');`,
    expected: (at) => ({
      tool: 'dbmate',
      table: at.schemaMigrations,
      version: '20240201000000',
      dirty: false,
      appliedVersions: ['20231231000000', '20240101000000', '20240201000000'],
    }),
  },
  {
    name: 'atlas wins over flyway when both exist',
    setup: (t) =>
      t.flyway +
      flywayRows([[1, '1', 'init', 'SQL', 'V1__init.sql', true]]) +
      t.atlas +
      atlasRows(t.atlasInsertInto, [{ version: '7', applied: 1, total: 1 }]),
    expected: (at) => ({ tool: 'atlas', table: at.atlas, version: '7', dirty: false, appliedVersions: ['7'] }),
  },
];

/** Every case a dialect runs: the common ones, then its own. */
export function revisionCasesFor(dialect: DialectName): RevisionCase[] {
  return [...REVISION_CASES, ...TOOL_TABLES[dialect].only];
}
