/**
 * Revision tables of migration tools: which migration is deployed on a live PostgreSQL database.
 *
 * The tools and their tables (as the tools create them on PostgreSQL):
 * - Atlas: `atlas_schema_revisions` (in the schema of the same name by default, or in the URL's schema), one row per
 *   applied file: `version`, `type` (bit set: 1 baseline, 2 executed, 4 resolved by hand), `applied`/`total`
 *   statements, `error`. A row `.atlas_cloud_identifier` holds the table's id, not a migration.
 * - Flyway: `flyway_schema_history`, one row per run: `installed_rank`, `version` (null for repeatable scripts),
 *   `type` (`SQL`, `BASELINE`, `SCHEMA`, `DELETE`, `UNDO_SQL`, ...), `success`.
 * - golang-migrate: `schema_migrations(version bigint, dirty boolean)`, a single row (none after a full down).
 * - dbmate: `schema_migrations(version varchar(255) primary key)`, one row per applied file, no dirty flag.
 *
 * Knowing the deployed version keeps pending migrations from being reported as drift, and a failed (dirty)
 * migration becomes its own status. The tables themselves are never part of a diff ({@link revisionExcludeFilter}).
 */
import type { MigrationDirectory, MigrationFile } from '../migrations/types.ts';
import { compareVersions } from '../migrations/versions.ts';
import { toSchemaDriftError } from './connect.ts';
import type { Queryable } from './queryable.ts';
import { quoteIdent } from './quote.ts';

/** Migration tool that owns a revision table. */
export type RevisionTool = 'atlas' | 'flyway' | 'golang-migrate' | 'dbmate';

/** What a revision table says about the deployed migrations. */
export interface RevisionState {
  readonly tool: RevisionTool;
  /** `schema.name` of the revision table. */
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
   * Every deployed version, ascending. golang-migrate keeps only the current one, so it is that one alone
   * (every lower version is implied).
   */
  readonly appliedVersions: string[];
}

/** Unqualified names of the revision tables we read, in the order of preference when several exist. */
const READ_TABLES = ['atlas_schema_revisions', 'flyway_schema_history', 'schema_migrations'] as const;

/**
 * Revision and lock tables of migration tools, as `schema.table` globs: they belong to the tools, not to the
 * application schema, and are excluded from every diff. Liquibase and Prisma are listed although their tables are
 * not read (yet), so their bookkeeping never shows up as drift either.
 */
export const REVISION_TABLES: readonly string[] = [
  '*.atlas_schema_revisions',
  '*.flyway_schema_history',
  '*.schema_migrations',
  '*.databasechangelog',
  '*.databasechangeloglock',
  '*._prisma_migrations',
];

/** Schemas that only hold a tool's revision table (Atlas' default). */
export const REVISION_SCHEMAS: readonly string[] = ['atlas_schema_revisions'];

/**
 * Exclude globs for the differ's `ObjectFilter.exclude`: the revision tables, and Atlas' revision schema.
 * Merge them into a user's own excludes rather than replacing those.
 */
export function revisionExcludeFilter(): { table: string[]; schema: string[] } {
  return { table: [...REVISION_TABLES], schema: [...REVISION_SCHEMAS] };
}

interface FoundTable {
  schema: string;
  name: string;
  has_dirty: boolean;
}

// One catalog query for all candidates. Preference: tool order, then a table on the search_path, then `public`.
const FIND_SQL = `
SELECT n.nspname::text AS schema, c.relname::text AS name,
       EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
               WHERE a.attrelid = c.oid AND a.attname = 'dirty' AND a.attnum > 0 AND NOT a.attisdropped) AS has_dirty
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND c.relname = ANY($1::text[])
ORDER BY array_position($1::text[], c.relname::text),
         pg_catalog.pg_table_is_visible(c.oid) DESC, n.nspname = 'public' DESC, n.nspname`;

/**
 * Finds the revision table of a known tool (one catalog query) and reads the deployed state from it.
 * Returns `null` when the database has none. When several exist, Atlas wins over Flyway over `schema_migrations`.
 */
export async function readPostgresRevision(db: Queryable, options: { target?: string } = {}): Promise<RevisionState | null> {
  let found: FoundTable | undefined;
  try {
    found = (await db.query<FoundTable>(FIND_SQL, [READ_TABLES])).rows[0];
  } catch (err) {
    throw toSchemaDriftError(err, { target: options.target, action: 'looking up migration revision tables' });
  }
  if (!found) return null;
  const table = `${found.schema}.${found.name}`;
  const from = `${quoteIdent(found.schema)}.${quoteIdent(found.name)}`;
  try {
    if (found.name === 'atlas_schema_revisions') return await readAtlas(db, table, from);
    if (found.name === 'flyway_schema_history') return await readFlyway(db, table, from);
    return found.has_dirty ? await readGolangMigrate(db, table, from) : await readDbmate(db, table, from);
  } catch (err) {
    throw toSchemaDriftError(err, { target: options.target, action: `reading revision table ${table}` });
  }
}

function sortVersions(versions: Iterable<string>): string[] {
  return [...new Set(versions)].sort(compareVersions);
}

interface AtlasRow {
  version: string;
  type: number;
  applied: number;
  total: number;
  error: string | null;
}

const ATLAS_RESOLVED = 4;

async function readAtlas(db: Queryable, table: string, from: string): Promise<RevisionState> {
  // `.atlas_cloud_identifier` (and any other dot-prefixed row) is Atlas' own bookkeeping, not a migration.
  const { rows } = await db.query<AtlasRow>(
    `SELECT version::text AS version, type::int4 AS type, applied::int4 AS applied, total::int4 AS total,
            NULLIF(error, '')::text AS error
     FROM ${from} WHERE version NOT LIKE '.%'`,
  );
  const applied = sortVersions(rows.map((r) => r.version));
  // A revision that stopped part-way or recorded an error is dirty until someone marks it resolved.
  const failed = rows
    .filter((r) => (r.error !== null || r.applied < r.total) && (r.type & ATLAS_RESOLVED) === 0)
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

interface FlywayRow {
  version: string | null;
  description: string;
  type: string;
  success: boolean;
}

async function readFlyway(db: Queryable, table: string, from: string): Promise<RevisionState> {
  const { rows } = await db.query<FlywayRow>(
    `SELECT version::text AS version, description::text AS description, type::text AS type, success::bool AS success
     FROM ${from} ORDER BY installed_rank`,
  );
  const applied = new Set<string>();
  let failed: FlywayRow | undefined;
  for (const row of rows) {
    if (!row.success) {
      failed = row;
      continue;
    }
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
  };
}

async function readGolangMigrate(db: Queryable, table: string, from: string): Promise<RevisionState> {
  const { rows } = await db.query<{ version: string; dirty: boolean }>(
    `SELECT version::text AS version, dirty::bool AS dirty FROM ${from} ORDER BY version DESC LIMIT 1`,
  );
  const row = rows[0];
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

async function readDbmate(db: Queryable, table: string, from: string): Promise<RevisionState> {
  const { rows } = await db.query<{ version: string }>(`SELECT version::text AS version FROM ${from}`);
  const versions = sortVersions(rows.map((r) => r.version));
  return { tool: 'dbmate', table, version: versions.at(-1) ?? null, dirty: false, appliedVersions: versions };
}

/** Where a live database stands against a migration directory. */
export interface DeployedMigrations {
  /**
   * Replay bound for `replayPostgres`: the deployed version; `null` when the revision table says nothing is
   * deployed; `undefined` when there is no revision table (nothing known: replay everything).
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
