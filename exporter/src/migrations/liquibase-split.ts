/**
 * Liquibase's statement splitting for SQL changes (liquibase `StringUtil.processMultiLineSQL`), dialect-free:
 * - a statement ends at `;` (or at the changeset's `endDelimiter`), or at `go` / `/` alone at the start of a line
 *   when no `endDelimiter` is set; quoted text and comments never end one;
 * - between a `BEGIN` word (not `BEGIN TRANSACTION`/`TRAN`/`TRANS`/`DIALOG`/`CONVERSATION`/`DISTRIBUTED`) and its
 *   `END`, delimiters do not split (a MySQL trigger or procedure body stays one statement), as Liquibase 4.2+ does;
 * - `splitStatements:false` keeps the whole change as one statement.
 * Departure: `$tag$ … $tag$` (PostgreSQL dollar quoting) is read as one quoted token, so a `;` inside a function body
 * never splits it; a changelog that deployed with Liquibase has no split there anyway.
 */
import { type SqlStatement, endOfLine, endOfQuoted, isSqlSpace, statementList } from './split-scan.ts';

/** How a changeset's SQL is split. */
export interface LiquibaseSplitOptions {
  /** Default true. */
  readonly splitStatements?: boolean;
  /** The changeset's `endDelimiter`; `undefined` = `;` plus `go` / `/` lines. An empty string never splits. */
  readonly endDelimiter?: string;
}

/** The statements of `sql`, and `sql` with each delimiter that is not `;` overwritten by `;` and spaces (same length,
 * same lines), so that the text can still run as one multi-statement query with offsets and lines unchanged. */
export interface LiquibaseSplit {
  readonly statements: SqlStatement[];
  readonly sql: string;
}

const NOT_A_BLOCK_AFTER_BEGIN = new Set(['transaction', 'trans', 'tran', 'dialog', 'conversation', 'distributed']);
const NOT_A_BLOCK_AFTER_END = new Set(['transaction', 'trans', 'tran']);

/** Splits `sql` as Liquibase splits a formatted SQL changeset. */
export function splitLiquibaseSql(sql: string, options: LiquibaseSplitOptions = {}): LiquibaseSplit {
  const list = statementList(sql);
  if (options.splitStatements === false) {
    const [start, end] = trimmedRange(sql, 0, sql.length);
    list.add(start < end ? start : -1, end);
    return { statements: list.statements, sql };
  }
  const delimiter = options.endDelimiter;
  const dollarQuotes = delimiter === undefined || !delimiter.startsWith('$');
  const rewritten = sql.split('');
  let depth = 0;
  let start = -1;
  let end = -1;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    if (isSqlSpace(c)) {
      i++;
      continue;
    }
    const delimiterEnd = depth === 0 ? matchDelimiter(sql, i, delimiter) : -1;
    if (delimiterEnd > i) {
      list.add(start, end);
      for (let k = i; k < delimiterEnd; k++) rewritten[k] = k === i ? ';' : sql[k] === '\n' ? '\n' : ' ';
      start = -1;
      i = delimiterEnd;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      i = endOfLine(sql, i);
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
      continue;
    }
    if (start < 0) start = i;
    const tokenEnd = endOfToken(sql, i, dollarQuotes);
    if (/^[A-Za-z_]/.test(c)) {
      const word = sql.slice(i, tokenEnd).toLowerCase();
      const next = nextWord(sql, tokenEnd);
      if (word === 'begin' && !NOT_A_BLOCK_AFTER_BEGIN.has(next)) depth++;
      else if (word === 'end' && depth > 0 && !NOT_A_BLOCK_AFTER_END.has(next)) depth--;
    }
    i = tokenEnd;
    end = i;
  }
  list.add(start, end);
  return { statements: list.statements, sql: rewritten.join('') };
}

/** End index of the delimiter at `i`, or -1. */
function matchDelimiter(sql: string, i: number, delimiter: string | undefined): number {
  const lineStart = i === 0 || sql[i - 1] === '\n';
  if (delimiter === undefined) {
    if (sql[i] === ';') return i + 1;
    if (lineStart && sql[i] === '/' && sql[i + 1] !== '*') return i + 1;
    if (lineStart && /^go$/i.test(sql.slice(i, i + 2)) && !isWordChar(sql[i + 2])) return i + 2;
    return -1;
  }
  if (delimiter === '') return -1;
  // A lone `/` delimits only at the start of a line: elsewhere it is a division (Liquibase's rule for Oracle's `/`).
  if (delimiter === '/' && !lineStart) return -1;
  if (sql.slice(i, i + delimiter.length).toLowerCase() !== delimiter.toLowerCase()) return -1;
  // A word delimiter (`GO`) is a whole word, not the start of `GOTO`.
  if (isWordChar(delimiter.at(-1)) && isWordChar(sql[i + delimiter.length])) return -1;
  return i + delimiter.length;
}

/** Index after the token starting at `i` (a quoted string or identifier, a dollar-quoted body, a word, or one char). */
function endOfToken(sql: string, i: number, dollarQuotes: boolean): number {
  const c = sql[i] as string;
  if (c === "'" || c === '"' || c === '`') return endOfQuoted(sql, i, c, false);
  if (c === '$' && dollarQuotes) {
    const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 66))?.[0];
    if (tag && !isWordChar(sql[i - 1])) {
      const close = sql.indexOf(tag, i + tag.length);
      return close < 0 ? sql.length : close + tag.length;
    }
  }
  if (isWordChar(c)) {
    let j = i + 1;
    while (j < sql.length && isWordChar(sql[j])) j++;
    return j;
  }
  return i + 1;
}

/** The next word after `i` (lower case), skipping white space and comments; `''` when none. */
function nextWord(sql: string, i: number): string {
  const m = /^(?:\s|--[^\n]*|\/\*[\s\S]*?\*\/)*([A-Za-z_][A-Za-z0-9_]*)/.exec(sql.slice(i, i + 400));
  return m?.[1]?.toLowerCase() ?? '';
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$]/.test(c);
}

/** `[start, end)` of `sql` without leading/trailing white space and comments. */
function trimmedRange(sql: string, from: number, to: number): [number, number] {
  let start = -1;
  let end = -1;
  let i = from;
  while (i < to) {
    const c = sql[i] as string;
    if (isSqlSpace(c)) i++;
    else if (c === '-' && sql[i + 1] === '-') i = endOfLine(sql, i);
    else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? to : close + 2;
    } else {
      if (start < 0) start = i;
      i = endOfToken(sql, i, true);
      end = i;
    }
  }
  return [start, end];
}
