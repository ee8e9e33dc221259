/**
 * Schema files on PostgreSQL (`pg_dump --schema-only` output, Rails `structure.sql`, Supabase schema files): the
 * statements `psql -f` would send, with its meta-commands dealt with as a replay into a scratch database must.
 *
 * - `\restrict <key>` / `\unrestrict <key>` (pg_dump 13.22, 14.19, 15.14, 16.10, 17.6 and later, CVE-2025-8714) only
 *   guard psql against a malicious dump: dropped.
 * - `\connect <db>` (`pg_dump --create`) names the database the file describes, which the scratch database stands in
 *   for: ignored, and so are that database's own `CREATE DATABASE`, `DROP DATABASE`, `ALTER DATABASE`,
 *   `COMMENT ON DATABASE` and `GRANT`/`REVOKE ... ON DATABASE` statements. A `\connect` to another database (pg_dumpall
 *   output), or such a statement about another database, is an error naming the line: a schema file describes one
 *   database, and a replay on a dev server must never touch another one.
 * - Any other meta-command (`\i`, `\set`, `\copy`, ...) is an error naming the line rather than a guess, and so is a
 *   full dump's `COPY ... FROM stdin` data.
 * `SET` and `SELECT pg_catalog.set_config(...)` lines are ordinary statements (the inspector sets its own
 * `search_path` afterwards, so a dump's empty one does not leak into what it reads). One departure from stopping at
 * the first error: a `SET` of a parameter the server does not know (`SET transaction_timeout = 0`, which pg_dump 17
 * writes, on a PostgreSQL 16 dev server) is passed over, as psql passes over it; pg_dump writes such lines knowing
 * older servers reject them.
 *
 * Roles are the cluster's, not the database's (pg_dump never dumps them), yet `OWNER TO` and `GRANT` lines name them.
 * In the embedded PGlite, a throwaway instance, a role a statement names and the instance lacks is created and the
 * statement run again, so a production dump replays without `--no-owner`. On a dev server roles outlive the replay, so
 * none is created there: the statement fails, naming the role.
 */
import { ReplayError } from '../../core/errors.ts';
import { migrationFilePath } from '../../migrations/format-schema.ts';
import type { MigrationDirectory, MigrationFile } from '../../migrations/types.ts';
import { quoteIdent } from './quote.ts';
import { type PsqlMetaCommand, splitPostgresStatements, type SqlStatement } from './split.ts';

/** An SQL identifier as the lexer reads it: `"quoted"` (with `""`) or a bare name. */
const IDENT = String.raw`("(?:[^"]|"")+"|[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)`;
/** Statements about a database as a whole, and where its name is. */
const DATABASE_STATEMENTS: readonly RegExp[] = [
  new RegExp(String.raw`^(?:CREATE|ALTER)\s+DATABASE\s+${IDENT}`, 'i'),
  new RegExp(String.raw`^DROP\s+DATABASE\s+(?:IF\s+EXISTS\s+)?${IDENT}`, 'i'),
  new RegExp(String.raw`^COMMENT\s+ON\s+DATABASE\s+${IDENT}`, 'i'),
  new RegExp(String.raw`^(?:GRANT|REVOKE)\s[\s\S]*?\sON\s+DATABASE\s+${IDENT}`, 'i'),
];

/** pg_dump's data section: `COPY table (columns) FROM stdin;`, the rows, then `\.`. */
const COPY_FROM_STDIN = /^COPY\s[\s\S]*\sFROM\s+stdin\b/i;

/** Statements that only set up the session, as pg_dump writes them before its `\connect`. */
const SESSION_SETUP = /^(?:SET|RESET)\s|^SELECT\s+pg_catalog\.set_config\s*\(/i;

/**
 * The statements of a schema file to run one by one, outside a transaction (as psql runs a file).
 * @throws ReplayError naming the file and line of an unsupported meta-command, a `\connect` to another database, or a
 *   statement about another database.
 */
export function psqlScriptStatements(dir: MigrationDirectory, file: MigrationFile, target?: string): SqlStatement[] {
  const metaCommands: PsqlMetaCommand[] = [];
  const statements = splitPostgresStatements(file.sql, { metaCommands });
  const fail = (message: string, line: number): ReplayError =>
    new ReplayError(message, { target, file: migrationFilePath(dir, file), line: file.startLine + line - 1 });
  const lines = lineAt(file.sql);
  // A full dump's data follows its COPY as raw lines ended by `\.`: say what is wrong rather than choke on the data.
  const copy = statements.find((st) => COPY_FROM_STDIN.test(st.sql));
  if (copy) throw fail('COPY ... FROM stdin: a schema file holds the schema, not data (dump with pg_dump --schema-only)', copy.line);
  const own = ownDatabase(metaCommands, (message, offset) => fail(message, lines(offset)));
  const database = own?.name;
  if (own !== undefined) {
    // pg_dump --create writes `\connect` right after CREATE DATABASE: only session settings come before it. Anything
    // else would have run in the database psql started in, which the file then leaves.
    const before = statements.find((st) => st.offset < own.offset && !SESSION_SETUP.test(st.sql) && databaseNamed(st.sql) !== own.name);
    if (before) {
      throw fail(
        `\\connect ${own.name}: the file switches database after statements ran in another one (line ${before.line}); a schema file describes one database`,
        lines(own.offset),
      );
    }
  }
  return statements.filter((statement) => {
    const named = databaseNamed(statement.sql);
    if (named === undefined) return true;
    if (named === database) return false;
    const head = statement.sql.split(/\s+/, 3).join(' ');
    throw fail(
      database === undefined
        ? `${head} ...: a schema file describes the database it is replayed into; it cannot create or change another one (${named})`
        : `${head} ...: the file describes database ${database} (its \\connect), not ${named}`,
      statement.line,
    );
  });
}

/**
 * The database the file's first `\connect` names and where, checking every meta-command on the way. `fail` gets the
 * message and the command's offset.
 */
function ownDatabase(
  commands: readonly PsqlMetaCommand[],
  fail: (message: string, offset: number) => ReplayError,
): { name: string; offset: number } | undefined {
  let database: { name: string; offset: number } | undefined;
  for (const command of commands) {
    const match = /^\\([A-Za-z_]+|\S)\s*(.*)$/s.exec(command.text);
    const name = match?.[1] ?? '';
    if (name === 'restrict' || name === 'unrestrict') continue;
    if (name !== 'c' && name !== 'connect') {
      throw fail(
        `psql meta-command \\${name} is not supported in a schema file (only \\restrict, \\unrestrict and \\connect to the file's own database are)`,
        command.offset,
      );
    }
    const target = connectTarget(match?.[2] ?? '');
    if (target === undefined) continue;
    if (database === undefined) database = { name: target, offset: command.offset };
    else if (target !== database.name) {
      throw fail(
        `\\connect ${target}: the file switches to another database (it describes ${database.name}); a schema file describes one database (dump one with pg_dump, not pg_dumpall)`,
        command.offset,
      );
    }
  }
  return database;
}

/**
 * The database a `\connect` argument list names, or `undefined` for "the same one" (no argument, `-`). Understands
 * the forms pg_dump writes: `\connect name` and `\connect -reuse-previous=on "dbname='name'"`, and URLs.
 */
function connectTarget(args: string): string | undefined {
  const words = psqlWords(args).filter((w) => !w.startsWith('-reuse-previous'));
  const first = words[0];
  if (first === undefined || first === '-') return undefined;
  if (/^postgres(?:ql)?:\/\//.test(first)) {
    const name = decodeURIComponent(new URL(first).pathname.slice(1));
    return name === '' ? undefined : name;
  }
  if (first.includes('=')) {
    const match = /(?:^|\s)dbname\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/.exec(first);
    if (!match) return undefined;
    const value = match[1] as string;
    return value.startsWith("'") ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
  }
  return first;
}

/** psql's argument words: white-space separated, `'...'` and `"..."` quoted (quotes removed, `''`/`""` kept as one). */
function psqlWords(args: string): string[] {
  const words: string[] = [];
  const pattern = /'((?:[^']|'')*)'|"((?:[^"]|"")*)"|(\S+)/g;
  for (let match = pattern.exec(args); match; match = pattern.exec(args)) {
    words.push(match[1] !== undefined ? match[1].replaceAll("''", "'") : match[2] !== undefined ? match[2].replaceAll('""', '"') : (match[3] as string));
  }
  return words;
}

/** The database a database-level statement names (an identifier's value: bare names fold to lower case). */
function databaseNamed(sql: string): string | undefined {
  for (const pattern of DATABASE_STATEMENTS) {
    const ident = pattern.exec(sql)?.[1];
    if (ident !== undefined) return ident.startsWith('"') ? ident.slice(1, -1).replaceAll('""', '"') : ident.toLowerCase();
  }
  return undefined;
}

/** Maps ascending offsets of `text` to 1-based lines in one pass. */
function lineAt(text: string): (offset: number) => number {
  let cursor = 0;
  let line = 1;
  return (offset) => {
    for (; cursor < offset; cursor++) if (text.charCodeAt(cursor) === 10) line++;
    return line;
  };
}

/** SQLSTATE 42704 undefined_object: "unrecognized configuration parameter". */
const UNDEFINED_OBJECT = '42704';

/** Whether `err` is the server refusing a plain `SET` of a parameter it does not know (see the module comment). */
export function isUnknownSetting(sql: string, err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === UNDEFINED_OBJECT && /^SET\s+(?:SESSION\s+)?[A-Za-z_][A-Za-z0-9_.]*\s*(?:=|\sTO\s)/i.test(sql);
}

/** A statement names this many missing roles at most before the replay gives up creating them. */
const MAX_CREATED_ROLES = 16;

/**
 * Runs `sql` with `exec`, creating each role it fails on for not existing and running it again (the embedded engine
 * only, see the module comment).
 */
export async function execCreatingRoles(exec: (sql: string) => Promise<void>, sql: string): Promise<void> {
  for (let created = 0; ; created++) {
    try {
      await exec(sql);
      return;
    } catch (err) {
      const role = created < MAX_CREATED_ROLES ? missingRole(err) : undefined;
      if (role === undefined) throw err;
      await exec(`CREATE ROLE ${quoteIdent(role)}`);
    }
  }
}

/** The role a `role "x" does not exist` error names. */
function missingRole(err: unknown): string | undefined {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (code !== UNDEFINED_OBJECT || typeof message !== 'string') return undefined;
  return /^role "(.+)" does not exist$/.exec(message)?.[1];
}
