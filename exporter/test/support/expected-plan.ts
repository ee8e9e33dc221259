/**
 * Pinned plan shapes of the convergence fixtures, in the manner of stripe/pg-schema-diff's migration acceptance
 * tests: an optional `expected.json` beside a case's `a.sql` and `b.sql` lists, for each run of the case, the kind
 * of every planned statement in order and its hazards. Convergence proves a plan works; the pin says it is the plan
 * a DBA would expect (an index built CONCURRENTLY, a type change flagged `table_rewrite`, nothing dropped by
 * accident). A case without the file is only checked for convergence.
 *
 * The file, one statement a line:
 *
 * ```json
 * {
 *   "a-to-b": [
 *     { "kind": "CREATE TABLE", "hazards": [] },
 *     { "kind": "ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY", "hazards": ["heavy_lock", "may_fail"] }
 *   ],
 *   "b-to-a": [
 *     { "kind": "DROP TABLE", "hazards": ["data_loss"] }
 *   ]
 * }
 * ```
 *
 * Keys are {@link runKey}s; hazards are listed in plan.ts's order (data_loss, table_rewrite, heavy_lock, may_fail,
 * rebuild) whatever order the planner gave them in.
 * With `UPDATE_EXPECTED=1` the runs that execute write their entry instead of comparing (review the diff before
 * committing it: the point of a pin is that a person agreed with it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Hazard, Plan } from '../../src/core/model/plan.ts';

/** File name of a pinned plan shape, beside the case's `a.sql` and `b.sql`. */
export const EXPECTED_FILE = 'expected.json';

/** True when the runs should write their pinned shapes instead of comparing them. */
export const UPDATING_EXPECTED = process.env.UPDATE_EXPECTED === '1';

/** Every hazard, in the order plan.ts documents them; pinned hazards are listed in this order. */
const HAZARDS = ['data_loss', 'table_rewrite', 'heavy_lock', 'may_fail', 'rebuild'] as const satisfies readonly Hazard[];
// Fails to compile when plan.ts gains a hazard this list lacks.
const allHazardsListed: Hazard extends (typeof HAZARDS)[number] ? true : never = true;
void allHazardsListed;

/** One planned statement as pinned: its kind (see {@link statementKind}) and its hazards in {@link HAZARDS} order. */
export interface StatementShape {
  readonly kind: string;
  readonly hazards: readonly Hazard[];
}

/** Contents of an `expected.json`: run key → statement shapes in plan order. */
export type ExpectedPlans = Record<string, readonly StatementShape[]>;

/** SQL dialect of a statement, for the lexical details (how names and strings are quoted). */
export type KindDialect = 'postgres' | 'mysql';

/**
 * The key of one run of a case: `a-to-b` for `a.sql → b.sql`, with `-concurrently` appended for a PostgreSQL run
 * planned with `concurrently: true`.
 */
export function runKey(from: string, to: string, concurrently = false): string {
  const side = (file: string) => path.basename(file, '.sql');
  return `${side(from)}-to-${side(to)}${concurrently ? '-concurrently' : ''}`;
}

type TokenType = 'keyword' | 'name' | 'literal' | 'punct';
interface Token {
  readonly type: TokenType;
  readonly text: string;
}

/** Keywords that introduce a value: an action's kind ends with them (`SET DEFAULT`, not `SET DEFAULT CURRENT_DATE`). */
const VALUE_KEYWORDS: ReadonlySet<string> = new Set(['DEFAULT', 'TYPE', 'AS', 'TO']);
/**
 * Trailing keywords worth keeping in a kind, they change what the statement locks or removes: `NOT VALID` anywhere,
 * `CASCADE` on a drop (elsewhere it is a foreign key's `ON DELETE CASCADE`).
 */
const TRAILING_KEYWORDS: readonly { readonly words: readonly string[]; readonly onlyAfter?: string }[] = [
  { words: ['NOT', 'VALID'] },
  { words: ['CASCADE'], onlyAfter: 'DROP' },
];

/** End index of a quoted token starting at `start` with `quote`; a doubled quote (and, when `backslash`, `\x`) is escaped. */
function quotedEnd(sql: string, start: number, quote: string, backslash: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    if (backslash && sql[i] === '\\') i += 2;
    else if (sql[i] === quote && sql[i + 1] === quote) i += 2;
    else if (sql[i] === quote) return i + 1;
    else i += 1;
  }
  return sql.length;
}

/**
 * Tokens of one statement, comments dropped. A bare word written in upper case is a keyword: both planners write
 * keywords in upper case, PostgreSQL leaves a name bare only when it is lower case (`quoteIdent`), and MySQL quotes
 * every name with backticks, so an upper-case bare word is never a name.
 */
function tokenize(sql: string, dialect: KindDialect): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (type: TokenType, end: number) => {
    tokens.push({ type, text: sql.slice(i, end) });
    i = end;
  };
  while (i < sql.length) {
    const rest = sql.slice(i);
    const ch = sql[i] as string;
    if (/\s/.test(ch)) i += 1;
    else if (rest.startsWith('--') || (dialect === 'mysql' && ch === '#')) i = sql.indexOf('\n', i) < 0 ? sql.length : sql.indexOf('\n', i);
    else if (rest.startsWith('/*')) i = sql.indexOf('*/', i) < 0 ? sql.length : sql.indexOf('*/', i) + 2;
    else if (ch === "'") push('literal', quotedEnd(sql, i, "'", dialect === 'mysql'));
    else if (ch === '"') push(dialect === 'postgres' ? 'name' : 'literal', quotedEnd(sql, i, '"', dialect === 'mysql'));
    else if (ch === '`') push('name', quotedEnd(sql, i, '`', false));
    else if (dialect === 'postgres' && /^\$([A-Za-z_]\w*)?\$/.test(rest)) {
      const tag = (/^\$([A-Za-z_]\w*)?\$/.exec(rest) as RegExpExecArray)[0];
      const close = sql.indexOf(tag, i + tag.length);
      push('literal', close < 0 ? sql.length : close + tag.length);
    } else if (/[A-Za-z_]/.test(ch)) {
      const word = (/^[A-Za-z_][A-Za-z0-9_$]*/.exec(rest) as RegExpExecArray)[0];
      push(/^[A-Z_]+$/.test(word) ? 'keyword' : 'name', i + word.length);
    } else if (/[0-9]/.test(ch)) push('literal', i + (/^[0-9.eE]+/.exec(rest) as RegExpExecArray)[0].length);
    else push('punct', i + 1);
  }
  return tokens;
}

/**
 * The actions of an ALTER statement: tokens split at commas outside brackets. A piece that does not start with a
 * keyword continues the previous one (a role list `TO a, b`), so only real actions are split off.
 */
function splitActions(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.type === 'punct' && '(['.includes(token.text)) depth += 1;
    if (token.type === 'punct' && ')]'.includes(token.text)) depth -= 1;
    if (token.type === 'punct' && token.text === ',' && depth === 0) parts.push([]);
    else (parts.at(-1) as Token[]).push(token);
  }
  return parts.reduce<Token[][]>((actions, part) => {
    const previous = actions.at(-1);
    if (previous !== undefined && part[0]?.type !== 'keyword') previous.push({ type: 'punct', text: ',' }, ...part);
    else actions.push(part);
    return actions;
  }, []);
}

/**
 * A run of keywords of an action from `start`; returns the words and the next index. The run ends after a
 * {@link VALUE_KEYWORDS} member and is then `closed`, except for a leading `DEFAULT` (MySQL's `DEFAULT CHARSET=`).
 */
function keywordRun(tokens: readonly Token[], start: number): { words: string[]; next: number; closed: boolean } {
  const words: string[] = [];
  let i = start;
  while (tokens[i]?.type === 'keyword') {
    const word = (tokens[i] as Token).text;
    words.push(word);
    i += 1;
    if (VALUE_KEYWORDS.has(word) && !(word === 'DEFAULT' && words.length === 1)) return { words, next: i, closed: true };
  }
  return { words, next: i, closed: false };
}

/**
 * The statement's leading keywords, leaving out MySQL's view and routine options between `CREATE` and the object
 * (`ALGORITHM=MERGE`, ``DEFINER=`u`@`h` ``, `SQL SECURITY INVOKER`): they are attributes, not what the statement does.
 */
function headRun(tokens: readonly Token[]): { words: string[]; next: number } {
  const words: string[] = [];
  let i = 0;
  while (tokens[i]?.type === 'keyword') {
    const word = (tokens[i] as Token).text;
    if (tokens[i + 1]?.text === '=') {
      i += 3;
      while (tokens[i]?.text === '@') i += 2;
    } else if (word === 'SQL' && tokens[i + 1]?.text === 'SECURITY') {
      i += 3;
    } else {
      words.push(word);
      i += 1;
    }
  }
  return { words, next: i };
}

/** Index after a possibly qualified name (`s.t`, `` `t` ``) at `start`, or `start` when there is none. */
function skipName(tokens: readonly Token[], start: number): number {
  let i = start;
  if (tokens[i]?.type !== 'name') return i;
  i += 1;
  while (tokens[i]?.text === '.' && tokens[i + 1]?.type === 'name') i += 2;
  return i;
}

/** Index after a balanced parenthesised group at `start` (a routine's argument list), or `start`. */
function skipParens(tokens: readonly Token[], start: number): number {
  if (tokens[start]?.text !== '(') return start;
  let depth = 0;
  for (let i = start; i < tokens.length; i += 1) {
    if (tokens[i]?.text === '(') depth += 1;
    if (tokens[i]?.text === ')') depth -= 1;
    if (depth === 0) return i + 1;
  }
  return tokens.length;
}

/** The kind of one action of an ALTER statement: up to two keyword runs joined by `…`, plus kept trailing keywords. */
function actionKind(tokens: readonly Token[]): string {
  const first = keywordRun(tokens, 0);
  if (first.words.length === 0) return '?';
  const parts = [first.words.join(' ')];
  if (!first.closed) {
    const afterName = skipName(tokens, first.next);
    const second = keywordRun(tokens, afterName);
    if (afterName > first.next && second.words.length > 0) parts.push('…', second.words.join(' '));
  }
  return [...parts, ...trailingKeywords(tokens)].join(' ');
}

/** The {@link TRAILING_KEYWORDS} that `tokens` (a statement, or an action of one) end with. */
function trailingKeywords(tokens: readonly Token[]): string[] {
  const texts = tokens.map((t) => (t.type === 'keyword' ? t.text : null));
  return TRAILING_KEYWORDS.filter(({ words, onlyAfter }) => {
    const tail = texts.slice(-words.length);
    const matches = tail.length === words.length && tail.every((word, k) => word === words[k]);
    return matches && (onlyAfter === undefined || texts[0] === onlyAfter);
  }).map(({ words }) => words.join(' '));
}

/** Collapses consecutive equal actions into one with a count: `MODIFY COLUMN ×3`. */
function countRepeats(actions: readonly string[]): string[] {
  const out: { action: string; count: number }[] = [];
  for (const action of actions) {
    const last = out.at(-1);
    if (last?.action === action) last.count += 1;
    else out.push({ action, count: 1 });
  }
  return out.map(({ action, count }) => (count === 1 ? action : `${action} ×${count}`));
}

/**
 * The kind of a statement, derived from its SQL alone, so it is stable across names, types, values and expressions
 * and still says what the statement does and how:
 *
 * - the statement's leading run of keywords: `CREATE TABLE`, `CREATE UNIQUE INDEX CONCURRENTLY`, `DROP VIEW`,
 *   `COMMENT ON COLUMN`, `CREATE OR REPLACE FUNCTION` (MySQL's `ALGORITHM=…`, `DEFINER=…` and `SQL SECURITY …`
 *   between `CREATE` and the object are left out);
 * - for `ALTER …` statements, then ` … ` for the object's name (with a routine's argument list, or a policy's or
 *   trigger's `ON table`) and each action, in statement order, separated by `, `. An action is its leading keyword
 *   run and, when a name follows, the keyword run after that name: `ADD COLUMN`, `ALTER COLUMN … TYPE`,
 *   `ALTER COLUMN … SET DEFAULT`, `ADD CONSTRAINT … FOREIGN KEY`, `VALIDATE CONSTRAINT`, `RENAME INDEX … TO`,
 *   `MODIFY COLUMN`. A run ends after `DEFAULT`, `TYPE`, `AS` or `TO`, so the value that follows never enters the
 *   kind. Consecutive equal actions are counted (`ALTER TABLE … DROP INDEX ×2, ADD KEY`), so one MySQL statement
 *   with many actions stays one readable line;
 * - a trailing `NOT VALID`, and a trailing `CASCADE` on a drop, are kept (`ALTER TABLE … ADD CONSTRAINT … CHECK
 *   NOT VALID`, `DROP TYPE CASCADE`): they change what the statement locks or removes.
 *
 * A keyword is a bare upper-case word (see {@link tokenize}); names, literals, types and punctuation never appear.
 * A statement or action that does not start with a keyword reads `?`.
 */
export function statementKind(sql: string, dialect: KindDialect): string {
  const tokens = tokenize(sql.replace(/;\s*$/, ''), dialect);
  const head = headRun(tokens);
  const words = head.words.join(' ');
  if (head.words.length === 0) return '?';
  if (head.words[0] !== 'ALTER') return [words, ...trailingKeywords(tokens)].join(' ');
  let start = skipParens(tokens, skipName(tokens, head.next));
  // `ALTER POLICY p ON t …`, `ALTER TRIGGER g ON t …`: the table belongs to the object's name.
  if (tokens[start]?.text === 'ON' && tokens[start]?.type === 'keyword') start = skipName(tokens, start + 1);
  const actions = splitActions(tokens.slice(start)).map(actionKind);
  return `${words} … ${countRepeats(actions).join(', ')}`;
}

/** The shape of a plan as pinned: each statement's kind and hazards, in plan order. */
export function planShape(plan: Plan, dialect: KindDialect): StatementShape[] {
  return plan.statements.map((st) => ({
    kind: statementKind(st.sql, dialect),
    hazards: [...st.hazards].sort((a, b) => HAZARDS.indexOf(a) - HAZARDS.indexOf(b)),
  }));
}

/** One line per statement, for comparing and for failure diffs: `KIND  [hazard, …]`. */
function shapeLines(shapes: readonly StatementShape[]): string[] {
  return shapes.map((s) => `${s.kind}  [${s.hazards.join(', ')}]`);
}

/** Reads and validates a case's `expected.json`; `null` when the case has none. */
export function readExpectedPlans(caseDir: string): ExpectedPlans | null {
  const file = path.join(caseDir, EXPECTED_FILE);
  if (!existsSync(file)) return null;
  const bad = (why: string) => new Error(`${file}: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('expected an object of run keys');
  for (const [key, shapes] of Object.entries(parsed)) {
    if (!Array.isArray(shapes)) throw bad(`"${key}" is not a list of statements`);
    shapes.forEach((s: unknown, n) => {
      const shape = s as Partial<StatementShape> | null;
      const hazardsOk = Array.isArray(shape?.hazards) && shape.hazards.every((h) => (HAZARDS as readonly string[]).includes(h));
      if (typeof shape?.kind !== 'string' || !hazardsOk) throw bad(`"${key}"[${n}] needs a "kind" string and "hazards" from ${HAZARDS.join(', ')}`);
    });
  }
  return parsed as ExpectedPlans;
}

/** Serialises pinned shapes one statement a line, keys sorted, so refreshed files diff line by line. */
export function formatExpectedPlans(plans: ExpectedPlans): string {
  const entry = (s: StatementShape) => `    { "kind": ${JSON.stringify(s.kind)}, "hazards": [${s.hazards.map((h) => JSON.stringify(h)).join(', ')}] }`;
  const runs = Object.keys(plans)
    .sort()
    .map((key) => {
      const shapes = plans[key] as readonly StatementShape[];
      return shapes.length === 0 ? `  ${JSON.stringify(key)}: []` : `  ${JSON.stringify(key)}: [\n${shapes.map(entry).join(',\n')}\n  ]`;
    });
  return `{\n${runs.join(',\n')}\n}\n`;
}

/** What a convergence run hands over to have its plan compared with (or written to) its case's pin. */
export interface PlanPinRun {
  /** Absolute path of the case folder (holding `a.sql`, `b.sql` and maybe `expected.json`). */
  readonly caseDir: string;
  /** The run's {@link runKey}. */
  readonly key: string;
  readonly plan: Plan;
  readonly dialect: KindDialect;
  /** The plan as SQL, shown when the shapes differ. */
  readonly renderSql: () => string;
}

/**
 * Compares a run's plan with its case's `expected.json`; nothing is checked when the case has no such file. Under
 * `UPDATE_EXPECTED=1` the run's entry is written instead (the file is created when missing).
 */
export function expectPlanMatchesPin(run: PlanPinRun): void {
  const actual = planShape(run.plan, run.dialect);
  const file = path.join(run.caseDir, EXPECTED_FILE);
  const pinned = readExpectedPlans(run.caseDir);
  if (UPDATING_EXPECTED) {
    writeFileSync(file, formatExpectedPlans({ ...pinned, [run.key]: actual }));
    return;
  }
  if (pinned === null) return;
  const expected = pinned[run.key];
  if (expected === undefined) {
    throw new Error(`${file} has no "${run.key}" entry: pin it with UPDATE_EXPECTED=1 (and review it)`);
  }
  const hint = `plan "${run.key}" differs from ${file} (if the new plan is right, refresh it with UPDATE_EXPECTED=1)`;
  expect(shapeLines(actual), `${hint}\n\nplan:\n${run.renderSql()}`).toEqual(shapeLines(expected));
}

/** Keys of a case's `expected.json` that name no run of the case (a typo, or a run that was removed). */
export function unknownPinnedRuns(caseDir: string, runKeys: readonly string[]): string[] {
  return Object.keys(readExpectedPlans(caseDir) ?? {}).filter((key) => !runKeys.includes(key));
}
