/**
 * Which files of a migration directory a replay up to a deployed version runs, and which it leaves pending: the same
 * for every dialect.
 */
import type { MigrationFile } from './types.ts';
import { compareVersions } from './versions.ts';

/**
 * Splits `files` (in the directory's order) into those to apply and the pending ones. `upToVersion` `undefined`
 * applies every file; `null` (a revision table that records nothing deployed) applies none, not even repeatables.
 */
export function selectFiles(
  files: readonly MigrationFile[],
  upToVersion: string | null | undefined,
): { applied: MigrationFile[]; pending: MigrationFile[] } {
  const applied: MigrationFile[] = [];
  const pending: MigrationFile[] = [];
  for (const file of files) {
    if (file.version === null) continue;
    const due = upToVersion === undefined || (upToVersion !== null && compareVersions(file.version, upToVersion) <= 0);
    (due ? applied : pending).push(file);
  }
  // Repeatables run after every versioned file (Flyway's order); with nothing deployed, the live side has none.
  const repeatables = files.filter((f) => f.version === null);
  if (upToVersion === null) pending.push(...repeatables);
  else applied.push(...repeatables);
  return { applied, pending };
}
