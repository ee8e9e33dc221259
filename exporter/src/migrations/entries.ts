/**
 * Shared helpers of the format readers: the raw directory entry, building a `MigrationFile`, apply ordering and
 * the duplicate-version check.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ReplayError } from '../core/errors.ts';
import type { SqlStatement } from './split-scan.ts';
import type { DeclaredProvider, IgnoredFile, MigrationFile } from './types.ts';
import { compareVersions } from './versions.ts';

/** A regular, non-hidden file at the top level of the migration directory. */
export interface DirEntry {
  readonly name: string;
  readonly bytes: Buffer;
  /** UTF-8 text of `bytes`. */
  readonly text: string;
  /** Line (from 1) of the first byte that is not valid UTF-8; absent when the file is valid UTF-8 text. */
  readonly invalidUtf8Line?: number;
}

/**
 * A subdirectory of the migration directory, one level deep: the names of its files, and the files a format reads
 * there already read ({@link NESTED_FILES}, as entries named `<folder>/<file>`).
 */
export interface Subdirectory {
  readonly name: string;
  /** Non-hidden regular files, sorted. */
  readonly files: readonly string[];
  readonly read: readonly DirEntry[];
  /**
   * Why the folder could not be read (then `files` and `read` are empty). Only a format that reads subdirectories
   * fails on it; the others list the folder as not read, as they always did.
   */
  readonly unreadable?: ReplayError;
}

/** What a directory holds: its top-level files and its subdirectories. */
export interface DirListing {
  readonly entries: readonly DirEntry[];
  readonly subdirectories: readonly Subdirectory[];
}

/**
 * Files read inside subdirectories: `<folder>/migration.sql` (Prisma, drizzle-folders) and `meta/_journal.json`
 * (drizzle). Other nested files are only listed, never read.
 */
export const NESTED_FILES: ReadonlySet<string> = new Set(['migration.sql', '_journal.json']);

/** What a format reader returns: migrations in apply order plus the files it skipped and why. */
export interface FormatResult {
  readonly files: MigrationFile[];
  readonly ignored: IgnoredFile[];
  /** The database the directory declares, when the layout has a place for it. */
  readonly provider?: DeclaredProvider;
  /** The reader used the subdirectories (and listed in `ignored` what it did not use in them). */
  readonly readsSubdirectories?: boolean;
}

/** Fields a format decides; the rest of `MigrationFile` comes from the entry. */
export interface FileFields {
  readonly version: string | null;
  readonly description: string;
  readonly repeatable?: boolean;
  /** Defaults to the whole file. */
  readonly sql?: string;
  readonly startLine?: number;
  readonly transaction?: boolean;
  readonly statements?: readonly SqlStatement[];
  readonly key?: string;
  readonly rerun?: MigrationFile['rerun'];
  readonly clientScript?: boolean;
}

/** Builds a `MigrationFile` from a directory entry. */
export function makeFile(entry: DirEntry, fields: FileFields): MigrationFile {
  return {
    path: entry.name,
    version: fields.version,
    description: fields.description,
    repeatable: fields.repeatable ?? false,
    // A BOM is invisible in editors but a syntax error for the server.
    sql: stripBom(fields.sql ?? entry.text),
    startLine: fields.startLine ?? 1,
    transaction: fields.transaction ?? true,
    sha256: createHash('sha256').update(entry.bytes).digest('hex'),
    ...(fields.statements ? { statements: fields.statements } : {}),
    ...(fields.key !== undefined ? { key: fields.key } : {}),
    ...(fields.rerun ? { rerun: fields.rerun } : {}),
    ...(fields.clientScript ? { clientScript: true } : {}),
  };
}

/** `text` without a leading UTF-8 byte order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Sorts versioned files by version and refuses two files with the same version (`1` and `001` are the same). */
export function orderByVersion(dir: string, files: MigrationFile[]): MigrationFile[] {
  const sorted = [...files].sort((a, b) => compareVersions(a.version ?? '', b.version ?? ''));
  assertUniqueVersions(dir, sorted);
  return sorted;
}

/** Throws when two neighbours of a version-sorted list share a version, naming both files. */
export function assertUniqueVersions(dir: string, sorted: readonly MigrationFile[]): void {
  const seen = new Map<string, MigrationFile>();
  for (const file of sorted) {
    if (file.version === null) continue;
    const key = normaliseVersion(file.version);
    const other = seen.get(key);
    if (other) {
      const versions = other.version === file.version ? file.version : `${other.version} = ${file.version}`;
      throw new ReplayError(`duplicate migration version ${versions}: ${other.path} and ${file.path}`, { file: dir });
    }
    seen.set(key, file);
  }
}

/** Canonical key of a version: parts without leading zeros and without trailing `.0` parts. */
function normaliseVersion(version: string): string {
  const parts = version.split(/[._]/).map((p) => (/^[0-9]+$/.test(p) ? p.replace(/^0+(?=.)/, '') : p));
  while (parts.length > 1 && parts.at(-1) === '0') parts.pop();
  return parts.join('.');
}

/** A ReplayError about one file of the directory. */
export function fileError(dir: string, name: string, message: string, line?: number): ReplayError {
  return new ReplayError(message, line === undefined ? { file: path.join(dir, name) } : { file: path.join(dir, name), line });
}

/** Entries named `*.sql`. */
export function sqlEntries(entries: readonly DirEntry[]): DirEntry[] {
  return entries.filter((e) => e.name.endsWith('.sql'));
}

/** Non-`.sql` entries reported as ignored, except names the format itself uses (atlas.sum, Flyway .conf). */
export function ignoreNonSql(entries: readonly DirEntry[], used: (name: string) => boolean = () => false): IgnoredFile[] {
  return entries
    .filter((e) => !e.name.endsWith('.sql') && !used(e.name))
    .map((e) => ({ path: e.name, reason: 'not a .sql file' }));
}
