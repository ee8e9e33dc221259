/**
 * A generated migration directory in the plain `NNN_name.sql` format: a mid-size schema (500 tables by default)
 * spread over 50 files, where the later files also ALTER tables created earlier (columns added, types widened,
 * defaults set, indexes created and dropped, checks added), as a long-lived project's history looks.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPrng, type Prng } from './prng.ts';
import { widenableColumn } from './drift.ts';
import { DEFAULT_SEED, generateBenchSchema } from './generate.ts';
import { renderEnum, renderSchemas, renderSequence, renderTable, renderView } from './render-sql.ts';
import { tableKey, type BenchSchema, type GenTable } from './schema-model.ts';

/** One migration file: its name in the directory and its content. */
export interface MigrationFileText {
  readonly name: string;
  readonly sql: string;
}

/** Parameters of a generated migration directory. */
export interface MigrationParams {
  /** Tables created over the whole history (default 500). */
  readonly tables?: number;
  /** Number of files (default 50, at least 3). */
  readonly files?: number;
  readonly seed?: number;
}

/** The first file from which migrations also alter earlier tables, as a fraction of the history. */
const ALTERS_FROM = 0.6;
const ALTERS_PER_FILE = 6;

/** The migration files, in apply order. */
export function generateMigrationFiles(params: MigrationParams = {}): MigrationFileText[] {
  const fileCount = Math.max(3, params.files ?? 50);
  const seed = (params.seed ?? DEFAULT_SEED) + 1;
  const schema = generateBenchSchema({ tables: params.tables ?? 500, seed });
  const prng = createPrng((seed ^ 0x3161_9a7e) >>> 0);
  const viewRead = new Set(schema.views.flatMap((v) => v.reads));
  const altered = new Set<string>();
  const files: MigrationFileText[] = [{ name: fileName(1, 'init'), sql: initSql(schema) }];
  const perFile = Math.ceil(schema.tables.length / (fileCount - 1));
  for (let f = 2; f <= fileCount; f++) {
    const chunk = schema.tables.slice((f - 2) * perFile, (f - 1) * perFile);
    const statements = chunk.flatMap((t) => [...renderTable(t), ...viewsOf(schema, t).map(renderView)]);
    let label = chunk.length > 0 ? `tables_${chunk[0]?.name}` : 'tables';
    if (f >= Math.floor(fileCount * ALTERS_FROM)) {
      const created = schema.tables.slice(0, (f - 2) * perFile);
      const candidates = created.filter((t) => !viewRead.has(tableKey(t.schema, t.name)));
      statements.push(...alterStatements(f, candidates, altered, prng));
      label += '_and_alters';
    }
    files.push({ name: fileName(f, label), sql: `${statements.join('\n')}\n` });
  }
  return files;
}

/** Writes {@link generateMigrationFiles} into `dir` (created if missing) and returns the files written. */
export async function writeMigrationDirectory(dir: string, params: MigrationParams = {}): Promise<MigrationFileText[]> {
  const files = generateMigrationFiles(params);
  await mkdir(dir, { recursive: true });
  for (const file of files) await writeFile(join(dir, file.name), file.sql);
  return files;
}

function fileName(n: number, label: string): string {
  return `${String(n).padStart(3, '0')}_${label}.sql`;
}

function initSql(schema: BenchSchema): string {
  const statements = [
    ...renderSchemas(schema.schemas),
    ...schema.enums.map(renderEnum),
    ...schema.sequences.map(renderSequence),
  ];
  return `${statements.join('\n')}\n`;
}

function viewsOf(schema: BenchSchema, table: GenTable): BenchSchema['views'] {
  return schema.views.filter((v) => v.reads[0] === tableKey(table.schema, table.name));
}

/**
 * A few ALTERs on distinct earlier tables (never one a view reads: PostgreSQL refuses to change the type of a column
 * a view uses). Each table is altered once over the whole history, so the statements never conflict.
 */
function alterStatements(file: number, candidates: GenTable[], altered: Set<string>, prng: Prng): string[] {
  const statements: string[] = [];
  for (let i = 0; i < ALTERS_PER_FILE * 3 && statements.length < ALTERS_PER_FILE; i++) {
    const table = candidates.length > 0 ? prng.pick(candidates) : undefined;
    if (!table || altered.has(tableKey(table.schema, table.name))) continue;
    const sql = alterOne(file, statements.length, table);
    if (sql === null) continue;
    altered.add(tableKey(table.schema, table.name));
    statements.push(sql);
  }
  return statements;
}

function alterOne(file: number, slot: number, t: GenTable): string | null {
  const qualified = `${t.schema}.${t.name}`;
  const tag = `m${String(file).padStart(3, '0')}`;
  switch (slot % 6) {
    case 0:
      return `ALTER TABLE ${qualified} ADD COLUMN note_${tag} text DEFAULT 'none';`;
    case 1: {
      const found = widenableColumn(t);
      return found ? `ALTER TABLE ${qualified} ALTER COLUMN ${found.column.name} TYPE ${found.type};` : null;
    }
    case 2: {
      const column = t.columns.find((c) => c.kind === 'int' && c.name !== 'id' && !c.name.endsWith('_id'));
      return column ? `ALTER TABLE ${qualified} ALTER COLUMN ${column.name} SET DEFAULT 7;` : null;
    }
    case 3:
      return `CREATE INDEX ${t.name}_${tag} ON ${qualified} (id DESC);`;
    case 4: {
      const ix = t.indexes[0];
      return ix ? `DROP INDEX ${t.schema}.${ix.name};` : null;
    }
    default: {
      const column = t.columns.find((c) => c.kind === 'numeric');
      return column ? `ALTER TABLE ${qualified} ADD CONSTRAINT ${t.name}_${tag}_check CHECK (${column.name} < 1e9);` : null;
    }
  }
}
