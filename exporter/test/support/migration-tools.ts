/**
 * Deploying a fixture directory the way its migration tool does, leaving the tool's own revision rows, so a check can
 * be run against what the tool leaves behind:
 * - drizzle-kit's journal layout with drizzle-orm's real migrator (`drizzle-orm/node-postgres/migrator`,
 *   `drizzle-orm/mysql2/migrator`) on the drivers the exporter already uses;
 * - Prisma Migrate emulated (its CLI needs a downloaded engine binary): `_prisma_migrations` created with the DDL of
 *   prisma-engines' `create_migrations_table` for the dialect, and each folder applied as `migrate deploy` does (a
 *   row started with the sha256 of `migration.sql`, the script run as one multi-statement query, then `finished_at`
 *   set, or `logs` set when it fails);
 * - drizzle-kit's folder layout emulated as drizzle-orm 1.x's migrator applies it (the 1.x table with `name`, all
 *   pending migrations in one transaction, each breakpoint part one query, a row per migration with its folder
 *   name, `created_at` from the folder's timestamp and the hash of the LF-normalised file).
 */
import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2';
import { migrate as migrateMysql } from 'drizzle-orm/mysql2/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DialectName } from '../../src/core/model/schema.ts';
import { breakpointStatements, readMigrationDirectory } from '../../src/migrations/index.ts';
import type { MigrationFile } from '../../src/migrations/types.ts';
import type { TempDatabase } from './servers.ts';
import { connectSql } from './sql-client.ts';

/** A tool that can deploy the first `count` migrations of a directory into a database. */
export type ToolFormat = 'prisma' | 'drizzle' | 'drizzle-folders';

/** A client of either server that runs one query (several statements allowed on MySQL). */
interface Client {
  query(sql: string, params?: unknown[]): Promise<void>;
  /** The first column of a query's rows, as text. */
  column(sql: string): Promise<string[]>;
  close(): Promise<void>;
}

async function connect(dialect: DialectName, url: string): Promise<Client> {
  // $n placeholders on PostgreSQL (`p`), so no `?` is rewritten; MySQL runs a migration file's statements at once.
  const client = await connectSql(dialect, url, { multipleStatements: true });
  return {
    query: async (sql, params) => void (await client.query(sql, params)),
    column: async (sql) => (await client.query(sql)).map((r) => String(r.v)),
    close: () => client.close(),
  };
}

/**
 * Deploys the first `count` migrations of `dir` with `format`'s tool. Returns the error the tool met, if it failed
 * (the rows it wrote stay, as they do after a failed deploy).
 */
export async function deployWithTool(
  format: ToolFormat,
  dialect: DialectName,
  db: TempDatabase,
  dir: string,
  count: number,
): Promise<Error | undefined> {
  try {
    if (format === 'drizzle') await drizzleMigrator(dialect, db.url, dir, count);
    else if (format === 'prisma') await prismaDeploy(dialect, db.url, dir, count);
    else await drizzleFoldersMigrator(dialect, db.url, dir, count);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

/** drizzle-orm's own migrator over a copy of `dir` whose journal lists only the first `count` entries. */
async function drizzleMigrator(dialect: DialectName, url: string, dir: string, count: number): Promise<void> {
  const copy = await mkdtemp(path.join(tmpdir(), 'sd-drizzle-'));
  try {
    await cp(dir, copy, { recursive: true });
    const journalPath = path.join(copy, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: unknown[] };
    await writeFile(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, count) }));
    if (dialect === 'postgres') {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await migratePg(drizzlePg(client), { migrationsFolder: copy });
      } finally {
        await client.end();
      }
    } else {
      const conn = await mysql.createConnection({ uri: url });
      try {
        await migrateMysql(drizzleMysql(conn), { migrationsFolder: copy });
      } finally {
        await conn.end();
      }
    }
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

/** prisma-engines' `create_migrations_table`, per dialect. */
const PRISMA_TABLE: Record<DialectName, string> = {
  postgres: `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`,
  mysql: `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count     INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`,
};

/** `prisma migrate deploy` of the first `count` folders not yet recorded as finished. */
async function prismaDeploy(dialect: DialectName, url: string, dir: string, count: number): Promise<void> {
  const directory = await readMigrationDirectory(dir, { format: 'prisma' });
  const client = await connect(dialect, url);
  const p = (i: number): string => (dialect === 'postgres' ? `$${i}` : '?');
  const now = dialect === 'postgres' ? 'now()' : 'CURRENT_TIMESTAMP(3)';
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS ${PRISMA_TABLE[dialect].slice('CREATE TABLE '.length)}`);
    // deploy applies every folder without a finished, not rolled-back row.
    const applied = new Set(
      await client.column('SELECT migration_name AS v FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL'),
    );
    for (const file of directory.files.slice(0, count).filter((f) => !applied.has(f.version as string))) {
      const id = randomUUID();
      const script = await readFile(path.join(dir, file.path), 'utf8');
      const checksum = createHash('sha256').update(script).digest('hex');
      await client.query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, applied_steps_count) VALUES (${p(1)}, ${p(2)}, ${p(3)}, 0)`,
        [id, checksum, file.version],
      );
      try {
        await client.query(script);
      } catch (err) {
        await client.query(`UPDATE _prisma_migrations SET logs = ${p(1)} WHERE id = ${p(2)}`, [(err as Error).message, id]);
        throw err;
      }
      await client.query(`UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1 WHERE id = ${p(1)}`, [id]);
      await client.query(`UPDATE _prisma_migrations SET finished_at = ${now} WHERE id = ${p(1)}`, [id]);
    }
  } finally {
    await client.close();
  }
}

/** drizzle-orm 1.x's table (the 0.x one plus what its upgrade adds), per dialect. */
const DRIZZLE_V1_TABLE: Record<DialectName, string> = {
  postgres: `CREATE SCHEMA IF NOT EXISTS "drizzle";
CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (
  id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint, name text,
  applied_at timestamp with time zone DEFAULT now(), version integer)`,
  mysql: 'create table if not exists `__drizzle_migrations` (id serial primary key, hash text not null, created_at bigint, ' +
    'name text, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, version INT)',
};

/** drizzle-orm's `formatToMillis` of a folder's 14-digit timestamp. */
function folderMillis(name: string): number {
  const n = (from: number, to: number): number => Number(name.slice(from, to));
  return Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14));
}

/** drizzle-orm 1.x's migrator over the first `count` folders: those without a row of their name, in one transaction. */
async function drizzleFoldersMigrator(dialect: DialectName, url: string, dir: string, count: number): Promise<void> {
  const directory = await readMigrationDirectory(dir, { format: 'drizzle-folders' });
  const client = await connect(dialect, url);
  const table = dialect === 'postgres' ? '"drizzle"."__drizzle_migrations"' : '`__drizzle_migrations`';
  const p = (i: number): string => (dialect === 'postgres' ? `$${i}` : '?');
  try {
    await client.query(DRIZZLE_V1_TABLE[dialect]);
    // 1.x's getMigrationsToRun: the folders no row names.
    const applied = new Set(await client.column(`SELECT name AS v FROM ${table} WHERE name IS NOT NULL`));
    const toRun = directory.files.slice(0, count).filter((f) => !applied.has(f.version as string));
    await client.query('BEGIN');
    try {
      for (const file of toRun) await applyDrizzleFolder(client, dir, file, table, p);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  } finally {
    await client.close();
  }
}

async function applyDrizzleFolder(client: Client, dir: string, file: MigrationFile, table: string, p: (i: number) => string): Promise<void> {
  const text = (await readFile(path.join(dir, file.path), 'utf8')).replace(/\r\n/g, '\n');
  for (const statement of breakpointStatements(text)) await client.query(statement.sql);
  const name = file.version as string;
  await client.query(`INSERT INTO ${table} (hash, created_at, name, version) VALUES (${p(1)}, ${p(2)}, ${p(3)}, 1)`, [
    createHash('sha256').update(text).digest('hex'),
    folderMillis(name),
    name,
  ]);
}
