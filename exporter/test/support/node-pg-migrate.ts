/**
 * Deploying a node-pg-migrate directory of SQL migrations as `node-pg-migrate up` does with its defaults (the package
 * is not among the project's dependencies), written from its source (salsita/node-pg-migrate `src/runner.ts`,
 * `src/migration.ts`, `src/sqlMigration.ts`, `src/operations/sql.ts`) and independent of the exporter's reader:
 * - `pgmigrations` created in `public` with the runner's DDL when it does not exist;
 * - files sorted by the timestamp before the first `_` (13 digits), then by name; the names in `pgmigrations`
 *   (by `run_on`, `id`) must be the first files in that order (`checkOrder`);
 * - every file not recorded runs in ONE transaction (`singleTransaction`): its up section (from `-- Up Migration` to
 *   `-- Down Migration`) as one query, a `;` added when it does not end in one, then `INSERT INTO "public"."pgmigrations"
 *   (name, run_on) VALUES ('<file name without .sql>', NOW());`. A file whose leading comments say `-- no transaction`
 *   is wrapped in `COMMIT;` … `BEGIN;` instead. A failure rolls the open transaction back.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { TempDatabase } from './servers.ts';

const UP = /^\s*--[\s-]*up\s+migration/im;
const DOWN = /^\s*--[\s-]*down\s+migration/im;

interface Migration {
  readonly name: string;
  readonly up: string;
  readonly noTransaction: boolean;
}

async function loadMigrations(dir: string): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql') && !n.startsWith('.'));
  const migrations = await Promise.all(
    names.map(async (file) => {
      const content = await readFile(path.join(dir, file), 'utf8');
      const upStart = content.search(UP);
      const downStart = content.search(DOWN);
      const up = upStart >= 0 ? content.slice(upStart, downStart < upStart ? undefined : downStart) : content;
      const header = content.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
      const firstStatement = header.findIndex((l) => !l.startsWith('--'));
      const comments = firstStatement < 0 ? header : header.slice(0, firstStatement);
      return { name: file.slice(0, -4), up, noTransaction: comments.some((l) => /^--[ \t]*no[ \t]*transaction[ \t]*$/i.test(l)) };
    }),
  );
  const timestamp = (name: string): number => Number(name.split('_')[0]) || 0;
  return migrations.sort((a, b) => timestamp(a.name) - timestamp(b.name) || a.name.localeCompare(b.name));
}

/**
 * `node-pg-migrate up` over the first `count` migrations of `dir` (as if the directory held only those); returns the
 * error the run met, if it failed.
 */
export async function deployWithNodePgMigrate(db: TempDatabase, dir: string, count: number): Promise<Error | undefined> {
  const migrations = (await loadMigrations(dir)).slice(0, count);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const existing = await client.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'pgmigrations'",
    );
    if (existing.rows.length === 0) {
      await client.query(
        'CREATE TABLE "public"."pgmigrations" (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL)',
      );
    }
    const run = (await client.query<{ name: string }>('SELECT name FROM "public"."pgmigrations" ORDER BY run_on, id')).rows.map((r) => r.name);
    run.forEach((name, i) => {
      if (migrations[i] && migrations[i].name !== name) {
        throw new Error(`Not run migration ${migrations[i].name} is preceding already run migration ${name}`);
      }
    });
    const toRun = migrations.filter((m) => !run.includes(m.name));
    if (toRun.length === 0) return undefined;
    await client.query('BEGIN');
    try {
      for (const migration of toRun) {
        const sql = migration.up.lastIndexOf(';') === migration.up.length - 1 ? migration.up : `${migration.up};`;
        const steps = [sql, `INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ('${migration.name}', NOW());`];
        for (const step of migration.noTransaction ? ['COMMIT;', ...steps, 'BEGIN;'] : steps) await client.query(step);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      return err as Error;
    }
    return undefined;
  } finally {
    await client.end();
  }
}
