/**
 * Real database servers for integration tests. URLs come from the environment (`.ci/run` exports them); without
 * them the machine's local servers are assumed. A test that needs a server and cannot reach it fails: it never skips.
 */
import { randomBytes } from 'node:crypto';
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

/** A fresh, empty PostgreSQL database; call `drop()` when done (tests do it in `afterAll`/`finally`). */
export interface TempDatabase {
  readonly name: string;
  readonly url: string;
  /** Runs SQL (several statements allowed) in the database. */
  exec(sql: string): Promise<void>;
  drop(): Promise<void>;
}

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
