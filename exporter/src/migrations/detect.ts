/**
 * Format detection from what a directory holds. Each format has one unmistakable sign; a directory showing the
 * signs of two formats is refused as ambiguous rather than guessed, and the user names the format instead.
 */
import { ReplayError } from '../core/errors.ts';
import { ATLAS_SUM_FILE } from './atlas-sum.ts';
import { DBMATE_UP } from './format-dbmate.ts';
import { FLYWAY_REPEATABLE_NAME, FLYWAY_VERSIONED_NAME, GOLANG_MIGRATE_NAME, PLAIN_NAME } from './formats.ts';
import type { DirEntry } from './entries.ts';
import type { MigrationFormat } from './types.ts';

/** What each format looks like, for error messages. */
const EXPECTED =
  'atlas (atlas.sum), golang-migrate (<version>_<title>.up.sql), flyway (V<version>__<desc>.sql, R__<desc>.sql), ' +
  'dbmate (.sql files with "-- migrate:up"), plain (numbered .sql files like 001_init.sql)';

const SIGNS: readonly { format: MigrationFormat; matches: (e: DirEntry) => boolean }[] = [
  { format: 'atlas', matches: (e) => e.name === ATLAS_SUM_FILE },
  { format: 'golang-migrate', matches: (e) => GOLANG_MIGRATE_NAME.test(e.name) },
  { format: 'flyway', matches: (e) => FLYWAY_VERSIONED_NAME.test(e.name) || FLYWAY_REPEATABLE_NAME.test(e.name) },
  { format: 'dbmate', matches: (e) => e.name.endsWith('.sql') && DBMATE_UP.test(e.text) },
];

/**
 * Detects the layout: atlas.sum → atlas; `*.up.sql`/`*.down.sql` → golang-migrate; `V…__…sql`/`R__…sql` → flyway;
 * files containing `-- migrate:up` → dbmate; otherwise numbered `.sql` files → plain.
 * @throws ReplayError (file = the directory) when the directory is empty, matches no layout, or several.
 */
export function detectFormat(dir: string, entries: readonly DirEntry[]): MigrationFormat {
  if (entries.length === 0) throw new ReplayError('migration directory is empty', { file: dir });
  const found = SIGNS.map((sign) => ({ format: sign.format, names: entries.filter(sign.matches).map((e) => e.name) }))
    .filter((sign) => sign.names.length > 0);
  const [only, second] = found;
  if (only && !second) return only.format;
  if (only && second) {
    const seen = found.map((f) => `${f.format} (${sample(f.names)})`).join(', ');
    throw new ReplayError(`ambiguous migration layout: found ${seen}; name the format explicitly`, { file: dir });
  }
  if (entries.some((e) => PLAIN_NAME.test(e.name))) return 'plain';
  throw new ReplayError(`unknown migration layout: found ${sample(entries.map((e) => e.name))}; expected ${EXPECTED}`, {
    file: dir,
  });
}

/** Up to five names, so a message stays one readable line. */
function sample(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}
