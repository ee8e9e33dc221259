/**
 * Types of a parsed migration directory: what the replay step applies, in which order, and with which options.
 */
import type { SqlStatement } from './split-scan.ts';

/**
 * Migration directory layouts we read. Each matches one tool's own file naming and directives. `drizzle` is
 * drizzle-kit's journal layout (`NNNN_<name>.sql` + `meta/_journal.json`), `drizzle-folders` its newer layout (one
 * `<timestamp>_<name>/` folder per migration, no journal). `schema` is not a migration layout: one `.sql` file, or a
 * directory of them, holding the whole desired schema (`pg_dump --schema-only`, Rails `structure.sql`, Supabase's
 * `supabase/schemas/`, `mysqldump --no-data`); it has no versions, so no revision table bounds it.
 */
export type MigrationFormat =
  | 'plain'
  | 'golang-migrate'
  | 'flyway'
  | 'atlas'
  | 'dbmate'
  | 'prisma'
  | 'drizzle'
  | 'drizzle-folders'
  | 'goose'
  | 'node-pg-migrate'
  | 'sqitch'
  | 'liquibase'
  | 'schema';

/** Every supported format, in the order detection reports them. */
export const MIGRATION_FORMATS: readonly MigrationFormat[] = [
  'plain', 'golang-migrate', 'flyway', 'atlas', 'dbmate', 'prisma', 'drizzle', 'drizzle-folders', 'goose',
  'node-pg-migrate', 'sqitch', 'liquibase', 'schema',
];

/** One migration to apply. */
export interface MigrationFile {
  /**
   * Path relative to the directory, with `/` separators: a base name, or `<folder>/migration.sql` for the layouts
   * with one folder per migration (Prisma, drizzle-folders).
   */
  readonly path: string;
  /**
   * Version as written in the file name (Flyway: `_` separators normalised to `.`); null for Flyway repeatables.
   * Prisma and drizzle-folders: the folder name, which is what their revision tables record. Drizzle (journal): the
   * journal entry's `when` (milliseconds), which is what drizzle-orm's migrator compares with `created_at`.
   */
  readonly version: string | null;
  /** Human description from the file name (Flyway: underscores shown as spaces, as Flyway does). */
  readonly description: string;
  /** True for Flyway repeatable (`R__`) migrations, which run after all versioned ones. */
  readonly repeatable: boolean;
  /** The SQL to apply (dbmate: only the up section; a leading UTF-8 BOM removed). */
  readonly sql: string;
  /** 1-based line of the file at which `sql` starts, to map server error positions back to the file. */
  readonly startLine: number;
  /** False when the tool would run this file outside a transaction (Atlas txmode none, dbmate transaction:false,
   * Flyway `executeInTransaction=false`, goose `-- +goose NO TRANSACTION`, Liquibase `runInTransaction:false`). */
  readonly transaction: boolean;
  /** Added field: sha256 hex of the file's raw bytes (whole file, including a dbmate down section). */
  readonly sha256: string;
  /**
   * The tool's own statement boundaries, when it has them (drizzle-kit's `--> statement-breakpoint`): a replay that
   * runs statements one by one runs these, each as one query, instead of splitting `sql` itself. goose: its up
   * statements, `-- +goose StatementBegin`/`StatementEnd` blocks as one statement each.
   */
  readonly statements?: readonly SqlStatement[];
  /**
   * What the tool's revision table records for this migration, for tools that record identities rather than ordered
   * versions (Liquibase `id::author::path`, Sqitch the change id): a revision state with `appliedKeys` is matched
   * on it. Such formats number their entries `1`, `2`, ... in apply order as `version`, so a replay bound still works.
   */
  readonly key?: string;
  /**
   * Migrations the tool runs again whenever their text changes (Flyway repeatables, Liquibase `runOnChange`): the
   * identity the revision table records the runs under (Flyway: the description) and the checksum the tool computes
   * for the text now (Flyway: its CRC32 as a signed decimal). A deployed run with another checksum makes it pending.
   */
  readonly rerun?: { readonly key: string; readonly checksum: string };
  /**
   * The file is a script for the database's own client (`psql -f`, `mysql <`), not a migration tool's file: a schema
   * file (`pg_dump --schema-only`, `mysqldump --no-data`, Rails `structure.sql`). It runs statement by statement
   * outside a transaction, as the client runs it, and the client's commands in it (`\restrict`, `\connect`, `USE`)
   * are understood by the dialect's replay.
   */
  readonly clientScript?: boolean;
}

/** The database a directory says it is written for, and which file says so. */
export interface DeclaredProvider {
  /** As the tool writes it: `postgresql`, `mysql`, `sqlite`, ... */
  readonly name: string;
  /** Path of the declaring file relative to the directory: `migration_lock.toml`, `meta/_journal.json`. */
  readonly file: string;
  /** Set when no file declares it but the tool serves that database only (node-pg-migrate: PostgreSQL). */
  readonly tool?: string;
}

/** A file present in the directory that the format does not apply, and why (shown to users, never silently lost). */
export interface IgnoredFile {
  readonly path: string;
  readonly reason: string;
  /** It looks like a migration that the tool will never apply (drizzle: a `.sql` file the journal does not list):
   * worth a warning, not only a line in the list. */
  readonly warn?: boolean;
}

/** A parsed migration directory. */
export interface MigrationDirectory {
  /** The directory as given to `readMigrationDirectory`. */
  readonly dir: string;
  readonly format: MigrationFormat;
  /** Migrations in apply order. */
  readonly files: MigrationFile[];
  /** sha256 hex over the format and each applied file's path, version and content hash, in apply order
   * (see `hashMigrationFiles`): a renamed, edited, added or removed migration changes it. */
  readonly hash: string;
  /** Added field: files in the directory that are not applied (down/undo files, non-matching names, ...). */
  readonly ignored?: IgnoredFile[];
  /** The database the directory declares (Prisma's lock file, drizzle-kit's journal); checked against the target's. */
  readonly provider?: DeclaredProvider;
  /** `dir` is a single schema file, not a directory (format `schema`): `files` holds it alone. */
  readonly singleFile?: boolean;
}

/** Options of `readMigrationDirectory`. */
export interface ReadMigrationOptions {
  /** Layout to read; detected from the file names (and atlas.sum, dbmate markers, Prisma's and drizzle-kit's
   * bookkeeping files) when absent. */
  readonly format?: MigrationFormat;
}
