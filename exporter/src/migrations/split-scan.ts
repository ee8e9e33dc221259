/**
 * Lexing rules the PostgreSQL and MySQL statement splitters share, and the statement list they both build. Only
 * rules that are the same in both dialects live here; comments, identifiers and bodies stay with each splitter.
 */

/** One statement of a file. */
export interface SqlStatement {
  /** Statement text, from its first token to its last token: no leading/trailing comments, no terminator. */
  readonly sql: string;
  /** Index of the statement's first character in the input (a JavaScript string index, UTF-16 code units). */
  readonly offset: number;
  /** 1-based line of the input on which the statement starts. */
  readonly line: number;
}

/** The statements of one input, with their start lines counted in one pass: see {@link statementList}. */
export interface StatementList {
  /** Statements added so far, in input order. */
  readonly statements: SqlStatement[];
  /** Adds `sql[start, end)`; nothing when `start` is negative (no token was read since the last statement). */
  add(start: number, end: number): void;
}

/** A {@link StatementList} over `sql`; statements must be added in ascending order of `start`. */
export function statementList(sql: string): StatementList {
  const statements: SqlStatement[] = [];
  const lines = lineCounter(sql);
  return {
    statements,
    add(start, end) {
      if (start >= 0) statements.push({ sql: sql.slice(start, end), offset: start, line: lines(start) });
    },
  };
}

/** Returns a function mapping ascending string indexes to 1-based line numbers in one pass over the text. */
function lineCounter(sql: string): (index: number) => number {
  let cursor = 0;
  let line = 1;
  return (index) => {
    for (; cursor < index; cursor++) if (sql.charCodeAt(cursor) === 10) line++;
    return line;
  };
}

/** White space between tokens, in both servers' lexers: space, tab, newline, carriage return, form feed, vertical tab. */
export function isSqlSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

/** Index of the first newline at or after `i` (it ends a line comment or a client command), or the input's end. */
export function endOfLine(sql: string, i: number): number {
  const newline = sql.indexOf('\n', i);
  return newline < 0 ? sql.length : newline;
}

/**
 * Index after a quoted token opened at `i`; a doubled quote is an escaped quote; with `backslash`, `\x` too.
 * Unterminated: the input's end.
 */
export function endOfQuoted(sql: string, i: number, quote: string, backslash: boolean): number {
  i++;
  while (i < sql.length) {
    const c = sql[i];
    if (backslash && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  return sql.length;
}
