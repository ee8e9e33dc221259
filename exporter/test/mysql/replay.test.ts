/**
 * replayMysql on the real MariaDB server: every fixture format (DELIMITER files and bodies without DELIMITER), the
 * example directory, version bounds, failures with file:line and the server's message, and the temporary database
 * dropped on every path (a migration writes its own database name elsewhere, so the test knows which one to look for).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ConnectError, ReplayError, SchemaDriftError } from '../../src/core/errors.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import type { SchemaSnapshot } from '../../src/core/model/schema.ts';
import { DEFAULT_DESIRED_SCHEMA, MYSQL_TEMP_DATABASE_PREFIX, mysqlReplayEngineIdentity, replayMysql } from '../../src/dialects/mysql/replay.ts';
import { mysqlDialect } from '../../src/dialects/mysql/index.ts';
import { MYSQL_URL, createTempMysqlDatabase, type TempDatabase } from '../support/servers.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(HERE, '..', 'fixtures', 'migrations-mysql');
const EXAMPLE = path.join(HERE, '..', '..', 'examples', 'migrations-mysql');
const FORMATS = ['plain', 'golang-migrate', 'flyway', 'atlas', 'dbmate'] as const;

/** Every object of the snapshot's one schema as `kind name`, sorted. */
function objects(snapshot: SchemaSnapshot): string[] {
  const schema = snapshot.schemas[0];
  if (!schema) return [];
  const out: string[] = [];
  for (const table of schema.tables) {
    out.push(`table ${table.name}`);
    for (const index of table.indexes) out.push(`index ${table.name}.${index.name}`);
    for (const fk of table.foreignKeys) out.push(`fk ${table.name}.${fk.name}`);
    for (const check of table.constraints.filter((c) => c.kind === 'check')) out.push(`check ${table.name}.${check.name}`);
    for (const trigger of table.triggers) out.push(`trigger ${trigger.name}`);
  }
  for (const view of schema.views) out.push(`view ${view.name}`);
  for (const routine of schema.routines) out.push(`${routine.kind} ${routine.name}`);
  return out.sort();
}

async function databasesLike(prefix: string): Promise<string[]> {
  const conn = await mysql.createConnection(MYSQL_URL);
  try {
    const [rows] = await conn.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [
      `${prefix}%`,
    ]);
    return (rows as { name: string }[]).map((r) => r.name);
  } finally {
    await conn.end();
  }
}

/** A golang-migrate directory in a fresh temporary folder. */
async function writeDirectory(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sd-mysql-replay-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

const FIXTURE_OBJECTS = [
  'check orders.orders_total_positive',
  'fk orders.orders_user_fk',
  'index orders.orders_user_id_idx',
  'procedure order_total',
  'table orders',
  'table users',
  'trigger orders_paid_note',
  'view active_users',
];

describe('replayMysql on MariaDB', () => {
  let records: TempDatabase;
  const dirs: string[] = [];
  beforeAll(async () => {
    records = await createTempMysqlDatabase('sdreplay');
    await records.exec('CREATE TABLE seen (name varchar(64) NOT NULL)');
  });
  afterAll(async () => {
    await records?.drop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it.each(FORMATS)('replays the %s fixture with its triggers, routines and views', async (format) => {
    const dir = await readMigrationDirectory(path.join(FIXTURES, format));
    const result = await replayMysql(dir, { devUrl: MYSQL_URL, target: format, schemaName: 'app' });
    expect(result.engine).toBe('server');
    expect(result.serverVersion).toMatch(/MariaDB/);
    expect(result.applied.map((f) => f.path)).toEqual(dir.files.map((f) => f.path));
    expect(result.snapshot.dialect).toBe('mysql');
    expect(result.snapshot.source).toMatchObject({ description: dir.dir, flavor: 'mariadb' });
    expect(result.snapshot.schemas.map((s) => s.name)).toEqual(['app']);
    expect(objects(result.snapshot)).toEqual(expect.arrayContaining(FIXTURE_OBJECTS));
    // The foreign key points at the snapshot's name, never at the temporary database.
    const fk = result.snapshot.schemas[0]?.tables.find((t) => t.name === 'orders')?.foreignKeys[0];
    expect(fk?.refSchema).toBe('app');
    expect(JSON.stringify(result.snapshot)).not.toContain(MYSQL_TEMP_DATABASE_PREFIX);
  });

  it('gives every fixture format the same schema', async () => {
    const snapshots = await Promise.all(
      FORMATS.map(async (format) => {
        const dir = await readMigrationDirectory(path.join(FIXTURES, format));
        return (await replayMysql(dir, { devUrl: MYSQL_URL, schemaName: 'app' })).snapshot.schemas;
      }),
    );
    const strip = (schemas: SchemaSnapshot['schemas']) => JSON.parse(JSON.stringify(schemas).replaceAll(/"(definition|body)":"[^"]*"/g, '"$1":""'));
    for (const schemas of snapshots.slice(1)) expect(strip(schemas)).toEqual(strip(snapshots[0] ?? []));
  });

  it('replays the example directory (golang-migrate layout)', async () => {
    const dir = await readMigrationDirectory(EXAMPLE);
    expect(dir.format).toBe('golang-migrate');
    const result = await replayMysql(dir, { devUrl: MYSQL_URL });
    expect(result.snapshot.schemas.map((s) => s.name)).toEqual([DEFAULT_DESIRED_SCHEMA]);
    expect(objects(result.snapshot)).toEqual(
      expect.arrayContaining([
        'table accounts',
        'table invoices',
        'trigger tasks_touch_updated_at',
        'procedure archive_project',
        'view open_tasks_by_project',
      ]),
    );
  });

  it('stops at upToVersion and lists later files as pending', async () => {
    const dir = await readMigrationDirectory(path.join(FIXTURES, 'golang-migrate'));
    const result = await replayMysql(dir, { devUrl: MYSQL_URL, upToVersion: '20240102090000' });
    expect(result.applied.map((f) => f.version)).toEqual(['20240101120000', '20240102090000']);
    expect(result.pending.map((f) => f.version)).toEqual(['20240103080000']);
    expect(objects(result.snapshot)).not.toContain('view active_users');
    expect(objects(result.snapshot)).toContain('table orders');
  });

  it('without a dev server: a ConfigError naming the target, nothing created', async () => {
    const dir = await readMigrationDirectory(path.join(FIXTURES, 'plain'));
    const error = await replayMysql(dir, { target: 'shop-prod' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).describe()).toMatch(/target "shop-prod".*dev server.*devUrl.*--dev-url.*no embedded MySQL/);
    expect((error as ConfigError).describe().match(/shop-prod/g)).toHaveLength(1);
    expect((error as ConfigError).context.target).toBe('shop-prod');
    await expect(mysqlReplayEngineIdentity({ target: 'shop-prod' })).rejects.toBeInstanceOf(ConfigError);
  });

  it('reports the engine identity of the dev server', async () => {
    expect(await mysqlReplayEngineIdentity({ devUrl: MYSQL_URL })).toMatch(/^mariadb 10\.\d+\.\d+-MariaDB/);
  });

  it('a failing statement: ReplayError with file, line and the server message; the temporary database is dropped', async () => {
    const dir = await writeDirectory({
      '1_ok.up.sql': 'CREATE TABLE a (id int PRIMARY KEY);\n',
      '2_broken.up.sql': [
        '-- records which database it runs in, then fails on line 6',
        `INSERT INTO \`${records.name}\`.seen VALUES (DATABASE());`,
        'CREATE TABLE b (',
        '  id int PRIMARY KEY,',
        '  a_id int NOT NULL,',
        '  CONSTRAINT b_a FOREIGN KEY (a_id) REFERENCES missing_table (id)',
        ');',
        'CREATE TABLE never (id int);',
        '',
      ].join('\n'),
    });
    dirs.push(dir);
    const error = await replayMysql(await readMigrationDirectory(dir), { devUrl: MYSQL_URL, target: 'broken' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReplayError);
    const replayError = error as ReplayError;
    expect(replayError.context).toMatchObject({ target: 'broken', file: path.join(dir, '2_broken.up.sql'), line: 3 });
    expect(replayError.message).toMatch(/Foreign key constraint is incorrectly formed|Can't create table/);
    expect(replayError.message).toMatch(/\(ER_\w+ \d+\)$/);
    expect(replayError.describe()).toContain('2_broken.up.sql:3');
    const used = (await seenNames(records)).filter((name) => name.startsWith(MYSQL_TEMP_DATABASE_PREFIX));
    expect(used).toHaveLength(1);
    expect(used[0]).toMatch(new RegExp(`^${MYSQL_TEMP_DATABASE_PREFIX}[0-9a-z]+_[0-9a-f]{12}$`));
    expect(await databasesLike(used[0] ?? '-')).toEqual([]);
  });

  it('a syntax error points at the line inside the statement (the server counts "at line N")', async () => {
    const dir = await writeDirectory({
      '1_syntax.up.sql': ['CREATE TABLE ok (id int);', '', 'CREATE TABLE bad (', '  id int,', '  name varchar(10) NOT NULL DEFAULT,', '  x int', ');', ''].join('\n'),
    });
    dirs.push(dir);
    const error = (await replayMysql(await readMigrationDirectory(dir), { devUrl: MYSQL_URL }).catch((e: unknown) => e)) as ReplayError;
    expect(error).toBeInstanceOf(ReplayError);
    expect(error.context.line).toBe(5);
    expect(error.message).toMatch(/SQL syntax.*\(ER_PARSE_ERROR 1064\)/);
  });

  it('a DELIMITER procedure with a bad body fails at its file line, and later files never run', async () => {
    const dir = await writeDirectory({
      '1_proc.up.sql': ['DELIMITER $$', 'CREATE PROCEDURE p()', 'BEGIN', '  SELECT * FROM;', 'END$$', 'DELIMITER ;', ''].join('\n'),
      '2_later.up.sql': `INSERT INTO \`${records.name}\`.seen VALUES ('later ran');\n`,
    });
    dirs.push(dir);
    const error = (await replayMysql(await readMigrationDirectory(dir), { devUrl: MYSQL_URL }).catch((e: unknown) => e)) as ReplayError;
    expect(error).toBeInstanceOf(ReplayError);
    expect(error.context).toMatchObject({ file: path.join(dir, '1_proc.up.sql'), line: 4 });
    expect(await seenNames(records)).not.toContain('later ran');
  });

  it('warns when the dev server is another flavour or major version than the target', async () => {
    const dir = await readMigrationDirectory(path.join(FIXTURES, 'plain'));
    const replay = await replayMysql(dir, { devUrl: MYSQL_URL });
    const warn = (live: { flavor: string; serverMajor: number; serverVersion?: string }): string[] =>
      mysqlDialect.versionWarnings({ engine: replay.engine, source: replay.snapshot.source }, live);
    expect(warn({ flavor: 'mariadb', serverMajor: 10 })).toEqual([]);
    const other = warn({ flavor: 'mysql', serverMajor: 8, serverVersion: '8.4.3' });
    expect(other).toHaveLength(1);
    expect(other[0]).toMatch(/replayed on mariadb 10\.\d+.* but the target runs mysql 8\.4\.3/);
    expect(warn({ flavor: 'mariadb', serverMajor: 11 })[0]).toMatch(/but the target runs mariadb 11/);
  });

  it('creates the temporary database with the target database defaults', async () => {
    const dir = await writeDirectory({ '1_t.up.sql': 'CREATE TABLE t (name varchar(10));\n' });
    dirs.push(dir);
    const result = await replayMysql(await readMigrationDirectory(dir), {
      devUrl: MYSQL_URL,
      defaults: { charset: 'latin1', collation: 'latin1_swedish_ci' },
    });
    expect(result.snapshot.schemas[0]?.attrs).toMatchObject({ charset: 'latin1', collation: 'latin1_swedish_ci' });
    const table = result.snapshot.schemas[0]?.tables[0];
    expect(JSON.stringify(table)).toContain('latin1');
  });

  it('an unreachable dev server is a ConnectError that names it without its password', async () => {
    const dir = await readMigrationDirectory(path.join(FIXTURES, 'plain'));
    const error = await replayMysql(dir, { devUrl: 'mysql://root:s3cret@127.0.0.1:1/x', target: 'down' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as SchemaDriftError).message).toContain('mysql://root@127.0.0.1:1');
    expect((error as SchemaDriftError).message).not.toContain('s3cret');
  });
});

/** What the test migrations wrote into `records.seen`. */
async function seenNames(records: TempDatabase): Promise<string[]> {
  const conn = await mysql.createConnection(records.url);
  try {
    const [rows] = await conn.query('SELECT name FROM seen');
    return (rows as { name: string }[]).map((r) => r.name);
  } finally {
    await conn.end();
  }
}
