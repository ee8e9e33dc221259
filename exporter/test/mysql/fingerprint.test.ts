/**
 * The MySQL/MariaDB schema fingerprint (`dialects/mysql/fingerprint.ts`) on the real server, read as the watch reads
 * it (a read-only session from the dialect): unchanged by maintenance and ordinary writes, changed by every DDL
 * statement the planner writes for the convergence fixtures (each statement of each a→b plan, applied one at a time).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import { dialectNamed } from '../../src/dialects/registry.ts';
import { mysqlHooks } from '../../src/dialects/mysql/hooks.ts';
import { planMysql } from '../../src/dialects/mysql/plan.ts';
import { createTempMysqlDatabase, type TempDatabase } from '../support/servers.ts';
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

  it.each(steps)('%s', async (_name, sql) => {
    const before = await fingerprint(db);
    await db.exec(sql);
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
      for (const statement of ddl) {
        await current.exec(statement.sql);
        const next = await fingerprint(current);
        if (next === last && !NOT_SEEN.test(statement.sql)) unchanged.push(statement.sql);
        last = next;
      }
      expect(unchanged, 'statements that left the fingerprint unchanged').toEqual([]);
    } finally {
      await Promise.all([current.drop(), desired.drop()]);
    }
  }, 300_000);
});
