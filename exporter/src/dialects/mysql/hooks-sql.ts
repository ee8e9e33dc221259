/**
 * A small MySQL lexer and the expression normaliser built on it. Expressions reach the differ as the server deparses
 * them (check clauses, generated columns, expression defaults, view queries, trigger and index expressions), and
 * MySQL 8 and MariaDB deparse the same expression slightly differently. Only differences that cannot change meaning
 * are removed; string literals keep their exact value, so a changed literal is still drift. Routine and event bodies
 * get a lighter pass ({@link normalizeRoutineBody}): comments and blanks only.
 */

/** A lexical piece: code, a string literal (value decoded), a backtick identifier (name decoded) or a comment. */
export type Segment =
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'string'; readonly text: string; readonly value: string }
  | { readonly kind: 'ident'; readonly text: string; readonly value: string }
  | { readonly kind: 'comment'; readonly text: string };

const ESCAPES: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' };

/** Reads a quoted token starting at `start`; backslash escapes apply to strings, never to backtick identifiers. */
function readQuoted(sql: string, start: number, quote: string): { end: number; value: string } {
  let value = '';
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (ch === '\\' && quote !== '`' && i + 1 < sql.length) {
      const next = sql[i + 1] as string;
      // `\%` and `\_` keep their backslash (LIKE patterns), as the server does.
      value += next === '%' || next === '_' ? `\\${next}` : (ESCAPES[next] ?? next);
      i += 2;
    } else if (ch === quote && sql[i + 1] === quote) {
      value += quote;
      i += 2;
    } else if (ch === quote) {
      return { end: i + 1, value };
    } else {
      value += ch;
      i += 1;
    }
  }
  return { end: sql.length, value };
}

/** Splits SQL into code, string literals ('...' and "..."), backtick identifiers and comments. */
export function lexMysql(sql: string): Segment[] {
  const out: Segment[] = [];
  let code = '';
  const flush = () => {
    if (code) out.push({ kind: 'code', text: code });
    code = '';
  };
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    const rest2 = sql.slice(i, i + 2);
    if (ch === "'" || ch === '"' || ch === '`') {
      const { end, value } = readQuoted(sql, i, ch);
      flush();
      out.push({ kind: ch === '`' ? 'ident' : 'string', text: sql.slice(i, end), value });
      i = end;
    } else if (rest2 === '/*' && sql[i + 2] !== '!') {
      const close = sql.indexOf('*/', i + 2);
      const end = close < 0 ? sql.length : close + 2;
      flush();
      out.push({ kind: 'comment', text: sql.slice(i, end) });
      i = end;
    } else if (ch === '#' || (rest2 === '--' && /[\s]/.test(sql[i + 2] ?? ' '))) {
      const close = sql.indexOf('\n', i);
      const end = close < 0 ? sql.length : close;
      flush();
      out.push({ kind: 'comment', text: sql.slice(i, end) });
      i = end;
    } else {
      code += ch;
      i += 1;
    }
  }
  flush();
  return out;
}

/** A string literal in one canonical spelling: single quotes, `''` for a quote, `\\` for a backslash. */
export function canonicalLiteral(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

const SIMPLE_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Character-set introducers (`_utf8mb4'x'`): MySQL 8 prints them in check clauses and views, MariaDB does not. */
const INTRODUCER = /_(?:utf8mb4|utf8mb3|utf8|latin1|ascii|ucs2|utf16|utf16le|utf32|cp1250|cp1251|cp1252|gbk|big5|sjis|euckr|gb2312|greek|hebrew|latin2|latin5|latin7|koi8r|koi8u)\s*$/i;
/** `now()`, `current_timestamp()`, `localtimestamp` ... all name the same function. */
const NOW = /\b(?:now|current_timestamp|localtimestamp|localtime)\b(\s*\(\s*(\d*)\s*\))?/g;
const CURRENT_DATE = /\b(?:curdate|current_date)\b(\s*\(\s*\))?/g;
const CURRENT_TIME = /\b(?:curtime|current_time)\b(\s*\(\s*(\d*)\s*\))?/g;

function normalizeCode(code: string): string {
  return code
    .toLowerCase()
    .replace(NOW, (_m, _p, digits: string | undefined) => (digits && digits !== '0' ? `current_timestamp(${digits})` : 'current_timestamp'))
    .replace(CURRENT_DATE, 'current_date')
    .replace(CURRENT_TIME, (_m, _p, digits: string | undefined) => (digits && digits !== '0' ? `current_time(${digits})` : 'current_time'))
    .replace(/\s+/g, ' ');
}

const PUNCT = new Set([...'()[],=<>!+-*/%&|^~:;.']);
const OPERATOR = new Set([...'=<>!+-*/%&|^~:']);

/**
 * Drops blanks next to punctuation, keeping one between two operator characters (`- -1` must not become `--1`).
 * Characters marked `verbatim` (inside literals and quoted names) are never touched.
 */
function tightenSpaces(text: string, verbatim: readonly boolean[]): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
    if (ch !== ' ' || verbatim[i]) {
      out += ch;
      continue;
    }
    const prev = out.at(-1) ?? '';
    const next = text[i + 1] ?? '';
    if (prev === '' || next === '' || (next === ' ' && !verbatim[i + 1])) continue;
    if (OPERATOR.has(prev) && OPERATOR.has(next)) out += ' ';
    else if (!PUNCT.has(prev) && !PUNCT.has(next)) out += ' ';
  }
  return out;
}

/** True when the whole text is one parenthesised group (`(a) + (b)` is not). */
function fullyParenthesised(text: string): boolean {
  if (!text.startsWith('(') || !text.endsWith(')')) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')') {
      depth -= 1;
      if (depth === 0 && i < text.length - 1) return false;
    }
  }
  return depth === 0;
}

/** Index of each parenthesis' partner in canonical text (quoted literals and identifiers skipped). */
function matchParens(text: string): Map<number, number> {
  const pairs = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === "'" || ch === '`') {
      let j = i + 1;
      while (j < text.length && !(text[j] === ch && text[j + 1] !== ch)) j += text[j] === ch ? 2 : 1;
      i = j;
    } else if (ch === '(') open.push(i);
    else if (ch === ')') {
      const start = open.pop();
      if (start !== undefined) pairs.set(start, i);
    }
  }
  return pairs;
}

/** `((x))` → `(x)`: a group whose only content is another group (MySQL 8 doubles them in check definitions). */
function dropDoubleParens(text: string): string {
  const pairs = matchParens(text);
  const drop = new Set<number>();
  for (const [start, end] of pairs) {
    if (text[start + 1] === '(' && pairs.get(start + 1) === end - 1) drop.add(start + 1).add(end - 1);
  }
  return drop.size ? [...text].filter((_ch, i) => !drop.has(i)).join('') : text;
}

/**
 * MySQL 8.0 prints `CHECK_CLAUSE` with escaped quotes (`_utf8mb4\'x\'`). When every quote of the text is escaped,
 * the escapes are the printer's, not the expression's.
 */
function unescapePrinterQuotes(sql: string): string {
  return /\\'/.test(sql) && !/(^|[^\\])'/.test(sql.replace(/\\\\/g, '')) ? sql.replace(/\\'/g, "'") : sql;
}

/**
 * Normalises an expression: comments dropped, code lower-cased with blanks collapsed and removed next to
 * punctuation, `` `simple` `` identifiers unquoted (their case kept), literals in one spelling without charset
 * introducers, `now()`/`current_timestamp()`/`CURRENT_TIMESTAMP` read alike, and parentheses around the whole
 * expression and doubled ones (`((x))`) dropped (MySQL 8 wraps check clauses and expression defaults in them,
 * MariaDB does not).
 * Not normalised: MySQL 8's parentheses around every sub-expression of a check (only the outermost pair goes).
 */
export function normalizeExpression(sql: string): string {
  const segments = lexMysql(unescapePrinterQuotes(sql.trim().replace(/;\s*$/, '')));
  let out = '';
  const verbatim: boolean[] = [];
  const emit = (piece: string, literal: boolean) => {
    out += piece;
    for (let i = 0; i < piece.length; i += 1) verbatim.push(literal);
  };
  for (const segment of segments) {
    if (segment.kind === 'comment') emit(' ', false);
    else if (segment.kind === 'code') emit(normalizeCode(segment.text), false);
    else if (segment.kind === 'ident') {
      const plain = SIMPLE_NAME.test(segment.value) && !/^\d+$/.test(segment.value);
      emit(plain ? segment.value : `\`${segment.value.replaceAll('`', '``')}\``, !plain);
    } else {
      const stripped = out.replace(INTRODUCER, '');
      verbatim.length = stripped.length;
      out = stripped;
      emit(canonicalLiteral(segment.value), true);
    }
  }
  const lead = out.length - out.trimStart().length;
  let text = dropDoubleParens(tightenSpaces(out.trim(), verbatim.slice(lead)));
  while (fullyParenthesised(text)) text = text.slice(1, -1).trim();
  return text;
}

/** The decoded value when `sql` is exactly one string literal (an optional introducer allowed), else `null`. */
export function literalValue(sql: string): string | null {
  const segments = lexMysql(sql.trim()).filter((s) => s.kind !== 'code' || s.text.trim() !== '');
  if (segments.length === 2 && segments[0]?.kind === 'code' && INTRODUCER.test(segments[0].text) && segments[1]?.kind === 'string') {
    return segments[1].value;
  }
  return segments.length === 1 && segments[0]?.kind === 'string' ? segments[0].value : null;
}

/**
 * A routine body without comments and with blanks collapsed (literals kept): the `mysql`/`mariadb` client strips
 * comments from what it sends unless run with `--comments`, so a body applied from a script and one replayed by a
 * driver differ only there. The planner creates routines from `definition`, which keeps them.
 */
export function normalizeRoutineBody(body: string): string {
  let out = '';
  let code = '';
  for (const segment of lexMysql(body)) {
    if (segment.kind === 'code' || segment.kind === 'comment') {
      code += segment.kind === 'code' ? segment.text : ' ';
      continue;
    }
    out += code.replace(/\s+/g, ' ') + segment.text;
    code = '';
  }
  return (out + code.replace(/\s+/g, ' ')).trim();
}
