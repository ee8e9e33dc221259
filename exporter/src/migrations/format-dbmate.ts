/**
 * dbmate: `<version>_<name>.sql` files holding a `-- migrate:up` section and usually a `-- migrate:down` one;
 * only the up section is applied. Markers and options are read as dbmate's `parseMigrationContents` does
 * (amacneil/dbmate `pkg/dbmate/migration.go`). Departure: a file without `-- migrate:down` is accepted (its up
 * section runs to the end), as dbmate itself did before 2.x.
 */
import { type DirEntry, type FormatResult, fileError, ignoreNonSql, makeFile, orderByVersion, sqlEntries } from './entries.ts';
import type { IgnoredFile, MigrationFile } from './types.ts';

/** dbmate's name pattern: a leading version number; the description is whatever follows `_`. */
export const DBMATE_NAME = /^([0-9]+)(?:_(.*))?\.sql$/;
/** Start of an up section, with its options on the same line (`-- migrate:up transaction:false`). */
export const DBMATE_UP = /^--\s*migrate:up(?=\s|$)(.*)$/m;
const DBMATE_DOWN = /^--\s*migrate:down(?=\s|$)(.*)$/m;

/** Reads a dbmate directory; a migration without `-- migrate:up` is an error naming the file. */
export function readDbmate(dir: string, entries: readonly DirEntry[]): FormatResult {
  const files: MigrationFile[] = [];
  const ignored: IgnoredFile[] = ignoreNonSql(entries);
  for (const entry of sqlEntries(entries)) {
    const match = DBMATE_NAME.exec(entry.name);
    if (!match) {
      ignored.push({ path: entry.name, reason: 'not named <version>_<name>.sql' });
      continue;
    }
    const up = upSection(dir, entry);
    files.push(makeFile(entry, { version: match[1] as string, description: match[2] ?? '', ...up }));
  }
  return { files: orderByVersion(dir, files), ignored };
}

interface UpSection {
  readonly sql: string;
  readonly startLine: number;
  readonly transaction: boolean;
}

function upSection(dir: string, entry: DirEntry): UpSection {
  const text = entry.text;
  const up = DBMATE_UP.exec(text);
  if (!up) throw fileError(dir, entry.name, 'dbmate migration has no "-- migrate:up" section');
  const down = DBMATE_DOWN.exec(text);
  const markerLine = lineOf(text, up.index);
  if (down && down.index < up.index) {
    throw fileError(dir, entry.name, '"-- migrate:down" appears before "-- migrate:up"', lineOf(text, down.index));
  }
  const before = text.slice(0, up.index).split('\n').find((l) => l.trim() !== '' && !/^\s*--/.test(l));
  if (before !== undefined) {
    throw fileError(dir, entry.name, 'statements precede "-- migrate:up" (dbmate refuses them)', markerLine);
  }
  const afterMarker = text.indexOf('\n', up.index);
  const start = afterMarker < 0 ? text.length : afterMarker + 1;
  const end = down ? down.index : text.length;
  return {
    sql: text.slice(start, Math.max(start, end)),
    startLine: markerLine + 1,
    transaction: options(up[1] ?? '').get('transaction') !== 'false',
  };
}

/** `transaction:false foo:bar` → map; malformed pairs are skipped as dbmate does. */
function options(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const pair of text.trim().split(/\s+/)) {
    const parts = pair.split(':');
    if (parts.length === 2) result.set(parts[0] as string, parts[1] as string);
  }
  return result;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
