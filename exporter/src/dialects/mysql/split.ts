/**
 * A lexer-based statement splitter for MySQL and MariaDB migration files. MySQL DDL commits implicitly, so a replay
 * runs statement by statement; this finds the statements and where each starts, as the `mysql` client would.
 *
 * What it follows from the `mysql` client (client/mysql.cc) and the server's lexer:
 * - `DELIMITER <text>` at the start of a statement is a client command: it changes the terminator and is not sent.
 * - Comments: `-- ` (two dashes and a whitespace or control character, so `1--1` is arithmetic), `#` to the end of
 *   the line, and `/* ... *\/` (not nested). Executable comments `/*! ... *\/`, `/*!50001 ... *\/` and MariaDB's
 *   `/*M!100100 ... *\/` are SQL, kept in the statement and never split inside.
 * - `'...'` and `"..."` strings with backslash escapes and doubled quotes; `` `...` `` identifiers with doubled backticks.
 *
 * Departures, on purpose:
 * - Compound bodies without DELIMITER: with the default `;` terminator, a `CREATE PROCEDURE|FUNCTION|TRIGGER|EVENT`
 *   (and MariaDB's `BEGIN NOT ATOMIC`) keeps its `BEGIN ... END` body whole, where the `mysql` client would cut it
 *   at the first `;`. This is what the server does when a tool sends a whole file as one multi-statement query
 *   (golang-migrate's mysql driver with `multiStatements=true`), which is the only way such files can hold bodies:
 *   the server rejects `DELIMITER`. Blocks are counted on BEGIN and CASE, closed by END (END IF/LOOP/WHILE/REPEAT
 *   close constructs that were not counted). An unquoted identifier named BEGIN, CASE or END inside a body confuses
 *   the count: use DELIMITER or backticks there. A body that is a bare IF/LOOP/WHILE without BEGIN is not tracked.
 * - With any other delimiter nothing is tracked: the delimiter alone ends statements, as in the client.
 * - The client's `\g`, `\G`, `\d` shortcuts and other client commands are not understood (migration tools do not
 *   run them either). An empty `DELIMITER` command stays statement text, so the server reports it.
 * - `NO_BACKSLASH_ESCAPES` and `ANSI_QUOTES` sql modes are not followed: backslash always escapes inside quotes.
 */
import { endOfLine, endOfQuoted, isSqlSpace, type SqlStatement, statementList } from '../../migrations/split-scan.ts';

export type { SqlStatement } from '../../migrations/split-scan.ts';

const WORD_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const ROUTINE_WORDS = new Set(['procedure', 'function', 'trigger', 'event']);
/** Object kinds after CREATE: the first one seen says whether the statement defines a stored program. */
const OBJECT_WORDS = new Set([
  ...ROUTINE_WORDS,
  'table',
  'view',
  'index',
  'database',
  'schema',
  'user',
  'role',
  'server',
  'tablespace',
  'sequence',
  'package',
  'logfile',
  'spatial',
  'resource',
]);
/** END followed by one of these closes a construct that did not open a counted block. */
const UNCOUNTED_ENDS = new Set(['if', 'loop', 'while', 'repeat']);
const HEAD_WORDS = 8;

/** Per-statement state. */
interface StatementState {
  start: number;
  end: number;
  /** Lower-cased leading words (up to HEAD_WORDS), to recognise stored-program definitions. */
  heads: string[];
  /** Stored program or `BEGIN NOT ATOMIC`: track BEGIN ... END blocks (only with the `;` delimiter). */
  compound: boolean | undefined;
  /** Open BEGIN blocks and CASE constructs in the body. */
  depth: number;
  /** The previous token, lower-cased when a word. */
  previous: string;
}

function newStatement(): StatementState {
  return { start: -1, end: -1, heads: [], compound: undefined, depth: 0, previous: '' };
}

/**
 * Splits MySQL/MariaDB SQL into statements (see the module comment for the rules). Statements holding only
 * whitespace and comments are dropped; an unterminated quote or comment runs to the end of the input and is
 * returned as part of the last statement, so the server reports the error. `DELIMITER` lines are not returned.
 */
export function splitMysqlStatements(sql: string): SqlStatement[] {
  const list = statementList(sql);
  let delimiter = ';';
  let state = newStatement();
  const flush = (): void => {
    list.add(state.start, state.end);
    state = newStatement();
  };
  let i = 0;
  while (i < sql.length) {
    const skipped = skipTrivia(sql, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    if (state.start < 0) {
      const command = readDelimiterCommand(sql, i);
      if (command) {
        delimiter = command.delimiter;
        i = command.end;
        continue;
      }
    }
    if (sql.startsWith(delimiter, i) && !(delimiter === ';' && state.depth > 0)) {
      flush();
      i += delimiter.length;
      continue;
    }
    if (state.start < 0) state.start = i;
    i = readToken(sql, i, state, delimiter);
    state.end = i;
  }
  flush();
  return list.statements;
}

/** Returns the index after whitespace or one comment at `i`, or `i` itself when a token starts there. */
function skipTrivia(sql: string, i: number): number {
  const c = sql[i] as string;
  if (isSqlSpace(c)) return i + 1;
  if (c === '#' || (c === '-' && sql[i + 1] === '-' && (i + 2 >= sql.length || isSpaceOrControl(sql[i + 2] as string)))) {
    return endOfLine(sql, i);
  }
  if (c === '/' && sql[i + 1] === '*' && !isExecutableComment(sql, i)) {
    // An unterminated comment is not trivia: it becomes statement text, so the server reports it instead of the
    // statements after it vanishing silently.
    const close = sql.indexOf('*/', i + 2);
    return close < 0 ? i : close + 2;
  }
  return i;
}

/** MySQL: "the second dash followed by at least one whitespace or control character". */
function isSpaceOrControl(c: string): boolean {
  return c.charCodeAt(0) <= 32;
}

/** `/*!`, `/*!50001`, and MariaDB's `/*M!`: SQL the server runs (version permitting). */
function isExecutableComment(sql: string, i: number): boolean {
  return sql[i + 2] === '!' || (sql[i + 2] === 'M' && sql[i + 3] === '!');
}

/**
 * A `DELIMITER x` client command at `i` (case-insensitive keyword, then white space, then the new delimiter: the
 * first word, or a quoted text), returning the new delimiter and the index after its line. Null when there is none,
 * or when its argument is missing or holds a backslash (the client refuses those), so the line stays SQL.
 */
function readDelimiterCommand(sql: string, i: number): { delimiter: string; end: number } | null {
  if (sql.slice(i, i + 9).toLowerCase() !== 'delimiter' || !/[ \t]/.test(sql[i + 9] ?? '')) return null;
  const lineEnd = endOfLine(sql, i);
  const argument = sql.slice(i + 10, lineEnd).trim();
  const quoted = /^(['"`])(.+?)\1/.exec(argument);
  const delimiter = quoted ? quoted[2] : argument.split(/\s/)[0];
  if (!delimiter || delimiter.includes('\\')) return null;
  return { delimiter, end: lineEnd };
}

/** Reads one token at `i` (not trivia, not a terminator), updates `state`, returns the index after it. */
function readToken(sql: string, i: number, state: StatementState, delimiter: string): number {
  const c = sql[i] as string;
  if (c === '/' && sql[i + 1] === '*') return endOfExecutableComment(sql, i); // also an unterminated plain one
  if (c === "'" || c === '"') return endOfQuoted(sql, i, c, true);
  if (c === '`') return endOfQuoted(sql, i, c, false);
  if (WORD_CHAR.test(c)) return readWord(sql, i, state, delimiter);
  state.previous = c;
  return i + 1;
}

function readWord(sql: string, i: number, state: StatementState, delimiter: string): number {
  let end = i + 1;
  // `END$$`: the client looks for the delimiter at every character, so a word stops where the delimiter starts.
  while (end < sql.length && WORD_CHAR.test(sql[end] as string) && !sql.startsWith(delimiter, end)) end++;
  const word = sql.slice(i, end).toLowerCase();
  if (state.heads.length < HEAD_WORDS) state.heads.push(word);
  if (delimiter === ';') trackBlocks(sql, end, word, state);
  state.previous = word;
  return end;
}

/** Counts BEGIN/CASE ... END blocks of stored-program bodies (see the module comment). */
function trackBlocks(sql: string, end: number, word: string, state: StatementState): void {
  if (state.compound === undefined) {
    state.compound = compoundStatement(state.heads);
    // `BEGIN NOT ATOMIC` is known only at ATOMIC: its BEGIN opened the block two words ago.
    if (state.compound && state.heads[0] === 'begin') state.depth = 1;
  }
  // The word after END names what it closes (END CASE, END IF) or a label: it opens nothing.
  if (!state.compound || state.previous === 'end') return;
  if (word === 'begin') {
    if (!opensBlock(sql, end, state.previous)) return;
    state.depth++;
  } else if (word === 'case' && state.depth > 0) {
    state.depth++;
  } else if (word === 'end' && state.depth > 0 && state.previous !== '.') {
    if (!UNCOUNTED_ENDS.has(nextWord(sql, end))) state.depth--;
  }
}

/**
 * Whether the statement so far is a stored-program definition or MariaDB's anonymous `BEGIN NOT ATOMIC` block;
 * undefined while the leading words do not tell yet.
 */
function compoundStatement(heads: readonly string[]): boolean | undefined {
  if (heads[0] === 'begin') {
    if (heads.length < 3) return undefined;
    return heads[1] === 'not' && heads[2] === 'atomic';
  }
  if (heads[0] !== 'create') return false;
  const kind = heads.slice(1).find((w) => OBJECT_WORDS.has(w));
  if (kind) return ROUTINE_WORDS.has(kind);
  return heads.length < HEAD_WORDS ? undefined : false;
}

/** BEGIN opens a block unless it is a name: a routine called `begin`, `db.begin`, or `begin(...)`. */
function opensBlock(sql: string, end: number, previous: string): boolean {
  if (ROUTINE_WORDS.has(previous) || previous === '.' || previous === 'exists') return false;
  const next = sql[skipAllTrivia(sql, end)];
  return next !== '(' && next !== '.';
}

/** The lower-cased word starting after trivia at `i`, or '' when a non-word comes first. */
function nextWord(sql: string, i: number): string {
  const start = skipAllTrivia(sql, i);
  let end = start;
  while (end < sql.length && WORD_CHAR.test(sql[end] as string)) end++;
  return sql.slice(start, end).toLowerCase();
}

function skipAllTrivia(sql: string, i: number): number {
  for (let next = skipTrivia(sql, i); next !== i && i < sql.length; next = skipTrivia(sql, i)) i = next;
  return i;
}

/**
 * Index after an executable comment opened at `i`: its text is SQL, so quotes inside are skipped as quotes (a `*\/`
 * in a string does not close it). Unterminated: the rest of the input.
 */
function endOfExecutableComment(sql: string, i: number): number {
  let j = i + 2;
  while (j < sql.length) {
    const c = sql[j];
    if (c === '*' && sql[j + 1] === '/') return j + 2;
    if (c === "'" || c === '"') j = endOfQuoted(sql, j, c, true);
    else if (c === '`') j = endOfQuoted(sql, j, c, false);
    else j++;
  }
  return sql.length;
}
