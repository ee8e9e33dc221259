/**
 * The Sqitch registry read by each dialect's revision reader, from registries written by Sqitch's rules
 * (`support/sqitch.ts`): the deployed change ids as applied keys, a fail event as dirty until a later deploy, and the
 * registry's place among the other tools' tables (PostgreSQL: before the generic `schema_migrations`; MySQL, where
 * the registry is one database per server: only when the target database holds no revision table of its own).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openMysqlSession } from '../../src/dialects/mysql/connect.ts';
import { dialectNamed } from '../../src/dialects/registry.ts';
import { readMysqlRevision } from '../../src/dialects/mysql/revision.ts';
import { readPostgresRevision } from '../../src/dialects/postgres/revision.ts';
import type { RevisionState } from '../../src/revision/revision-state.ts';
import { TOOL_TABLES } from '../support/revision-tables.ts';
import { createTempMysqlDatabase, createTempPgDatabase, PG_URL, type TempDatabase } from '../support/servers.ts';
import { deployWithSqitch, dropMysqlRegistry } from '../support/sqitch.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const PG_DIR = path.join(FIXTURES, 'migrations', 'sqitch');
const MYSQL_DIR = path.join(FIXTURES, 'migrations-mysql', 'sqitch');
/** `sqitch plan --format raw` ids of the fixtures (sqitch 1.3.1). */
const PG_IDS = ['c90bb36a95779c502e369199f6d12c1bef884100', '70734b343fe0d49cd7b7b3f3e505da054ed34991', '46bf371b7d475afd7ee60f91e5482653ba43a3df'];
const MYSQL_IDS = ['44fc2de018cd4dbf82ee64fe110588723572fc7e', '001650edc2c9b237061c65e24b6c355aaeb98735'];

const temps: TempDatabase[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((db) => db.drop()));
});

async function pgRevision(db: TempDatabase): Promise<RevisionState | null> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return await readPostgresRevision(client);
  } finally {
    await client.end();
  }
}

async function mysqlRevision(db: TempDatabase): Promise<RevisionState | null> {
  const session = await openMysqlSession(db.url);
  try {
    return await readMysqlRevision(session.db, null);
  } finally {
    await session.close();
  }
}

describe('Sqitch registry on PostgreSQL (schema sqitch)', () => {
  it('reads the deployed change ids in deploy order; the last deployed change is the version', async () => {
    const db = await createTempPgDatabase('sdsqreg');
    temps.push(db);
    expect(await deployWithSqitch('postgres', db, PG_DIR, 3)).toBeUndefined();
    expect(await pgRevision(db)).toEqual({
      tool: 'sqitch',
      table: 'sqitch.changes',
      version: 'insert_user',
      dirty: false,
      appliedVersions: [],
      appliedKeys: PG_IDS,
    });
  });

  it('a fail event is dirty until a later deploy of the project succeeds', async () => {
    const db = await createTempPgDatabase('sdsqreg');
    temps.push(db);
    await deployWithSqitch('postgres', db, PG_DIR, 3);
    await db.exec('CREATE TABLE flipr.flips (id int)');
    expect(await deployWithSqitch('postgres', db, PG_DIR, 5)).toBeInstanceOf(Error);
    expect(await pgRevision(db)).toMatchObject({ dirty: true, failedVersion: 'flips', appliedKeys: PG_IDS });
    await db.exec('DROP TABLE flipr.flips');
    expect(await deployWithSqitch('postgres', db, PG_DIR, 5)).toBeUndefined();
    expect(await pgRevision(db)).toMatchObject({ dirty: false, version: 'insert_user' });
    expect((await pgRevision(db))?.appliedKeys).toHaveLength(5);
  });

  it('is read only when no tool\'s own table is there: schema_migrations (dbmate here) or a tool-named table wins', async () => {
    const db = await createTempPgDatabase('sdsqreg');
    temps.push(db);
    await deployWithSqitch('postgres', db, PG_DIR, 1);
    expect(await pgRevision(db)).toMatchObject({ tool: 'sqitch' });
    await db.exec(`${TOOL_TABLES.postgres.dbmate} INSERT INTO schema_migrations VALUES ('1');`);
    expect(await pgRevision(db)).toMatchObject({ tool: 'dbmate' });
    await db.exec(TOOL_TABLES.postgres.flyway);
    expect(await pgRevision(db)).toMatchObject({ tool: 'flyway' });
  });

  it('a role that may not read the sqitch schema is not stopped by it: no revision table', async () => {
    const db = await createTempPgDatabase('sdsqreg');
    temps.push(db);
    await deployWithSqitch('postgres', db, PG_DIR, 1);
    const role = `sdsq_${db.name.slice(-8)}`;
    await db.exec(`CREATE ROLE ${role} LOGIN; GRANT CONNECT ON DATABASE ${db.name} TO ${role}; REVOKE ALL ON SCHEMA sqitch FROM PUBLIC`);
    try {
      const url = new URL(db.url);
      url.username = role;
      const session = await dialectNamed('postgres').connect({ url: url.toString() });
      try {
        expect(await session.readRevision()).toBeNull();
      } finally {
        await session.close();
      }
    } finally {
      // Roles are the server's, not the database's: dropped once the database that grants to it is gone.
      await db.drop();
      temps.splice(temps.indexOf(db), 1);
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
    }
  });
});

describe('Sqitch registry on MySQL (database sqitch, one per server)', () => {
  it('is read when the target database has no revision table of its own, and not otherwise', async () => {
    const db = await createTempMysqlDatabase();
    temps.push(db);
    await dropMysqlRegistry(db);
    try {
      expect(await deployWithSqitch('mysql', db, MYSQL_DIR, 2)).toBeUndefined();
      expect(await mysqlRevision(db)).toEqual({
        tool: 'sqitch',
        table: 'sqitch.changes',
        version: 'insert_user',
        dirty: false,
        appliedVersions: [],
        appliedKeys: MYSQL_IDS,
      });
      await db.exec(`${TOOL_TABLES.mysql.dbmate} INSERT INTO schema_migrations VALUES ('1');`);
      expect(await mysqlRevision(db)).toMatchObject({ tool: 'dbmate' });
    } finally {
      await dropMysqlRegistry(db);
    }
  });

  it('a fail event is dirty', async () => {
    const db = await createTempMysqlDatabase();
    temps.push(db);
    await dropMysqlRegistry(db);
    try {
      await deployWithSqitch('mysql', db, MYSQL_DIR, 2);
      await db.exec('CREATE TABLE flips (id int)');
      expect(await deployWithSqitch('mysql', db, MYSQL_DIR, 4)).toBeInstanceOf(Error);
      expect(await mysqlRevision(db)).toMatchObject({ tool: 'sqitch', dirty: true, failedVersion: 'flips', appliedKeys: MYSQL_IDS });
    } finally {
      await dropMysqlRegistry(db);
    }
  });
});
