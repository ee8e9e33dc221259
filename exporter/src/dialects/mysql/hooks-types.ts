/**
 * MySQL/MariaDB column type spellings in one canonical form, and the type classes default normalisation needs.
 *
 * Integer display widths are dropped on both sides (`int(11)` = `int` = `int(10)`): MySQL 8.0.19+ no longer prints
 * them (except `tinyint(1)` in some contexts) while MariaDB always does, and a width has no effect on storage or
 * range. We depart from `SHOW CREATE TABLE` there knowingly: `tinyint(1)` and `tinyint(4)` read the same. The width is
 * kept with ZEROFILL, where it decides the padding, and ZEROFILL implies UNSIGNED as the server does.
 */
import { canonicalLiteral, lexMysql } from './hooks-sql.ts';

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint']);

/** Alias → canonical base name. */
const BASE_ALIASES: Record<string, string> = {
  integer: 'int',
  int1: 'tinyint',
  int2: 'smallint',
  int3: 'mediumint',
  middleint: 'mediumint',
  int4: 'int',
  int8: 'bigint',
  bool: 'tinyint',
  boolean: 'tinyint',
  dec: 'decimal',
  numeric: 'decimal',
  fixed: 'decimal',
  real: 'double',
  'double precision': 'double',
  float8: 'double',
  float4: 'float',
  'character varying': 'varchar',
  'char varying': 'varchar',
  character: 'char',
  nchar: 'char',
  'national char': 'char',
  'national character': 'char',
  nvarchar: 'varchar',
  'national varchar': 'varchar',
  'national character varying': 'varchar',
  'long varbinary': 'mediumblob',
  'long varchar': 'mediumtext',
  long: 'mediumtext',
};

/** Modifier-less spelling of types whose modifier has a default value. */
const DEFAULT_ARGS: Record<string, string> = {
  decimal: '(10,0)',
  char: '(1)',
  binary: '(1)',
  bit: '(1)',
};

/** Fractional-second precision 0 is the default of the temporal types. */
const TEMPORAL = new Set(['time', 'datetime', 'timestamp']);

const MULTI_WORD = Object.keys(BASE_ALIASES).filter((k) => k.includes(' ')).sort((a, b) => b.length - a.length);

/** `double precision(...)` → `double(...)`: multi-word names resolved before the words are split. */
function multiWordAlias(lower: string): string {
  const key = MULTI_WORD.find((k) => lower === k || lower.startsWith(`${k} `) || lower.startsWith(`${k}(`));
  return key ? `${BASE_ALIASES[key] ?? key}${lower.slice(key.length)}` : lower;
}

interface ParsedType {
  base: string;
  args: string;
  words: string[];
}

function parseType(text: string): ParsedType {
  const m = /^([a-z][a-z0-9 ]*?)\s*(\([^)]*\))?((?:\s+[a-z0-9_]+)*)$/.exec(text);
  if (!m) return { base: text, args: '', words: [] };
  const args = (m[2] ?? '').replace(/\s+/g, '');
  const words = (m[3] ?? '').trim().split(/\s+/).filter(Boolean);
  return { base: m[1] ?? text, args, words };
}

/** `enum('a','b')` with each value in one literal spelling; the values' case is kept. */
function normalizeValueList(base: string, rest: string): string {
  const values = lexMysql(rest).filter((s) => s.kind === 'string').map((s) => canonicalLiteral(s.kind === 'string' ? s.value : ''));
  return `${base}(${values.join(',')})`;
}

/**
 * Canonical spelling of a column type: lower case; aliases resolved (`integer` → `int`, `bool` → `tinyint`,
 * `numeric` → `decimal`, `character varying` → `varchar`, `serial` → `bigint unsigned`); default modifiers spelled out
 * (`decimal` → `decimal(10,0)`, `char` → `char(1)`) or dropped (`datetime(0)` → `datetime`, `year(4)` → `year`);
 * integer display widths dropped unless ZEROFILL; `signed` dropped; `zerofill` implies `unsigned`; `float(p)` with
 * p > 24 is `double`. Enum and set values keep their text and case.
 */
export function normalizeType(raw: string): string {
  const text = raw.trim().replace(/\s+/g, ' ');
  const valueList = /^(enum|set)\s*\((.*)\)$/is.exec(text);
  if (valueList) return normalizeValueList((valueList[1] ?? '').toLowerCase(), valueList[2] ?? '');
  const lower = text.toLowerCase();
  if (lower === 'serial') return 'bigint unsigned';
  const parsed = parseType(multiWordAlias(lower));
  let base = BASE_ALIASES[parsed.base] ?? parsed.base;
  let args = parsed.args;
  const words = new Set(parsed.words.filter((w) => w !== 'signed'));
  if (words.has('zerofill')) words.add('unsigned');
  if (INTEGER_TYPES.has(base) && !words.has('zerofill')) args = '';
  if (base === 'decimal' && /^\(\d+\)$/.test(args)) args = `${args.slice(0, -1)},0)`;
  if (base === 'float' && /^\(\d+\)$/.test(args)) {
    base = Number(args.slice(1, -1)) > 24 ? 'double' : 'float';
    args = '';
  }
  if (TEMPORAL.has(base) && args === '(0)') args = '';
  if (base === 'year') args = '';
  if (!args) args = DEFAULT_ARGS[base] ?? '';
  const rank = (w: string) => (w === 'unsigned' ? 0 : w === 'zerofill' ? 1 : 2);
  const tail = [...words].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  return [`${base}${args}`, ...tail].join(' ');
}

/** Coarse type classes: how a default of that type is spelled. */
export type TypeClass = 'integer' | 'number' | 'bit' | 'string' | 'temporal' | 'json' | 'other';

/** The class of a (raw or normalised) type. */
export function typeClass(raw: string): TypeClass {
  const base = /^[a-z ]+/.exec(normalizeType(raw))?.[0]?.trim() ?? '';
  if (INTEGER_TYPES.has(base)) return 'integer';
  if (base === 'decimal' || base === 'float' || base === 'double') return 'number';
  if (base === 'bit') return 'bit';
  if (/(char|text|blob|binary|enum|set)$/.test(base)) return 'string';
  if (base === 'date' || base === 'year' || TEMPORAL.has(base)) return 'temporal';
  if (base === 'json') return 'json';
  return 'other';
}

/** Integer storage size in bytes, `null` for a non-integer type. */
export function integerBytes(normalized: string): number | null {
  const base = /^[a-z]+/.exec(normalized)?.[0] ?? '';
  const sizes: Record<string, number> = { tinyint: 1, smallint: 2, mediumint: 3, int: 4, bigint: 8 };
  return sizes[base] ?? null;
}
