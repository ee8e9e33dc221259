/**
 * The JavaScript migrators' bookkeeping tables read as revision tables, on every dialect's real server: Knex's tables
 * created by Knex itself (its migrator, with no migration files, creates `knex_migrations` and `knex_migrations_lock`
 * as it does before a first run), Kysely's with the DDL its migrator runs. Applied is the set of names; a held lock is
 * `dirty`, naming the lock table; the tables and Knex's sequences are excluded from every diff.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsMigratorState } from '../../src/revision/js-migrator-state.ts';
import { revisionExcludeFilter, type RevisionState } from '../../src/revision/revision-state.ts';
import { DIALECT_HARNESSES, type DialectHarness } from '../support/dialects.ts';
import type { TempDatabase } from '../support/servers.ts';

async function readRevision(harness: DialectHarness, db: TempDatabase): Promise<RevisionState | null> {
  const session = await harness.dialect.connect({ url: db.url });
  try {
    return await session.readRevision();
  } finally {
    await session.close();
  }
}

describe('jsMigratorState', () => {
  it('applied is the set of names in name order; the latest is the version', () => {
    expect(jsMigratorState('knex', 'public.knex_migrations', ['20240102_b.js', '20240101_a.js'], { table: 'public.knex_migrations_lock', locked: false })).toEqual({
      tool: 'knex',
      table: 'public.knex_migrations',
      version: '20240102_b.js',
      dirty: false,
      appliedVersions: ['20240101_a.js', '20240102_b.js'],
    });
  });

  it('a held lock is a deploy in flight, naming the lock and how to release it', () => {
    const state = jsMigratorState('knex', 'app.knex_migrations', [], { table: 'app.knex_migrations_lock', locked: true });
    expect(state).toMatchObject({ version: null, dirty: false });
    expect(state.deploying).toBe('app.knex_migrations_lock is held: a migration run is in progress, or one crashed (knex migrate:unlock releases it)');
  });

  it('the tables and Knex sequences are never diffed', () => {
    const filter = revisionExcludeFilter();
    expect(filter.table).toEqual(expect.arrayContaining(['*.knex_migrations', '*.knex_migrations_lock', '*.kysely_migration', '*.kysely_migration_lock']));
    expect(filter.sequence).toEqual(expect.arrayContaining(['*.knex_migrations_id_seq', '*.knex_migrations_lock_index_seq']));
  });
});

describe.each(DIALECT_HARNESSES)('Knex and Kysely tables on $server ($name)', (harness) => {
  let db: TempDatabase;
  let client: Knex;
  let empty: string;
  beforeAll(async () => {
    empty = await mkdtemp(path.join(tmpdir(), 'sd-knex-empty-'));
  });
  afterAll(async () => {
    await rm(empty, { recursive: true, force: true });
  });
  beforeEach(async () => {
    db = await harness.createDatabase('sdjsmig');
    client = knex({ client: harness.name === 'postgres' ? 'pg' : 'mysql2', connection: db.url });
  });
  afterEach(async () => {
    await client?.destroy();
    await db?.drop();
  });
  const where = () => (harness.name === 'postgres' ? 'public' : db.name);

  it('Knex: the names its migrator recorded; a crashed run left the lock held: deploying', async () => {
    await client.migrate.latest({ directory: empty });
    await client('knex_migrations').insert([
      { name: '20240101000000_users.js', batch: 1, migration_time: new Date() },
      { name: '20240102000000_orders.js', batch: 2, migration_time: new Date() },
    ]);
    expect(await readRevision(harness, db)).toEqual({
      tool: 'knex',
      table: `${where()}.knex_migrations`,
      version: '20240102000000_orders.js',
      dirty: false,
      appliedVersions: ['20240101000000_users.js', '20240102000000_orders.js'],
    });
    await client('knex_migrations_lock').update({ is_locked: 1 });
    expect(await readRevision(harness, db)).toMatchObject({ tool: 'knex', dirty: false, deploying: expect.stringMatching(/knex_migrations_lock is held/) });
  });

  it('Kysely: kysely_migration as its migrator creates it, with its lock table', async () => {
    await db.exec('CREATE TABLE kysely_migration (name varchar(255) NOT NULL PRIMARY KEY, timestamp varchar(255) NOT NULL)');
    await db.exec('CREATE TABLE kysely_migration_lock (id varchar(255) NOT NULL PRIMARY KEY, is_locked integer DEFAULT 0 NOT NULL)');
    await db.exec("INSERT INTO kysely_migration_lock (id, is_locked) VALUES ('migration_lock', 0)");
    await db.exec("INSERT INTO kysely_migration (name, timestamp) VALUES ('2024_01_users', '2024-01-01T00:00:00.000Z')");
    expect(await readRevision(harness, db)).toEqual({
      tool: 'kysely',
      table: `${where()}.kysely_migration`,
      version: '2024_01_users',
      dirty: false,
      appliedVersions: ['2024_01_users'],
    });
  });
});
