/**
 * goose: `<version>_<name>.sql` files annotated with `-- +goose Up` / `-- +goose Down`; only the up section is
 * applied. Statements are cut as goose's own parser cuts them (pressly/goose `internal/sqlparser/parser.go`): a
 * line ending in `;` ends a statement, `-- +goose StatementBegin` … `-- +goose StatementEnd` keeps semicolons inside
 * one statement, `-- +goose NO TRANSACTION` runs the file outside a transaction. The version is the number before the
 * first `_` (goose's `NumericComponent`: an int64 greater than zero), so timestamps and sequential numbers both order
 * as numbers. Departures: `-- +goose ENVSUBST ON` is honoured as a marker only (`${VAR}` is not substituted); Go
 * migrations (`<version>_<name>.go`) are not run, only listed among the ignored files with that reason.
 */
import { type DirEntry, type FormatResult, fileError, ignoreNonSql, makeFile, orderByVersion, sqlEntries, stripBom } from './entries.ts';
import type { SqlStatement } from './split-scan.ts';
import type { IgnoredFile, MigrationFile } from './types.ts';

/** goose's file name: a version number, `_`, a name (the part after the first `_`). */
const GOOSE_NAME = /^([0-9]+)_(.*)\.sql$/;
/** A goose Go migration (`<version>_<name>.go`, `_test.go` files aside). */
const GOOSE_GO_NAME = /^[0-9]+_.*(?<!_test)\.go$/;
/** The annotation every goose SQL migration starts with (the detection sign). */
export const GOOSE_UP = /^--\s*\+goose Up\s*$/m;

type State = 'start' | 'up' | 'up-block' | 'down' | 'down-block';

/** The up statements of one file and whether goose runs it in a transaction. */
interface GooseUp {
  readonly statements: SqlStatement[];
  readonly transaction: boolean;
  /** Offset in the text where the up section ends (the `-- +goose Down` line, or the end): what precedes it is the
   * SQL a replay may run as one query (the annotations in it are comments). */
  readonly end: number;
}

/** Reads a goose directory; a file goose would refuse (no Up annotation, unclosed block, ...) is an error naming it. */
export function readGoose(dir: string, entries: readonly DirEntry[]): FormatResult {
  const files: MigrationFile[] = [];
  // goose's Go migrations are compiled into the application's own binary: goose does apply them, but they cannot be
  // replayed from the directory (what they change shows as drift). Listed with that reason; no "never applies" warning.
  const ignored: IgnoredFile[] = ignoreNonSql(entries).map((f) =>
    GOOSE_GO_NAME.test(f.path) ? { path: f.path, reason: 'goose Go migration (compiled into the application, not replayed)' } : f,
  );
  for (const entry of sqlEntries(entries)) {
    const match = GOOSE_NAME.exec(entry.name);
    if (!match || /^0+$/.test(match[1] as string)) {
      // goose itself refuses such a file in its directory; it is listed rather than guessed at.
      ignored.push({ path: entry.name, reason: 'not named <version>_<name>.sql with a version above 0', warn: true });
      continue;
    }
    const text = stripBom(entry.text);
    const up = parseGooseUp(text, (message, line) => fileError(dir, entry.name, message, line));
    files.push(
      makeFile(entry, {
        version: match[1] as string,
        description: match[2] as string,
        sql: text.slice(0, up.end),
        transaction: up.transaction,
        statements: up.statements,
      }),
    );
  }
  return { files: orderByVersion(dir, files), ignored };
}

/**
 * The up statements of a goose SQL file, as goose's line-based state machine finds them: annotations must be whole
 * lines starting with `--`; comments and blank lines before a statement are dropped, those inside it kept; a
 * statement's trailing `;` is removed (one statement is sent per query). Offsets and lines point into `text`.
 */
export function parseGooseUp(text: string, fail: (message: string, line: number) => Error): GooseUp {
  const statements: SqlStatement[] = [];
  let state: State = 'start';
  let transaction = true;
  let buffer: string[] = [];
  let first: { offset: number; line: number } | undefined;
  let blockLine = 0;
  const flush = (keep: boolean): void => {
    const body = buffer.join('\n').trim().replace(/;$/, '').trimEnd();
    if (keep && body !== '' && first) statements.push({ sql: body, offset: first.offset, line: first.line });
    buffer = [];
    first = undefined;
  };
  let offset = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    const lineNo = i + 1;
    const at = offset;
    offset += (lines[i] as string).length + 1;
    if (state === 'start' && line.trim() === '') continue;
    const command = line.startsWith('--') ? line.slice(2).trim() : undefined;
    if (command === '+goose Up') {
      if (state !== 'start') throw fail('duplicate "-- +goose Up" annotation', lineNo);
      state = 'up';
      continue;
    }
    if (command === '+goose Down') {
      if (state !== 'up') throw fail('"-- +goose Down" before "-- +goose Up" or inside a StatementBegin block', lineNo);
      if (buffer.join('').trim() !== '') throw fail('unfinished statement before "-- +goose Down" (missing semicolon?)', lineNo);
      // Nothing after Down is replayed; goose still requires it to parse, which goose checks when it rolls back.
      return { statements, transaction: transaction && !noTransactionAfter(lines, i), end: at };
    }
    if (command === '+goose StatementBegin') {
      if (state !== 'up') throw fail('"-- +goose StatementBegin" outside the up section', lineNo);
      state = 'up-block';
      blockLine = lineNo;
      continue;
    }
    if (command === '+goose StatementEnd') {
      if (state !== 'up-block') throw fail('"-- +goose StatementEnd" without "-- +goose StatementBegin"', lineNo);
      flush(true);
      state = 'up';
      continue;
    }
    if (command === '+goose NO TRANSACTION') {
      transaction = false;
      continue;
    }
    if (command === '+goose ENVSUBST ON' || command === '+goose ENVSUBST OFF') continue;
    if (state === 'start') throw fail('goose migration must start with "-- +goose Up"', lineNo);
    if (buffer.length === 0 && (line.trim().startsWith('--') || line === '')) continue;
    if (!first) first = { offset: at, line: lineNo };
    buffer.push(line);
    if (state === 'up' && endsWithSemicolon(line)) flush(true);
  }
  if (state === 'start') throw fail('goose migration must start with "-- +goose Up"', 1);
  if (state === 'up-block') throw fail('missing "-- +goose StatementEnd" for this StatementBegin', blockLine);
  if (buffer.join('').trim() !== '') throw fail('unfinished statement at the end of the up section (missing semicolon?)', lines.length);
  return { statements, transaction, end: text.length };
}

/** goose reads `NO TRANSACTION` anywhere in the file, the down section included. */
function noTransactionAfter(lines: readonly string[], from: number): boolean {
  return lines.slice(from).some((l) => l.startsWith('--') && l.slice(2).trim() === '+goose NO TRANSACTION');
}

/** goose's rule: the last whitespace-separated word before a `--` word ends with `;`. */
function endsWithSemicolon(line: string): boolean {
  let previous = '';
  for (const word of line.split(/\s+/).filter((w) => w !== '')) {
    if (word.startsWith('--')) break;
    previous = word;
  }
  return previous.endsWith(';');
}
