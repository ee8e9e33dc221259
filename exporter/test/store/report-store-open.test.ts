import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { STORE_APPLICATION_ID, STORE_MIGRATIONS, STORE_SCHEMA_VERSION } from '../../src/store/migrations.ts';
import { REPORT_STORE_FILE, ReportStore, StoreError } from '../../src/store/report-store.ts';
import { syntheticReport, tempDir } from './store-fixture.ts';

let tmp: ReturnType<typeof tempDir>;
let file: string;

beforeEach(() => {
  tmp = tempDir('store-open');
  file = path.join(tmp.dir, REPORT_STORE_FILE);
});

afterEach(() => tmp.remove());

/** Opens and expects a StoreError naming the file; the file must be left exactly as it was. */
function expectRefused(pattern: RegExp): StoreError {
  const before = readFileSync(file);
  let error: unknown;
  try {
    ReportStore.open(tmp.dir).close();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(StoreError);
  expect(error).toBeInstanceOf(ConfigError);
  const storeError = error as StoreError;
  expect(storeError.message).toMatch(pattern);
  expect(storeError.message).not.toContain('\n');
  expect(storeError.context.file).toBe(file);
  expect(storeError.describe()).toContain(file);
  expect(readFileSync(file).equals(before)).toBe(true);
  return storeError;
}

describe('opening', () => {
  it('creates the data directory, the file and its tables, in WAL mode', () => {
    const nested = path.join(tmp.dir, 'a', 'b');
    const logged: string[] = [];
    const store = ReportStore.open(nested, { logger: { info: (_f, m) => logged.push(m), warn: (_f, m) => logged.push(m) } });
    try {
      expect(store.file).toBe(path.join(nested, REPORT_STORE_FILE));
      expect(store.save(syntheticReport({ target: 'a', status: 'in_sync', seq: 1 }))).toBe(1);
    } finally {
      store.close();
    }
    expect(logged).toEqual(['report store schema migrated']);
    const db = new DatabaseSync(path.join(nested, REPORT_STORE_FILE), { readOnly: true });
    try {
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: STORE_SCHEMA_VERSION });
    } finally {
      db.close();
    }
    // A second open migrates nothing and logs nothing.
    logged.length = 0;
    ReportStore.open(nested, { logger: { info: (_f, m) => logged.push(m), warn: (_f, m) => logged.push(m) } }).close();
    expect(logged).toEqual([]);
  });

  it('refuses a file that is not SQLite, and leaves it alone', () => {
    writeFileSync(file, Buffer.alloc(8192, 'not a database, just bytes. '));
    expectRefused(/report store cannot be opened: file is not a database/);
  });

  it('refuses a store with a damaged page', () => {
    const store = ReportStore.open(tmp.dir);
    for (let seq = 1; seq <= 20; seq++) store.save(syntheticReport({ target: 'a', status: 'in_sync', seq, tables: seq % 2 ? 3 : 300 }));
    store.close();
    const fd = openSync(file, 'r+');
    try {
      // Page 4's b-tree header (pages are 4096 bytes; page 1 holds the file header).
      writeSync(fd, Buffer.alloc(100, 0xab), 0, 100, 3 * 4096);
    } finally {
      closeSync(fd);
    }
    expectRefused(/report store cannot be opened: (damaged \(PRAGMA quick_check\)|database disk image is malformed)/);
  });

  it('refuses an unrelated SQLite database instead of adding tables to it', () => {
    const db = new DatabaseSync(file);
    db.exec('CREATE TABLE invoices (id integer primary key)');
    db.close();
    expectRefused(/not a schema-drift report store \(it holds other tables\)/);
  });

  it('refuses a store written by a newer schema-drift', () => {
    ReportStore.open(tmp.dir).close();
    const db = new DatabaseSync(file);
    db.exec(`PRAGMA user_version = ${STORE_SCHEMA_VERSION + 1}`);
    db.close();
    expectRefused(new RegExp(`store schema version ${STORE_SCHEMA_VERSION + 1} was written by a newer schema-drift`));
  });

  it('says so when the data directory cannot be created', () => {
    const blocker = path.join(tmp.dir, 'blocker');
    writeFileSync(blocker, 'a file where the data directory should be');
    expect(() => ReportStore.open(path.join(blocker, 'data'))).toThrow(/report store: cannot create data directory/);
  });
});

describe('store schema version 2 (status deploying)', () => {
  it('migrates a version-1 store: reports, ids and the id counter kept; deploying accepted', () => {
    const [v1] = STORE_MIGRATIONS;
    if (!v1) throw new Error('no version 1');
    const db = new DatabaseSync(file);
    db.exec(v1.sql);
    db.exec(`PRAGMA application_id = ${STORE_APPLICATION_ID}`);
    db.exec('PRAGMA user_version = 1');
    const insert = db.prepare(`INSERT INTO reports (target, status, prev_status, status_since, drift_since, started_at, finished_at,
      duration_ms, changes_total, extra, missing, changed, pending, error_reason, error_message, report_encoding, report_json)
      VALUES (?, ?, NULL, ?, NULL, ?, ?, 1500, 0, 0, 0, 0, 0, NULL, NULL, 'json', ?)`);
    for (const seq of [1, 2, 3]) {
      const report = syntheticReport({ target: 'a', status: 'in_sync', seq });
      insert.run('a', 'in_sync', report.finishedAt, report.startedAt, report.finishedAt, JSON.stringify({ ...report, id: seq }));
    }
    // A pruned report: its id must not be given out again.
    db.exec('DELETE FROM reports WHERE id = 3');
    expect(() => insert.run('a', 'deploying', 'x', 'x', 'x', '{}')).toThrow(/CHECK constraint/);
    db.close();

    const store = ReportStore.open(tmp.dir);
    try {
      expect(store.latest('a')?.id).toBe(2);
      expect(store.list('a', { limit: 10 }).map((r) => r.id)).toEqual([2, 1]);
      const id = store.save({ ...syntheticReport({ target: 'a', status: 'in_sync', seq: 4 }), status: 'deploying' });
      expect(id).toBe(4);
      expect(store.latest('a')?.status).toBe('deploying');
      expect(store.statusSince('a')).toMatchObject({ status: 'deploying' });
    } finally {
      store.close();
    }
  });
});

describe('a deploy in flight and the drift it interrupts', () => {
  it('neither ends nor starts a drift: drift_since is kept across deploying reports', () => {
    const store = ReportStore.open(tmp.dir);
    try {
      store.save(syntheticReport({ target: 'a', status: 'drift', seq: 1 }));
      const first = store.driftSince('a');
      expect(first).not.toBeNull();
      store.save({ ...syntheticReport({ target: 'a', status: 'in_sync', seq: 2 }), status: 'deploying' });
      expect(store.driftSince('a')).toBe(first);
      store.save(syntheticReport({ target: 'a', status: 'drift', seq: 3 }));
      expect(store.driftSince('a')).toBe(first);
    } finally {
      store.close();
    }
  });
});
