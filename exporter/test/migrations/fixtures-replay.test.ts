/**
 * The fixture directories are real PostgreSQL: replay each one on the test server, whole files where the tool
 * would run them in a transaction and statement by statement where it would not, and again fully split by
 * `splitPostgresStatements`. Both replays must produce the same objects.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitPostgresStatements } from '../../src/dialects/postgres/split.ts';
import { type MigrationDirectory, readMigrationDirectory } from '../../src/migrations/index.ts';
import { type TempDatabase, createTempPgDatabase } from '../support/servers.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'migrations');
const FORMATS = ['plain', 'golang-migrate', 'flyway', 'atlas', 'dbmate'] as const;

/** Objects of a schema, as one sorted list of `kind name` strings. */
const CATALOG_SQL = `
  SELECT c.relkind::text || ' ' || c.relname AS object FROM pg_class c WHERE c.relnamespace = $1::regnamespace
  UNION ALL SELECT 'type ' || t.typname FROM pg_type t WHERE t.typnamespace = $1::regnamespace AND t.typtype = 'e'
  UNION ALL SELECT 'enum ' || e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
    WHERE t.typnamespace = $1::regnamespace
  UNION ALL SELECT 'function ' || p.proname FROM pg_proc p WHERE p.pronamespace = $1::regnamespace
  ORDER BY 1`;

async function replay(url: string, schema: string, dir: MigrationDirectory, split: 'all' | 'non-transactional') {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"`);
    for (const file of dir.files) {
      if (split === 'all' || !file.transaction) {
        for (const statement of splitPostgresStatements(file.sql)) await client.query(statement.sql);
      } else {
        await client.query(file.sql);
      }
    }
    const { rows } = await client.query<{ object: string }>(CATALOG_SQL, [schema]);
    return rows.map((r) => r.object);
  } finally {
    await client.end();
  }
}

describe('fixture directories replay on PostgreSQL', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await createTempPgDatabase('sdfixtures');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each(FORMATS)('%s', async (format) => {
    const dir = await readMigrationDirectory(path.join(FIXTURES, format));
    const schema = format.replace('-', '_');
    const asTool = await replay(db.url, `${schema}_tool`, dir, 'non-transactional');
    const split = await replay(db.url, `${schema}_split`, dir, 'all');
    expect(split).toEqual(asTool);
    expect(asTool).toEqual(expect.arrayContaining([
      'r users', 'r orders', 'i orders_user_id_idx', 'type order_status', 'enum pending', 'enum shipped',
    ]));
  });
});
