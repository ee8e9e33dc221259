/**
 * Which files of a migration directory a replay up to a deployed version runs, and which it leaves pending: the same
 * for every dialect.
 */
import type { MigrationFile } from './types.ts';
import { compareVersions } from './versions.ts';

/**
 * One entry's identity within its directory, for {@link selectFiles}'s `leaveOut`: its path and first line (a
 * Liquibase changelog holds several entries in one file).
 */
export function fileId(file: Pick<MigrationFile, 'path' | 'startLine'>): string {
  return `${file.path}:${file.startLine}`;
}

/**
 * Splits `files` (in the directory's order) into those to apply and the pending ones. `upToVersion` `undefined`
 * applies every file; `null` (a revision table that records nothing deployed) applies none, not even repeatables.
 * `leaveOut` ({@link fileId}s) are pending whatever their version: migrations run again on change whose new text is
 * not deployed yet.
 */
export function selectFiles(
  files: readonly MigrationFile[],
  upToVersion: string | null | undefined,
  leaveOut: readonly string[] = [],
): { applied: MigrationFile[]; pending: MigrationFile[] } {
  const left = new Set(leaveOut);
  const applied: MigrationFile[] = [];
  const pending: MigrationFile[] = [];
  for (const file of files) {
    if (file.version === null) continue;
    const due = upToVersion === undefined || (upToVersion !== null && compareVersions(file.version, upToVersion) <= 0);
    (due && !left.has(fileId(file)) ? applied : pending).push(file);
  }
  // Repeatables run after every versioned file (Flyway's order); with nothing deployed, the live side has none.
  for (const file of files) {
    if (file.version !== null) continue;
    (upToVersion === null || left.has(fileId(file)) ? pending : applied).push(file);
  }
  return { applied, pending };
}
