/**
 * The benchmark's schema generator: deterministic, loadable on a real server, and its drifted copy and migration
 * directory are valid SQL that differ from the base the way they should.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  generateBenchSchema,
  generateDriftedSql,
  generateMigrationFiles,
  generateSchemaSql,
  splitGeneratedSql,
} from '../../bench/generate.ts';
import { loadGeneratedSql } from '../../bench/databases.ts';
import { renderStatements } from '../../bench/render-sql.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';

const GENERATED_SCHEMAS = ['app', 'billing', 'catalog', 'audit'];

async function countRelations(url: string): Promise<{ tables: number; views: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tables: number; views: number }>(
      `SELECT count(*) FILTER (WHERE c.relkind = 'r')::int AS tables, count(*) FILTER (WHERE c.relkind = 'v')::int AS views
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY($1::text[])`,
      [GENERATED_SCHEMAS],
    );
    return rows[0] ?? { tables: -1, views: -1 };
  } finally {
    await client.end();
  }
}

describe('generateSchemaSql', () => {
  it.each([
    [10, 1],
    [200, 42],
  ])('gives identical SQL for the same seed (%i tables, seed %i)', (tables, seed) => {
    expect(generateSchemaSql({ tables, seed })).toBe(generateSchemaSql({ tables, seed }));
    expect(generateDriftedSql({ tables, seed })).toEqual(generateDriftedSql({ tables, seed }));
  });

  it('gives different SQL for a different seed', () => {
    expect(generateSchemaSql({ tables: 50, seed: 1 })).not.toBe(generateSchemaSql({ tables: 50, seed: 2 }));
  });

  it('has the requested number of tables and one view per 20 tables', () => {
    const schema = generateBenchSchema({ tables: 1000 });
    expect(schema.tables).toHaveLength(1000);
    expect(schema.views).toHaveLength(50);
    for (const t of schema.tables) {
      expect(t.columns.length).toBeGreaterThanOrEqual(5);
      expect(t.columns.length).toBeLessThanOrEqual(15);
      expect(t.indexes.length).toBeGreaterThanOrEqual(1);
      expect(t.indexes.length).toBeLessThanOrEqual(3);
    }
  });

  it('splits back into the statements it rendered', () => {
    const schema = generateBenchSchema({ tables: 100 });
    const sql = `${renderStatements(schema).join('\n')}\n`;
    expect(splitGeneratedSql(sql)).toEqual(renderStatements(schema));
  });
});

describe('generateDriftedSql', () => {
  it('edits ~2% of the tables with every kind of drift, and the SQL differs', () => {
    const { sql, edits } = generateDriftedSql({ tables: 1000 });
    expect(sql).not.toBe(generateSchemaSql({ tables: 1000 }));
    expect(edits).toHaveLength(20);
    expect(new Set(edits.map((e) => e.kind))).toEqual(
      new Set(['type_changed', 'column_added', 'index_dropped', 'default_changed', 'table_dropped', 'table_added']),
    );
  });
});

describe('generateMigrationFiles', () => {
  it('writes 50 plain-format files creating 500 tables, later ones with ALTERs', () => {
    const files = generateMigrationFiles();
    expect(files).toHaveLength(50);
    expect(files.map((f) => f.name)).toEqual([...files.map((f) => f.name)].sort());
    for (const f of files) expect(f.name).toMatch(/^\d{3}_[a-z0-9_]+\.sql$/);
    const creates = files.reduce((n, f) => n + (f.sql.match(/^CREATE TABLE /gm)?.length ?? 0), 0);
    expect(creates).toBe(500);
    expect(files.slice(40).every((f) => /^ALTER TABLE |^DROP INDEX /m.test(f.sql))).toBe(true);
    expect(generateMigrationFiles()).toEqual(files);
  });
});

describe('generated SQL on a real server', () => {
  const dbs: TempDatabase[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) dbs.push(await createTempPgDatabase('sdbenchgen'));
  });
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  it('loads the 1,000-table schema: 1,000 tables and 50 views', async () => {
    const db = dbs[0]!;
    // Batched like the bench: one transaction for the whole schema can exhaust the server's shared lock table
    // while other tests run.
    await loadGeneratedSql(db.url, generateSchemaSql({ tables: 1000 }));
    expect(await countRelations(db.url)).toEqual({ tables: 1000, views: 50 });
  });

  it('loads the drifted copy: dropped tables gone, added tables present', async () => {
    const db = dbs[1]!;
    const { sql, edits } = generateDriftedSql({ tables: 1000 });
    await loadGeneratedSql(db.url, sql);
    const dropped = edits.filter((e) => e.kind === 'table_dropped').length;
    const added = edits.filter((e) => e.kind === 'table_added').length;
    expect(dropped).toBeGreaterThan(0);
    expect(await countRelations(db.url)).toEqual({ tables: 1000 - dropped + added, views: 50 });
  });

  it('applies the migration files in order: 500 tables', async () => {
    const db = dbs[2]!;
    for (const file of generateMigrationFiles()) await db.exec(file.sql);
    expect((await countRelations(db.url)).tables).toBe(500);
  });
});
