/**
 * What only MySQL's revision reader has: the database is an argument (the connection's current one when omitted,
 * another database's table ignored), and Atlas bound to a whole server keeps its table in a database of its own.
 * Every tool's table on every dialect: `test/migrations/revision-tables.test.ts`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMysqlSession } from '../../src/dialects/mysql/connect.ts';
import { readMysqlRevision } from '../../src/dialects/mysql/revision.ts';
import { atlasRows, revisionCasesFor, TOOL_TABLES } from '../support/revision-tables.ts';
import { createTempMysqlDatabase, execMysql, type TempDatabase } from '../support/servers.ts';

const TABLES = TOOL_TABLES.mysql;

describe('readMysqlRevision', () => {
  let temp: TempDatabase;
  beforeEach(async () => {
    temp = await createTempMysqlDatabase();
  });
  afterEach(async () => {
    await temp?.drop();
  });

  it.each(revisionCasesFor('mysql'))('without a database name reads the current one: $name', async ({ setup, expected }) => {
    await temp.exec(setup(TABLES));
    const session = await openMysqlSession(temp.url);
    try {
      expect(await readMysqlRevision(session.db, null)).toEqual(expected(TABLES.located(temp.name), TABLES));
    } finally {
      await session.close();
    }
  });

  it('ignores another database\'s revision table', async () => {
    const other = await createTempMysqlDatabase();
    try {
      await other.exec(`${TABLES.dbmate} INSERT INTO schema_migrations VALUES ('1');`);
      const session = await openMysqlSession(temp.url);
      try {
        expect(await readMysqlRevision(session.db, temp.name)).toBeNull();
        expect(await readMysqlRevision(session.db, other.name)).toMatchObject({ tool: 'dbmate', version: '1' });
      } finally {
        await session.close();
      }
    } finally {
      await other.drop();
    }
  });
});

// Atlas bound to a whole server keeps its table in a database of its own name: read when the target has none.
describe('readMysqlRevision with Atlas\' own database', () => {
  it('falls back to atlas_schema_revisions.atlas_schema_revisions', async () => {
    const temp = await createTempMysqlDatabase();
    const exists = await openMysqlSession(temp.url).then(async (s) => {
      const { rows } = await s.db.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'atlas_schema_revisions'",
      );
      await s.close();
      return Number(rows[0]?.n) > 0;
    });
    // Never touch a database of that name that this test did not create.
    expect(exists).toBe(false);
    try {
      await execMysql('CREATE DATABASE atlas_schema_revisions');
      await execMysql(TABLES.atlas + atlasRows(TABLES.atlasInsertInto, [{ version: '42', applied: 1, total: 1 }]), 'atlas_schema_revisions');
      const session = await openMysqlSession(temp.url);
      try {
        expect(await readMysqlRevision(session.db, temp.name)).toMatchObject({
          tool: 'atlas',
          table: 'atlas_schema_revisions.atlas_schema_revisions',
          version: '42',
        });
      } finally {
        await session.close();
      }
    } finally {
      await execMysql('DROP DATABASE IF EXISTS atlas_schema_revisions');
      await temp.drop();
    }
  });
});
