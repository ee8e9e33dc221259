import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayError } from '../../src/core/errors.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import type { MigrationDirectory, MigrationFormat } from '../../src/migrations/types.ts';
import { replayPostgres, type PostgresReplayOptions } from '../../src/dialects/postgres/replay.ts';
import { postgresDialect } from '../../src/dialects/postgres/index.ts';
import { PG_URL } from '../support/servers.ts';

const tempDirs: string[] = [];

/** Writes `files` into a fresh directory and reads it like the CLI does. */
async function directory(files: Record<string, string>, format?: MigrationFormat): Promise<MigrationDirectory> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sd-replay-'));
  tempDirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return readMigrationDirectory(dir, format ? { format } : {});
}

afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const BASE = {
  '001_init.sql': `-- extensions PGlite must provide
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TABLE users (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email citext NOT NULL, ref uuid DEFAULT uuid_generate_v4());
`,
  '002_orders.sql': `CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id uuid REFERENCES users);
-- refused inside a transaction block (25001): the file is rerun statement by statement
CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);
`,
  '003_names.sql': 'ALTER TABLE users ADD COLUMN name text;\n',
};

function tableNames(dir: { snapshot: { schemas: { name: string; tables: { name: string }[] }[] } }): string[] {
  return dir.snapshot.schemas.flatMap((s) => s.tables.map((t) => `${s.name}.${t.name}`)).sort();
}

describe('replayPostgres on PGlite', () => {
  it('applies every file, with contrib extensions and CREATE INDEX CONCURRENTLY', async () => {
    const dir = await directory(BASE);
    const result = await replayPostgres(dir, { target: 'test' });
    expect(result.engine).toBe('pglite');
    expect(result.serverVersion).toMatch(/^18\.\d+ \(PGlite 0\.5\.\d+\)$/);
    expect(result.applied.map((f) => f.path)).toEqual(['001_init.sql', '002_orders.sql', '003_names.sql']);
    expect(result.pending).toEqual([]);
    expect(tableNames(result)).toEqual(['public.orders', 'public.users']);
    const users = result.snapshot.schemas[0]?.tables.find((t) => t.name === 'users');
    expect(users?.columns.map((c) => c.name)).toEqual(['id', 'email', 'ref', 'name']);
    const orders = result.snapshot.schemas[0]?.tables.find((t) => t.name === 'orders');
    expect(orders?.indexes.map((i) => i.name)).toContain('orders_user_idx');
    expect(result.snapshot.extensions.map((e) => e.name)).toEqual(expect.arrayContaining(['citext', 'pgcrypto', 'uuid-ossp']));
    expect(result.snapshot.source).toMatchObject({ flavor: 'pglite', serverMajor: 18, description: dir.dir });
  });

  it('stops at upToVersion and reports the rest as pending', async () => {
    const dir = await directory(BASE);
    const result = await replayPostgres(dir, { upToVersion: '2' });
    expect(result.applied.map((f) => f.path)).toEqual(['001_init.sql', '002_orders.sql']);
    expect(result.pending.map((f) => f.path)).toEqual(['003_names.sql']);
    const users = result.snapshot.schemas[0]?.tables.find((t) => t.name === 'users');
    expect(users?.columns.map((c) => c.name)).not.toContain('name');
  });

  it('applies Flyway repeatables after the versioned files, and none when nothing is deployed', async () => {
    const dir = await directory(
      {
        'V1__users.sql': 'CREATE TABLE users (id int);',
        'R__views.sql': 'CREATE OR REPLACE VIEW user_ids AS SELECT id FROM users;',
        'V2__more.sql': 'ALTER TABLE users ADD COLUMN name text;',
      },
      'flyway',
    );
    const all = await replayPostgres(dir, {});
    expect(all.applied.map((f) => f.path)).toEqual(['V1__users.sql', 'V2__more.sql', 'R__views.sql']);
    expect(all.snapshot.schemas[0]?.views.map((v) => v.name)).toEqual(['user_ids']);
    const none = await replayPostgres(dir, { upToVersion: null });
    expect(none.applied).toEqual([]);
    expect(none.pending.map((f) => f.path)).toEqual(['V1__users.sql', 'V2__more.sql', 'R__views.sql']);
    expect(tableNames(none)).toEqual([]);
  });

  it('creates the contrib extensions migrations commonly use', async () => {
    const names = ['hstore', 'ltree', 'pg_trgm', 'btree_gist', 'btree_gin', 'cube', 'earthdistance', 'fuzzystrmatch',
      'intarray', 'unaccent', 'tablefunc', 'moddatetime', 'isn', 'seg', 'lo', 'pg_stat_statements', 'citext',
      'pgcrypto', 'uuid-ossp'];
    const sql = names.map((n) => `CREATE EXTENSION IF NOT EXISTS "${n}";`).join('\n');
    const result = await replayPostgres(await directory({ '001_ext.sql': sql }), {});
    expect(result.snapshot.extensions.map((e) => e.name)).toEqual(expect.arrayContaining(names));
  });

  it('runs a file that manages its own transaction (BEGIN ... COMMIT inside the file)', async () => {
    const dir = await directory({ '001_tx.sql': 'BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n' });
    const result = await replayPostgres(dir, {});
    expect(tableNames(result)).toEqual(['public.a']);
  });

  it('warns when the target server runs another major version', async () => {
    const dir = await directory({ '001_a.sql': 'CREATE TABLE a (id int);' });
    const result = await replayPostgres(dir, {});
    const warnings = postgresDialect.versionWarnings({ engine: result.engine, source: result.snapshot.source }, { serverMajor: 15 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/embedded PGlite \(PostgreSQL 18\.\d+.*target runs PostgreSQL 15/);
    const same = { serverMajor: result.snapshot.source.serverMajor };
    expect(postgresDialect.versionWarnings({ engine: result.engine, source: result.snapshot.source }, same)).toEqual([]);
  });
});

interface FailureCase {
  name: string;
  files: Record<string, string>;
  format?: MigrationFormat;
  file: string;
  line: number;
  message: string | RegExp;
}

const FAILURES: FailureCase[] = [
  {
    name: 'syntax error (position in a multi-statement file)',
    files: {
      '001_users.sql': 'CREATE TABLE users (id int PRIMARY KEY);\n',
      '003_orders.sql': '-- orders\n\nCREATE TABLE items (id int);\nCREATE TABEL orders (id int);\n',
    },
    file: '003_orders.sql',
    line: 4,
    message: 'syntax error at or near "TABEL"',
  },
  {
    name: 'error inside a multi-line statement',
    files: { '001_a.sql': 'CREATE TABLE a (\n  id int,\n  x nosuchtype\n);\n' },
    file: '001_a.sql',
    line: 3,
    message: 'type "nosuchtype" does not exist',
  },
  {
    name: 'error without a position (located by rerunning statement by statement)',
    files: {
      '001_users.sql': 'CREATE TABLE users (id int PRIMARY KEY);\n',
      '002_dup.sql': 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n\n-- oops\nCREATE TABLE users (id int);\nCREATE TABLE c (id int);\n',
    },
    file: '002_dup.sql',
    line: 5,
    message: 'relation "users" already exists',
  },
  {
    name: 'non-transactional dbmate file (SQL starts on line 2)',
    format: 'dbmate',
    files: {
      '20240101000000_a.sql':
        '-- migrate:up transaction:false\nCREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_idx ON a (id);\nSELECT nosuch FROM a;\n\n-- migrate:down\nDROP TABLE a;\n',
    },
    file: '20240101000000_a.sql',
    line: 4,
    message: 'column "nosuch" does not exist',
  },
  {
    name: 'statement-by-statement rerun after 25001, error with a position',
    files: {
      '001_a.sql': 'CREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_idx ON a (id);\n  ALTER TABLE a ADD COLUMN b nosuchtype;\n',
    },
    file: '001_a.sql',
    line: 3,
    message: 'type "nosuchtype" does not exist',
  },
];

async function expectFailure(c: FailureCase, options: PostgresReplayOptions): Promise<ReplayError> {
  const dir = await directory(c.files, c.format);
  const error = await replayPostgres(dir, { ...options, target: 'staging' }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ReplayError);
  const replay = error as ReplayError;
  expect(replay.context).toEqual({ target: 'staging', file: path.join(dir.dir, c.file), line: c.line });
  expect(replay.message).toMatch(c.message);
  expect(replay.describe()).toBe(`target "staging": ${path.join(dir.dir, c.file)}:${c.line}: ${replay.message}`);
  return replay;
}

describe('replayPostgres failures on PGlite', () => {
  it.each(FAILURES)('$name', async (c) => {
    await expectFailure(c, {});
  });
});

describe('replayPostgres on a dev server', () => {
  let admin: pg.Client;
  const leftovers = async (): Promise<string[]> =>
    (await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'schema\\_drift\\_tmp\\_%'`)).rows
      .map((r) => r.datname)
      .sort();
  let before: string[];

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    before = await leftovers();
  });
  afterAll(async () => {
    await admin?.end();
  });

  it('replays into a temporary database and drops it', async () => {
    const dir = await directory(BASE);
    const result = await replayPostgres(dir, { devUrl: PG_URL });
    expect(result.engine).toBe('server');
    expect(result.serverVersion).toMatch(/^15\./);
    expect(postgresDialect.versionWarnings({ engine: result.engine, source: result.snapshot.source }, { serverMajor: 15 })).toEqual([]);
    expect(tableNames(result)).toEqual(['public.orders', 'public.users']);
    expect(result.snapshot.source).toMatchObject({ flavor: 'postgresql', serverMajor: 15 });
    expect(await leftovers()).toEqual(before);
  });

  it.each(FAILURES)('$name, and the temporary database is dropped', async (c) => {
    await expectFailure(c, { devUrl: PG_URL });
    expect(await leftovers()).toEqual(before);
  });

  it('reports an unreachable dev server as a connect error without the password', async () => {
    const dir = await directory({ '001_a.sql': 'SELECT 1;' });
    const url = 'postgres://someone:s3cret@127.0.0.1:1/nodb';
    const error = await replayPostgres(dir, { devUrl: url, target: 'x' }).catch((err: unknown) => err);
    expect(error).toMatchObject({ name: 'ConnectError' });
    expect(String((error as Error).message)).not.toContain('s3cret');
  });
});
