/**
 * Both stores behind one harness, so one suite runs against each (`describe.each(STORE_KINDS)`): the embedded SQLite
 * store on a temp directory, and the PostgreSQL store in a schema of its own per test inside a temporary database
 * (`SCHEMA_DRIFT_TEST_PG_URL`), dropped afterwards. Without a reachable server the PostgreSQL half fails, never skips.
 */
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import pg from 'pg';
import { decodeReportJson } from '../../src/store/report-codec.ts';
import { PgStore } from '../../src/store/pg-store.ts';
import { REPORT_STORE_FILE } from '../../src/store/report-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';
import { tempDir } from './store-fixture.ts';

/** A stored row read directly, bypassing the store. */
export interface RawRow {
  readonly encoding: string;
  readonly value: unknown;
  readonly json: Record<string, unknown>;
}

/** One store under test: opened fresh by `create`, re-opened on the same data by `open`. */
export interface StoreHarness {
  /** Opens the store (again) on this test's data. */
  open(): Promise<Store>;
  /** Reads a row without the store. */
  raw(id: number): Promise<RawRow>;
  /** Space the reports take (SQLite pages; PostgreSQL table bytes after a VACUUM FULL). */
  size(): Promise<number>;
  remove(): Promise<void>;
}

/** How to make a {@link StoreHarness}, per kind. */
export interface StoreKind {
  readonly kind: 'sqlite' | 'postgres';
  /** Called once per file (beforeAll). */
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  create(): Promise<StoreHarness>;
}

function sqliteKind(): StoreKind {
  return {
    kind: 'sqlite',
    setUp: async () => {},
    tearDown: async () => {},
    create: async () => {
      const tmp = tempDir('store');
      const withDb = <T>(fn: (db: DatabaseSync) => T): T => {
        const db = new DatabaseSync(path.join(tmp.dir, REPORT_STORE_FILE), { readOnly: true });
        try {
          return fn(db);
        } finally {
          db.close();
        }
      };
      return {
        open: async () => SqliteStore.open(tmp.dir),
        raw: async (id) =>
          withDb((db) => {
            const row = db.prepare('SELECT report_encoding, report_json FROM reports WHERE id = ?').get(id) as { report_encoding: string; report_json: unknown };
            return { encoding: row.report_encoding, value: row.report_json, json: JSON.parse(decodeReportJson(row.report_encoding, row.report_json)) as Record<string, unknown> };
          }),
        size: async () => withDb((db) => (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count),
        remove: async () => tmp.remove(),
      };
    },
  };
}

function postgresKind(): StoreKind {
  let db: TempDatabase | undefined;
  const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const client = new pg.Client({ connectionString: db!.url });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    kind: 'postgres',
    setUp: async () => {
      db = await createTempPgDatabase('sdstore');
    },
    tearDown: async () => {
      await db?.drop();
    },
    create: async () => {
      const schema = `store_${randomBytes(4).toString('hex')}`;
      return {
        open: () => PgStore.open({ url: db!.url, schema }),
        raw: async (id) => {
          const [row] = await query<{ report_encoding: string; report_text: string | null; report_bytes: Buffer | null }>(
            `SELECT report_encoding, report_text, report_bytes FROM "${schema}".reports WHERE id = $1`,
            [id],
          );
          const value = row!.report_encoding === 'br' ? new Uint8Array(row!.report_bytes!) : row!.report_text;
          return { encoding: row!.report_encoding, value, json: JSON.parse(decodeReportJson(row!.report_encoding, value)) as Record<string, unknown> };
        },
        size: async () => {
          // VACUUM gives dead rows' space back the way SQLite's incremental vacuum does after a prune.
          await query(`VACUUM FULL "${schema}".reports`);
          const [row] = await query<{ bytes: string }>(`SELECT pg_table_size($1::regclass) AS bytes`, [`"${schema}".reports`]);
          return Number(row!.bytes);
        },
        remove: async () => {
          await query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        },
      };
    },
  };
}

/** The two stores the suite runs against. */
export const STORE_KINDS: readonly StoreKind[] = [sqliteKind(), postgresKind()];
