/**
 * Types of a parsed migration directory: what the replay step applies, in which order, and with which options.
 */

/** Migration directory layouts we read. Each matches one tool's own file naming and directives. */
export type MigrationFormat = 'plain' | 'golang-migrate' | 'flyway' | 'atlas' | 'dbmate';

/** Every supported format, in the order detection reports them. */
export const MIGRATION_FORMATS: readonly MigrationFormat[] = ['plain', 'golang-migrate', 'flyway', 'atlas', 'dbmate'];

/** One migration to apply. */
export interface MigrationFile {
  /** File name relative to the directory (subdirectories are never read, so this is a base name). */
  readonly path: string;
  /** Version as written in the file name (Flyway: `_` separators normalised to `.`); null for Flyway repeatables. */
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
   * Flyway `executeInTransaction=false`). */
  readonly transaction: boolean;
  /** Added field: sha256 hex of the file's raw bytes (whole file, including a dbmate down section). */
  readonly sha256: string;
}

/** A file present in the directory that the format does not apply, and why (shown to users, never silently lost). */
export interface IgnoredFile {
  readonly path: string;
  readonly reason: string;
}

/** A parsed migration directory. */
export interface MigrationDirectory {
  /** The directory as given to `readMigrationDirectory`. */
  readonly dir: string;
  readonly format: MigrationFormat;
  /** Migrations in apply order. */
  readonly files: MigrationFile[];
  /** sha256 hex over the format and each applied file's path and content hash, in apply order
   * (see `hashMigrationFiles`): a renamed, edited, added or removed migration changes it. */
  readonly hash: string;
  /** Added field: files in the directory that are not applied (down/undo files, non-matching names, ...). */
  readonly ignored?: IgnoredFile[];
}

/** Options of `readMigrationDirectory`. */
export interface ReadMigrationOptions {
  /** Layout to read; detected from the file names (and atlas.sum, dbmate markers) when absent. */
  readonly format?: MigrationFormat;
}
