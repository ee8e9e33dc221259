/**
 * Embedded PostgreSQL databases (PGlite, in-process): the demo's "production" and "staging", and test fixtures.
 * These are ours to write; the read-only session on one is the same {@link LiveSession} a server gives, so a check
 * reads it exactly as it reads a monitored database.
 */
import { PGlite } from '@electric-sql/pglite';
import type { EmbeddedDatabase } from '../dialect.ts';
import { postgresLiveSession } from './session.ts';

/** A new, empty in-memory PGlite. */
export async function createEmbeddedPostgres(): Promise<EmbeddedDatabase> {
  const db = await PGlite.create();
  // One connection per instance: a session is the read-only transaction on it, and must end before the next one.
  let busy = false;
  return {
    exec: async (sql) => {
      await db.exec(sql);
    },
    query: async <R>(sql: string, params: readonly unknown[] = []) => (await db.query<R>(sql, [...params])).rows,
    async session() {
      if (busy) throw new Error('embedded PostgreSQL: a read-only session is already open on this database');
      await db.exec('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      busy = true;
      const { rows } = await db.query<{ v: string; n: number }>(
        "SELECT current_setting('server_version') AS v, current_setting('server_version_num')::int4 AS n",
      );
      const [{ v, n }] = rows as [{ v: string; n: number }];
      let closed = false;
      const close = async (): Promise<void> => {
        if (closed) return;
        closed = true;
        busy = false;
        await db.exec('ROLLBACK').catch(() => {});
      };
      // PGlite's `query` always uses the extended protocol (`exec` is the simple one): one statement only.
      const singleStatement = async <R>(sql: string) => ({ rows: (await db.query<R>(sql, [])).rows });
      return postgresLiveSession({ db, singleStatement, serverVersion: v, serverVersionNum: n, close }, { flavor: 'pglite' });
    },
    close: () => db.close(),
  };
}
