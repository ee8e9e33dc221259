/**
 * Scratch databases for the benchmark on the real server, and a batched loader for generated SQL.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { splitGeneratedSql } from './render-sql.ts';

/** Admin URL of the server the bench uses. */
export const BENCH_PG_URL =
  process.env.SCHEMA_DRIFT_BENCH_PG_URL ??
  process.env.SCHEMA_DRIFT_TEST_PG_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

/** Statements sent per round trip when loading: large enough to be fast, small enough to keep lock tables small. */
const BATCH_STATEMENTS = 500;

/** A database created by the bench; `drop()` is idempotent. */
export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** `BENCH_PG_URL` pointing at another database. */
export function urlFor(database: string): string {
  const url = new URL(BENCH_PG_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates an empty database named `<prefix>_<random>`. */
export async function createBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  let dropped = false;
  return {
    name,
    url: urlFor(name),
    async drop() {
      if (dropped) return;
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      dropped = true;
    },
  };
}

/** Loads generated SQL (see `render-sql.ts`) into `url`, {@link BATCH_STATEMENTS} statements per round trip. */
export async function loadGeneratedSql(url: string, sql: string): Promise<void> {
  const statements = splitGeneratedSql(sql);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; i < statements.length; i += BATCH_STATEMENTS) {
      await client.query(statements.slice(i, i + BATCH_STATEMENTS).join('\n'));
    }
  } finally {
    await client.end();
  }
}
