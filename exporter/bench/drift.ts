/**
 * The drifted copy of a generated schema: a deterministic ~2% of tables edited the way production drifts in real
 * life (a column's type changed, a column added, an index dropped, a default changed, a table dropped, a table
 * added). The edits are applied to the model and the whole schema is rendered again, so the drifted SQL loads into an
 * empty database just like the base SQL.
 */
import { createPrng, type Prng } from './prng.ts';
import { generateBenchSchema, DEFAULT_SEED, type BenchParams } from './generate.ts';
import { generateTable, isPlainColumn } from './generate-tables.ts';
import { renderSql } from './render-sql.ts';
import { tableKey, type BenchSchema, type GenColumn, type GenTable } from './schema-model.ts';

/** The kinds of edit, applied round-robin to the chosen tables. */
export type DriftKind = 'type_changed' | 'column_added' | 'index_dropped' | 'default_changed' | 'table_dropped' | 'table_added';

/** One edit, for the bench report and the tests. */
export interface DriftEdit {
  readonly kind: DriftKind;
  /** `schema.table`. */
  readonly table: string;
  /** Column or index concerned, when there is one. */
  readonly detail?: string;
}

const KINDS: readonly DriftKind[] = [
  'type_changed', 'column_added', 'index_dropped', 'default_changed', 'table_dropped', 'table_added',
];

/** Fraction of tables edited. */
const DRIFT_RATIO = 0.02;

/** Applies the drift edits to a copy of `base`; `base` is not modified. */
export function driftBenchSchema(base: BenchSchema, seed: number): { schema: BenchSchema; edits: DriftEdit[] } {
  const schema = structuredClone(base);
  // A different stream from the base generator, so the edits do not correlate with how tables were drawn.
  const prng = createPrng((seed ^ 0x5eed_d21f) >>> 0);
  const protectedTables = referencedTables(schema);
  const count = Math.max(KINDS.length, Math.round(schema.tables.length * DRIFT_RATIO));
  const edits: DriftEdit[] = [];
  const touched = new Set<string>();
  for (let i = 0; i < count; i++) {
    const kind = KINDS[i % KINDS.length] ?? 'column_added';
    const edit = applyEdit(kind, schema, prng, touched, protectedTables, i);
    if (edit) edits.push(edit);
  }
  return { schema, edits };
}

/** The drifted copy of the schema `params` describes, as SQL text, with the list of edits. */
export function generateDriftedSql(params: BenchParams): { sql: string; edits: DriftEdit[] } {
  const { schema, edits } = driftBenchSchema(generateBenchSchema(params), params.seed ?? DEFAULT_SEED);
  return { sql: renderSql(schema), edits };
}

/** Tables another object depends on (foreign keys, views): dropping them would break the rendered SQL. */
function referencedTables(schema: BenchSchema): Set<string> {
  const keys = new Set<string>();
  for (const t of schema.tables) for (const fk of t.foreignKeys) keys.add(tableKey(fk.refSchema, fk.refTable));
  for (const v of schema.views) for (const r of v.reads) keys.add(r);
  return keys;
}

function applyEdit(
  kind: DriftKind,
  schema: BenchSchema,
  prng: Prng,
  touched: Set<string>,
  protectedTables: Set<string>,
  ordinal: number,
): DriftEdit | null {
  if (kind === 'table_added') return addTable(schema, prng, ordinal);
  // Try a few random tables; an edit that does not fit one (no such column) moves on to another.
  for (let attempt = 0; attempt < 50; attempt++) {
    const table = prng.pick(schema.tables);
    const key = tableKey(table.schema, table.name);
    if (touched.has(key)) continue;
    const detail = editTable(kind, schema, table, protectedTables.has(key), prng);
    if (detail === null) continue;
    touched.add(key);
    return { kind, table: key, detail };
  }
  return null;
}

/** Edits one table in place; returns what was edited, or null when the edit does not apply to this table. */
function editTable(kind: DriftKind, schema: BenchSchema, table: GenTable, referenced: boolean, prng: Prng): string | null {
  switch (kind) {
    case 'type_changed':
      return changeType(table);
    case 'column_added':
      table.columns.push({ name: 'drift_note', kind: 'text', type: 'text', notNull: false, default: "'hotfix'" });
      return 'drift_note';
    case 'index_dropped': {
      const ix = table.indexes.pop();
      return ix ? ix.name : null;
    }
    case 'default_changed':
      return changeDefault(table, prng);
    case 'table_dropped':
      if (referenced) return null;
      schema.tables = schema.tables.filter((t) => t !== table);
      return table.name;
    case 'table_added':
      return null;
  }
}

/** Type changes that keep the column's default, check and index expressions valid. */
const TYPE_CHANGES: Partial<Record<GenColumn['kind'], (c: GenColumn) => string>> = {
  int: () => 'bigint',
  bigint: () => 'numeric(20,0)',
  text: () => 'varchar(300)',
  varchar: () => 'text',
  numeric: (c) => c.type.replace(/numeric\((\d+),/, (_m, p: string) => `numeric(${Number(p) + 4},`),
};

/**
 * A column of `table` whose type can change safely (not the key, not a foreign key) and its new type, or null.
 * Also used by the migration generator for its `ALTER COLUMN ... TYPE` statements.
 */
export function widenableColumn(table: GenTable): { column: GenColumn; type: string } | null {
  const fkColumns = new Set(table.foreignKeys.map((fk) => fk.column));
  for (const column of table.columns) {
    const change = TYPE_CHANGES[column.kind];
    if (column.name !== 'id' && !fkColumns.has(column.name) && change) return { column, type: change(column) };
  }
  return null;
}

function changeType(table: GenTable): string | null {
  const found = widenableColumn(table);
  if (!found) return null;
  found.column.type = found.type;
  return found.column.name;
}

function changeDefault(table: GenTable, prng: Prng): string | null {
  const kinds = ['int', 'bigint', 'numeric', 'text', 'bool'];
  const column = table.columns.find((c) => isPlainColumn(c) && kinds.includes(c.kind));
  if (!column) return null;
  const alternatives: Record<string, string> = { int: '1', bigint: '1', numeric: '1', text: "'unset'" };
  const next = column.kind === 'bool' ? (column.default === 'true' ? 'false' : 'true') : alternatives[column.kind];
  column.default = prng.chance(0.2) && column.default !== null ? null : (next ?? null);
  return column.name;
}

function addTable(schema: BenchSchema, prng: Prng, ordinal: number): DriftEdit {
  const index = 90000 + ordinal;
  const table = generateTable({ index, schema: 'app', context: schema, name: `t${index}_added` }, prng);
  schema.tables.push(table);
  return { kind: 'table_added', table: tableKey(table.schema, table.name) };
}
