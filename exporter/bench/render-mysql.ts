/**
 * Renders a generated {@link BenchSchema} as MySQL/MariaDB DDL for ONE database: the model's PostgreSQL schemas are
 * flattened (table and view names are already unique across them), and each PostgreSQL-only feature gets the
 * nearest MySQL form that MySQL 8.0.13+ and MariaDB 10.6+ both accept:
 *
 * - identity/serial keys → `AUTO_INCREMENT`; uuid → `char(36) DEFAULT (UUID())`; a sequence-fed key → plain `bigint`
 *   (MySQL has no sequences); enums → inline `enum(...)`; jsonb and arrays → `json`; timestamptz → `datetime(6)`.
 * - expression defaults in parentheses (`(JSON_OBJECT())`, text literals: TEXT takes no literal default on MySQL).
 * - expression and GIN indexes → an index on the column (MariaDB has no functional key parts), partial indexes →
 *   the same index without its predicate; TEXT key parts get a prefix length.
 *
 * Statements end with `;\n` and no literal holds `;`, so {@link splitGeneratedSql} splits this text too.
 */
import type { BenchSchema, GenColumn, GenEnum, GenIndex, GenTable, GenView } from './schema-model.ts';

const SCHEMA_PREFIX = /\b(?:app|billing|catalog|audit)\.(?=t\d)/g;
/** Key prefix for TEXT columns (utf8mb4: 191 characters fit the oldest InnoDB key limit). */
const TEXT_PREFIX = 191;

/** The whole schema as MySQL statements: tables in generation order (foreign keys point backwards), then views. */
export function renderMysqlStatements(schema: BenchSchema): string[] {
  const enums = new Map(schema.enums.map((e) => [`${e.schema}.${e.name}`, e]));
  return [...schema.tables.flatMap((t) => renderMysqlTable(t, enums)), ...schema.views.map(renderMysqlView)];
}

/** The whole schema as one MySQL SQL text. */
export function renderMysqlSql(schema: BenchSchema): string {
  return `${renderMysqlStatements(schema).join('\n')}\n`;
}

/** CREATE TABLE with keys, checks and foreign keys inline, and the comment as a table option. */
export function renderMysqlTable(t: GenTable, enums: ReadonlyMap<string, GenEnum>): string[] {
  const types = new Map(t.columns.map((c) => [c.name, mysqlType(t, c, enums)]));
  const lines = t.columns.map((c) => `  ${c.name} ${columnDefinition(t, c, types.get(c.name) ?? 'text')}`);
  lines.push('  PRIMARY KEY (id)');
  for (const u of t.uniques) lines.push(`  CONSTRAINT ${u.name} UNIQUE (${keyParts(u.columns ?? [], types)})`);
  for (const ix of t.indexes) {
    // JSON cannot be a key part; an index left without columns is not rendered.
    const parts = indexColumns(t, ix).filter((c) => types.get(c) !== 'json');
    if (parts.length > 0) lines.push(`  ${ix.unique ? 'UNIQUE ' : ''}INDEX ${ix.name} (${keyParts(parts, types)})`);
  }
  for (const c of t.checks) lines.push(`  CONSTRAINT ${c.name} CHECK (${c.expression ?? '1'})`);
  for (const fk of t.foreignKeys) {
    lines.push(`  CONSTRAINT ${fk.name} FOREIGN KEY (${fk.column}) REFERENCES ${fk.refTable} (id) ON DELETE ${fk.onDelete}`);
  }
  const comment = t.comment === null ? '' : ` COMMENT='${t.comment}'`;
  return [`CREATE TABLE ${t.name} (\n${lines.join(',\n')}\n) ENGINE=InnoDB${comment};`];
}

/** `CREATE VIEW`, with the PostgreSQL schema qualifiers removed. */
export function renderMysqlView(v: GenView): string {
  return `CREATE VIEW ${v.name} AS\n  ${v.query.replace(SCHEMA_PREFIX, '')};`;
}

function mysqlType(t: GenTable, c: GenColumn, enums: ReadonlyMap<string, GenEnum>): string {
  if (c.name === 'id' && t.keyStyle === 'uuid') return 'char(36)';
  if (c.kind === 'enum') {
    const values = enums.get(c.type)?.values ?? ['unknown'];
    return `enum(${values.map((v) => `'${v}'`).join(',')})`;
  }
  const type = c.type.toLowerCase();
  if (type === 'integer' || type === 'serial') return 'int';
  if (type === 'bigint' || type === 'bigserial') return 'bigint';
  if (type === 'uuid') return 'char(36)';
  if (type === 'boolean') return 'boolean';
  if (type === 'timestamptz') return 'datetime(6)';
  if (type === 'jsonb' || type.endsWith('[]')) return 'json';
  if (type.startsWith('numeric')) return type.replace('numeric', 'decimal');
  return type; // text, varchar(n)
}

function columnDefinition(t: GenTable, c: GenColumn, type: string): string {
  if (c.name === 'id') {
    const autoIncrement = t.keyStyle !== 'uuid' && t.keyStyle !== 'sequence';
    if (t.keyStyle === 'uuid') return `${type} NOT NULL DEFAULT (UUID())`;
    return `${type} NOT NULL${autoIncrement ? ' AUTO_INCREMENT' : ''}`;
  }
  const def = c.default === null ? null : mysqlDefault(c, type);
  return `${type}${c.notNull ? ' NOT NULL' : ' NULL'}${def === null ? '' : ` DEFAULT ${def}`}`;
}

/** The model's PostgreSQL default as MySQL: constants stay, functions and casts become expressions. */
function mysqlDefault(c: GenColumn, type: string): string | null {
  const value = (c.default ?? '').replace(/::[\w.]+(\[\])?$/, '');
  if (type === 'json') return /^'\{\}'/.test(value) ? '(JSON_OBJECT())' : '(JSON_ARRAY())';
  if (type === 'char(36)') return '(UUID())';
  if (type === 'datetime(6)') return 'CURRENT_TIMESTAMP(6)';
  if (type === 'text') return `(${value})`;
  if (/^nextval/i.test(value)) return null;
  return value;
}

/** Columns an index covers: expression keys (`lower(x)`) index their column; GIN (json) and unknown keys none. */
function indexColumns(t: GenTable, ix: GenIndex): string[] {
  if (ix.method === 'gin') return [];
  const names = new Set(t.columns.map((c) => c.name));
  return ix.keys
    .split(',')
    .map((k) => k.trim().replace(/^lower\((\w+)\)$/, '$1'))
    .filter((k) => names.has(k));
}

function keyParts(columns: readonly string[], types: ReadonlyMap<string, string>): string {
  return columns.map((c) => (types.get(c) === 'text' ? `${c}(${TEXT_PREFIX})` : c)).join(', ');
}
