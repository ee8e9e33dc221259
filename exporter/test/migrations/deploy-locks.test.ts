/**
 * Deploys in flight (`revision/deploy-locks.ts`, `agent/run-check.ts` `settleDeploying`): the tools' lock keys, what a
 * held lock does to a revision state, and, on both real servers, a lock held by another session read as `deploying`
 * through the dialect's live session (golang-migrate's, Atlas's and Prisma's, each on its own).
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { settleDeploying } from '../../src/agent/run-check.ts';
import { dialectNamed } from '../../src/dialects/registry.ts';
import {
  ATLAS_LOCK_NAME,
  fnv1_32,
  golangMigrateLockId,
  mysqlDeployLocks,
  postgresDeployLocks,
  whileDeploying,
} from '../../src/revision/deploy-locks.ts';
import { golangMigrateState } from '../../src/revision/revision-state.ts';
import { createTempMysqlDatabase, createTempPgDatabase, MYSQL_URL } from '../support/servers.ts';

describe('lock keys', () => {
  it('golang-migrate: crc32 × 1486364155 in uint32, of the database name or of schema\\0table\\0database', () => {
    // Reference values computed with Python's zlib.crc32, independently of this code.
    expect(golangMigrateLockId('mydb')).toBe(3799279374n);
    expect(golangMigrateLockId('mydb', 'public', 'schema_migrations')).toBe(2103762914n);
  });

  it('Atlas on PostgreSQL: 32-bit FNV-1 of the lock name (FNV-1 test vectors)', () => {
    expect(fnv1_32('')).toBe(0x811c9dc5n);
    expect(fnv1_32('a')).toBe(0x050c5d7en);
    expect(fnv1_32('foobar')).toBe(0x31f0b262n);
  });

  it('every tool with a lock is listed for each dialect', () => {
    expect(postgresDeployLocks({ database: 'db' }).map((l) => l.tool)).toEqual(['golang-migrate', 'golang-migrate', 'atlas', 'prisma']);
    expect(mysqlDeployLocks('db').map((l) => [l.tool, l.key])).toEqual([
      ['golang-migrate', String(golangMigrateLockId('db'))],
      ['atlas', ATLAS_LOCK_NAME],
      ['prisma', 'prisma_migrate'],
    ]);
  });
});

describe('a revision state while a lock is held', () => {
  const dirtyRow = golangMigrateState('public.schema_migrations', { version: '5', dirty: true });

  it('is deploying, and its dirty row is the deploy in progress', () => {
    const state = whileDeploying(dirtyRow, [{ tool: 'golang-migrate', key: 1n }]);
    expect(state).toMatchObject({ version: '5', dirty: false, deploying: 'golang-migrate holds its migration lock: a deploy is in progress' });
    expect(state?.failedVersion).toBeUndefined();
  });

  it('without a lock stays what the rows say; with no table yet, a first deploy is deploying too', () => {
    expect(whileDeploying(dirtyRow, [])).toBe(dirtyRow);
    expect(whileDeploying(null, [{ tool: 'atlas', key: 1n }])).toMatchObject({ tool: 'atlas', version: null, deploying: expect.any(String) });
  });

  it('turns dirty once it has lasted deployingLimit', () => {
    const deploying = whileDeploying(dirtyRow, [{ tool: 'golang-migrate', key: 1n }]);
    const now = new Date('2026-12-07T12:00:00Z');
    const limit = 30 * 60_000;
    expect(settleDeploying(deploying, null, now, limit)).toBe(deploying);
    expect(settleDeploying(deploying, new Date(now.getTime() - limit + 1000), now, limit)).toBe(deploying);
    const stuck = settleDeploying(deploying, new Date(now.getTime() - limit), now, limit);
    expect(stuck).toMatchObject({ dirty: true, error: expect.stringMatching(/for longer than deployingLimit \(30 min\): stuck\?$/) });
    expect(stuck?.deploying).toBeUndefined();
  });
});

describe('on PostgreSQL: advisory locks held by another session', () => {
  it.each([
    ['golang-migrate', (db: string) => golangMigrateLockId(db, 'public', 'schema_migrations')],
    ['atlas', () => fnv1_32(ATLAS_LOCK_NAME)],
    ['prisma', () => 72707369n],
  ] as const)('%s', async (tool, key) => {
    const db = await createTempPgDatabase('sdlock');
    const holder = new pg.Client({ connectionString: db.url });
    try {
      await db.exec('CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (3, false)');
      const read = async () => {
        const session = await dialectNamed('postgres').connect({ url: db.url, target: 'lock-test' });
        try {
          return await session.readRevision();
        } finally {
          await session.close();
        }
      };
      expect((await read())?.deploying).toBeUndefined();
      await holder.connect();
      await holder.query('SELECT pg_advisory_lock($1::int8)', [key(db.name).toString()]);
      expect(await read()).toMatchObject({ tool: 'golang-migrate', version: '3', deploying: `${tool} holds its migration lock: a deploy is in progress` });
      await holder.query('SELECT pg_advisory_unlock_all()');
      // Another application's advisory lock is not a deploy.
      await holder.query('SELECT pg_advisory_lock(424242)');
      expect((await read())?.deploying).toBeUndefined();
    } finally {
      await holder.end().catch(() => {});
      await db.drop();
    }
  });
});

// GET_LOCK names are server-wide: Atlas's and Prisma's names are the same for every database, so holding them here
// would make every other test reading a revision on this server see a deploy. golang-migrate's names its database.
describe('on MariaDB: GET_LOCK names held by another connection', () => {
  it.each([['golang-migrate', (db: string) => String(golangMigrateLockId(db))]] as const)('%s', async (tool, name) => {
    const db = await createTempMysqlDatabase('sdlock');
    const url = new URL(MYSQL_URL);
    const holder = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username) || 'root', password: decodeURIComponent(url.password), database: db.name });
    try {
      await db.exec('CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null); INSERT INTO schema_migrations VALUES (3, 0)');
      const read = async () => {
        const session = await dialectNamed('mysql').connect({ url: db.url, target: 'lock-test' });
        try {
          return await session.readRevision();
        } finally {
          await session.close();
        }
      };
      expect((await read())?.deploying).toBeUndefined();
      await holder.query('SELECT GET_LOCK(?, 5)', [name(db.name)]);
      expect(await read()).toMatchObject({ tool: 'golang-migrate', version: '3', deploying: `${tool} holds its migration lock: a deploy is in progress` });
      await holder.query('SELECT RELEASE_ALL_LOCKS()');
      await holder.query("SELECT GET_LOCK('some_app_lock', 5)");
      expect((await read())?.deploying).toBeUndefined();
    } finally {
      await holder.end().catch(() => {});
      await db.drop();
    }
  });
});
