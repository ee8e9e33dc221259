/**
 * Prisma Migrate: `<timestamp>_<name>/migration.sql` folders applied in name order, beside `migration_lock.toml`,
 * which names the database the migrations are written for (`provider = "postgresql"`). `migrate deploy` runs each
 * script as one multi-statement query (on PostgreSQL, one implicit transaction) and records the folder name in
 * `_prisma_migrations`. A folder without `migration.sql` is refused, as Prisma refuses it (error P3015).
 */
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ReplayError } from '../core/errors.ts';
import type { DirEntry, DirListing, FormatResult } from './entries.ts';
import { readMigrationFolders } from './format-folders.ts';
import type { DeclaredProvider } from './types.ts';

/** Prisma's lock file at the top of the migrations directory. */
export const PRISMA_LOCK_FILE = 'migration_lock.toml';

/** Reads a Prisma Migrate directory; the lock file, when present, must be TOML with a string `provider`. */
export function readPrisma(dir: string, listing: DirListing): FormatResult {
  const lock = listing.entries.find((e) => e.name === PRISMA_LOCK_FILE);
  const { files, ignored } = readMigrationFolders(dir, listing, {
    tool: 'Prisma Migrate',
    missingScript: 'error',
    topFiles: new Set([PRISMA_LOCK_FILE]),
  });
  const provider = lock ? lockProvider(dir, lock) : undefined;
  return { files, ignored, readsSubdirectories: true, ...(provider ? { provider } : {}) };
}

function lockProvider(dir: string, lock: DirEntry): DeclaredProvider | undefined {
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(lock.text);
  } catch (cause) {
    const where = cause instanceof TomlError ? { line: cause.line } : {};
    const message = cause instanceof TomlError ? (cause.message.split('\n')[0] ?? '') : String(cause);
    throw new ReplayError(`${PRISMA_LOCK_FILE} is not valid TOML: ${message}`, { file: path.join(dir, PRISMA_LOCK_FILE), ...where }, { cause });
  }
  const provider = parsed.provider;
  if (provider === undefined) return undefined;
  if (typeof provider !== 'string') {
    throw new ReplayError(`${PRISMA_LOCK_FILE}: provider must be a string`, { file: path.join(dir, PRISMA_LOCK_FILE) });
  }
  return { name: provider, file: PRISMA_LOCK_FILE };
}
