/**
 * How far a migration directory is replayed for a database whose revision table says what is deployed, and what a
 * person should hear about it: one answer for the agent, the CLI and the demo.
 */
import type { MigrationDirectory, MigrationFile } from '../migrations/types.ts';
import { matchesChecksum } from './checksums.ts';
import { pendingMigrations, revisionApplies, type RevisionState } from './revision-state.ts';

/** The replay bound, the pending files and the warnings about the directory against the revision table. */
export interface DeployedState {
  /** `undefined`: replay every file; `null`: a revision table exists but records nothing deployed. */
  readonly upToVersion: string | null | undefined;
  /** Files newer than the deployed version: pending, not drift. */
  readonly pending: MigrationFile[];
  readonly warnings: string[];
}

/**
 * The deployed state of `directory` for a database with revision table `revision` (`null`: none, so every file counts
 * as deployed; a schema file ignores it, see `revisionApplies`). A deployed version with no file in the directory means the whole directory is compared, with a
 * warning; files at or below the deployed version that the revision table does not list are replayed as desired, with
 * a warning naming them; deployed files whose content no longer matches the checksum the tool recorded are named in a
 * warning too (they are replayed as they are now).
 */
export function deployedState(directory: MigrationDirectory, revision: RevisionState | null | undefined): DeployedState {
  if (!revisionApplies(directory.format)) return { upToVersion: undefined, pending: [], warnings: [] };
  const deployed = pendingMigrations(directory, revision ?? null);
  const warnings: string[] = [];
  let upToVersion = deployed.upToVersion;
  if (deployed.unknownDeployed !== undefined) {
    warnings.push(
      `the database reports version ${deployed.unknownDeployed} deployed, which is not in the migration directory ${directory.dir}: compared with the whole directory`,
    );
    upToVersion = undefined;
  }
  if (deployed.notApplied?.length) {
    const files = deployed.notApplied.map((f) => f.path).join(', ');
    warnings.push(`files at or below the deployed version that the revision table does not list (replayed as desired): ${files}`);
  }
  const changed = changedSinceDeployed(directory, revision);
  if (changed.length > 0) {
    const files = changed.map((f) => f.path).join(', ');
    warnings.push(`migrations edited after they were deployed (their checksum differs from the one in ${revision?.table}): ${files}`);
  }
  return { upToVersion, pending: deployed.pending, warnings };
}

/** Deployed files whose checksum in the revision table is not the file's. */
function changedSinceDeployed(directory: MigrationDirectory, revision: RevisionState | null | undefined): MigrationFile[] {
  if (!revision?.checksums?.length) return [];
  const recorded = new Map(revision.checksums.map((c) => [c.version, c.checksum]));
  return directory.files.filter((file) => {
    const checksum = file.version === null ? undefined : recorded.get(file.version);
    return checksum !== undefined && !matchesChecksum(file, checksum);
  });
}
