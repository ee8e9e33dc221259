/**
 * PostgreSQL fixture SQL for the major the test server runs. The fixtures are written for the newest syntax; a line
 * that needs a newer major than 13 ends with `-- postgres 15+` (kept on 15 and later only), and where an older major
 * has a stand-in, the line after it ends with `-- postgres <15` (kept below 15 only). Everything else is kept as it
 * is. So one fixture runs on every major of the version matrix (`npm run test:versions`), each with what it supports.
 * A marked statement must fit on its line.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { PG_URL } from './servers.ts';

const SINCE = /--\s*postgres (\d+)\+\s*$/;
const BEFORE = /--\s*postgres <(\d+)\s*$/;

/** `sql` without the lines its markers keep for other majors than `major`. */
export function sqlForMajor(sql: string, major: number): string {
  return sql
    .split('\n')
    .filter((line) => {
      const since = SINCE.exec(line);
      if (since) return major >= Number(since[1]);
      const before = BEFORE.exec(line);
      return before ? major < Number(before[1]) : true;
    })
    .join('\n');
}

/**
 * Whether `sql` on `major` leaves out a line for a newer major (and so runs its stand-ins): what a fixture pins
 * (e.g. a convergence case's `expected.json`) describes the fixture as written, which that major cannot run.
 */
export function leavesOutNewerLines(sql: string, major: number): boolean {
  return sql.split('\n').some((line) => {
    const since = SINCE.exec(line);
    return since !== null && major < Number(since[1]);
  });
}

let major: Promise<number> | undefined;

/** The major version of the PostgreSQL test server (`SCHEMA_DRIFT_TEST_PG_URL`), read once. */
export function pgServerMajor(): Promise<number> {
  major ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ num: number }>(`SELECT current_setting('server_version_num')::int4 AS num`);
      return Math.floor((rows[0]?.num ?? 0) / 10_000);
    } finally {
      await client.end();
    }
  })();
  return major;
}

/** A fixture file's SQL for the test server's major. */
export async function readPgFixture(file: string | URL): Promise<string> {
  return sqlForMajor(readFileSync(file, 'utf8'), await pgServerMajor());
}
