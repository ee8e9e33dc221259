/**
 * Liquibase formatted SQL changelogs: one `MigrationFile` per changeset, in changelog order (`liquibase-master.ts`),
 * numbered `1`, `2`, ... as `version`, keyed `id::author::<file base name>` as `DATABASECHANGELOG` is matched
 * (`liquibaseKey`). Each changeset's SQL is split as Liquibase splits it (`liquibase-split.ts`).
 * - `runOnChange` changesets carry Liquibase's checksum (`rerun`), so one changed since its last run is pending;
 *   `runAlways` ones are replayed like the others (they run at every update, at their place in the changelog).
 * - `context` / `labels`: a deploy's `--contexts` / `--labels` cannot be known, so every changeset is applied, as
 *   Liquibase does when none is given.
 * - `dbms`: a changeset for neither PostgreSQL nor MySQL/MariaDB (`dbms:oracle`, `dbms:none`) is left out and listed;
 *   one naming only one of them (`dbms:postgresql`) makes it the directory's declared database (checked against the
 *   target's); a changelog with changesets for both is refused, since a directory is read before its target is
 *   known. For the same reason an exclusion of one of ours (`dbms:!mysql`) is not honoured: the changeset is applied.
 * - `ignore:true` changesets are left out and listed; `--preconditions` are not evaluated (the changeset is replayed
 *   as if they held; one marked MARK_RAN at deploy usually found its objects already there).
 * - A `.sql` file without the `--liquibase formatted sql` header is, as for Liquibase, one changeset `raw` by
 *   `includeAll`.
 */
import path from 'node:path';
import { ReplayError } from '../core/errors.ts';
import type { DirListing, FormatResult } from './entries.ts';
import { makeFile, stripBom } from './entries.ts';
import { liquibaseChecksum, liquibaseKey } from './liquibase-checksum.ts';
import { type ChangelogFile, changelogFiles, isMasterChangelog } from './liquibase-master.ts';
import { splitLiquibaseSql } from './liquibase-split.ts';
import { type FormattedChangeset, isFormattedSql, parseFormattedSql } from './liquibase-sql.ts';
import type { DeclaredProvider, IgnoredFile, MigrationFile } from './types.ts';

/** Database names of `dbms:` (Liquibase's short names) that are ours, by the provider name the dialects know. */
const OUR_DBMS: Record<string, 'postgresql' | 'mysql'> = { postgresql: 'postgresql', mysql: 'mysql', mariadb: 'mysql' };

/** Reads a Liquibase changelog directory. */
export function readLiquibase(dir: string, listing: DirListing): FormatResult {
  const { files: changelogs, master, included } = changelogFiles(dir, listing.entries);
  const used = new Set([...changelogs.map((c) => c.path), ...included]);
  const ignored: IgnoredFile[] = listing.entries
    .filter((e) => e.name !== master && !used.has(e.name))
    .map((e) =>
      e.name.endsWith('.sql')
        ? { path: e.name, reason: `not included by the master changelog ${master}`, warn: true }
        : { path: e.name, reason: isMasterChangelog(e) ? 'changelog not included by the master changelog' : 'not a changelog file' },
    );
  const files: MigrationFile[] = [];
  const seen = new Map<string, { path: string; line: number }>();
  const dbmsFor = new Map<'postgresql' | 'mysql', string>();
  for (const changelog of changelogs) {
    for (const changeset of changesetsOf(dir, changelog)) {
      const where = `${changelog.path}:${changeset.line}`;
      const skip = skipReason(changeset);
      if (skip) {
        ignored.push({ path: where, reason: `changeset ${changeset.author}:${changeset.id}: ${skip}` });
        continue;
      }
      for (const db of ours(changeset.dbms)) if (!dbmsFor.has(db)) dbmsFor.set(db, where);
      const key = liquibaseKey(changeset.id, changeset.author, changeset.logicalFilePath ?? changelog.path);
      const other = seen.get(key);
      if (other) {
        const message =
          other.path === changelog.path
            ? `duplicate changeset ${changeset.author}:${changeset.id} (first at line ${other.line})`
            : `changeset ${changeset.author}:${changeset.id} also in ${other.path}:${other.line}: files of the same name must not reuse an id and author (they are matched to DATABASECHANGELOG by id, author and file name)`;
        throw new ReplayError(message, { file: path.join(dir, changelog.path), line: changeset.line });
      }
      seen.set(key, { path: changelog.path, line: changeset.line });
      files.push(toMigrationFile(changelog, changeset, key, files.length + 1));
    }
  }
  const provider = declaredProvider(dir, dbmsFor);
  return { files, ignored, ...(provider ? { provider } : {}), readsSubdirectories: true };
}

/** The changesets of one changelog file (a file without the formatted SQL header is one `raw` changeset). */
function changesetsOf(dir: string, changelog: ChangelogFile): FormattedChangeset[] {
  const text = stripBom(changelog.text);
  if (isFormattedSql(text)) {
    return parseFormattedSql(text, (message, line) => new ReplayError(message, { file: path.join(dir, changelog.path), line })).changesets;
  }
  if (text.trim() === '') return [];
  return [
    {
      id: 'raw',
      author: 'includeAll',
      line: 1,
      runOnChange: false,
      runAlways: false,
      splitStatements: true,
      runInTransaction: true,
      ignore: false,
      preconditions: false,
      text,
      liquibaseSql: text.trim(),
    },
  ];
}

function toMigrationFile(changelog: ChangelogFile, changeset: FormattedChangeset, key: string, index: number): MigrationFile {
  const split = splitLiquibaseSql(changeset.text, {
    splitStatements: changeset.splitStatements,
    ...(changeset.endDelimiter !== undefined ? { endDelimiter: changeset.endDelimiter } : {}),
  });
  const rerun = changeset.runOnChange && !changeset.runAlways ? { key, checksum: liquibaseChecksum(changeset.liquibaseSql) } : undefined;
  return makeFile(
    { name: changelog.path, bytes: changelog.bytes, text: changelog.text },
    {
      version: String(index),
      description: `${changeset.id}::${changeset.author}`,
      sql: split.sql,
      startLine: changeset.line,
      transaction: changeset.runInTransaction,
      statements: split.statements,
      key,
      ...(rerun ? { rerun } : {}),
    },
  );
}

/** Why a changeset is not applied on our databases, if it is not. */
function skipReason(changeset: FormattedChangeset): string | undefined {
  if (changeset.ignore) return 'ignore:true';
  const dbms = changeset.dbms;
  if (!dbms || dbms.includes('all')) return undefined;
  if (dbms.includes('none')) return 'dbms:none';
  const excluded = dbms.filter((d) => d.startsWith('!')).map((d) => d.slice(1));
  const named = dbms.filter((d) => !d.startsWith('!'));
  const applies = (db: string): boolean => !excluded.includes(db) && (named.length === 0 || named.includes(db));
  return Object.keys(OUR_DBMS).some(applies) ? undefined : `dbms:${dbms.join(',')} (neither PostgreSQL nor MySQL/MariaDB)`;
}

/**
 * The one family among ours that a `dbms:` list names (none when unrestricted, both, or only exclusions: a directory is
 * read before its target is known, so `dbms:!postgresql` cannot be honoured per target and declares nothing).
 */
function ours(dbms: readonly string[] | undefined): ('postgresql' | 'mysql')[] {
  if (!dbms || dbms.includes('all')) return [];
  const named = dbms.filter((d) => !d.startsWith('!'));
  if (named.length === 0) return [];
  const excluded = dbms.filter((d) => d.startsWith('!')).map((d) => d.slice(1));
  const families = new Set(
    Object.entries(OUR_DBMS)
      .filter(([db]) => !excluded.includes(db) && (named.length === 0 || named.includes(db)))
      .map(([, family]) => family),
  );
  return families.size === 1 ? [...families] : [];
}

function declaredProvider(dir: string, dbmsFor: Map<'postgresql' | 'mysql', string>): DeclaredProvider | undefined {
  const pg = dbmsFor.get('postgresql');
  const my = dbmsFor.get('mysql');
  if (pg && my) {
    throw new ReplayError(
      `changesets for PostgreSQL only (${pg}) and for MySQL/MariaDB only (${my}): a directory is read before its target's database is known, so keep one changelog directory per database`,
      { file: dir },
    );
  }
  const [family, where] = pg ? ['postgresql', pg] : my ? ['mysql', my] : [];
  return family && where ? { name: family, file: `${where} (dbms)` } : undefined;
}
