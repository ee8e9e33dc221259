/**
 * The MySQL/MariaDB schema fingerprint (`dialects/mysql/fingerprint.ts`) on the real server, read as the watch reads
 * it (a read-only session from the dialect): unchanged by maintenance and ordinary writes, changed by every DDL
 * statement the planner writes for the convergence fixtures (each statement of each a→b plan, applied one at a time).
 * Its gate, the server's DDL counters, is read per session here (`SHOW SESSION STATUS` on the connection that ran the
 * statement), since other tests run DDL on the same server: every DDL statement moves it, maintenance and writes do
 * not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaFingerprint } from '../../src/dialects/dialect.ts';
import { DDL_COUNTERS_SQL, ddlGate, gateLets, gateUnchanged } from '../../src/dialects/mysql/fingerprint.ts';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import { dialectNamed } from '../../src/dialects/registry.ts';
import { mysqlHooks } from '../../src/dialects/mysql/hooks.ts';
import { planMysql } from '../../src/dialects/mysql/plan.ts';
import { createTempMysqlDatabase, type TempDatabase, withMysqlConnection } from '../support/servers.ts';
import { FIXTURE_INSPECT, inspectTemp, runClientScript } from './convergence-support.ts';

const ROOT = fileURLToPath(new URL('../fixtures/mysql/convergence/', import.meta.url));
const CASES = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const dialect = dialectNamed('mysql');

/**
 * Statements the fingerprint knowingly does not see (`dialects/mysql/fingerprint.ts`): MariaDB keeps a sequence's
 * options in the sequence itself, with no `information_schema` view. The scheduled check finds them.
 */
const NOT_SEEN = /^ALTER SEQUENCE /;

async function fingerprint(db: TempDatabase): Promise<string> {
  const session = await dialect.connect({ url: db.url, target: 'fingerprint-test', statementTimeoutMs: 30_000 });
  try {
    return (await session.fingerprint({})).value;
  } finally {
    await session.close();
  }
}

/** As the watch reads it: the previous read handed back, so the dialect may answer from its gate. */
async function watchRead(db: TempDatabase, previous: SchemaFingerprint | null): Promise<SchemaFingerprint> {
  const session = await dialect.connect({ url: db.url, target: 'fingerprint-test', statementTimeoutMs: 30_000 });
  try {
    return await session.fingerprint({ previous });
  } finally {
    await session.close();
  }
}

/** The DDL counters of `conn`'s own session: what the statements run on it added to the server's gate. */
async function sessionDdl(conn: mysql.Connection): Promise<string> {
  const [rows] = await conn.query(DDL_COUNTERS_SQL.replace('SHOW GLOBAL STATUS', 'SHOW SESSION STATUS'));
  return ddlGate(rows as { Variable_name: string; Value: string }[]).split('@')[0] as string;
}

describe('MySQL fingerprint gate (the server DDL counters)', () => {
  it('compares the counts exactly and the start and flush times within a few seconds', () => {
    const rows = (ddl: string, uptime: string) => [
      { Variable_name: 'Com_alter_table', Value: ddl },
      { Variable_name: 'Com_create_temporary_table', Value: '99' },
      { Variable_name: 'Uptime', Value: uptime },
      { Variable_name: 'Uptime_since_flush_status', Value: uptime },
    ];
    const a = ddlGate(rows('5', '100'), 1_000_000);
    expect(a).toBe('5@999900/999900');
    expect(gateUnchanged(a, ddlGate(rows('5', '160'), 1_000_061))).toBe(true); // a minute later, a second apart
    expect(gateUnchanged(a, ddlGate(rows('6', '160'), 1_000_060))).toBe(false);
    expect(gateUnchanged(a, ddlGate(rows('5', '10'), 1_000_060))).toBe(false); // restarted
    expect(gateUnchanged(a, 'unknown')).toBe(false);
  });

  it('skips the query only when settled, and never for longer than ten minutes', () => {
    const gate = { value: '5@1/1', settled: true, queriedAt: 0 };
    expect(gateLets(gate, '5@1/1', 60_000)).toBe(true);
    expect(gateLets({ ...gate, settled: false }, '5@1/1', 60_000)).toBe(false);
    expect(gateLets(gate, '5@1/1', 600_000)).toBe(false);
    expect(gateLets(gate, '6@1/1', 60_000)).toBe(false);
  });

  it('as the watch reads: queries, settles, skips while nothing runs DDL, and sees an ALTER TABLE at once', async () => {
    const db = await createTempMysqlDatabase('sdfp');
    try {
      await db.exec('CREATE TABLE t (id int PRIMARY KEY)');
      const first = await watchRead(db, null);
      expect(first).toMatchObject({ queried: true, gate: { settled: false } });
      // Other tests run DDL on this server, which moves the counters: a skip comes once they are still for one read.
      let last = first;
      let skipped = false;
      for (let i = 0; i < 30 && !skipped; i += 1) {
        const next = await watchRead(db, last);
        expect(next.value).toBe(first.value);
        skipped = next.queried === false;
        last = next;
      }
      expect(skipped, 'a read answered by the gate').toBe(true);
      await db.exec('ALTER TABLE t ADD COLUMN note text');
      const after = await watchRead(db, last);
      expect(after.queried).toBe(true);
      expect(after.value).not.toBe(first.value);
    } finally {
      await db.drop();
    }
  });
});

describe('MySQL schema fingerprint: what leaves it alone', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await createTempMysqlDatabase('sdfp');
    await runClientScript(db, readFileSync(`${ROOT}indexes/a.sql`, 'utf8'));
    await db.exec(`CREATE TABLE watch_rows (id bigint AUTO_INCREMENT PRIMARY KEY, label varchar(100) NOT NULL, KEY (label))`);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const steps: [string, string][] = [
    ['1,000 inserts (AUTO_INCREMENT advances)', `INSERT INTO watch_rows (label) SELECT CONCAT('row ', seq) FROM seq_1_to_1000`],
    ['updates and deletes', `UPDATE watch_rows SET label = CONCAT(label, '!') WHERE id % 2 = 0; DELETE FROM watch_rows WHERE id % 7 = 0`],
    ['ANALYZE TABLE', 'ANALYZE TABLE watch_rows'],
    ['OPTIMIZE TABLE (a rebuild)', 'OPTIMIZE TABLE watch_rows'],
    ['a temporary table', 'CREATE TEMPORARY TABLE scratch (id int PRIMARY KEY); DROP TEMPORARY TABLE scratch'],
  ];

  it.each(steps)('%s: neither the fingerprint nor the DDL counters move', async (_name, sql) => {
    const before = await fingerprint(db);
    await withMysqlConnection(db, async (conn) => {
      const counted = await sessionDdl(conn);
      await conn.query(sql);
      expect(await sessionDdl(conn)).toBe(counted);
    });
    expect(await fingerprint(db)).toBe(before);
  });

  it('changes with a hand-made ALTER TABLE, not with DDL in another database', async () => {
    const other = await createTempMysqlDatabase('sdfp');
    try {
      const before = await fingerprint(db);
      await other.exec('CREATE TABLE t (id int PRIMARY KEY); ALTER TABLE t ADD COLUMN note text');
      expect(await fingerprint(db)).toBe(before);
      await db.exec('ALTER TABLE watch_rows ADD COLUMN note text');
      expect(await fingerprint(db)).not.toBe(before);
    } finally {
      await other.drop();
    }
  });
});

describe('MySQL schema fingerprint: every DDL statement of the convergence plans changes it', () => {
  it('has the convergence cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });

  // A statement and a fingerprint each (PostgreSQL: an inspection too): minutes for the largest cases on a busy machine.
  it.each(CASES)('%s: a → b, statement by statement', async (name) => {
    const current = await createTempMysqlDatabase('sdfp');
    const desired = await createTempMysqlDatabase('sdfp');
    const inspect = FIXTURE_INSPECT;
    try {
      await runClientScript(current, readFileSync(`${ROOT}${name}/a.sql`, 'utf8'));
      await runClientScript(desired, readFileSync(`${ROOT}${name}/b.sql`, 'utf8'));
      const desiredSnap = await inspectTemp(desired, inspect);
      const before = await inspectTemp(current, inspect);
      const plan = planMysql(diffSchemas({ current: before, desired: desiredSnap, hooks: mysqlHooks }), { current: before, desired: desiredSnap });
      const ddl = plan.statements.filter((s) => !/^\s*SET\b/i.test(s.sql));
      expect(ddl.length).toBeGreaterThan(0);
      let last = await fingerprint(current);
      const unchanged: string[] = [];
      const uncounted: string[] = [];
      await withMysqlConnection(current, async (conn) => {
        for (const statement of ddl) {
          const counted = await sessionDdl(conn);
          await conn.query(statement.sql);
          if ((await sessionDdl(conn)) === counted) uncounted.push(statement.sql);
          const next = await fingerprint(current);
          if (next === last && !NOT_SEEN.test(statement.sql)) unchanged.push(statement.sql);
          last = next;
        }
      });
      expect(unchanged, 'statements that left the fingerprint unchanged').toEqual([]);
      expect(uncounted, 'statements that left the DDL counters (the gate) unchanged').toEqual([]);
    } finally {
      await Promise.all([current.drop(), desired.drop()]);
    }
  }, 300_000);
});
