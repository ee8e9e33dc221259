/**
 * Deploys in flight (`revision/deploy-locks.ts`, `agent/run-check.ts` `settleDeploying`): the tools' lock keys, what a
 * held lock does to a revision state, and, on both real servers, a lock held by another session read as `deploying`
 * through the dialect's live session (golang-migrate's, Atlas's, Prisma's and Flyway's, each on its own).
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { settleDeploying } from '../../src/agent/run-check.ts';
import { dialectNamed } from '../../src/dialects/registry.ts';
import {
  ATLAS_LOCK_NAME,
  flywayMysqlLockName,
  flywayPostgresLockKey,
  fnv1_32,
  golangMigrateLockId,
  javaStringHash,
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

  it("Flyway: 0x466C79776179 + Java's hashCode of the quoted history table on PostgreSQL, Flyway-<hashCode> on MySQL", () => {
    // Reference values computed with a separate Python implementation of Java's String.hashCode.
    expect(javaStringHash('"public"."flyway_schema_history"')).toBe(2125624436);
    expect(flywayPostgresLockKey('public')).toBe(77433833903597n);
    expect(flywayPostgresLockKey('app')).toBe(77431436970681n); // a negative hash: -271308480
    expect(flywayMysqlLockName('mydb')).toBe('Flyway-278632207');
    // Flyway's MySQL quoting doubles a backtick inside a name: `my``db`.`flyway_schema_history`.
    expect(flywayMysqlLockName('my`db')).toBe('Flyway-2100641295');
  });

  it('every tool with a lock is listed for each dialect', () => {
    expect(postgresDeployLocks({ database: 'db' }).map((l) => l.tool)).toEqual(['golang-migrate', 'golang-migrate', 'atlas', 'prisma', 'flyway']);
    expect(mysqlDeployLocks('db').map((l) => [l.tool, l.key])).toEqual([
      ['golang-migrate', String(golangMigrateLockId('db'))],
      ['atlas', ATLAS_LOCK_NAME],
      ['prisma', 'prisma_migrate'],
      ['flyway', 'Flyway-' + String(javaStringHash('`db`.`flyway_schema_history`'))],
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
    // No Flyway table yet: Flyway would create it in the current schema (`public`), and locks on that name.
    ['flyway', () => flywayPostgresLockKey('public')],
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

// Flyway on PostgreSQL: its history table in a schema of its own; the key follows the table's schema.
describe('on PostgreSQL: Flyway holding the lock of its history table', () => {
  it('reads deploying while the key of "app"."flyway_schema_history" is held, and not for another schema\'s key', async () => {
    const db = await createTempPgDatabase('sdlock');
    const holder = new pg.Client({ connectionString: db.url });
    try {
      await db.exec(`CREATE SCHEMA app;
        CREATE TABLE app.flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL,
          type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL,
          installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL, success boolean NOT NULL);
        INSERT INTO app.flyway_schema_history VALUES (1, '1', 'init', 'SQL', 'V1__init.sql', 1, 'me', now(), 5, true)`);
      const read = async () => {
        const session = await dialectNamed('postgres').connect({ url: db.url, target: 'lock-test' });
        try {
          return await session.readRevision();
        } finally {
          await session.close();
        }
      };
      await holder.connect();
      await holder.query('SELECT pg_advisory_lock($1::int8)', [flywayPostgresLockKey('public').toString()]);
      expect((await read())?.deploying).toBeUndefined();
      await holder.query('SELECT pg_advisory_unlock_all()');
      // With flyway.postgresql.transactional.lock = false Flyway takes the session-level lock.
      await holder.query('SELECT pg_try_advisory_lock($1::int8)', [flywayPostgresLockKey('app').toString()]);
      expect(await read()).toMatchObject({ tool: 'flyway', version: '1', deploying: 'flyway holds its migration lock: a deploy is in progress' });
      await holder.query('SELECT pg_advisory_unlock_all()');
      expect((await read())?.deploying).toBeUndefined();
      // By default (transactional.lock = true) it takes the transaction-level lock, held until its transaction ends.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_try_advisory_xact_lock($1::int8)', [flywayPostgresLockKey('app').toString()]);
      expect(await read()).toMatchObject({ tool: 'flyway', version: '1', deploying: 'flyway holds its migration lock: a deploy is in progress' });
      await holder.query('COMMIT');
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

  it('flyway: a failed row (success = 0) is dirty, and deploying while Flyway-<hash> of `db`.`flyway_schema_history` is held', async () => {
    const db = await createTempMysqlDatabase('sdlock');
    const url = new URL(MYSQL_URL);
    const holder = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username) || 'root', password: decodeURIComponent(url.password), database: db.name });
    try {
      await db.exec(`CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL,
          type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL,
          installed_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time int NOT NULL, success bool NOT NULL);
        INSERT INTO flyway_schema_history VALUES (1, '1', 'init', 'SQL', 'V1__init.sql', 1, 'me', NOW(), 5, 1),
          (2, '2', 'add', 'SQL', 'V2__add.sql', 2, 'me', NOW(), 5, 0)`);
      const read = async () => {
        const session = await dialectNamed('mysql').connect({ url: db.url, target: 'lock-test' });
        try {
          return await session.readRevision();
        } finally {
          await session.close();
        }
      };
      expect(await read()).toMatchObject({ tool: 'flyway', dirty: true, failedVersion: '2' });
      await holder.query('SELECT GET_LOCK(?, 10)', [flywayMysqlLockName(db.name)]);
      const state = await read();
      expect(state).toMatchObject({ tool: 'flyway', dirty: false, deploying: 'flyway holds its migration lock: a deploy is in progress' });
      expect(state?.failedVersion).toBeUndefined();
    } finally {
      await holder.end().catch(() => {});
      await db.drop();
    }
  });
});
