/**
 * SQL renderers for MySQL/MariaDB tables and their parts, shared by the planner's create statements and the
 * whole-schema DDL so the two never disagree. Server-deparsed fragments (types, defaults, expressions) are used
 * verbatim: they are valid MySQL as the server printed them.
 */
import type { Attrs, Column, Constraint, ForeignKey, Index, IndexPart, JsonValue, Table } from '../../core/model/schema.ts';
import { quoteIdent, quoteLiteral } from './quote.ts';
import { literalValue } from './hooks-sql.ts';

/** `` `table` `` (a MySQL snapshot is one database: statements run in it, so names are not qualified). */
export function tableName(table: { name: string }): string {
  return quoteIdent(table.name);
}

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * A column default as SQL. MariaDB prints literals quoted and expressions bare; MySQL prints literals bare and marks
 * expression defaults (`attrs.defaultGenerated`), so its bare text is quoted unless it is a number, a bit or hex
 * literal, or a CURRENT_TIMESTAMP-like value the DEFAULT clause takes without parentheses.
 */
export function defaultClause(column: Column): string | null {
  const raw = column.default?.trim();
  if (raw === undefined || /^null$/i.test(raw)) return null;
  if (/^(current_timestamp|now|localtime|localtimestamp)\b(\s*\(\s*\d*\s*\))?$/i.test(raw)) return raw;
  // MySQL 8 says for sure that this is an expression, even one that reads like a literal (`DEFAULT ('x')` on a TEXT
  // or JSON column prints `_utf8mb4'x'`, and TEXT, BLOB and JSON columns take no literal default): parenthesised.
  if (column.attrs?.defaultGenerated === true) return `(${raw})`;
  if (literalValue(raw) !== null) return raw;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw) || /^b'[01]*'$/i.test(raw) || /^0x[0-9a-f]+$/i.test(raw)) return raw;
  if (/^(true|false)$/i.test(raw)) return raw;
  if (raw.startsWith('(') && raw.endsWith(')')) return raw;
  return /^[a-z_][a-z0-9_]*\s*\(/i.test(raw) ? `(${raw})` : quoteLiteral(raw);
}

/** The collation a column is created with: its own, else (when asked) its table's for a text column. */
function columnCollation(column: Column, table: Table | null): string | null {
  if (column.collation) return column.collation;
  if (!table || column.type.raw.toLowerCase() === 'json') return null;
  const textual = /char|text|enum|set/i.test(column.type.base ?? column.type.raw) && !/binary|blob/i.test(column.type.raw);
  return textual ? text(table.attrs.collation) : null;
}

/**
 * The check MariaDB keeps with `column` in `table` (`attrs.level = 'column'`, named after the column), if any. A
 * `json` column's `json_valid` check is not one to write: the `JSON` type brings it.
 */
export function columnCheckOf(table: Table | null, column: Column): Constraint | undefined {
  if (!table || column.type.raw.toLowerCase() === 'json') return undefined;
  return table.constraints.find((c) => c.kind === 'check' && c.name === column.name && c.attrs?.level === 'column');
}

function checkBody(c: Constraint): string {
  return (c.expression ?? c.definition.replace(/^\s*check\s*/i, '')).trim();
}

/**
 * One column definition as in CREATE TABLE, ADD COLUMN and MODIFY COLUMN. Pass `explicitIn` to spell out an
 * inherited collation (an ALTER may change the table's default in the same statement), and `checksOf` to write the
 * column's own check with it (MariaDB keeps where a check was written; a MODIFY drops the column's check otherwise).
 */
export function columnDefinition(column: Column, explicitIn: Table | null = null, checksOf: Table | null = null): string {
  const parts = [quoteIdent(column.name), column.type.raw];
  const collation = columnCollation(column, explicitIn);
  if (collation) parts.push(`COLLATE ${collation}`);
  if (column.generated) {
    parts.push(`GENERATED ALWAYS AS (${column.generated.expression}) ${column.generated.kind === 'virtual' ? 'VIRTUAL' : 'STORED'}`);
  }
  // MariaDB accepts no NULL/NOT NULL on a generated column; MySQL accepts NOT NULL (MariaDB's are always nullable).
  if (!column.generated) parts.push(column.nullable ? 'NULL' : 'NOT NULL');
  else if (!column.nullable) parts.push('NOT NULL');
  const def = column.generated ? null : defaultClause(column);
  if (def !== null) parts.push(`DEFAULT ${def}`);
  const onUpdate = text(column.attrs?.onUpdate);
  if (onUpdate) parts.push(`ON UPDATE ${onUpdate}`);
  if (column.identity?.generation === 'auto_increment') parts.push('AUTO_INCREMENT');
  if (column.attrs?.invisible === true) parts.push('INVISIBLE');
  if (column.comment !== null) parts.push(`COMMENT ${quoteLiteral(column.comment)}`);
  const check = columnCheckOf(checksOf, column);
  if (check) parts.push(`CHECK (${checkBody(check)})`);
  return parts.join(' ');
}

function partSql(part: IndexPart): string {
  const base = part.column !== undefined ? quoteIdent(part.column) : `(${part.expression ?? ''})`;
  return `${base}${part.prefixLength !== undefined ? `(${part.prefixLength})` : ''}${part.descending ? ' DESC' : ''}`;
}

/** The key parts list `(a, b(10) DESC)`. */
export function keyParts(parts: readonly IndexPart[]): string {
  return `(${parts.map(partSql).join(', ')})`;
}

/** Index visibility: MySQL 8 `INVISIBLE`, MariaDB 10.6 `IGNORED`. */
function visibility(index: Index): string {
  if (index.attrs?.invisible === true) return ' INVISIBLE';
  if (index.attrs?.ignored === true) return ' IGNORED';
  return '';
}

/** True for an engine whose indexes are HASH unless written `USING BTREE` (MEMORY, alias HEAP). */
function hashByDefault(engine: string | null): boolean {
  return engine !== null && /^(memory|heap)$/i.test(engine);
}

/**
 * The `USING` of an index: `USING HASH` for a hash index, `USING BTREE` for a B-tree index of a table whose engine
 * makes hash indexes by default (the server reads a MEMORY table's default back as `HASH`). An explicit
 * `USING BTREE` on InnoDB reads back like the default and builds the same index, so it is neither written nor drift.
 */
function usingClause(method: string, engine: string | null): string {
  if (method === 'hash') return ' USING HASH';
  return method === 'btree' && hashByDefault(engine) ? ' USING BTREE' : '';
}

/**
 * An index clause as in CREATE TABLE and `ALTER TABLE ... ADD`: `UNIQUE KEY `name` (...)`, `PRIMARY KEY (...)`.
 * Pass the table's `engine` so a B-tree index of a MEMORY table is written `USING BTREE`.
 */
export function indexClause(index: Index, engine: string | null = null): string {
  const comment = index.comment !== null ? ` COMMENT ${quoteLiteral(index.comment)}` : '';
  const method = index.method.toLowerCase();
  const using = usingClause(method, engine);
  if (index.constraint === 'PRIMARY' || index.name === 'PRIMARY') return `PRIMARY KEY ${keyParts(index.parts)}${using}${comment}`;
  const kind = method === 'fulltext' ? 'FULLTEXT KEY' : method === 'spatial' ? 'SPATIAL KEY' : index.unique ? 'UNIQUE KEY' : 'KEY';
  return `${kind} ${quoteIdent(index.name)} ${keyParts(index.parts)}${using}${comment}${visibility(index)}`;
}

/** A primary key constraint without a backing index in the model: its columns. */
export function primaryKeyClause(c: Constraint, indexes: readonly Index[], engine: string | null = null): string {
  const index = indexes.find((i) => i.constraint === c.name || i.name === 'PRIMARY');
  return index ? indexClause(index, engine) : `PRIMARY KEY (${c.columns.map(quoteIdent).join(', ')})`;
}

/** A unique or check constraint clause (`CONSTRAINT `n` CHECK (...)`); a primary key via {@link primaryKeyClause}. */
export function constraintClause(c: Constraint, indexes: readonly Index[], engine: string | null = null): string {
  if (c.kind === 'primary_key') return primaryKeyClause(c, indexes, engine);
  if (c.kind === 'unique') {
    const index = indexes.find((i) => i.name === c.name);
    return index ? indexClause(index, engine) : `UNIQUE KEY ${quoteIdent(c.name)} (${c.columns.map(quoteIdent).join(', ')})`;
  }
  const enforced = c.attrs?.enforced === false ? ' NOT ENFORCED' : '';
  return `CONSTRAINT ${quoteIdent(c.name)} CHECK (${checkBody(c)})${enforced}`;
}

/** `CONSTRAINT `fk` FOREIGN KEY (...) REFERENCES `t` (...) ON DELETE ... ON UPDATE ...`. */
export function foreignKeyClause(fk: ForeignKey, ownSchema: string): string {
  const ref = fk.refSchema && fk.refSchema !== ownSchema ? `${quoteIdent(fk.refSchema)}.${quoteIdent(fk.refTable)}` : quoteIdent(fk.refTable);
  return (
    `CONSTRAINT ${quoteIdent(fk.name)} FOREIGN KEY (${fk.columns.map(quoteIdent).join(', ')}) ` +
    `REFERENCES ${ref} (${fk.refColumns.map(quoteIdent).join(', ')}) ` +
    `ON DELETE ${fk.onDelete.toUpperCase()} ON UPDATE ${fk.onUpdate.toUpperCase()}`
  );
}

/** Table options written `KEY=value` by MySQL and MariaDB; values in `STRING_OPTIONS` are quoted. */
const PLAIN_OPTIONS = new Set([
  'stats_persistent', 'stats_auto_recalc', 'stats_sample_pages', 'key_block_size', 'pack_keys', 'checksum',
  'delay_key_write', 'max_rows', 'min_rows', 'avg_row_length', 'insert_method', 'transactional', 'page_checksum',
  'table_checksum', 'compression', 'encryption', 'autoextend_size',
]);
const STRING_OPTIONS = new Set(['compression', 'encryption']);

function optionClause(key: string, value: string): string {
  if (PLAIN_OPTIONS.has(key)) return `${key.toUpperCase()}=${STRING_OPTIONS.has(key) ? quoteLiteral(value) : value}`;
  // MariaDB engine-defined options (`page_compressed`, `encrypted`) are written with a quoted name.
  return `${quoteIdent(key)}=${/^[A-Za-z0-9_]+$/.test(value) ? value : quoteLiteral(value)}`;
}

/** Storage options from `attrs.options`, sorted by key. */
export function storageOptions(attrs: Attrs): string[] {
  const options = attrs.options;
  if (!options || typeof options !== 'object' || Array.isArray(options)) return [];
  return Object.keys(options)
    .sort()
    .map((k) => optionClause(k, String((options as Record<string, JsonValue>)[k])));
}

/** `ENGINE=... DEFAULT CHARSET=... COLLATE=... ROW_FORMAT=... COMMENT='...'` and storage options. */
export function tableOptions(table: Table): string {
  const a = table.attrs;
  const out: string[] = [];
  if (text(a.engine)) out.push(`ENGINE=${text(a.engine)}`);
  if (text(a.charset)) out.push(`DEFAULT CHARSET=${text(a.charset)}`);
  if (text(a.collation)) out.push(`COLLATE=${text(a.collation)}`);
  if (text(a.rowFormat)) out.push(`ROW_FORMAT=${text(a.rowFormat)}`);
  out.push(...storageOptions(a));
  if (table.comment !== null) out.push(`COMMENT=${quoteLiteral(table.comment)}`);
  return out.join(' ');
}

interface Partition {
  name: string;
  description: string | null;
  comment?: string;
  subpartitions?: string[];
}

function partitionValues(method: string, description: string | null): string {
  if (description === null) return '';
  if (method.startsWith('RANGE')) {
    return method === 'RANGE' && description === 'MAXVALUE' ? ' VALUES LESS THAN MAXVALUE' : ` VALUES LESS THAN (${description})`;
  }
  if (method.startsWith('LIST')) return ` VALUES IN (${description})`;
  return '';
}

/**
 * The partition count of a HASH or KEY scheme whose partitions are the ones `PARTITIONS n` creates (`p0` … `pn-1`,
 * without values, comments or subpartitions), else `null`: such a scheme is written `PARTITIONS n`, as the user
 * wrote it, rather than as the list the server reads back.
 */
function implicitPartitionCount(method: string, partitions: readonly Partition[]): number | null {
  if (!/^(LINEAR )?(HASH|KEY)$/.test(method) || partitions.length === 0) return null;
  const implicit = partitions.every((part, n) => part.name === `p${n}` && part.description === null && !part.comment && !part.subpartitions?.length);
  return implicit ? partitions.length : null;
}

/** `PARTITION BY ...` from `attrs.partitioning` (see `inspect-tables.ts`), or `null` for an unpartitioned table. */
export function partitionClause(attrs: Attrs): string | null {
  const p = attrs.partitioning;
  if (!p || typeof p !== 'object' || Array.isArray(p)) return null;
  const method = String(p.method ?? '').toUpperCase();
  if (!method) return null;
  const byExpr = (m: string, e: JsonValue | undefined) => (m === 'SYSTEM_TIME' ? m : `${m} (${typeof e === 'string' ? e : ''})`);
  let sql = `PARTITION BY ${byExpr(method, p.expression)}`;
  if (typeof p.subMethod === 'string' && p.subMethod) sql += ` SUBPARTITION BY ${byExpr(p.subMethod.toUpperCase(), p.subExpression)}`;
  const partitions = (Array.isArray(p.partitions) ? p.partitions : []) as unknown as Partition[];
  const count = implicitPartitionCount(method, partitions);
  if (count !== null && !(typeof p.subMethod === 'string' && p.subMethod)) return `${sql}\nPARTITIONS ${count}`;
  const defs = partitions.map((part) => {
    const subs = part.subpartitions?.length ? ` (${part.subpartitions.map((s) => `SUBPARTITION ${quoteIdent(s)}`).join(', ')})` : '';
    const comment = part.comment ? ` COMMENT = ${quoteLiteral(part.comment)}` : '';
    return `PARTITION ${quoteIdent(part.name)}${partitionValues(method, part.description)}${comment}${subs}`;
  });
  return defs.length ? `${sql}\n(${defs.join(',\n ')})` : sql;
}

/** Indexes to write in CREATE TABLE: every index (the primary key included, by its constraint or its index). */
function keyClauses(table: Table): string[] {
  const out: string[] = [];
  const engine = text(table.attrs.engine);
  const pk = table.constraints.find((c) => c.kind === 'primary_key');
  if (pk) out.push(primaryKeyClause(pk, table.indexes, engine));
  for (const c of table.constraints) if (c.kind === 'unique' && !table.indexes.some((i) => i.name === c.name)) out.push(constraintClause(c, table.indexes, engine));
  for (const i of table.indexes) if (i.constraint !== 'PRIMARY' && i.name !== 'PRIMARY') out.push(indexClause(i, engine));
  const inline = new Set(table.columns.map((c) => columnCheckOf(table, c)?.name).filter((n) => n !== undefined));
  for (const c of table.constraints) if (c.kind === 'check' && !inline.has(c.name)) out.push(constraintClause(c, table.indexes));
  return out;
}

/**
 * `CREATE TABLE` with columns, keys, indexes, checks, options and partitioning. Foreign keys are added afterwards
 * (`withForeignKeys` false) so tables can be created in any order, or inline for a table whose references exist.
 */
export function renderCreateTable(table: Table, withForeignKeys = false): string {
  const lines = [...table.columns].sort((a, b) => a.position - b.position).map((c) => columnDefinition(c, null, table));
  lines.push(...keyClauses(table));
  if (withForeignKeys) lines.push(...table.foreignKeys.map((fk) => foreignKeyClause(fk, table.schema)));
  const options = tableOptions(table);
  const partitioning = partitionClause(table.attrs);
  return `CREATE TABLE ${tableName(table)} (\n  ${lines.join(',\n  ')}\n)${options ? ` ${options}` : ''}${partitioning ? `\n${partitioning}` : ''};`;
}
