/**
 * Format detection from what a directory holds. Each format has one unmistakable sign; a directory showing the
 * signs of two formats is refused as ambiguous rather than guessed, and the user names the format instead.
 */
import { ReplayError } from '../core/errors.ts';
import { ATLAS_SUM_FILE, parseAtlasSum } from './atlas-sum.ts';
import type { DirEntry, Subdirectory } from './entries.ts';
import { DBMATE_UP } from './format-dbmate.ts';
import { DRIZZLE_JOURNAL, DRIZZLE_META, DRIZZLE_SNAPSHOT } from './format-drizzle.ts';
import { MIGRATION_SCRIPT } from './format-folders.ts';
import { GOOSE_UP } from './format-goose.ts';
import { isNodePgMigrateSql } from './format-node-pg-migrate.ts';
import { isMasterChangelog } from './liquibase-master.ts';
import { isFormattedSql } from './liquibase-sql.ts';
import { PRISMA_LOCK_FILE } from './format-prisma.ts';
import { SQITCH_CONF, SQITCH_PLAN } from './format-sqitch.ts';
import { FLYWAY_REPEATABLE_NAME, FLYWAY_VERSIONED_NAME, GOLANG_MIGRATE_NAME, PLAIN_NAME } from './formats.ts';
import { MIGRATION_FORMATS, type MigrationFormat } from './types.ts';

/** What each format looks like, for error messages. */
const EXPECTED =
  'atlas (atlas.sum), golang-migrate (<version>_<title>.up.sql), flyway (V<version>__<desc>.sql, R__<desc>.sql), ' +
  'dbmate (.sql files with "-- migrate:up"), prisma (migration_lock.toml or <timestamp>_<name>/migration.sql), ' +
  'drizzle (meta/_journal.json), drizzle-folders (<timestamp>_<name>/migration.sql with snapshot.json), ' +
  'goose (.sql files with "-- +goose Up"), ' +
  'node-pg-migrate (<timestamp>_<name>.sql files with "-- Up Migration"), sqitch (sqitch.plan or sqitch.conf), ' +
  'liquibase (.sql files starting "--liquibase formatted sql", or a changelog.xml/.yaml master), ' +
  'plain (numbered .sql files like 001_init.sql), schema (a single .sql file, Supabase\'s supabase/schemas/, or with ' +
  '--dir-format schema any directory of .sql files holding the whole schema)';

/** One sign: the names in the directory that show a format. */
interface Sign {
  readonly format: MigrationFormat;
  readonly names: (entries: readonly DirEntry[], subdirectories: readonly Subdirectory[]) => string[];
}

const fileSign = (format: MigrationFormat, matches: (e: DirEntry) => boolean): Sign => ({
  format,
  names: (entries) => entries.filter(matches).map((e) => e.name),
});

const SIGNS: readonly Sign[] = [
  fileSign('atlas', (e) => e.name === ATLAS_SUM_FILE),
  fileSign('golang-migrate', (e) => GOLANG_MIGRATE_NAME.test(e.name)),
  fileSign('flyway', (e) => FLYWAY_VERSIONED_NAME.test(e.name) || FLYWAY_REPEATABLE_NAME.test(e.name)),
  fileSign('dbmate', (e) => e.name.endsWith('.sql') && DBMATE_UP.test(e.text)),
  fileSign('goose', (e) => e.name.endsWith('.sql') && GOOSE_UP.test(e.text)),
  fileSign('node-pg-migrate', (e) => isNodePgMigrateSql(e.name, e.text)),
  fileSign('sqitch', (e) => e.name === SQITCH_PLAN || e.name === SQITCH_CONF),
  fileSign('liquibase', (e) => (e.name.endsWith('.sql') && isFormattedSql(e.text)) || isMasterChangelog(e)),
  {
    // The lock file; without it, `<folder>/migration.sql` folders that are not drizzle-kit's (no snapshot.json).
    format: 'prisma',
    names: (entries, subdirectories) =>
      entries.some((e) => e.name === PRISMA_LOCK_FILE)
        ? [PRISMA_LOCK_FILE]
        : subdirectories
            .filter((s) => s.files.includes(MIGRATION_SCRIPT) && !s.files.includes(DRIZZLE_SNAPSHOT))
            .map((s) => `${s.name}/${MIGRATION_SCRIPT}`),
  },
  {
    format: 'drizzle',
    names: (_, subdirectories) =>
      subdirectories.some((s) => s.name === DRIZZLE_META && s.files.includes('_journal.json')) ? [DRIZZLE_JOURNAL] : [],
  },
  {
    format: 'drizzle-folders',
    names: (_, subdirectories) =>
      subdirectories
        .filter((s) => s.files.includes(MIGRATION_SCRIPT) && s.files.includes(DRIZZLE_SNAPSHOT))
        .map((s) => `${s.name}/${DRIZZLE_SNAPSHOT}`),
  },
];

/**
 * Detects the layout: atlas.sum → atlas (also beside `*.up.sql` files that atlas.sum lists: Atlas's golang-migrate
 * layout); `*.up.sql`/`*.down.sql` → golang-migrate; `V…__…sql`/`R__…sql` → flyway;
 * files containing `-- migrate:up` → dbmate; files containing `-- +goose Up` → goose; `<n>_<name>.sql` files
 * containing `-- Up Migration` → node-pg-migrate; `sqitch.plan`/`sqitch.conf` → sqitch; files starting with
 * `--liquibase formatted sql`, or an XML/YAML/JSON `databaseChangeLog` → liquibase; `migration_lock.toml`, or folders holding `migration.sql` alone → prisma;
 * `meta/_journal.json` → drizzle; folders holding `migration.sql` and `snapshot.json` → drizzle-folders; otherwise
 * numbered `.sql` files → plain, and `.sql` files none of which is numbered → schema.
 * @throws ReplayError (file = the directory) when the directory is empty, matches no layout, or several.
 */
export function detectFormat(dir: string, entries: readonly DirEntry[], subdirectories: readonly Subdirectory[] = []): MigrationFormat {
  if (entries.length === 0 && subdirectories.length === 0) throw new ReplayError('migration directory is empty', { file: dir });
  const found = SIGNS.map((sign) => ({ format: sign.format, names: sign.names(entries, subdirectories) })).filter(
    (sign) => sign.names.length > 0,
  );
  const [only, second] = atlasGolangMigrate(found, entries) ?? found;
  if (only && !second) return only.format;
  if (only && second) {
    const seen = found.map((f) => `${f.format} (${sample(f.names)})`).join(', ');
    throw new ReplayError(`ambiguous migration layout: found ${seen}; name the format explicitly (--dir-format, or the target's desired.format), one of ${MIGRATION_FORMATS.join(', ')}`, { file: dir });
  }
  if (entries.some((e) => PLAIN_NAME.test(e.name))) return 'plain';
  // Un-numbered `.sql` files are not guessed to be a schema (format schema ignores the revision table): a migration
  // named with a typo (`V1_init.sql`) would be replayed silently. Supabase's schemas/ is detected by its config.
  const names = [...entries.map((e) => e.name), ...subdirectories.map((s) => `${s.name}/`)].sort();
  throw new ReplayError(`unknown migration layout: found ${sample(names)}; expected ${EXPECTED}`, { file: dir });
}

/**
 * Atlas's golang-migrate layout (`--dir "file://…?format=golang-migrate"`) shows both signs: atlas.sum and
 * `.up.sql`/`.down.sql` files. When those are the only signs and every file atlas.sum lists is such a file, the
 * directory is Atlas's (the reader verifies the sum and replays the up files); anything else stays ambiguous.
 */
function atlasGolangMigrate(
  found: readonly { format: MigrationFormat }[],
  entries: readonly DirEntry[],
): { format: MigrationFormat }[] | undefined {
  const formats = found.map((f) => f.format).sort();
  if (formats.length !== 2 || formats[0] !== 'atlas' || formats[1] !== 'golang-migrate') return undefined;
  const sum = parseAtlasSum(entries.find((e) => e.name === ATLAS_SUM_FILE)?.text ?? '');
  if (typeof sum === 'string' || sum.entries.length === 0) return undefined;
  return sum.entries.every((e) => GOLANG_MIGRATE_NAME.test(e.name)) ? [{ format: 'atlas' }] : undefined;
}

/** Up to five names, so a message stays one readable line. */
function sample(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}
