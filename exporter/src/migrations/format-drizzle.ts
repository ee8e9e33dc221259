/**
 * drizzle-kit directories, read as drizzle-orm's migrator reads them.
 * - `drizzle` (the journal layout): `meta/_journal.json` lists the migrations; each entry's `tag` names the file
 *   `<tag>.sql`, applied in the journal's order. A `.sql` file the journal does not list is never applied (listed in
 *   `ignored`); a listed one that is missing is an error, as it is for the migrator. The version is the entry's
 *   `when` (milliseconds), the value the migrator writes to `created_at` and compares with it.
 * - `drizzle-folders` (drizzle-kit 1.x): `<timestamp>_<name>/migration.sql` beside `snapshot.json`, applied in name
 *   order; the folder name is what the 1.x migrator records (`name`).
 * Both split a file at `--> statement-breakpoint` lines and run each part as one query.
 */
import path from 'node:path';
import { z } from 'zod';
import { ReplayError } from '../core/errors.ts';
import { type DirEntry, type DirListing, type FormatResult, fileError, makeFile, stripBom } from './entries.ts';
import { readMigrationFolders } from './format-folders.ts';
import { type SqlStatement, statementList } from './split-scan.ts';
import type { IgnoredFile, MigrationFile } from './types.ts';

/** drizzle-kit's bookkeeping folder and its journal, relative to the migrations directory. */
export const DRIZZLE_META = 'meta';
export const DRIZZLE_JOURNAL = `${DRIZZLE_META}/_journal.json`;
/** The file drizzle-kit writes beside each `migration.sql` in the folder layout. */
export const DRIZZLE_SNAPSHOT = 'snapshot.json';
/** drizzle-kit's statement separator, which the migrator splits on (the text itself is removed). */
const DRIZZLE_BREAKPOINT = '--> statement-breakpoint';

/** What the migrator reads of the journal: the entries' `tag` and `when` (`idx` and `breakpoints` are informative). */
const JOURNAL = z.object({
  dialect: z.string().optional(),
  entries: z.array(
    z.object({
      idx: z.number().int().optional(),
      when: z.number().int().nonnegative(),
      tag: z.string().min(1),
      breakpoints: z.boolean().optional(),
    }),
  ),
});

/** Reads the journal layout; a missing or malformed journal, or an entry without its file, is an error. */
export function readDrizzle(dir: string, listing: DirListing): FormatResult {
  const journalEntry = listing.subdirectories.find((s) => s.name === DRIZZLE_META)?.read.find((e) => e.name === DRIZZLE_JOURNAL);
  if (!journalEntry) throw new ReplayError(`${DRIZZLE_JOURNAL} is missing (drizzle-kit generate writes it)`, { file: dir });
  const journal = parseJournal(dir, journalEntry);
  const byName = new Map(listing.entries.map((e) => [e.name, e]));
  const listed = new Set<string>();
  const files: MigrationFile[] = [];
  for (const entry of journal.entries) {
    const name = `${entry.tag}.sql`;
    const file = byName.get(name);
    if (!file) throw fileError(dir, DRIZZLE_JOURNAL, `journal entry "${entry.tag}" has no file ${name} (drizzle-orm's migrator fails on it)`);
    listed.add(name);
    files.push(makeFile(file, { version: String(entry.when), description: entry.tag, statements: breakpointStatements(file.text) }));
  }
  const ignored: IgnoredFile[] = listing.entries
    .filter((e) => !listed.has(e.name))
    .map((e) =>
      e.name.endsWith('.sql')
        ? { path: e.name, reason: `not in ${DRIZZLE_JOURNAL} (drizzle-orm's migrator never applies it)`, warn: true }
        : { path: e.name, reason: 'not a .sql file' },
    );
  for (const folder of listing.subdirectories) {
    if (folder.name !== DRIZZLE_META) ignored.push({ path: folder.name, reason: 'subdirectory (not read)' });
  }
  const provider = journal.dialect ? { provider: { name: journal.dialect, file: DRIZZLE_JOURNAL } } : {};
  return { files, ignored, readsSubdirectories: true, ...provider };
}

/** Reads the folder layout of drizzle-kit 1.x. */
export function readDrizzleFolders(dir: string, listing: DirListing): FormatResult {
  const { files, ignored } = readMigrationFolders(dir, listing, {
    tool: 'drizzle-kit',
    missingScript: 'ignore',
    folderFiles: new Set([DRIZZLE_SNAPSHOT]),
    statements: breakpointStatements,
  });
  return { files, ignored, readsSubdirectories: true };
}

function parseJournal(dir: string, entry: DirEntry): z.infer<typeof JOURNAL> {
  let value: unknown;
  try {
    value = JSON.parse(stripBom(entry.text));
  } catch (cause) {
    throw new ReplayError(`${DRIZZLE_JOURNAL} is not valid JSON`, { file: path.join(dir, DRIZZLE_JOURNAL) }, { cause });
  }
  const parsed = JOURNAL.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new ReplayError(`${DRIZZLE_JOURNAL}: unexpected content${where}: ${issue?.message ?? 'invalid'}`, {
      file: path.join(dir, DRIZZLE_JOURNAL),
    });
  }
  return parsed.data;
}

/**
 * The parts of a file between `--> statement-breakpoint` markers, as drizzle-orm's migrator cuts them (`split`), each
 * run as one query. Departure: a part holding only whitespace is dropped (the migrator would send it, and MySQL
 * refuses an empty query); drizzle-kit never writes one.
 */
export function breakpointStatements(text: string): SqlStatement[] {
  const sql = stripBom(text);
  const list = statementList(sql);
  let start = 0;
  for (;;) {
    const marker = sql.indexOf(DRIZZLE_BREAKPOINT, start);
    const end = marker < 0 ? sql.length : marker;
    const part = sql.slice(start, end);
    const lead = part.length - part.trimStart().length;
    const body = part.trim();
    if (body !== '') list.add(start + lead, start + lead + body.length);
    if (marker < 0) return list.statements;
    start = marker + DRIZZLE_BREAKPOINT.length;
  }
}
