/**
 * The MySQL/MariaDB schema fingerprint (`dialects/mysql/fingerprint.ts`) on the real server, read as the watch reads
 * it (a read-only session from the dialect): unchanged by maintenance and ordinary writes, changed by every DDL
 * statement the planner writes for the convergence fixtures (each statement of each a→b plan, applied one at a time).
 * Its gate (the server's DDL counters) is read as the watch reads it, with a 3 s quiet time, and per session
 * (`SHOW SESSION STATUS` on the connection that ran the statement), since other tests run DDL on the same server:
 * every DDL statement moves it, maintenance and writes do not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_QUERY_EVERY_MS, gateQuietMs, type FingerprintGatePolicy, type SchemaFingerprint } from '../../src/dialects/dialect.ts';
import {
  DDL_COUNTERS_SQL,
  ddlGate,
  gateLets,
  gateUnchanged,
  serverIdentity,
} from '../../src/dialects/mysql/fingerprint.ts';
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

/** A short quiet time, so that a test sees the gate skip within seconds rather than the watch's minute. */
const QUICK: FingerprintGatePolicy = { quietMs: 3_000, fullQueryEveryMs: FULL_QUERY_EVERY_MS };

/** A quiet time longer than the reads of a test take: every read after the counters moved runs the query. */
const LONG: FingerprintGatePolicy = { quietMs: 60_000, fullQueryEveryMs: FULL_QUERY_EVERY_MS };

/** As the watch reads it: the previous read handed back, so the dialect may answer from its gate. */
async function watchRead(db: TempDatabase, previous: SchemaFingerprint | null, gate: FingerprintGatePolicy | false = QUICK): Promise<SchemaFingerprint> {
  const session = await dialect.connect({ url: db.url, target: 'fingerprint-test', statementTimeoutMs: 30_000 });
  try {
    return await session.fingerprint({ previous, gate });
  } finally {
    await session.close();
  }
}

/**
 * Reads as the watch does until one is answered by the gate (the counters still for the quiet time), for at most
 * `limitMs`: other tests run DDL on this server, which moves the server-wide counters. Every read must keep `value`.
 */
async function untilSkipped(db: TempDatabase, first: SchemaFingerprint, limitMs = 90_000): Promise<SchemaFingerprint> {
  const deadline = Date.now() + limitMs;
  let last = first;
  while (Date.now() < deadline) {
    const next = await watchRead(db, last);
    expect(next.value).toBe(first.value);
    last = next;
    if (next.queried === false) return next;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no read was answered by the gate within ${limitMs} ms (its counters never still for ${QUICK.quietMs} ms?)`);
}

/** The DDL counters of `conn`'s own session: what the statements run on it added to the server's gate. */
async function sessionDdl(conn: mysql.Connection): Promise<string> {
  const [rows] = await conn.query(DDL_COUNTERS_SQL.replace('SHOW GLOBAL STATUS', 'SHOW SESSION STATUS'));
  return (ddlGate(rows as { Variable_name: string; Value: string }[], 'this server') ?? 'unknown').split('@')[0] as string;
}

describe('MySQL fingerprint gate (the server DDL counters)', () => {
  const rows = (ddl: string, uptime: string) => [
    { Variable_name: 'Com_alter_table', Value: ddl },
    { Variable_name: 'Com_create_temporary_table', Value: '99' },
    { Variable_name: 'Uptime', Value: uptime },
    { Variable_name: 'Uptime_since_flush_status', Value: uptime },
  ];

  it('compares the counts exactly, the server exactly, and the start and flush times within a few seconds', () => {
    const a = ddlGate(rows('5', '100'), 'uuid:1', 1_000_000);
    expect(a).toBe('5@999900/999900#uuid:1');
    expect(gateUnchanged(a, ddlGate(rows('5', '160'), 'uuid:1', 1_000_061))).toBe(true); // a minute later, a second apart
    expect(gateUnchanged(a, ddlGate(rows('6', '160'), 'uuid:1', 1_000_060))).toBe(false);
    expect(gateUnchanged(a, ddlGate(rows('5', '10'), 'uuid:1', 1_000_060))).toBe(false); // restarted
    expect(gateUnchanged(a, ddlGate(rows('5', '160'), 'uuid:2', 1_000_060))).toBe(false); // another server answered
    expect(gateUnchanged(a, 'unknown')).toBe(false);
    expect(gateUnchanged(a, undefined)).toBe(false);
  });

  it('is unknown without Com_alter_table, without Uptime, or without the server identity', () => {
    expect(ddlGate([], 'uuid:1')).toBeUndefined(); // no Com_* rows at all: not "no DDL"
    expect(ddlGate([{ Variable_name: 'Uptime', Value: '100' }, { Variable_name: 'Com_create_table', Value: '3' }], 'uuid:1')).toBeUndefined();
    expect(ddlGate([{ Variable_name: 'Com_alter_table', Value: '3' }], 'uuid:1')).toBeUndefined();
    expect(ddlGate(rows('5', '100'), undefined)).toBeUndefined();
  });

  it('names the server by server_uuid, else (MariaDB) by server_id and hostname', () => {
    const uuid = { Variable_name: 'server_uuid', Value: '3e11fa47-71ca-11e1-9e33-c80aa9429562' };
    const id = { Variable_name: 'server_id', Value: '1' };
    const host = { Variable_name: 'hostname', Value: 'db1' };
    expect(serverIdentity([id, host, uuid])).toBe('uuid:3e11fa47-71ca-11e1-9e33-c80aa9429562');
    expect(serverIdentity([id, host])).toBe('id:1:db1');
    expect(serverIdentity([id])).toBeUndefined();
    expect(serverIdentity([])).toBeUndefined();
  });

  it('skips the query only after max(2 × watch, 60 s) of still counters, and never for longer than ten minutes', () => {
    expect(gateQuietMs(2_000)).toBe(60_000);
    expect(gateQuietMs(300_000)).toBe(600_000);
    const policy = { quietMs: 60_000, fullQueryEveryMs: FULL_QUERY_EVERY_MS };
    const gate = { value: '5@1/1#uuid:1', movedAt: 10_000, queriedAt: 65_000 };
    expect(gateLets(gate, '5@1/1#uuid:1', 69_999, policy)).toBe(false); // still for less than the quiet time
    expect(gateLets(gate, '5@1/1#uuid:1', 70_000, policy)).toBe(true);
    expect(gateLets(gate, '5@1/1#uuid:1', 665_000, policy)).toBe(false); // the forced query
    expect(gateLets(gate, '6@1/1#uuid:1', 70_000, policy)).toBe(false);
    expect(gateLets(gate, '5@1/1#uuid:2', 70_000, policy)).toBe(false);
    expect(gateLets(gate, undefined, 70_000, policy)).toBe(false);
  });

  it('as the watch reads: queries, skips once the counters are still, and sees an ALTER TABLE run on a connection still open', async () => {
    const db = await createTempMysqlDatabase('sdfp');
    try {
      await db.exec('CREATE TABLE t (id int PRIMARY KEY)');
      const first = await watchRead(db, null);
      expect(first).toMatchObject({ queried: true, gate: { value: expect.stringMatching(/#/) } });
      expect(first.gateError).toBeUndefined();
      const skipped = await untilSkipped(db, first);
      await withMysqlConnection(db, async (conn) => {
        await conn.query('ALTER TABLE t ADD COLUMN note text');
        const after = await watchRead(db, skipped); // the connection that ran it still open
        expect(after.queried).toBe(true);
        expect(after.value).not.toBe(first.value);
      });
    } finally {
      await db.drop();
    }
  }, 120_000);

  it('keeps querying while an ALTER TABLE waits for its metadata lock, and sees it once it ends', async () => {
    const db = await createTempMysqlDatabase('sdfp');
    try {
      await db.exec('CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)');
      const first = await watchRead(db, null);
      let last = await untilSkipped(db, first);
      await withMysqlConnection(db, async (holder) => {
        await holder.query('BEGIN');
        await holder.query('SELECT * FROM t'); // a long transaction: its metadata lock holds the ALTER back
        await withMysqlConnection(db, async (alterer) => {
          const [[{ id }]] = (await alterer.query('SELECT CONNECTION_ID() AS id')) as unknown as [[{ id: number }]];
          const altering = alterer.query('ALTER TABLE t ADD COLUMN note text');
          try {
            for (;;) {
              const [waiting] = (await holder.query('SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = ?', [id])) as unknown as [{ STATE: string }[]];
              if (/metadata lock/i.test(waiting[0]?.STATE ?? '')) break;
              await new Promise((resolve) => setTimeout(resolve, 50));
            }
            // The counter moved when the ALTER started; reads now must run the query, for the quiet time, though the
            // counters stay still while it waits.
            for (let i = 0; i < 3; i += 1) {
              last = await watchRead(db, last, LONG);
              expect(last.queried, `read ${i + 1} while the ALTER waits`).toBe(true);
              expect(last.value).toBe(first.value);
            }
          } finally {
            await holder.query('COMMIT');
            await altering;
          }
        });
      });
      const after = await watchRead(db, last, LONG);
      expect(after.queried).toBe(true);
      expect(after.value).not.toBe(first.value);
    } finally {
      await db.drop();
    }
  }, 120_000);

  it('with the gate off (watchCounters: false) runs the query every time', async () => {
    const db = await createTempMysqlDatabase('sdfp');
    try {
      const first = await watchRead(db, null, false);
      const second = await watchRead(db, first, false);
      expect([first.queried, second.queried, first.gate, second.gate]).toEqual([true, true, undefined, undefined]);
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
