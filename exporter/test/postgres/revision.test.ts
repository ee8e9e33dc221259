/**
 * What only PostgreSQL's revision reader has: a missing privilege on the table, mapped to an error naming it. Every
 * tool's table on every dialect: `test/migrations/revision-tables.test.ts`.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPostgresRevision } from '../../src/dialects/postgres/revision.ts';
import { TOOL_TABLES } from '../support/revision-tables.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';

describe('readPostgresRevision', () => {
  let db: TempDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTempPgDatabase('sdrev');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('maps a missing privilege to an error naming the table', async () => {
    // In a transaction that is rolled back: the role is cluster-wide and must not outlive the test.
    await client.query('BEGIN');
    try {
      await client.query(`${TOOL_TABLES.postgres.dbmate} CREATE ROLE sd_rev_reader_${process.pid}; SET LOCAL ROLE sd_rev_reader_${process.pid}`);
      await expect(readPostgresRevision(client, { target: 'prod' })).rejects.toMatchObject({
        name: 'AuthError',
        context: { target: 'prod' },
        message: expect.stringContaining('reading revision table public.schema_migrations'),
      });
    } finally {
      await client.query('ROLLBACK');
    }
  });
});
