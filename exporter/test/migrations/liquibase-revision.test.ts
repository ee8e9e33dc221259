/**
 * Liquibase's DATABASECHANGELOG and DATABASECHANGELOGLOCK: what their rows mean (`liquibaseState`), where a database
 * stands against a changelog directory (`pendingMigrations` by key, re-runnable changesets), and the tables read
 * through the dialect contract on every dialect's real server, created with Liquibase's DDL for that dialect.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { deployedState } from '../../src/revision/deployed.ts';
import { type LiquibaseRow, liquibaseState } from '../../src/revision/liquibase-state.ts';
import { pendingMigrations, type RevisionState } from '../../src/revision/revision-state.ts';
import { DIALECT_HARNESSES, type DialectHarness } from '../support/dialects.ts';
import { LIQUIBASE_TABLES } from '../support/liquibase.ts';
import type { TempDatabase } from '../support/servers.ts';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'migrations', 'liquibase');
const T = 'public.databasechangelog';

const row = (id: string, filename: string, execType = 'EXECUTED', md5sum: string | null = '9:00000000000000000000000000000000'): LiquibaseRow => ({
  id,
  author: 'alice',
  filename,
  execType,
  md5sum,
});

describe('liquibaseState', () => {
  it('lists every deployed changeset by key, the last one as the version', () => {
    const state = liquibaseState(T, [row('1', 'db/changelog/a.sql'), row('2', 'db/changelog/a.sql', 'MARK_RAN'), row('3', 'classpath:db/b.sql', 'RERAN')]);
    expect(state).toEqual({
      tool: 'liquibase',
      table: T,
      version: 'classpath:db/b.sql::3::alice',
      dirty: false,
      appliedVersions: ['db/changelog/a.sql::1::alice', 'db/changelog/a.sql::2::alice', 'classpath:db/b.sql::3::alice'],
      appliedKeys: ['1::alice::a.sql', '2::alice::a.sql', '3::alice::b.sql'],
      rerunChecksums: [
        { key: '1::alice::a.sql', checksum: '9:00000000000000000000000000000000' },
        { key: '2::alice::a.sql', checksum: '9:00000000000000000000000000000000' },
        { key: '3::alice::b.sql', checksum: '9:00000000000000000000000000000000' },
      ],
    });
  });

  it('a FAILED row is deployed (it may be partly applied) and dirty; a later successful run clears it', () => {
    const failed = liquibaseState(T, [row('1', 'a.sql'), row('2', 'a.sql', 'FAILED', '9:11111111111111111111111111111111')]);
    expect(failed).toMatchObject({ dirty: true, failedVersion: 'a.sql::2::alice', appliedKeys: ['1::alice::a.sql', '2::alice::a.sql'] });
    expect(failed.rerunChecksums).toEqual([{ key: '1::alice::a.sql', checksum: '9:00000000000000000000000000000000' }]);
    const retried = liquibaseState(T, [row('2', 'a.sql', 'FAILED'), row('1', 'a.sql'), row('2', 'a.sql')]);
    expect(retried).toMatchObject({ dirty: false, appliedKeys: ['1::alice::a.sql', '2::alice::a.sql'] });
    expect(retried.failedVersion).toBeUndefined();
  });

  it('a SKIPPED row is not deployed', () => {
    expect(liquibaseState(T, [row('1', 'a.sql'), row('2', 'a.sql', 'SKIPPED')]).appliedKeys).toEqual(['1::alice::a.sql']);
  });

  it('checksums of another version (8:, or cleared) are not compared: no rerun checksums at all', () => {
    expect(liquibaseState(T, [row('1', 'a.sql'), row('2', 'a.sql', 'EXECUTED', '8:abc')]).rerunChecksums).toBeUndefined();
    expect(liquibaseState(T, [row('1', 'a.sql', 'EXECUTED', null)]).rerunChecksums).toBeUndefined();
  });

  it('a held lock is a deploy in flight, naming the holder; a free one is not', () => {
    const held = liquibaseState(T, [row('1', 'a.sql')], { table: 'public.databasechangeloglock', locked: true, lockedBy: 'ci-runner (10.1.2.3)', lockGranted: '2026-12-07 10:00:00' });
    expect(held).toMatchObject({ dirty: false });
    expect(held.failedVersion).toBeUndefined();
    expect(held.deploying).toBe(
      'public.databasechangeloglock is locked by ci-runner (10.1.2.3) since 2026-12-07 10:00:00: a Liquibase update is running, or one stopped without releasing the lock (liquibase release-locks)',
    );
    expect(liquibaseState(T, [row('1', 'a.sql')], { table: 'public.databasechangeloglock', locked: false, lockedBy: null, lockGranted: null })).toMatchObject({ dirty: false });
  });

  it('an empty table: nothing deployed', () => {
    expect(liquibaseState(T, [])).toMatchObject({ version: null, dirty: false, appliedKeys: [], rerunChecksums: [] });
  });
});

describe('a changelog directory against DATABASECHANGELOG', () => {
  const state = (ids: [string, string][], extra: Partial<RevisionState> = {}): RevisionState => ({
    ...liquibaseState(T, ids.map(([id, file]) => ({ ...row(id, `db/changelog/${file}`), author: id.startsWith('order') ? 'bob' : 'alice' }))),
    ...extra,
  });

  it('pending is what follows the last deployed changeset; one skipped before it is replayed with a warning', async () => {
    const dir = await readMigrationDirectory(FIXTURE);
    const upTo3 = pendingMigrations(dir, state([['1', 'changes/001-init.sql'], ['2', 'changes/001-init.sql'], ['orders-1', 'changes/orders/010-orders.sql']]));
    expect(upTo3).toMatchObject({ upToVersion: '3' });
    expect(upTo3.pending.map((f) => f.key)).toEqual(['order-status::bob::010-orders.sql', 'order-totals::bob::020-views.sql']);
    const gap = pendingMigrations(dir, state([['1', 'changes/001-init.sql'], ['orders-1', 'changes/orders/010-orders.sql']]));
    expect(gap.notApplied?.map((f) => f.key)).toEqual(['2::alice::001-init.sql']);
    const other = pendingMigrations(dir, state([['1', 'elsewhere.sql']]));
    expect(other).toMatchObject({ upToVersion: null, unknownDeployed: '1::alice::elsewhere.sql' });
  });

  it('a runOnChange changeset whose recorded MD5SUM is not its checksum now is pending and left out of the replay', async () => {
    const dir = await readMigrationDirectory(FIXTURE);
    const view = dir.files[4];
    const all = dir.files.map((f) => ({ key: f.key as string, checksum: 'x' }));
    const base = state([
      ['1', 'changes/001-init.sql'],
      ['2', 'changes/001-init.sql'],
      ['orders-1', 'changes/orders/010-orders.sql'],
      ['order-status', 'changes/orders/010-orders.sql'],
      ['order-totals', 'changes/orders/020-views.sql'],
    ]);
    const same = deployedState(dir, { ...base, rerunChecksums: [...all.slice(0, 4), { key: view?.key as string, checksum: view?.rerun?.checksum as string }] });
    expect(same.pending).toEqual([]);
    expect(same.leaveOut).toEqual([]);
    const changed = deployedState(dir, { ...base, rerunChecksums: all });
    expect(changed.pending.map((f) => f.path)).toEqual(['changes/orders/020-views.sql']);
    expect(changed.leaveOut).toEqual(['changes/orders/020-views.sql:3']);
    expect(changed.unchecked).toEqual({ view: ['order_totals'] });
    // Checksums Liquibase < 4.24 wrote: no rerun checksums, so the view is replayed as it is now.
    expect(deployedState(dir, { ...base, rerunChecksums: undefined }).pending).toEqual([]);
  });
});

/**
 * The revision state as a check reads it: one read-only session, closed afterwards. Read twice in the session, the
 * same: the first read left the session's transaction usable (PostgreSQL aborts one on any failed query).
 */
async function readRevision(harness: DialectHarness, db: TempDatabase): Promise<RevisionState | null> {
  const session = await harness.dialect.connect({ url: db.url });
  try {
    const first = await session.readRevision();
    expect(await session.readRevision()).toEqual(first);
    return first;
  } finally {
    await session.close();
  }
}

describe.each(DIALECT_HARNESSES)('DATABASECHANGELOG on $server ($name)', (harness) => {
  const pgDialect = harness.name === 'postgres';
  const [changelog, lock] = pgDialect ? ['databasechangelog', 'databasechangeloglock'] : ['DATABASECHANGELOG', 'DATABASECHANGELOGLOCK'];
  const insert = (id: string, order: number, execType: string, md5: string) =>
    `INSERT INTO ${changelog} (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, MD5SUM, ${pgDialect ? 'DESCRIPTION' : '`DESCRIPTION`'}, COMMENTS, EXECTYPE, LIQUIBASE, DEPLOYMENT_ID)
     VALUES ('${id}', 'alice', 'db/changelog/a.sql', NOW(), ${order}, '${md5}', 'sql', '', '${execType}', '4.29.2', '1447312276');`;
  const lockRow = (locked: boolean) =>
    `INSERT INTO ${lock} (ID, ${pgDialect ? 'LOCKED' : '`LOCKED`'}, LOCKEDBY, LOCKGRANTED) VALUES (1, ${locked ? (pgDialect ? 'TRUE' : '1') : pgDialect ? 'FALSE' : '0'}, ${locked ? "'host (10.0.0.9)'" : 'NULL'}, ${locked ? 'NOW()' : 'NULL'});`;
  let db: TempDatabase;
  beforeEach(async () => {
    db = await harness.createDatabase('sdlbrev');
  });
  afterEach(async () => {
    await db?.drop();
  });

  it('reads the rows in ORDEREXECUTED order and the lock, with Liquibase\'s own DDL', async () => {
    await db.exec(`${LIQUIBASE_TABLES[harness.name].lock}; ${lockRow(false)} ${LIQUIBASE_TABLES[harness.name].changelog};
      ${insert('2', 2, 'FAILED', '9:22222222222222222222222222222222')} ${insert('1', 1, 'EXECUTED', '9:11111111111111111111111111111111')}`);
    const state = await readRevision(harness, db);
    expect(state).toMatchObject({
      tool: 'liquibase',
      table: pgDialect ? 'public.databasechangelog' : `${db.name}.DATABASECHANGELOG`,
      version: 'db/changelog/a.sql::2::alice',
      dirty: true,
      failedVersion: 'db/changelog/a.sql::2::alice',
      appliedKeys: ['1::alice::a.sql', '2::alice::a.sql'],
      rerunChecksums: [{ key: '1::alice::a.sql', checksum: '9:11111111111111111111111111111111' }],
    });
    expect(state?.error).toBeUndefined();
  });

  it('a held lock is a deploy in flight; a missing lock table is no error', async () => {
    await db.exec(`${LIQUIBASE_TABLES[harness.name].lock}; ${lockRow(true)} ${LIQUIBASE_TABLES[harness.name].changelog}; ${insert('1', 1, 'EXECUTED', '9:1')}`);
    const held = await readRevision(harness, db);
    expect(held).toMatchObject({ dirty: false, deploying: expect.stringMatching(new RegExp(`${lock} is locked by host \\(10\\.0\\.0\\.9\\) since `)) });
    await db.exec(`DROP TABLE ${lock}`);
    expect(await readRevision(harness, db)).toMatchObject({ dirty: false, appliedKeys: ['1::alice::a.sql'] });
  });

  if (!pgDialect) {
    it('reads the BIT(1) LOCKED column of Liquibase 3.x', async () => {
      await db.exec(`${LIQUIBASE_TABLES.mysql.lock.replace('`LOCKED` TINYINT', '`LOCKED` BIT(1)')}; ${lockRow(true)} ${LIQUIBASE_TABLES.mysql.changelog}; ${insert('1', 1, 'EXECUTED', '9:1')}`);
      expect(await readRevision(harness, db)).toMatchObject({ dirty: false, deploying: expect.any(String) });
    });
  }
});
