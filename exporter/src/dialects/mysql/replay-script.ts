/**
 * Schema files on MySQL/MariaDB (`mysqldump --no-data` output): the statements the `mysql` client would send, with
 * the database switches a replay into a temporary database must not follow.
 *
 * `DELIMITER` blocks and `/*!40101 ... *\/` executable comments need nothing here: `splitMysqlStatements` handles the
 * first as the client does, and the server runs the second. `mysqldump --databases` writes `CREATE DATABASE`,
 * `USE <db>` (and, with `--add-drop-database`, `DROP DATABASE`) first: the `USE` names the database the file
 * describes, which the temporary database stands in for, so it and that database's own statements are skipped. A
 * `USE` of another database (`--all-databases` output), or a `CREATE`/`DROP`/`ALTER DATABASE` naming another one, is
 * an error naming the line: a replay on the dev server must never write into another database.
 */
import { ReplayError } from '../../core/errors.ts';
import { migrationFilePath } from '../../migrations/format-schema.ts';
import type { MigrationDirectory, MigrationFile } from '../../migrations/types.ts';
import { splitMysqlStatements, type SqlStatement } from './split.ts';

/** A database name: `` `quoted` `` (with doubled backticks) or bare. */
const NAME = '(`(?:[^`]|``)+`|[^\\s`;]+)';
const USE = new RegExp(`^USE\\s+${NAME}\\s*$`, 'i');
/** Statements about a database as a whole; `ALTER DATABASE` without a name alters the current (temporary) one. */
const DATABASE_STATEMENTS: readonly RegExp[] = [
  new RegExp(`^CREATE\\s+(?:DATABASE|SCHEMA)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${NAME}`, 'i'),
  new RegExp(`^DROP\\s+(?:DATABASE|SCHEMA)\\s+(?:IF\\s+EXISTS\\s+)?${NAME}`, 'i'),
  new RegExp(`^ALTER\\s+(?:DATABASE|SCHEMA)\\s+(?!(?:DEFAULT|CHARACTER|CHARSET|COLLATE|COMMENT|READ|ENCRYPTION|UPGRADE)\\b)${NAME}`, 'i'),
];
/** What mysqldump writes before its `USE`: session settings. */
const SESSION_SETUP = /^SET\s/i;

/**
 * The statements of a schema file to run, in order, without the switches to its own database.
 * @throws ReplayError naming the file and line of a `USE` or database statement about another database.
 */
export function mysqlScriptStatements(dir: MigrationDirectory, file: MigrationFile, target?: string): SqlStatement[] {
  const statements = splitMysqlStatements(file.sql);
  const fail = (message: string, statement: SqlStatement): ReplayError =>
    new ReplayError(message, { target, file: migrationFilePath(dir, file), line: file.startLine + statement.line - 1 });
  let database: string | undefined;
  const kept: SqlStatement[] = [];
  for (const statement of statements) {
    const sql = withoutCommentMarkers(statement.sql);
    const used = USE.exec(sql)?.[1];
    if (used !== undefined) {
      const name = unquote(used);
      if (database === undefined) {
        const before = kept.find((s) => !SESSION_SETUP.test(withoutCommentMarkers(s.sql)));
        if (before) throw fail(`USE ${name}: the file switches database after statements ran in another one (line ${before.line}); a schema file describes one database`, statement);
        database = name;
      } else if (name !== database) {
        throw fail(`USE ${name}: the file switches to another database (it describes ${database}); dump one database (mysqldump <db>, not --all-databases)`, statement);
      }
      continue;
    }
    const named = databaseNamed(sql);
    if (named === undefined) {
      kept.push(statement);
      continue;
    }
    // Before the USE, mysqldump --databases creates (and may drop) the database the USE then names.
    if (named === database || (database === undefined && useFollows(statements, statement, named))) continue;
    throw fail(`${sql.split(/\s+/, 2).join(' ')} ${named}: a schema file describes the database it is replayed into; it cannot create, drop or change another one`, statement);
  }
  return kept;
}

/** Whether a `USE name` comes later in the file (so `name` is the file's own database). */
function useFollows(statements: readonly SqlStatement[], from: SqlStatement, name: string): boolean {
  return statements.some((s) => s.offset > from.offset && unquote(USE.exec(withoutCommentMarkers(s.sql))?.[1] ?? '') === name);
}

/**
 * The statement with `/*!NNNNN`, `/*M!NNNNNN` and `*\/` removed, so executable comments read as the SQL they run.
 * MariaDB's dump starts with `/*M!999999\- enable the sandbox mode *\/`, a command for its own client that no server
 * runs (no version is 99.99.99): removed whole, and so are whole-line comments before the statement (the dump's
 * header sticks to it).
 */
function withoutCommentMarkers(sql: string): string {
  return sql
    .replace(/\/\*M!999999\\-[^*]*\*\//g, ' ')
    .replace(/^\s*(?:--|#).*$/gm, '')
    .replace(/\/\*M?!\d*/g, ' ')
    .replaceAll('*/', ' ')
    .trim();
}

function databaseNamed(sql: string): string | undefined {
  for (const pattern of DATABASE_STATEMENTS) {
    const name = pattern.exec(sql)?.[1];
    if (name !== undefined) return unquote(name);
  }
  return undefined;
}

function unquote(name: string): string {
  return name.startsWith('`') ? name.slice(1, -1).replaceAll('``', '`') : name;
}
