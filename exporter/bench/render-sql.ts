/**
 * Renders a generated {@link BenchSchema} as PostgreSQL DDL. Every statement ends with `;` followed by a newline and
 * no generated literal contains `;`, so the text splits back into statements on `;\n` (see {@link splitGeneratedSql}),
 * which lets the loader send it in batches.
 */
import type { BenchSchema, GenEnum, GenIndex, GenSequence, GenTable, GenView } from './schema-model.ts';

/** `CREATE SCHEMA` statements. */
export function renderSchemas(schemas: readonly string[]): string[] {
  return schemas.map((s) => `CREATE SCHEMA ${s};`);
}

/** `CREATE TYPE ... AS ENUM`. */
export function renderEnum(e: GenEnum): string {
  return `CREATE TYPE ${e.schema}.${e.name} AS ENUM (${e.values.map((v) => `'${v}'`).join(', ')});`;
}

/** `CREATE SEQUENCE`. */
export function renderSequence(s: GenSequence): string {
  return `CREATE SEQUENCE ${s.schema}.${s.name} START WITH ${s.start} INCREMENT BY ${s.increment};`;
}

/** CREATE TABLE with inline constraints, then its indexes and comment. */
export function renderTable(t: GenTable): string[] {
  const lines = t.columns.map((c) => {
    let line = `  ${c.name} ${c.type}`;
    if (c.identity) line += ` GENERATED ${c.identity} AS IDENTITY`;
    if (c.notNull && !c.identity) line += ' NOT NULL';
    if (c.default !== null) line += ` DEFAULT ${c.default}`;
    return line;
  });
  lines.push(`  CONSTRAINT ${t.name}_pkey PRIMARY KEY (id)`);
  for (const u of t.uniques) lines.push(`  CONSTRAINT ${u.name} UNIQUE (${(u.columns ?? []).join(', ')})`);
  for (const c of t.checks) lines.push(`  CONSTRAINT ${c.name} CHECK (${c.expression ?? 'true'})`);
  for (const fk of t.foreignKeys) {
    lines.push(
      `  CONSTRAINT ${fk.name} FOREIGN KEY (${fk.column}) REFERENCES ${fk.refSchema}.${fk.refTable} (id)` +
        ` ON DELETE ${fk.onDelete}`,
    );
  }
  const statements = [`CREATE TABLE ${t.schema}.${t.name} (\n${lines.join(',\n')}\n);`];
  for (const ix of t.indexes) statements.push(renderIndex(t, ix));
  if (t.comment !== null) statements.push(`COMMENT ON TABLE ${t.schema}.${t.name} IS '${t.comment}';`);
  return statements;
}

/** `CREATE INDEX` of one of a table's secondary indexes. */
export function renderIndex(t: GenTable, ix: GenIndex): string {
  const unique = ix.unique ? 'UNIQUE ' : '';
  const where = ix.where === null ? '' : ` WHERE ${ix.where}`;
  return `CREATE ${unique}INDEX ${ix.name} ON ${t.schema}.${t.name} USING ${ix.method} (${ix.keys})${where};`;
}

/** `CREATE VIEW`. */
export function renderView(v: GenView): string {
  return `CREATE VIEW ${v.schema}.${v.name} AS\n  ${v.query};`;
}

/** The whole schema as statements, in dependency order. */
export function renderStatements(schema: BenchSchema): string[] {
  return [
    ...renderSchemas(schema.schemas),
    ...schema.enums.map(renderEnum),
    ...schema.sequences.map(renderSequence),
    ...schema.tables.flatMap(renderTable),
    ...schema.views.map(renderView),
  ];
}

/** The whole schema as one SQL text. */
export function renderSql(schema: BenchSchema): string {
  return `${renderStatements(schema).join('\n')}\n`;
}

/** Splits SQL produced by this module back into statements (not a general SQL splitter). */
export function splitGeneratedSql(sql: string): string[] {
  return sql
    .split(/;\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => `${s};`);
}
