/**
 * Revision tables of migration tools, dialect-free: what their rows say about the deployed migrations, which tables
 * belong to the tools (never diffed), and where a live database stands against a migration directory.
 *
 * The dialect modules (`postgres/revision.ts`, `mysql/revision.ts`) find the table in their catalogs and read its
 * rows into the plain shapes below; the interpretation is the same for every server.
 * - Atlas: `atlas_schema_revisions`, one row per applied file: `version`, `type` (bit set: 1 baseline, 2 executed,
 *   4 resolved by hand), `applied`/`total` statements, `error`. A row `.atlas_cloud_identifier` holds the table's id.
 * - Flyway: `flyway_schema_history`, one row per run: `installed_rank`, `version` (null for repeatable scripts),
 *   `type` (`SQL`, `BASELINE`, `SCHEMA`, `DELETE`, `UNDO_SQL`, ...), `success`.
 * - golang-migrate: `schema_migrations(version bigint, dirty)`, a single row (none after a full down).
 * - dbmate: `schema_migrations(version varchar)`, one row per applied file, no dirty flag.
 * - Prisma Migrate: `_prisma_migrations`, one row per attempt (`prisma-state.ts`).
 * - drizzle-orm's migrator: `__drizzle_migrations(id, hash, created_at)` (1.x adds `name`) (`drizzle-state.ts`).
 * - goose: `goose_db_version(id, version_id, is_applied, tstamp)`, the latest row per version (`goose-state.ts`).
 * - node-pg-migrate: `pgmigrations(id, name, run_on)`, one row per applied file (`versionSetState`).
 * - Sqitch: the registry schema/database `sqitch` (`changes`, `events`, ...), deployed change ids (`sqitch-state.ts`).
 * - Liquibase: `DATABASECHANGELOG` (PostgreSQL: `databasechangelog`), one row per changeset, matched by key, and
 *   `DATABASECHANGELOGLOCK` (`liquibase-state.ts`).
 */
import type { MigrationDirectory, MigrationFile, MigrationFormat } from '../migrations/types.ts';
import { compareVersions } from '../migrations/versions.ts';

/** Migration tool that owns a revision table. */
export type RevisionTool =
  | 'atlas'
  | 'flyway'
  | 'golang-migrate'
  | 'dbmate'
  | 'prisma'
  | 'drizzle'
  | 'goose'
  | 'liquibase'
  | 'sqitch'
  | 'node-pg-migrate'
  | 'knex'
  | 'kysely';

/** What a revision table says about the deployed migrations. */
export interface RevisionState {
  readonly tool: RevisionTool;
  /** `schema.name` of the revision table (MySQL: `database.name`). */
  readonly table: string;
  /** Highest deployed version (including a failed one that is partially applied); `null` when none is. */
  readonly version: string | null;
  /** A migration failed or is partially applied: the schema is in an intermediate state. */
  readonly dirty: boolean;
  /** Version of the failed migration, when `dirty` (Flyway: its description when it has no version). */
  readonly failedVersion?: string;
  /** Error text the tool recorded (Atlas only; the others keep none). */
  readonly error?: string;
  /**
   * Set while the migration tool holds its lock (a deploy is applying migrations, `deploy-locks.ts`): what is held.
   * The check then reports `deploying` rather than `dirty` or `drift`, until the target's `deployingLimit`.
   */
  readonly deploying?: string;
  /**
   * Every deployed version, ascending. golang-migrate keeps only the current one, so it is that one alone
   * (every lower version is implied).
   */
  readonly appliedVersions: string[];
  /**
   * Checksums the tool recorded for deployed migrations, by version (Prisma's `checksum`, drizzle's `hash`: sha256
   * hex of the file), so a file edited after it was deployed can be told. Absent for tools that keep none we read.
   */
  readonly checksums?: readonly RevisionChecksum[];
  /**
   * Tools that record identities, not ordered versions (Liquibase, Sqitch): the `MigrationFile.key`s the table lists
   * as deployed (a failed one that may be partly applied included). When present, `pendingMigrations` matches files on
   * it and the directory's order decides what is pending; `version` and `appliedVersions` are then for display only.
   */
  readonly appliedKeys?: readonly string[];
  /**
   * Migrations that run again when their text changes (`MigrationFile.rerun`): the checksum of each one's last
   * successful run, by its rerun key. Absent for tools that have none.
   */
  readonly rerunChecksums?: readonly { readonly key: string; readonly checksum: string }[];
}

/** The checksum a tool recorded for one deployed migration. */
export interface RevisionChecksum {
  readonly version: string;
  readonly checksum: string;
}

/**
 * Unqualified names of the revision tables we read, in the order of preference when several exist: the tools whose
 * table name is their own before the generic `schema_migrations`.
 */
export const READ_TABLES = [
  'atlas_schema_revisions',
  'flyway_schema_history',
  '_prisma_migrations',
  '__drizzle_migrations',
  'goose_db_version',
  'pgmigrations',
  // Liquibase: lower case on PostgreSQL (unquoted), upper case on MySQL (case-sensitive table names on Linux).
  'databasechangelog',
  'DATABASECHANGELOG',
  'knex_migrations',
  'kysely_migration',
  'schema_migrations',
] as const;

/**
 * The tool whose revision table a replay of `directory` creates before the first file, as the tool itself does before
 * it applies anything: golang-migrate's `schema_migrations`, which real projects' migrations alter (an added column,
 * ...). Atlas's golang-migrate layout (`.up.sql` files) gets it too: golang-migrate itself may deploy it, and when Atlas
 * does, the extra table in the scratch database is excluded from every diff anyway. The table stays excluded from every
 * diff. Other tools' tables are left out of a replay.
 */
export function replaySetupTool(directory: Pick<MigrationDirectory, 'format' | 'files'>): RevisionTool | undefined {
  if (directory.format === 'golang-migrate') return 'golang-migrate';
  if (directory.format === 'atlas' && directory.files.some((f) => f.path.endsWith('.up.sql'))) return 'golang-migrate';
  return undefined;
}

/**
 * Whether a database's revision table applies to a `format` directory: not to schema files, which have no versions
 * (the table records which migrations ran, so it can neither bound a schema file's replay nor leave part of it
 * pending, and its dirty flag is not the schema file's).
 */
export function revisionApplies(format: MigrationFormat): boolean {
  return format !== 'schema';
}

/**
 * Revision and lock tables of migration tools, as `schema.table` globs: they belong to the tools, not to the
 * application schema, and are excluded from every diff. Globs match case-sensitively: Liquibase's tables are upper
 * case on MySQL.
 */
export const REVISION_TABLES: readonly string[] = [
  '*.atlas_schema_revisions',
  '*.flyway_schema_history',
  '*.schema_migrations',
  '*.databasechangelog',
  '*.databasechangeloglock',
  '*.DATABASECHANGELOG',
  '*.DATABASECHANGELOGLOCK',
  '*._prisma_migrations',
  '*.__drizzle_migrations',
  '*.goose_db_version',
  '*.pgmigrations',
  '*.knex_migrations',
  '*.knex_migrations_lock',
  '*.kysely_migration',
  '*.kysely_migration_lock',
];

/** Schemas that only hold a tool's revision table (Atlas' default; drizzle-orm's `drizzle` on PostgreSQL; Sqitch's
 * registry `sqitch`, a schema on PostgreSQL and a database on MySQL). */
export const REVISION_SCHEMAS: readonly string[] = ['atlas_schema_revisions', 'drizzle', 'sqitch'];

/** Sequences of the tools' tables (PostgreSQL: the `serial` id of `__drizzle_migrations`, the identity (goose 3) or
 * `serial` (older goose) id of `goose_db_version`, the `serial` id of node-pg-migrate's `pgmigrations`, Knex's
 * `increments` ids of its two tables), wherever the table is. */
export const REVISION_SEQUENCES: readonly string[] = [
  '*.__drizzle_migrations_id_seq',
  '*.goose_db_version_id_seq',
  '*.pgmigrations_id_seq',
  '*.knex_migrations_id_seq',
  '*.knex_migrations_lock_index_seq',
];

/**
 * Exclude globs for the differ's `ObjectFilter.exclude`: the revision tables, their sequences and the tools'
 * revision schemas. Merge them into a user's own excludes rather than replacing those.
 */
export function revisionExcludeFilter(): { table: string[]; schema: string[]; sequence: string[] } {
  return { table: [...REVISION_TABLES], schema: [...REVISION_SCHEMAS], sequence: [...REVISION_SEQUENCES] };
}

/** Distinct versions in ascending version order. */
export function sortVersions(versions: Iterable<string>): string[] {
  return [...new Set(versions)].sort(compareVersions);
}

/** One row of `atlas_schema_revisions` (dot-prefixed bookkeeping rows already left out). */
export interface AtlasRow {
  readonly version: string;
  readonly type: number;
  readonly applied: number;
  readonly total: number;
  /** `null` when none (an empty string counts as none too). */
  readonly error: string | null;
}

const ATLAS_RESOLVED = 4;

/** State from Atlas rows. */
export function atlasState(table: string, rows: readonly AtlasRow[]): RevisionState {
  const applied = sortVersions(rows.map((r) => r.version));
  // A revision that stopped part-way or recorded an error is dirty until someone marks it resolved.
  const failed = rows
    .filter((r) => ((r.error ?? '') !== '' || r.applied < r.total) && (r.type & ATLAS_RESOLVED) === 0)
    .sort((a, b) => compareVersions(a.version, b.version))
    .at(-1);
  return {
    tool: 'atlas',
    table,
    version: applied.at(-1) ?? null,
    dirty: failed !== undefined,
    ...(failed ? { failedVersion: failed.version } : {}),
    ...(failed?.error ? { error: failed.error } : {}),
    appliedVersions: applied,
  };
}

/** One row of `flyway_schema_history`. */
export interface FlywayRow {
  readonly version: string | null;
  readonly description: string;
  readonly type: string;
  readonly success: boolean;
  /** Flyway's CRC32 of the script as a signed 32-bit decimal; null for rows without one (SCHEMA, BASELINE, ...). */
  readonly checksum?: string | null;
}

/** State from Flyway rows in `installed_rank` order. */
export function flywayState(table: string, rows: readonly FlywayRow[]): RevisionState {
  const applied = new Set<string>();
  // A repeatable is known by its description; its latest successful run's checksum tells whether it changed since.
  const repeatables = new Map<string, string>();
  let failed: FlywayRow | undefined;
  for (const row of rows) {
    if (!row.success) {
      failed = row;
      continue;
    }
    if (row.version === null && row.type === 'SQL' && row.checksum != null) repeatables.set(row.description, row.checksum);
    // SCHEMA rows record schemas Flyway created (version 0); they are not migrations.
    if (row.version === null || row.type === 'SCHEMA') continue;
    // An undo or a `repair`-written DELETE row takes the version back out.
    if (row.type.startsWith('UNDO_') || row.type === 'DELETE') applied.delete(row.version);
    else applied.add(row.version);
  }
  const versions = sortVersions(applied);
  const failedVersion = failed ? (failed.version ?? failed.description) : undefined;
  const top = [versions.at(-1), failed?.version ?? undefined]
    .filter((v): v is string => v !== undefined)
    .sort(compareVersions)
    .at(-1);
  return {
    tool: 'flyway',
    table,
    version: top ?? null,
    dirty: failed !== undefined,
    ...(failedVersion !== undefined ? { failedVersion } : {}),
    appliedVersions: versions,
    rerunChecksums: [...repeatables].map(([key, checksum]) => ({ key, checksum })),
  };
}

/** State from golang-migrate's single row (the highest version when there are several), or none. */
export function golangMigrateState(table: string, row: { version: string; dirty: boolean } | undefined): RevisionState {
  // golang-migrate writes version -1 ("nil version") with dirty = true when a first migration fails.
  const version = row && row.version !== '-1' ? row.version : null;
  const dirty = row?.dirty ?? false;
  return {
    tool: 'golang-migrate',
    table,
    version,
    dirty,
    ...(dirty && row ? { failedVersion: row.version } : {}),
    appliedVersions: version === null ? [] : [version],
  };
}

/**
 * State from the set of versions a tool records, one row per applied migration and no failure state: dbmate's
 * `schema_migrations(version)`, node-pg-migrate's `pgmigrations(name)` (the file name without extension; node-pg-migrate
 * runs pending migrations in one transaction with their rows, so a failure leaves none and shows as pending plus
 * whatever a `-- no transaction` file left behind).
 */
export function versionSetState(tool: RevisionTool, table: string, versions: readonly string[]): RevisionState {
  const sorted = sortVersions(versions);
  return { tool, table, version: sorted.at(-1) ?? null, dirty: false, appliedVersions: sorted };
}

/** State from dbmate's versions. */
export function dbmateState(table: string, versions: readonly string[]): RevisionState {
  return versionSetState('dbmate', table, versions);
}

/** Where a live database stands against a migration directory. */
export interface DeployedMigrations {
  /**
   * Replay bound: the deployed version; `null` when the revision table says nothing is deployed; `undefined` when
   * there is no revision table (nothing known: replay everything).
   */
  readonly upToVersion: string | null | undefined;
  /** Versioned files newer than the deployed version: not yet deployed, so not drift. */
  readonly pending: MigrationFile[];
  /** The deployed version has no file in the directory (deleted, renamed, or a different directory). */
  readonly unknownDeployed?: string;
  /**
   * Files at or below the deployed version that the revision table does not list (out-of-order files added
   * later). They are replayed as desired, so what they create shows up as drift. Only for tools that record every
   * version (not golang-migrate).
   */
  readonly notApplied?: MigrationFile[];
}

/**
 * Splits a directory's versioned files at the deployed version of `state`. Repeatable (Flyway `R__`) files are
 * neither pending nor bounded: they follow the versioned ones.
 */
export function pendingMigrations(dir: MigrationDirectory, state: RevisionState | null): DeployedMigrations {
  if (!state) return { upToVersion: undefined, pending: [] };
  if (state.appliedKeys) return pendingByKey(dir, state.appliedKeys);
  const versioned = dir.files.filter((f): f is MigrationFile & { version: string } => f.version !== null);
  const deployed = state.version;
  if (deployed === null) return { upToVersion: null, pending: versioned };
  const pending = versioned.filter((f) => compareVersions(f.version, deployed) > 0);
  const known = versioned.some((f) => compareVersions(f.version, deployed) === 0);
  const result: DeployedMigrations = {
    upToVersion: deployed,
    pending,
    ...(known ? {} : { unknownDeployed: deployed }),
  };
  if (state.tool === 'golang-migrate') return result;
  const notApplied = versioned.filter(
    (f) => compareVersions(f.version, deployed) <= 0 && !state.appliedVersions.some((v) => compareVersions(v, f.version) === 0),
  );
  return notApplied.length > 0 ? { ...result, notApplied } : result;
}

/**
 * The split for tools that record identities: every file up to the last one whose key is deployed is replayed (those
 * among them that are not deployed are `notApplied`), the rest is pending. Keys deployed but absent from the directory
 * (another changelog, a deleted file) only matter when none of the directory's keys is deployed: then the database was
 * deployed from something else, and the whole directory is compared.
 */
function pendingByKey(dir: MigrationDirectory, appliedKeys: readonly string[]): DeployedMigrations {
  const deployed = new Set(appliedKeys);
  const versioned = dir.files.filter((f): f is MigrationFile & { version: string } => f.version !== null);
  const last = versioned.findLastIndex((f) => f.key !== undefined && deployed.has(f.key));
  if (last < 0) {
    if (deployed.size === 0) return { upToVersion: null, pending: versioned };
    return { upToVersion: null, pending: versioned, unknownDeployed: [...deployed].at(-1) as string };
  }
  const notApplied = versioned.slice(0, last).filter((f) => f.key === undefined || !deployed.has(f.key));
  return {
    upToVersion: (versioned[last] as MigrationFile & { version: string }).version,
    pending: versioned.slice(last + 1),
    ...(notApplied.length > 0 ? { notApplied } : {}),
  };
}
