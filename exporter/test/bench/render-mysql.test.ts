/**
 * The benchmark's MySQL rendering of the generated schema: loadable on MariaDB as is, every generated table and view
 * present, and the drifted copy diffs against the base with exactly the changes its edits describe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEED, driftBenchSchema, generateBenchSchema } from '../../bench/generate.ts';
import { loadMysqlSql } from '../../bench/mysql-databases.ts';
import { renderMysqlSql, renderMysqlStatements } from '../../bench/render-mysql.ts';
import { splitGeneratedSql } from '../../bench/render-sql.ts';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import { openMysqlSession } from '../../src/dialects/mysql/connect.ts';
import { mysqlHooks } from '../../src/dialects/mysql/hooks.ts';
import { inspectMysql } from '../../src/dialects/mysql/inspect.ts';
import { createTempMysqlDatabase, type TempDatabase } from '../support/servers.ts';

const TABLES = 120;

async function inspect(db: TempDatabase) {
  const session = await openMysqlSession(db.url);
  try {
    return await inspectMysql(session.db, { database: db.name, schemaName: 'bench' });
  } finally {
    await session.close();
  }
}

describe('renderMysqlSql', () => {
  const base = generateBenchSchema({ tables: TABLES });
  const drift = driftBenchSchema(base, DEFAULT_SEED);
  let baseDb: TempDatabase;
  let driftedDb: TempDatabase;
  beforeAll(async () => {
    baseDb = await createTempMysqlDatabase('sdbenchtest');
    driftedDb = await createTempMysqlDatabase('sdbenchtest');
    await loadMysqlSql(baseDb.name, renderMysqlSql(base));
    await loadMysqlSql(driftedDb.name, renderMysqlSql(drift.schema));
  }, 60_000);
  afterAll(async () => {
    await baseDb?.drop();
    await driftedDb?.drop();
  });

  it('is deterministic and splits back into its statements', () => {
    expect(renderMysqlSql(generateBenchSchema({ tables: TABLES }))).toBe(renderMysqlSql(base));
    expect(splitGeneratedSql(renderMysqlSql(base))).toHaveLength(renderMysqlStatements(base).length);
    expect(renderMysqlSql(base)).not.toMatch(/::|\bjsonb\b|\btimestamptz\b|\b(app|billing|catalog|audit)\.t\d/);
  });

  it('loads every table and view into MariaDB', async () => {
    const snapshot = await inspect(baseDb);
    const schema = snapshot.schemas[0];
    expect(schema?.tables.map((t) => t.name).sort()).toEqual(base.tables.map((t) => t.name).sort());
    expect(schema?.views.map((v) => v.name).sort()).toEqual(base.views.map((v) => v.name).sort());
    const fks = base.tables.reduce((n, t) => n + t.foreignKeys.length, 0);
    expect(schema?.tables.reduce((n, t) => n + t.foreignKeys.length, 0)).toBe(fks);
  }, 60_000);

  it('the drifted copy differs from the base by its edits (one change per edit, by kind)', async () => {
    const changes = diffSchemas({ current: await inspect(driftedDb), desired: await inspect(baseDb), hooks: mysqlHooks });
    const expected: Record<string, string> = {
      type_changed: 'column changed',
      default_changed: 'column changed',
      column_added: 'column extra',
      index_dropped: 'index missing',
      table_dropped: 'table missing',
      table_added: 'table extra',
    };
    const want = drift.edits.map((e) => expected[e.kind]);
    // A column retyped between varchar and TEXT changes the keys over it too: TEXT key parts carry a prefix length.
    for (const edit of drift.edits.filter((e) => e.kind === 'type_changed')) {
      const table = base.tables.find((t) => `${t.schema}.${t.name}` === edit.table);
      const column = table?.columns.find((c) => c.name === edit.detail);
      const after = drift.schema.tables.find((t) => t.name === table?.name)?.columns.find((c) => c.name === edit.detail);
      if (!table || !column || !after || (column.type === 'text') === (after.type === 'text')) continue;
      const covering = [...table.indexes.map((i) => i.keys), ...table.uniques.map((u) => (u.columns ?? []).join(', '))];
      for (const keys of covering) if (new RegExp(`\\b${column.name}\\b`).test(keys)) want.push('index changed');
    }
    want.sort();
    expect(changes.map((c) => `${c.type} ${c.action}`).sort()).toEqual(want);
  }, 60_000);
});
