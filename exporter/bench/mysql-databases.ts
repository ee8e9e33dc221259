/**
 * Scratch databases for the MySQL part of the benchmark on the MariaDB/MySQL server, and a batched loader.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { splitGeneratedSql } from './render-sql.ts';
import type { BenchDatabase } from './databases.ts';

/** Admin URL of the MySQL/MariaDB server the bench uses. */
export const BENCH_MYSQL_URL =
  process.env.SCHEMA_DRIFT_BENCH_MYSQL_URL ?? process.env.SCHEMA_DRIFT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** Statements per round trip (multi-statement queries). */
const BATCH_STATEMENTS = 200;

/** `BENCH_MYSQL_URL` pointing at another database. */
export function mysqlUrlFor(database: string): string {
  const url = new URL(BENCH_MYSQL_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function connect(database?: string): Promise<mysql.Connection> {
  const url = new URL(BENCH_MYSQL_URL);
  return mysql.createConnection({
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username) || 'root',
    password: decodeURIComponent(url.password),
    ...(database ? { database } : {}),
    multipleStatements: true,
  });
}

/** Creates an empty utf8mb4 database named `<prefix>_<random>`. */
export async function createMysqlBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = await connect();
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  } finally {
    await admin.end();
  }
  let dropped = false;
  return {
    name,
    url: mysqlUrlFor(name),
    async drop() {
      if (dropped) return;
      const conn = await connect();
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
      dropped = true;
    },
  };
}

/** Loads SQL from `render-mysql.ts` into database `name`, {@link BATCH_STATEMENTS} statements per round trip. */
export async function loadMysqlSql(name: string, sql: string): Promise<void> {
  const statements = splitGeneratedSql(sql);
  const conn = await connect(name);
  try {
    for (let i = 0; i < statements.length; i += BATCH_STATEMENTS) {
      await conn.query(statements.slice(i, i + BATCH_STATEMENTS).join('\n'));
    }
  } finally {
    await conn.end();
  }
}

/** `VERSION()` of the bench's MySQL server, or null when it cannot be reached. */
export async function mysqlServerVersion(): Promise<string | null> {
  try {
    const conn = await connect();
    try {
      const [rows] = await conn.query('SELECT VERSION() AS v');
      return (rows as { v: string }[])[0]?.v ?? null;
    } finally {
      await conn.end();
    }
  } catch {
    return null;
  }
}
