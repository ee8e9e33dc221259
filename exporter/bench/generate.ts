/**
 * Deterministic generator of large PostgreSQL schemas for the benchmark: N tables spread over a few schemas, with
 * enums, sequences and views (~5% of tables). The same parameters always give byte-identical SQL.
 *
 * Public entry points: {@link generateBenchSchema} / {@link generateSchemaSql} for the base schema,
 * {@link generateDriftedSql} (from `drift.ts`) for a drifted copy, and {@link generateMigrationFiles} (from
 * `generate-migrations.ts`) for a migration directory.
 */
import { createPrng, type Prng } from './prng.ts';
import { renderSql } from './render-sql.ts';
import type { BenchSchema, GenEnum, GenSequence, GenTable, GenView } from './schema-model.ts';
import { tableKey } from './schema-model.ts';
import { generateTable } from './generate-tables.ts';

export { driftBenchSchema, generateDriftedSql, type DriftEdit, type DriftKind } from './drift.ts';
export { generateMigrationFiles, writeMigrationDirectory, type MigrationFileText } from './generate-migrations.ts';
export { splitGeneratedSql } from './render-sql.ts';

/** Parameters of a generated schema. */
export interface BenchParams {
  /** Number of tables. */
  readonly tables: number;
  /** PRNG seed; defaults to {@link DEFAULT_SEED}. */
  readonly seed?: number;
}

/** Seed used when none is given. */
export const DEFAULT_SEED = 20240917;

const SCHEMA_NAMES = ['app', 'billing', 'catalog', 'audit'] as const;
const ENUM_WORDS = ['draft', 'active', 'paused', 'closed', 'pending', 'failed', 'done', 'archived'] as const;

/** Builds the model of a schema with `params.tables` tables. */
export function generateBenchSchema(params: BenchParams): BenchSchema {
  const prng = createPrng(params.seed ?? DEFAULT_SEED);
  const schema: BenchSchema = { schemas: [...SCHEMA_NAMES], enums: [], sequences: [], tables: [], views: [] };
  schema.enums = generateEnums(Math.max(4, Math.ceil(params.tables / 200)), prng);
  schema.sequences = generateSequences(Math.max(2, Math.ceil(params.tables / 100)), prng);
  for (let i = 1; i <= params.tables; i++) {
    const table = generateTable({ index: i, schema: schemaFor(i), context: schema }, prng);
    schema.tables.push(table);
    // Exactly one view per 20 tables (5%), placed after every table so any table may be read.
    if (i % 20 === 7) schema.views.push(generateView(table, prng));
  }
  return schema;
}

/** The base schema as SQL text. */
export function generateSchemaSql(params: BenchParams): string {
  return renderSql(generateBenchSchema(params));
}

/** Tables go round-robin in blocks of 7 so each schema holds a mix of old and new tables. */
function schemaFor(index: number): string {
  return SCHEMA_NAMES[Math.floor(index / 7) % SCHEMA_NAMES.length] ?? 'app';
}

function generateEnums(count: number, prng: Prng): GenEnum[] {
  const enums: GenEnum[] = [];
  for (let i = 1; i <= count; i++) {
    const n = prng.int(2, ENUM_WORDS.length);
    enums.push({
      schema: SCHEMA_NAMES[i % SCHEMA_NAMES.length] ?? 'app',
      name: `state_${String(i).padStart(3, '0')}`,
      values: ENUM_WORDS.slice(0, n),
    });
  }
  return enums;
}

function generateSequences(count: number, prng: Prng): GenSequence[] {
  const sequences: GenSequence[] = [];
  for (let i = 1; i <= count; i++) {
    sequences.push({
      schema: SCHEMA_NAMES[i % SCHEMA_NAMES.length] ?? 'app',
      name: `seq_${String(i).padStart(3, '0')}`,
      start: prng.int(1, 1000),
      increment: prng.pick([1, 1, 10]),
    });
  }
  return sequences;
}

/** A view reading some of `table`'s columns, joined to the target of its first foreign key when it has one. */
function generateView(table: GenTable, prng: Prng): GenView {
  const cols = table.columns.filter((c) => c.name !== 'id').slice(0, prng.int(1, 4));
  const select = ['a.id', ...cols.map((c) => `a.${c.name}`)];
  const reads = [tableKey(table.schema, table.name)];
  let from = `${table.schema}.${table.name} a`;
  const fk = table.foreignKeys[0];
  if (fk && prng.chance(0.5)) {
    select.push('b.id AS ref_id');
    from += ` JOIN ${fk.refSchema}.${fk.refTable} b ON b.id = a.${fk.column}`;
    reads.push(tableKey(fk.refSchema, fk.refTable));
  }
  const flag = table.columns.find((c) => c.kind === 'bool');
  const where = flag ? ` WHERE a.${flag.name}` : '';
  const query = `SELECT ${select.join(', ')} FROM ${from}${where}`;
  return { schema: table.schema, name: `v_${table.name}`, query, reads };
}
