/**
 * Layouts with one folder per migration (`<timestamp>_<name>/migration.sql`): Prisma Migrate and drizzle-kit's newer
 * layout. The folder name is the migration's identity, as both tools record it, and the folders apply in name order
 * (both sort the names as text).
 */
import path from 'node:path';
import { ReplayError } from '../core/errors.ts';
import { type DirListing, makeFile, type Subdirectory } from './entries.ts';
import type { IgnoredFile, MigrationFile } from './types.ts';
import { compareVersions } from './versions.ts';

/** The script of a migration folder. */
export const MIGRATION_SCRIPT = 'migration.sql';

/** How one tool treats its folders. */
export interface FolderRules {
  /** For messages: `Prisma Migrate`, `drizzle-kit`. */
  readonly tool: string;
  /** A folder without `migration.sql`: refused (Prisma) or listed as ignored. */
  readonly missingScript: 'error' | 'ignore';
  /** Files inside a folder that the tool uses besides the script (not listed as ignored). */
  readonly folderFiles?: ReadonlySet<string>;
  /** Top-level files the tool uses (not listed as ignored). */
  readonly topFiles?: ReadonlySet<string>;
  /** Splits a script into the tool's own statements, when it has its own boundaries. */
  readonly statements?: (sql: string) => MigrationFile['statements'];
}

/** The migrations of the folders in name order, and what was left out. */
export function readMigrationFolders(dir: string, listing: DirListing, rules: FolderRules): { files: MigrationFile[]; ignored: IgnoredFile[] } {
  const ignored: IgnoredFile[] = listing.entries
    .filter((e) => !rules.topFiles?.has(e.name))
    .map((e) => ({ path: e.name, reason: `not a ${rules.tool} migration folder` }));
  const files: MigrationFile[] = [];
  // Text order, as the tools sort folder names (Prisma's list_migrations, drizzle-kit's folder reader): the listing
  // is sorted so already.
  for (const folder of listing.subdirectories) {
    const script = folder.read.find((e) => e.name === `${folder.name}/${MIGRATION_SCRIPT}`);
    if (!script) {
      if (rules.missingScript === 'error') {
        throw new ReplayError(`migration folder ${folder.name} has no ${MIGRATION_SCRIPT} (${rules.tool} refuses it: delete the folder or restore the file)`, {
          file: path.join(dir, folder.name),
        });
      }
      ignored.push({ path: folder.name, reason: `no ${MIGRATION_SCRIPT} in the folder` });
      continue;
    }
    ignored.push(...otherFiles(folder, rules));
    const cut = folder.name.indexOf('_');
    const statements = rules.statements?.(script.text);
    files.push(
      makeFile(script, {
        version: folder.name,
        description: cut < 0 ? '' : folder.name.slice(cut + 1),
        ...(statements ? { statements } : {}),
      }),
    );
  }
  assertVersionOrder(dir, files);
  return { files, ignored };
}

function otherFiles(folder: Subdirectory, rules: FolderRules): IgnoredFile[] {
  return folder.files
    .filter((name) => name !== MIGRATION_SCRIPT && !rules.folderFiles?.has(name))
    .map((name) => ({ path: `${folder.name}/${name}`, reason: `not read by ${rules.tool}` }));
}

/**
 * The tools apply folders in text order, while the deployed bound is compared as a version (`selectFiles`): refuse
 * names on which the two orders disagree (`9_a` before `10_b` as versions, after it as text) rather than replay
 * the wrong prefix. Generated names (a 14-digit timestamp first) always agree.
 */
function assertVersionOrder(dir: string, files: readonly MigrationFile[]): void {
  for (let i = 1; i < files.length; i++) {
    const [a, b] = [files[i - 1] as MigrationFile, files[i] as MigrationFile];
    if (compareVersions(a.version ?? '', b.version ?? '') >= 0) {
      throw new ReplayError(
        `migration folders ${a.version} and ${b.version} sort one way as text (the order the tool applies them) and the other way as versions; give the folders timestamps of the same length`,
        { file: dir },
      );
    }
  }
}
