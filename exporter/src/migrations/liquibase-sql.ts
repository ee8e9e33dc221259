/**
 * Liquibase formatted SQL changelogs, parsed line by line as Liquibase's `AbstractFormattedChangeLogParser` does:
 * - the first non-blank line is `--liquibase formatted sql` (it may carry `logicalFilePath:`);
 * - `--changeset author:id attribute:value ...` starts a changeset (author and id may be double-quoted; no space after
 *   the `:`); its attributes are read anywhere on that line: `runOnChange`, `runAlways`, `splitStatements` (default
 *   true), `endDelimiter`, `stripComments`, `runInTransaction`, `failOnError`, `ignore`, `dbms`, `context`
 *   (`contextFilter`), `labels`, `logicalFilePath`;
 * - inside a changeset, `--rollback …` lines and `/* liquibase rollback … *\/` blocks, `--comment: …`,
 *   `--validCheckSum …`, `--preconditions …` and `--precondition-<name> …` are Liquibase's, not SQL; every other
 *   line is the changeset's SQL;
 * - `--ignoreLines:<n>` / `--ignoreLines:start` … `--ignoreLines:end` leave lines out altogether;
 * - `--property name:<n> value:<v>` defines `${n}` for the file; properties given to Liquibase elsewhere (command line,
 *   liquibase.properties) cannot be known and stay as written.
 * Errors name the file and line, with Liquibase's own wording where it has one.
 */

/** One changeset as written in a formatted SQL file. */
export interface FormattedChangeset {
  readonly id: string;
  readonly author: string;
  /** 1-based line of the `--changeset` line. */
  readonly line: number;
  readonly logicalFilePath?: string;
  readonly runOnChange: boolean;
  readonly runAlways: boolean;
  readonly splitStatements: boolean;
  readonly endDelimiter?: string;
  readonly runInTransaction: boolean;
  readonly ignore: boolean;
  /** `dbms:` names, lower case (`!` kept for exclusions); `undefined` = every database. */
  readonly dbms?: readonly string[];
  readonly context?: string;
  readonly labels?: string;
  readonly preconditions: boolean;
  /** The `--comment:` text (Liquibase stores it in `DATABASECHANGELOG.COMMENTS`). */
  readonly comment?: string;
  /**
   * The file's text from the `--changeset` line to the next one (or the end), `${property}` expanded and
   * `ignoreLines` blanked: what a replay runs (Liquibase's own lines in it are SQL comments).
   */
  readonly text: string;
  /** The SQL Liquibase hands to its SQL change (its own lines left out, trimmed): what its checksum covers. */
  readonly liquibaseSql: string;
}

/** A parsed formatted SQL changelog. */
export interface FormattedChangelog {
  readonly logicalFilePath?: string;
  readonly changesets: FormattedChangeset[];
}

const FIRST_LINE = /^\s*--\s*liquibase\s*formatted.*/i;
const PROPERTY = /^\s*--[\s]*property\s+(.*:.*)\s+(.*:.*).*/i;
const ALT_PROPERTY = /^\s*?-+\s*property\s.*/i;
const CHANGESET = /^\s*--[\s]*changeset\s+("[^"]+"|[^:]+):\s*("[^"]+"|\S+).*/i;
const ALT_CHANGESET = /^(?:-[\s]*changeset\s.*|\s*--[\s]*changeset[\s]*.*)$/i;
const COMMENT = /^--[\s]*comment:? (.*)/i;
const ALT_COMMENT = /^(?:-[\s]*comment:? .*|--[\s]*comments:? .*)/i;
const VALID_CHECKSUM = /^--[\s]*validCheckSum:? (.*)/i;
const ROLLBACK = /^\s*--[\s]*rollback (.*)/i;
const ALT_ROLLBACK = /^\s*-[\s]*rollback\s.*/i;
const ROLLBACK_BLOCK_START = /^\s*\/\*\s*liquibase\s*rollback\s*$/i;
const ROLLBACK_BLOCK_END = /.*\s*\*\/\s*$/;
const PRECONDITIONS = /^\s*--[\s]*preconditions(.*)/i;
const PRECONDITION = /^\s*--[\s]*precondition-([a-zA-Z0-9-]+)(?: (.*))?$/i;
const IGNORE_LINES = /^--[\s]*ignoreLines:(\w+)/i;
const ATTRIBUTE = (name: string, value = '\\w+'): RegExp => new RegExp(`.*\\b${name}:(${value}).*`, 'i');

/** True when the file's first non-blank line is Liquibase's `--liquibase formatted sql` header. */
export function isFormattedSql(text: string): boolean {
  // Only the start is looked at: detection runs on every .sql file, some of them whole schema dumps.
  const first = /^\uFEFF?(?:[ \t\f\v]*\r?\n)*([^\r\n]*)/.exec(text)?.[1] ?? '';
  return FIRST_LINE.test(first);
}

/**
 * Parses a formatted SQL changelog. `fail` builds the error for a message and 1-based line.
 * @throws what `fail` returns, for a line Liquibase refuses or a changeset without SQL.
 */
export function parseFormattedSql(text: string, fail: (message: string, line: number) => Error): FormattedChangelog {
  const lines = text.split('\n');
  const properties = new Map<string, string>();
  const expand = (s: string): string => s.replace(/\$\{([^}]+)\}/g, (all, name: string) => properties.get(name) ?? all);
  const changesets: FormattedChangeset[] = [];
  let logicalFilePath: string | undefined;
  let current:
    | { head: Omit<FormattedChangeset, 'text' | 'liquibaseSql' | 'preconditions'>; body: string[]; replay: string[]; preconditions: boolean; comment?: string }
    | undefined;
  const finish = (): void => {
    if (!current) return;
    const sql = current.body.join('\n').trim();
    if (sql === '') throw fail(`no SQL for changeset ${current.head.author}:${current.head.id}`, current.head.line);
    changesets.push({
      ...current.head,
      preconditions: current.preconditions,
      ...(current.comment !== undefined ? { comment: current.comment } : {}),
      text: expand(current.replay.join('\n')),
      liquibaseSql: expand(sql),
    });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    const lineNo = i + 1;
    if (PROPERTY.test(line)) {
      const name = /.*name:\s*(\S+).*/i.exec(line)?.[1];
      const value = /.*value:\s*(\S+).*/i.exec(line)?.[1];
      if (name !== undefined && value !== undefined && !properties.has(name)) properties.set(name, value);
      current?.replay.push('');
      continue;
    }
    if (ALT_PROPERTY.test(line)) throw fail('expected "--property name:<property name> value:<property value>"', lineNo);
    if (FIRST_LINE.test(line)) logicalFilePath = /.*logicalFilePath:(\S*).*/i.exec(line)?.[1] || logicalFilePath;
    const ignore = IGNORE_LINES.exec(line);
    if (ignore) {
      const skipped = skipIgnoredLines(lines, i, ignore[1] as string, fail);
      for (let k = i; k <= skipped; k++) current?.replay.push('');
      i = skipped;
      continue;
    }
    const changeset = CHANGESET.exec(line);
    if (changeset) {
      finish();
      current = { head: readChangesetLine(line, lineNo, changeset, logicalFilePath, fail), body: [], replay: [line], preconditions: false };
      continue;
    }
    if (ALT_CHANGESET.test(line)) throw fail('expected "--changeset <authorname>:<changesetId>"', lineNo);
    if (!current) {
      if (COMMENT.test(line)) throw fail('formatted SQL changelogs do not allow comment lines outside of changesets', lineNo);
      continue;
    }
    current.replay.push(line);
    const comment = COMMENT.exec(line);
    if (comment) {
      current.comment = comment[1];
      continue;
    }
    if (VALID_CHECKSUM.test(line) || ROLLBACK.test(line)) continue;
    if (ALT_COMMENT.test(line)) throw fail('expected "--comment <comment>"', lineNo);
    if (ALT_ROLLBACK.test(line)) throw fail('expected "--rollback <rollback SQL>"', lineNo);
    if (ROLLBACK_BLOCK_START.test(line)) {
      let k = i + 1;
      while (k < lines.length && !ROLLBACK_BLOCK_END.test(lines[k] as string)) k++;
      for (let j = i + 1; j <= Math.min(k, lines.length - 1); j++) current.replay.push(lines[j] as string);
      i = k;
      continue;
    }
    if (PRECONDITIONS.test(line) || PRECONDITION.test(line)) {
      current.preconditions = true;
      continue;
    }
    current.body.push(line);
  }
  finish();
  return { ...(logicalFilePath ? { logicalFilePath } : {}), changesets };
}

/** The index of the last line `--ignoreLines:<value>` at `i` leaves out. */
function skipIgnoredLines(lines: readonly string[], i: number, value: string, fail: (message: string, line: number) => Error): number {
  if (value.toLowerCase() === 'start') {
    for (let k = i + 1; k < lines.length; k++) if (/^--[\s]*ignoreLines:end/i.test(lines[k] as string)) return k;
    return lines.length - 1;
  }
  if (!/^[0-9]+$/.test(value)) throw fail(`unknown ignoreLines syntax: "${value}"`, i + 1);
  return Math.min(i + Number(value), lines.length - 1);
}

function readChangesetLine(
  line: string,
  lineNo: number,
  match: RegExpExecArray,
  fileLogicalPath: string | undefined,
  fail: (message: string, line: number) => Error,
): Omit<FormattedChangeset, 'text' | 'liquibaseSql' | 'preconditions'> {
  const [authorGroup, idGroup] = [match[1] as string, match[2] as string];
  // Liquibase re-checks that `author:id` is written without a space after the colon.
  if (!line.toLowerCase().includes(`${authorGroup}:${idGroup}`.toLowerCase())) {
    throw fail('expected "--changeset <authorname>:<changesetId>" (no space after the colon)', lineNo);
  }
  const id = unquote(idGroup);
  const author = unquote(authorGroup).trim();
  if (id.replaceAll(':', '').replaceAll(' ', '') === '') throw fail('the changeset ID cannot be empty', lineNo);
  const bool = (name: string, fallback: boolean): boolean => {
    const value = ATTRIBUTE(name).exec(line)?.[1];
    if (value === undefined) return fallback;
    if (!/^(true|false)$/i.test(value)) throw fail(`${name}:${value} is not true or false`, lineNo);
    return value.toLowerCase() === 'true';
  };
  const text = (name: string, value = '\\S*'): string | undefined => ATTRIBUTE(name, value).exec(line)?.[1];
  const endDelimiter = /.*\bendDelimiter:(\S*).*/i.exec(line)?.[1];
  const dbms = text('dbms', '[^,][\\w!,]+');
  const context = text('contextFilter', '".*?"|\\S*') || text('context', '".*?"|\\S*');
  const labels = text('labels', '".*?"|\\S*');
  const logicalFilePath = text('logicalFilePath') || fileLogicalPath;
  const ignore = text('ignore', '\\w*');
  return {
    id,
    author,
    line: lineNo,
    ...(logicalFilePath ? { logicalFilePath } : {}),
    runOnChange: bool('runOnChange', false),
    runAlways: bool('runAlways', false),
    splitStatements: bool('splitStatements', true),
    ...(endDelimiter !== undefined ? { endDelimiter } : {}),
    runInTransaction: bool('runInTransaction', true),
    ignore: ignore?.toLowerCase() === 'true',
    ...(dbms ? { dbms: dbms.toLowerCase().split(',').map((d) => d.trim()).filter((d) => d !== '') } : {}),
    ...(context ? { context: unquote(context) } : {}),
    ...(labels ? { labels: unquote(labels) } : {}),
  };
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
