/**
 * One connection to either real server, for the support modules that play a migration tool (Sqitch, Prisma,
 * drizzle): they write the tool's rows with plain queries, the same way on PostgreSQL and MySQL, so they share one
 * small client rather than each wrapping `pg` and `mysql2` again.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DialectName } from '../../src/core/model/schema.ts';

export interface SqlClient {
  /**
   * Runs one query and returns its rows (`[]` for a statement that returns none). With `params`, `?` placeholders
   * (rewritten to `$n` on PostgreSQL); without, the text as it is (a script, on MySQL only with `multipleStatements`).
   */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function connectSql(dialect: DialectName, url: string, options: { multipleStatements?: boolean } = {}): Promise<SqlClient> {
  if (dialect === 'postgres') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      query: async (sql, params) => {
        let n = 0;
        const text = params ? sql.replace(/\?/g, () => `$${++n}`) : sql;
        return (await client.query(text, params)).rows as Record<string, unknown>[];
      },
      close: () => client.end(),
    };
  }
  const conn = await mysql.createConnection({ uri: url, ...(options.multipleStatements ? { multipleStatements: true } : {}) });
  return {
    query: async (sql, params) => {
      const [rows] = await conn.query(sql, params);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    close: () => conn.end(),
  };
}
