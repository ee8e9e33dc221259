/**
 * PostgreSQL noise normalisation for the differ.
 *
 * The desired side is usually replayed in PGlite (PostgreSQL 18) and the current side is a PostgreSQL 13–17 server,
 * so the same object can be deparsed differently. Each rule below removes one such difference, and only that: string
 * literals, quoted identifiers and dollar-quoted bodies are never rewritten, so a changed value is still drift.
 *
 * Differences between PostgreSQL 15 and 18 found by loading the same schema into both
 * (`test/fixtures/postgres/full-schema.sql`):
 * - View definitions: up to 15 a view's query carried two hidden range-table entries (OLD/NEW), so column references
 *   were always qualified (`u.id`, `orders.id`); from 16 a query over a single relation leaves them bare (`id`).
 *   Normalised by {@link normalizeViewDefinition}.
 * - NOT NULL constraints: 18 stores them in `pg_constraint` (contype `n`, also on domains). The model keeps NOT NULL
 *   as `Column.nullable`/`DomainType.nullable`; the inspector leaves contype `n` out, nothing to normalise here.
 * - Privileges: 17 added MAINTAIN (`m`), so an owner's default table ACL is `arwdDxtm` on 18 and `arwdDxt` on 15.
 *   Normalised by {@link normalizeAcl} when the older side is before 17.
 * Differences found on 13 and 14 by the version matrix (`npm run test:versions`, every fixture on 13 to 18):
 * - The `public` schema: initdb before 15 grants CREATE on it to PUBLIC (`=UC/postgres`), from 15 only USAGE
 *   (`=U/pg_database_owner`). Normalised by {@link normalizeAcl}: PUBLIC's CREATE on `public` is not compared when
 *   the older side is before 15.
 * - Owners: the replay database's objects belong to `postgres` (PGlite) or an admin role, production's to e.g. `app`,
 *   and an expanded ACL names the owner. {@link normalizeAcl} reads the owner's own grants and the grantor of the
 *   owner's grants as a placeholder, so only grants to other roles are compared by name. Ownership itself is not
 *   drift (Atlas and migra do not compare it by default either).
 * - Everything else in the fixture (defaults, check and exclusion constraints, index definitions and predicates,
 *   triggers, policies, SQL-standard function bodies, partition bounds, types) deparses identically. The edge-case
 *   fixture (`test/fixtures/postgres/edge/edge-schema.sql`: quoted/dotted/unicode names, extension types, every
 *   trigger, routine and view form, ~40 view/check/default expression shapes) found no other difference; the only
 *   one was the single-relation rule above missing a `TABLESAMPLE` clause. No known 15-vs-18 difference is left
 *   un-normalised.
 * Rules for hand-written or older snapshots: type aliases (`int4`/`integer`), redundant casts between text and
 * varchar on string literals (`'x'::text` vs `'x'::character varying`, left by ALTER COLUMN TYPE), whitespace,
 * `pg_catalog.` qualification, unqualified sequence names in `nextval`, and the `"default"` collation.
 * Not normalised (real differences): a changed literal, a bpchar cast (trailing blanks differ), a changed operator.
 */
import type { Column, View } from '../../core/model/schema.ts';
import type { DiffHooks } from '../../core/diff/options.ts';
import { formatAclItem, parseAclItem, withoutLetters, withOwnerPlaceholder } from './acl.ts';

/** A lexical piece of SQL: code, or a literal/quoted identifier that must stay byte for byte. */
interface Segment {
  readonly code: boolean;
  readonly text: string;
}

/** Splits SQL into code and verbatim segments ('...', E'...', "...", $tag$...$tag$). */
export function splitSql(sql: string): Segment[] {
  const out: Segment[] = [];
  let code = '';
  let i = 0;
  const flush = () => {
    if (code) out.push({ code: true, text: code });
    code = '';
  };
  while (i < sql.length) {
    const ch = sql[i] as string;
    let end = -1;
    if (ch === "'") end = endOfQuoted(sql, i, "'", /[eE]/.test(sql[i - 1] ?? '') && !/\w/.test(sql[i - 2] ?? ''));
    else if (ch === '"') end = endOfQuoted(sql, i, '"', false);
    else if (ch === '$') {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0];
      if (tag && !/[\w$]/.test(sql[i - 1] ?? '')) {
        const close = sql.indexOf(tag, i + tag.length);
        end = close < 0 ? sql.length : close + tag.length;
      }
    }
    if (end < 0) {
      code += ch;
      i += 1;
      continue;
    }
    flush();
    out.push({ code: false, text: sql.slice(i, end) });
    i = end;
  }
  flush();
  return out;
}

function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (backslashEscapes && ch === '\\') i += 2;
    else if (ch === quote && sql[i + 1] === quote) i += 2;
    else if (ch === quote) return i + 1;
    else i += 1;
  }
  return sql.length;
}

/** Built-in type aliases and their canonical (format_type) spelling. */
const TYPE_ALIASES: Record<string, string> = {
  int: 'integer',
  int4: 'integer',
  integer: 'integer',
  int8: 'bigint',
  int2: 'smallint',
  float8: 'double precision',
  float: 'double precision',
  float4: 'real',
  bool: 'boolean',
  varchar: 'character varying',
  decimal: 'numeric',
  timestamptz: 'timestamp with time zone',
  timetz: 'time with time zone',
  varbit: 'bit varying',
};

const SIMPLE_TYPE = /^(?:pg_catalog\.)?([a-z_][a-z0-9_ ]*?)\s*(\(\s*\d+(?:\s*,\s*-?\d+)?\s*\))?\s*((?:with|without) time zone)?\s*((?:\[\d*\])*)$/;

/**
 * Canonical spelling of a type name: `pg_catalog.` dropped, aliases resolved (`int4` → `integer`, `varchar(20)` →
 * `character varying(20)`, `timestamptz` → `timestamp with time zone`, `_int4` → `integer[]`), modifier spacing
 * unified. Anything that is not a plain built-in spelling (user types, `TABLE(...)`, quoted names) only has its
 * whitespace collapsed.
 */
export function normalizeType(raw: string): string {
  const text = raw.trim().replace(/\s+/g, ' ');
  const lower = text.toLowerCase();
  const arrayOf = /^(?:pg_catalog\.)?_([a-z0-9_]+)$/.exec(lower);
  if (arrayOf?.[1]) return `${normalizeType(arrayOf[1])}[]`;
  const m = SIMPLE_TYPE.exec(lower);
  if (!m || text.includes('"')) return text;
  const base = m[1] ?? '';
  const modifier = (m[2] ?? '').replace(/\s+/g, '');
  const dims = (m[4] ?? '').replace(/\[\d+\]/g, '[]');
  return `${canonicalBase(base, modifier, m[3] ?? '')}${dims}`;
}

function canonicalBase(base: string, modifier: string, zone: string): string {
  if (base === 'timestamp' || base === 'time') return `${base}${modifier} ${zone || 'without time zone'}`;
  if (base === 'timestamptz' || base === 'timetz') return `${base.slice(0, -2)}${modifier} with time zone`;
  if (base === 'char' || base === 'character' || (base === 'bpchar' && modifier)) return `character${modifier || '(1)'}`;
  return `${TYPE_ALIASES[base] ?? base}${modifier}`;
}

/** String types whose casts on a string literal are interchangeable (bpchar is not: it trims trailing blanks). */
const STRING_CAST = /'(::(?:text|character varying(?:\(\d+\))?|varchar(?:\(\d+\))?))(?![\w(])/g;

const CAST_ALIASES = /::(int4|int8|int2|int|float8|float4|bool|varchar|timestamptz|timetz|decimal)\b(?!\s*\.)/g;

function normalizeCode(code: string): string {
  return code
    .replace(/\bpg_catalog\./g, '')
    .replace(CAST_ALIASES, (_m, alias: string) => `::${TYPE_ALIASES[alias] ?? alias}`)
    .replace(/\s+/g, ' ')
    .replace(/([(,]) /g, '$1')
    .replace(/ ([),])/g, '$1');
}

/**
 * Normalises an expression (default, check, predicate, policy, trigger, view): whitespace collapsed outside literals,
 * `pg_catalog.` and cast aliases unified, `'x'::text` and `'x'::character varying` read the same, trailing `;` and
 * surrounding blanks dropped.
 */
export function normalizeExpression(sql: string): string {
  const segments = splitSql(sql.trim().replace(/;\s*$/, ''));
  let out = '';
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i] as Segment;
    if (!segment.code) {
      out += segment.text;
      continue;
    }
    let code = normalizeCode(segment.text);
    // A cast right after a string literal: text and varchar are the same value for a literal.
    if (i > 0 && segments[i - 1]?.text.startsWith("'")) code = `'${code}`.replace(STRING_CAST, "'::text").slice(1);
    out += code;
  }
  return out.trim();
}

/**
 * Normalises a column default: unqualified sequence names in `nextval('seq'::regclass)` are qualified with the
 * table's schema (inspections without `search_path = ''` print them bare), then {@link normalizeExpression}.
 */
export function normalizeDefault(column: Column, schemaOf: string): string | null {
  if (column.default === null) return null;
  // As the server would print it inside the literal: quoted unless a plain lower-case name.
  const schemaName = /^[a-z_][a-z0-9_$]*$/.test(schemaOf) ? schemaOf : `"${schemaOf.replace(/"/g, '""')}"`;
  const qualified = column.default.replace(
    /nextval\('((?:[^']|'')+)'(?:::regclass)?\)/g,
    (_m, name: string) => `nextval('${/^(?:"(?:[^"]|"")*"|[^".]+)\./.test(name) ? name : `${schemaName}.${name}`}'::regclass)`,
  );
  return normalizeExpression(qualified);
}

// Words that end the FROM item; `tablesample` follows the alias (`FROM t x TABLESAMPLE bernoulli (50)`).
const CLAUSE_END = new Set(['where', 'group', 'having', 'window', 'order', 'limit', 'offset', 'fetch', 'union', 'intersect', 'except', 'for', 'tablesample']);

const SQL_TOKEN = /"(?:[^"]|"")*"|[A-Za-z_][\w$]*|\(|\)|,|\.|;|[^\s\w"(),.;]+/g;

/** Index of the first token after the top-level `FROM` (not `IS DISTINCT FROM`), or -1. */
function topLevelFrom(tokens: readonly string[]): number {
  let depth = 0;
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as string;
    if (token === '(') depth += 1;
    else if (token === ')') depth -= 1;
    else if (depth === 0 && token.toLowerCase() === 'from' && tokens[i - 1]?.toLowerCase() !== 'distinct') return i + 1;
  }
  return -1;
}

/**
 * The alias (or bare relation name) of the top-level FROM when it is exactly one item (no comma, no JOIN), else
 * `null`. A parenthesised group (sub-query, function arguments, column alias list) counts as one word `()`.
 */
function singleFromAlias(code: string): string | null {
  const tokens = code.match(SQL_TOKEN) ?? [];
  const start = topLevelFrom(tokens);
  if (start < 0) return null;
  const words: string[] = [];
  let depth = 0;
  for (const token of tokens.slice(start)) {
    const word = token.toLowerCase();
    if (token === '(') {
      if (depth === 0) words.push('()');
      depth += 1;
    } else if (token === ')') {
      if (depth === 0) break;
      depth -= 1;
    } else if (depth === 0) {
      if (CLAUSE_END.has(word) || token === ';') break;
      if (token === ',' || word === 'join') return null;
      if (word !== 'only' && word !== 'lateral' && word !== 'as') words.push(token);
    }
  }
  const last = words.at(-1) === '()' ? words.at(-2) : words.at(-1);
  return last !== undefined && /^[A-Za-z_"]/.test(last) ? last : null;
}

/**
 * Normalises a view's query. PostgreSQL up to 15 qualifies every column of a single-relation view (`u.id`,
 * `orders.id`), 16+ does not (`id`): when the top-level FROM is one relation, its alias is removed from column
 * references everywhere in the query (both sides alike; not from function calls `alias.fn(` or relation names).
 * Sub-queries are qualified by every version, so a reference that points elsewhere still reads differently.
 * Then {@link normalizeExpression}.
 */
export function normalizeViewDefinition(view: View): string {
  // Runs of code and quoted identifiers (string literals are left out so their text is never rewritten).
  const runs: Segment[] = [];
  for (const segment of splitSql(view.definition)) {
    const code = segment.code || segment.text.startsWith('"');
    const last = runs.at(-1);
    if (last && last.code === code) runs[runs.length - 1] = { code, text: last.text + segment.text };
    else runs.push({ code, text: segment.text });
  }
  const alias = singleFromAlias(runs.map((r) => (r.code ? r.text : "''")).join(''));
  if (alias === null) return normalizeExpression(view.definition);
  const escaped = alias.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const reference = new RegExp(`(^|[^\\w$.":])${escaped}\\.(?=(?:"(?:[^"]|"")*"|[A-Za-z_][\\w$]*)(?![\\w$]|\\s*[.(]))`, 'g');
  const stripped = runs.map((r) => (r.code ? r.text.replace(reference, '$1') : r.text)).join('');
  return normalizeExpression(stripped);
}

/** `"default"` and `pg_catalog."default"` are the database default collation: the same as none. */
export function normalizeCollation(collation: string | null): string | null {
  if (collation === null) return null;
  const bare = collation.replace(/^pg_catalog\./, '').replace(/^"(.*)"$/, '$1');
  return bare === 'default' ? null : collation;
}

/**
 * Normalises an ACL for comparison: items sorted; the object's `owner` (when known) read as the placeholder
 * `=OWNER` in grantees and grantors (see `acl.ts`); and when the older server is before 17 the MAINTAIN privilege
 * (`m`, new in 17 and part of an owner's default rights there) dropped, since the older server cannot hold it. Between
 * two 17+ servers a MAINTAIN grant is compared like any other. For the `public` schema's own ACL (`schema`), when
 * the older server is before 15, PUBLIC's CREATE (initdb's default there, not from 15) is dropped too. Text that is
 * not an ACL item is kept as it is.
 */
export function normalizeAcl(acl: readonly string[], serverMajor: number | undefined, owner?: string, schema?: string): string[] {
  const drop = serverMajor !== undefined && serverMajor < 17 ? 'm' : '';
  // initdb's grant of CREATE on `public` to PUBLIC, revoked by default from 15: not drift against an older server.
  const publicCreate = schema === 'public' && serverMajor !== undefined && serverMajor < 15;
  const items = acl.map((text) => {
    const parsed = parseAclItem(text);
    if (!parsed) return text;
    const letters = publicCreate && parsed.grantee === '' ? `${drop}C` : drop;
    const item = withoutLetters(withOwnerPlaceholder(parsed, owner), letters);
    return item ? formatAclItem(item) : null;
  });
  return items.filter((item): item is string => item !== null).sort();
}

/** The PostgreSQL dialect hooks of the differ. */
export const postgresHooks: DiffHooks = {
  dialect: 'postgres',
  normalizeExpression,
  normalizeType,
  normalizeDefault,
  normalizeViewDefinition,
  normalizeCollation,
  normalizeAcl,
};
