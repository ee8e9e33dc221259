/**
 * Real database servers for integration tests. URLs come from the environment (`.ci/run` exports them); without
 * them the machine's local servers are assumed. A test that needs a server and cannot reach it fails: it never skips.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';

/** Admin URL of the PostgreSQL test server. */
export const PG_URL = process.env.SCHEMA_DRIFT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Admin URL of the MySQL/MariaDB test server. */
export const MYSQL_URL = process.env.SCHEMA_DRIFT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** `PG_URL` with its database replaced. */
export function pgUrlFor(database: string): string {
  const url = new URL(PG_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A temporary database of either server; call `drop()` when done (tests do it in `afterAll`/`finally`). */
export interface TempDatabase {
  readonly name: string;
  readonly url: string;
  /** Runs SQL (several statements allowed) in the database. */
  exec(sql: string): Promise<void>;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database `sdtest_<hex>` (or `<prefix>_<hex>`). */
export async function createTempPgDatabase(prefix = 'sdtest'): Promise<TempDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = pgUrlFor(name);
  return {
    name,
    url,
    async exec(sql: string) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
    async drop() {
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** `MYSQL_URL` with its database replaced. */
/** Runs `fn` with a fresh `pg` client connected to `db`, and ends the client on every path. */
export async function withPgClient<T>(db: { readonly url: string }, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function mysqlUrlFor(database: string): string {
  const url = new URL(MYSQL_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** mysql2 options for `MYSQL_URL` (optionally another database); `multipleStatements` is for test helpers only. */
function mysqlOptions(database?: string): mysql.ConnectionOptions {
  const url = new URL(MYSQL_URL);
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username) || 'root',
    password: decodeURIComponent(url.password),
    ...(database ? { database } : {}),
    multipleStatements: true,
  };
}

/** Runs `fn` with one connection of its own to `db` (several statements per query allowed), closed after. */
export async function withMysqlConnection<T>(db: TempDatabase, fn: (conn: mysql.Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection(mysqlOptions(db.name));
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

/** Runs `sql` (several statements allowed) on the MySQL/MariaDB test server, as the URL's user. */
export async function execMysql(sql: string, database?: string): Promise<void> {
  const conn = await mysql.createConnection(mysqlOptions(database));
  try {
    await conn.query(sql);
  } finally {
    await conn.end();
  }
}

/** A fresh, empty MySQL/MariaDB database `sdtest_<hex>`; call `drop()` when done. `exec` accepts several statements. */
export async function createTempMysqlDatabase(prefix = 'sdtest'): Promise<TempDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await execMysql(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  return {
    name,
    url: mysqlUrlFor(name),
    exec: (sql: string) => execMysql(sql, name),
    drop: () => execMysql(`DROP DATABASE IF EXISTS \`${name}\``),
  };
}
