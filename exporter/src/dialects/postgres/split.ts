/**
 * A lexer-based statement splitter for PostgreSQL, for files that cannot run as one multi-statement query
 * (CREATE INDEX CONCURRENTLY, ALTER TYPE ... ADD VALUE used later in the same file, non-transactional files).
 *
 * It follows psql's own lexer (src/fe_utils/psqlscan.l) where it matters: semicolons split only outside
 * parentheses, quotes, comments and SQL-standard function bodies. Departure from psql: a body opens only on
 * `BEGIN ATOMIC`, not on any `BEGIN` word, so a function named "begin" does not swallow the rest of the file.
 * psql backslash meta-commands are not understood (migration tools do not run them either), unless the caller asks
 * for them (`metaCommands`, for schema files that psql runs): then a backslash outside quotes and comments starts one,
 * running to the end of the line, as in psql.
 */

import { endOfLine, endOfQuoted, isSqlSpace, type SqlStatement, statementList } from '../../migrations/split-scan.ts';

export type { SqlStatement } from '../../migrations/split-scan.ts';

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CONT = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const ROUTINE_WORDS = new Set(['function', 'procedure']);

/** Per-statement state needed to recognise `CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END`. */
interface StatementState {
  start: number;
  end: number;
  parenDepth: number;
  /** Open BEGIN ATOMIC bodies plus CASE expressions inside them, as psql counts them. */
  beginDepth: number;
  /** The first four words, lower-cased, to tell a routine definition from anything else. */
  heads: string[];
  /** The previous token when it was a word, else null (BEGIN must be directly followed by ATOMIC). */
  previousWord: string | null;
}

function newStatement(): StatementState {
  return { start: -1, end: -1, parenDepth: 0, beginDepth: 0, heads: [], previousWord: null };
}

/** A psql meta-command found by {@link splitPostgresStatements}: a backslash outside quotes, to the end of its line. */
export interface PsqlMetaCommand {
  /** From the backslash to the end of the line, trailing white space removed. */
  readonly text: string;
  /** Index of the backslash in the input. */
  readonly offset: number;
}

/** Options of {@link splitPostgresStatements}. */
export interface SplitOptions {
  /** Collects psql meta-commands here, leaving them out of the statements; without it a backslash is statement text. */
  readonly metaCommands?: PsqlMetaCommand[];
}

/**
 * Splits PostgreSQL SQL into statements. Handles `'...'` with `''`, `E'...'` with backslash escapes, `"..."`
 * identifiers, `$tag$...$tag$` dollar quotes (`$1` is a parameter, not a quote), `-- ...` and nested `/* ... *\/`
 * comments, and `BEGIN ATOMIC ... END` bodies (CASE ... END inside them does not end the body).
 * Statements holding only whitespace and comments are dropped; an unterminated quote or comment runs to the end
 * of the input and is returned as part of the last statement, so the server reports the error.
 */
export function splitPostgresStatements(sql: string, options: SplitOptions = {}): SqlStatement[] {
  const list = statementList(sql);
  let state = newStatement();
  let i = 0;
  while (i < sql.length) {
    const skipped = skipTrivia(sql, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    if (options.metaCommands && sql[i] === '\\') {
      const end = endOfLine(sql, i);
      options.metaCommands.push({ text: sql.slice(i, end).trimEnd(), offset: i });
      i = end;
      continue;
    }
    if (sql[i] === ';' && state.parenDepth === 0 && state.beginDepth === 0) {
      list.add(state.start, state.end);
      state = newStatement();
      i++;
      continue;
    }
    if (state.start < 0) state.start = i;
    i = readToken(sql, i, state);
    state.end = i;
  }
  list.add(state.start, state.end);
  return list.statements;
}

/** Returns the index after whitespace or one comment at `i`, or `i` itself when a token starts there. */
function skipTrivia(sql: string, i: number): number {
  const c = sql[i];
  if (isSqlSpace(c)) return i + 1;
  if (c === '-' && sql[i + 1] === '-') return endOfLine(sql, i);
  if (c === '/' && sql[i + 1] === '*') {
    // An unterminated comment is not trivia: it becomes statement text, so the server reports it instead of
    // the statements after it vanishing silently.
    const end = endOfBlockComment(sql, i);
    return end < 0 ? i : end;
  }
  return i;
}

/** Index after the block comment at `i`, or -1 if it never closes. Block comments nest in PostgreSQL. */
function endOfBlockComment(sql: string, i: number): number {
  let depth = 0;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return -1;
}

/** Reads one token starting at `i` (not trivia, not a splitting `;`), updates `state`, returns the index after it. */
function readToken(sql: string, i: number, state: StatementState): number {
  const c = sql[i] as string;
  if (c === '/' && sql[i + 1] === '*') return sql.length; // only reached for an unterminated comment
  if (c === "'") return endOfQuoted(sql, i, "'", false);
  if (c === '"') return endOfQuoted(sql, i, '"', false);
  if (c === '$') return endOfDollar(sql, i);
  if (IDENT_START.test(c)) return readWord(sql, i, state);
  state.previousWord = null;
  if (c >= '0' && c <= '9') return endOfRun(sql, i + 1);
  if (c === '(') state.parenDepth++;
  if (c === ')' && state.parenDepth > 0) state.parenDepth--;
  return i + 1;
}

function readWord(sql: string, i: number, state: StatementState): number {
  const end = endOfRun(sql, i + 1);
  const word = sql.slice(i, end).toLowerCase();
  // E'...' is an escape string: backslash escapes the quote. U&'...', B'...', X'...', N'...' are standard strings.
  if (word === 'e' && sql[end] === "'") {
    state.previousWord = null;
    return endOfQuoted(sql, end, "'", true);
  }
  if (state.heads.length < 4) state.heads.push(word);
  if (isRoutineDefinition(state.heads) && state.parenDepth === 0) trackBody(word, state);
  state.previousWord = word;
  return end;
}

function isRoutineDefinition(heads: readonly string[]): boolean {
  if (heads[0] !== 'create') return false;
  if (ROUTINE_WORDS.has(heads[1] ?? '')) return true;
  return heads[1] === 'or' && heads[2] === 'replace' && ROUTINE_WORDS.has(heads[3] ?? '');
}

function trackBody(word: string, state: StatementState): void {
  if (word === 'atomic' && state.previousWord === 'begin') state.beginDepth++;
  else if (word === 'case' && state.beginDepth > 0) state.beginDepth++;
  else if (word === 'end' && state.beginDepth > 0) state.beginDepth--;
}

/** Identifier and number characters: keeps `a$1`, `x1` and `1e5` as single tokens. */
function endOfRun(sql: string, i: number): number {
  while (i < sql.length && IDENT_CONT.test(sql[i] as string)) i++;
  return i;
}

/** `$tag$...$tag$` or `$$...$$`; `$1` (a parameter) and a lone `$` are ordinary tokens. */
function endOfDollar(sql: string, i: number): number {
  DOLLAR_TAG.lastIndex = i;
  const match = DOLLAR_TAG.exec(sql);
  if (!match) return endOfRun(sql, i + 1);
  const tag = match[0];
  const close = sql.indexOf(tag, i + tag.length);
  return close < 0 ? sql.length : close + tag.length;
}
