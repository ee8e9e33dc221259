/**
 * How far a migration directory is replayed for a database whose revision table says what is deployed, and what a
 * person should hear about it: one answer for the agent, the CLI and the demo.
 */
import { type FilterKind, mergeExcludes } from '../core/diff/filter.ts';
import { definedObjects } from '../migrations/defined-objects.ts';
import { fileId } from '../migrations/select.ts';
import type { MigrationDirectory, MigrationFile } from '../migrations/types.ts';
import { matchesChecksum } from './checksums.ts';
import { pendingMigrations, revisionApplies, type RevisionState } from './revision-state.ts';

/** The replay bound, the pending files and the warnings about the directory against the revision table. */
export interface DeployedState {
  /** `undefined`: replay every file; `null`: a revision table exists but records nothing deployed. */
  readonly upToVersion: string | null | undefined;
  /** Files newer than the deployed version, and re-runnable ones whose new text is not deployed: pending, not drift. */
  readonly pending: MigrationFile[];
  /** {@link fileId}s of the pending re-runnable files, which the replay leaves out whatever the bound. */
  readonly leaveOut: string[];
  /**
   * Exclude globs for what the pending re-runnable files define: neither their deployed nor their new definition can
   * be compared until they are deployed. Merged into the comparison's filter by every caller.
   */
  readonly unchecked: Partial<Record<FilterKind, string[]>>;
  readonly warnings: string[];
}

/**
 * The revision table that speaks for `directory`: `revision`, unless
 * - the directory is a schema file, which has no versions (`revisionApplies`): the table can neither bound its replay
 *   nor leave part of it pending, and its dirty flag is not the schema file's;
 * - it is a Sqitch registry and the directory is not a Sqitch project. On MySQL one `sqitch` database serves every
 *   database of the server, so a target with no revision table of its own finds the registry of other projects there:
 *   it says nothing about this directory, and must neither bound its replay nor make the check `dirty`.
 */
export function revisionForDirectory(directory: MigrationDirectory, revision: RevisionState | null | undefined): RevisionState | null {
  if (!revision || !revisionApplies(directory.format)) return null;
  return revision.tool === 'sqitch' && directory.format !== 'sqitch' ? null : revision;
}

/**
 * The deployed state of `directory` for a database with revision table `revision` (`null`: none, so every file counts
 * as deployed; a schema file ignores it, see `revisionApplies`). A deployed version with no file in the directory means the whole directory is compared, with a
 * warning; files at or below the deployed version that the revision table does not list are replayed as desired, with
 * a warning naming them; deployed files whose content no longer matches the checksum the tool recorded are named in a
 * warning too (they are replayed as they are now).
 */
export function deployedState(directory: MigrationDirectory, revision: RevisionState | null | undefined): DeployedState {
  if (!revisionApplies(directory.format)) return { upToVersion: undefined, pending: [], leaveOut: [], unchecked: {}, warnings: [] };
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
  const reruns = upToVersion === null ? [] : pendingReruns(directory, revision);
  if (reruns.length > 0) {
    const files = reruns.map((f) => f.path).join(', ');
    warnings.push(`re-runnable migrations changed since their last deployed run, pending (what they define is not compared until they are deployed): ${files}`);
  }
  const pending = [...deployed.pending, ...reruns.filter((f) => !deployed.pending.includes(f))];
  return { upToVersion, pending, leaveOut: reruns.map(fileId), unchecked: mergeExcludes(reruns.map((f) => definedObjects(f.sql))), warnings };
}

/**
 * Re-runnable files (`MigrationFile.rerun`) the tool would run again at the next deploy: never run, or last run with
 * another checksum. Only for a revision table that records their runs (`rerunChecksums`).
 */
function pendingReruns(directory: MigrationDirectory, revision: RevisionState | null | undefined): MigrationFile[] {
  if (!revision?.rerunChecksums) return [];
  const recorded = new Map(revision.rerunChecksums.map((c) => [c.key, c.checksum]));
  return directory.files.filter((f) => f.rerun !== undefined && recorded.get(f.rerun.key) !== f.rerun.checksum);
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
