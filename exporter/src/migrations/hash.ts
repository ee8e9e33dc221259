/**
 * Identity of a migration directory's desired state, for caching replays: changes whenever a migration that is
 * applied is renamed, edited, added, removed or reordered, or the directory is read as another format.
 */
import { createHash } from 'node:crypto';
import type { MigrationDirectory, MigrationFile, MigrationFormat } from './types.ts';
import { compareVersions } from './versions.ts';

/**
 * sha256 hex over `format`, then each file's relative path, version and content sha256 (its `sha256` field), in the
 * order given. The version counts because not every format derives it from the path (drizzle-kit's journal gives
 * it, and it decides which files a deployed database has). `readMigrationDirectory` sets `MigrationDirectory.hash`
 * to this over all applied files.
 */
export function hashMigrationFiles(format: MigrationFormat, files: readonly MigrationFile[]): string {
  const sha = createHash('sha256');
  sha.update(`schema-drift migrations v2\n${format}\n`);
  for (const file of files) sha.update(`${file.path}\0${file.version ?? ''}\0${file.sha256}\n`);
  return sha.digest('hex');
}

/**
 * The files a database at `version` has applied: versioned files up to and including `version`, plus every
 * repeatable one (Flyway reapplies repeatables after each migrate, so a deployed database has them all).
 */
export function filesUpTo(dir: MigrationDirectory, version: string): MigrationFile[] {
  return dir.files.filter((f) => f.version === null || compareVersions(f.version, version) <= 0);
}

/** Hash of the prefix of `dir` deployed at `version` (see `filesUpTo`); equals `dir.hash` at the last version. */
export function hashUpTo(dir: MigrationDirectory, version: string): string {
  return hashMigrationFiles(dir.format, filesUpTo(dir, version));
}
