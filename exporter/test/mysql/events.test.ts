/**
 * Events on MariaDB (on by default for a target, an opt-in of the inspector itself): a user without the EVENT
 * privilege gets a warning instead of events; a start time the server filled in at creation is not drift, an explicit one
 * is compared; echoes of the creating session are not drift; a side inspected without events says nothing about them;
 * the planner's statements and the whole-schema DDL.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalKey } from '../../src/engine/desired-cache.ts';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import { metricKind, changeSubject, type Change } from '../../src/core/model/change.ts';
import type { SchemaSnapshot } from '../../src/core/model/schema.ts';
import { renderMysqlDdl } from '../../src/dialects/mysql/ddl.ts';
import { mysqlDialect } from '../../src/dialects/mysql/index.ts';
import { readLive } from '../../src/engine/live.ts';
import { mysqlHooks } from '../../src/dialects/mysql/hooks.ts';
import { planMysql, renderMysqlPlanSql } from '../../src/dialects/mysql/plan.ts';
import { MYSQL_URL, createTempMysqlDatabase, execMysql, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';
import { testConnection } from '../../src/agent/test-connection.ts';
import { eventsNotReadable } from '../../src/dialects/mysql/inspect-routines.ts';
import { describeChanges, inspectTemp, runClientScript } from './convergence-support.ts';

const EVENTS = `
CREATE TABLE ticks (id INT AUTO_INCREMENT PRIMARY KEY, at DATETIME);
CREATE EVENT hourly ON SCHEDULE EVERY 1 HOUR COMMENT 'keeps time' DO INSERT INTO ticks (at) VALUES (NOW());
CREATE EVENT later ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO DELETE FROM ticks;
`;

const diff = (current: SchemaSnapshot, desired: SchemaSnapshot): Change[] => diffSchemas({ current, desired, hooks: mysqlHooks });

/** Loads `sql` into a new temporary database. */
async function load(sql: string, dbs: TempDatabase[]): Promise<TempDatabase> {
  const db = await createTempMysqlDatabase('sdevt');
  dbs.push(db);
  await runClientScript(db, sql);
  return db;
}

describe('MySQL events on MariaDB', () => {
  const dbs: TempDatabase[] = [];
  let first: SchemaSnapshot;
  let second: SchemaSnapshot;

  beforeAll(async () => {
    const a = await load(EVENTS, dbs);
    // Creation times one second apart at least: the filled-in STARTS of `hourly` differs between the two.
    await sleep(1100);
    const b = await load(`SET time_zone = '+02:00';\n${EVENTS}`, dbs);
    [first, second] = await Promise.all([inspectTemp(a, { events: true }), inspectTemp(b, { events: true })]);
  });
  afterAll(async () => {
    await Promise.all(dbs.map((db) => db.drop()));
  });

  it('reads the filled-in start time, which differs between the two loads', () => {
    const starts = (s: SchemaSnapshot) => s.schemas[0]?.events?.find((e) => e.name === 'hourly')?.attrs;
    expect(starts(first)?.startsDefault).toBe(true);
    expect(starts(second)?.startsDefault).toBe(true);
    expect(starts(first)?.starts).not.toEqual(starts(second)?.starts);
    expect(starts(second)?.timeZone).toBe('+02:00');
    expect(first.schemas[0]?.events?.find((e) => e.name === 'later')?.attrs.startsDefault).toBeUndefined();
  });

  it('the same events loaded twice, in another session time zone, diff to nothing', () => {
    const changes = diff(first, second);
    expect(changes, describeChanges(changes)).toEqual([]);
    expect(diff(second, first)).toEqual([]);
  });

  it('a side inspected without events reports no event changes', async () => {
    const empty = await load('CREATE TABLE ticks (id INT AUTO_INCREMENT PRIMARY KEY, at DATETIME);', dbs);
    const without = await inspectTemp(empty);
    expect(without.schemas[0]?.events).toBeUndefined();
    expect(diff(without, first)).toEqual([]);
    const withEvents = await inspectTemp(empty, { events: true });
    const missing = diff(withEvents, first);
    expect(missing.map((c) => `${c.action} ${changeSubject(c)} ${metricKind(c)}`)).toEqual([
      'missing event app.hourly other',
      'missing event app.later other',
    ]);
  });

  it.each([
    {
      name: 'an explicit start where the migrations leave it to the server is not drift',
      current: "CREATE EVENT e ON SCHEDULE EVERY 1 HOUR STARTS '2031-05-01 00:00:00' DO SELECT 1;",
      desired: 'CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO SELECT 1;',
      attributes: [],
    },
    {
      name: 'a filled-in start where the migrations give one is drift',
      current: 'CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO SELECT 1;',
      desired: "CREATE EVENT e ON SCHEDULE EVERY 1 HOUR STARTS '2031-05-01 00:00:00' DO SELECT 1;",
      attributes: ['attrs.starts'],
    },
    {
      name: 'status, completion, comment and body',
      current: "CREATE EVENT e ON SCHEDULE EVERY 1 HOUR ON COMPLETION PRESERVE DISABLE COMMENT 'a' DO SELECT 1;",
      desired: 'CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO SELECT /* kept out */ 2;',
      attributes: ['comment', 'attrs.body', 'attrs.onCompletion', 'attrs.status'],
    },
    {
      name: 'comments and blanks of the body are not drift',
      current: 'CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO SELECT   1;',
      desired: 'CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO SELECT /* why */ 1;',
      attributes: [],
    },
  ])('$name', async ({ current, desired, attributes }) => {
    const [c, d] = await Promise.all([load(current, dbs), load(desired, dbs)]);
    const changes = diff(await inspectTemp(c, { events: true }), await inspectTemp(d, { events: true }));
    expect(changes.flatMap((x) => x.attributes.map((a) => a.name)).sort(), describeChanges(changes)).toEqual([...attributes].sort());
  });

  it('plans ALTER EVENT with every clause, and leaves a filled-in start out of CREATE EVENT and the DDL', async () => {
    const c = await load("CREATE EVENT e ON SCHEDULE EVERY 1 HOUR COMMENT 'old' DO SELECT 1;", dbs);
    const d = await load('CREATE EVENT e ON SCHEDULE EVERY 2 HOUR DO SELECT 1;', dbs);
    const [current, desired] = [await inspectTemp(c, { events: true }), await inspectTemp(d, { events: true })];
    const plan = planMysql(diff(current, desired), { current, desired });
    expect(plan.statements.map((s) => s.sql)).toEqual([
      "ALTER EVENT `e` ON SCHEDULE EVERY 2 HOUR ON COMPLETION NOT PRESERVE ENABLE COMMENT '' DO SELECT 1;",
    ]);
    expect(renderMysqlDdl(first)).toContain(
      "-- create event hourly\nCREATE EVENT `hourly` ON SCHEDULE EVERY 1 HOUR ON COMPLETION NOT PRESERVE ENABLE COMMENT 'keeps time' DO INSERT INTO ticks (at) VALUES (NOW());",
    );
    expect(renderMysqlDdl(first)).toContain("STARTS '2030-01-01 00:00:00'");
  });

  it('wraps a compound event body in DELIMITER lines', async () => {
    const d = await load('DELIMITER $$\nCREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO BEGIN SELECT 1; SELECT 2; END$$\nDELIMITER ;\n', dbs);
    const empty = await load('', dbs);
    const [current, desired] = [await inspectTemp(empty, { events: true }), await inspectTemp(d, { events: true })];
    const script = renderMysqlPlanSql(planMysql(diff(current, desired), { current, desired }));
    expect(script).toBe(
      '-- create event e\nDELIMITER $$\nCREATE EVENT `e` ON SCHEDULE EVERY 1 HOUR ON COMPLETION NOT PRESERVE ENABLE DO BEGIN SELECT 1; SELECT 2; END$$\nDELIMITER ;\n',
    );
  });
});

describe('events and the EVENT privilege (a real read-only session)', () => {
  const dbs: TempDatabase[] = [];
  const users: string[] = [];
  afterAll(async () => {
    for (const user of users) await execMysql(`DROP USER IF EXISTS '${user}'@'%'`);
    await Promise.all(dbs.map((db) => db.drop()));
  });

  /** A user of our own, granted `grants` on `db`; its URL. */
  async function userWith(db: TempDatabase, grants: string): Promise<string> {
    const user = `sdevt_${randomBytes(4).toString('hex')}`;
    users.push(user);
    await execMysql(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw-${user}'; GRANT ${grants} ON \`${db.name}\`.* TO '${user}'@'%'`);
    const url = new URL(db.url);
    url.username = user;
    url.password = `pw-${user}`;
    return url.toString();
  }

  const read = (url: string) => readLive(mysqlDialect, { url, description: 'test', target: 'shop', events: true, privileges: false });

  it('a user without EVENT reads no events, with a warning instead of a failure; one with EVENT reads them', async () => {
    const db = await load(EVENTS, dbs);
    const without = await read(await userWith(db, 'SELECT'));
    expect(without.snapshot.schemas[0]?.events).toBeUndefined();
    expect(without.snapshot.source.warnings).toEqual([
      `events of database "${db.name}" not compared: the user lacks the EVENT privilege on it (grant it to compare them, or turn events off with events: false / --no-events)`,
    ]);
    const withEvent = await read(await userWith(db, 'SELECT, EVENT'));
    expect(withEvent.snapshot.schemas[0]?.events?.map((e) => e.name)).toEqual(['hourly', 'later']);
    expect(withEvent.snapshot.source.warnings).toBeUndefined();
  });

  it('test-connection says so too, and only when the target reads events', async () => {
    const db = await load(EVENTS, dbs);
    const url = await userWith(db, 'SELECT');
    const target = (events: boolean) => testTarget('shop', url, { events, desired: { dir: '.', devUrl: MYSQL_URL } });
    const on = await testConnection(target(true));
    expect(on.ok).toBe(true);
    expect(on.warnings).toContain(eventsNotReadable(db.name));
    const off = await testConnection(target(false));
    expect(off.ok).toBe(true);
    expect(off.warnings).not.toContain(eventsNotReadable(db.name));
  });
});

describe('desired cache key and events', () => {
  const key = { directoryHash: 'abc', engine: 'mariadb 10.11.19' };
  it('a replay inspected with events is cached apart from one without; off keeps the old key', () => {
    const on = canonicalKey({ ...key, inspect: { events: true } });
    const off = canonicalKey({ ...key, inspect: { events: false } });
    expect(on).not.toBe(off);
    expect(off).toBe(canonicalKey(key));
  });
});
