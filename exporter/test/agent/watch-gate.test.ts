/**
 * The watch when the MySQL/MariaDB DDL-counter gate cannot be read (`agent/watch.ts`, `dialects/mysql/session.ts`):
 * a real MariaDB session behind a stand-in for a proxy that refuses `SHOW` statements. Every read runs the full
 * query, is counted as one (`queried`), and the gate's failure is logged once, at debug level, with its message;
 * `watchCounters: false` runs the full query without reading the counters at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Watch, type WatchRead } from '../../src/agent/watch.ts';
import type { TargetConfig } from '../../src/config/types.ts';
import type { LiveSession } from '../../src/dialects/dialect.ts';
import { type MysqlSession, openMysqlSession } from '../../src/dialects/mysql/connect.ts';
import { mysqlLiveSession } from '../../src/dialects/mysql/session.ts';
import { createLogger } from '../../src/log.ts';
import { createTempMysqlDatabase, type TempDatabase } from '../support/servers.ts';
import { LogCapture } from './support.ts';

let db: TempDatabase;
beforeAll(async () => {
  db = await createTempMysqlDatabase('sdwgate');
  await db.exec('CREATE TABLE t (id int PRIMARY KEY)');
});
afterAll(async () => {
  await db?.drop();
});

/** Opens the real session; `refuseShow` makes its `SHOW` statements fail as a proxy refusing them would. */
function opener(refuseShow: boolean, seen: string[]) {
  return async (target: TargetConfig): Promise<LiveSession> => {
    const session = await openMysqlSession(target.url, { target: target.name });
    const proxied: MysqlSession = {
      ...session,
      db: {
        query: (sql, params) => {
          if (/^\s*SHOW\b/i.test(sql)) {
            seen.push(sql);
            if (refuseShow) return Promise.reject(new Error('this proxy does not support SHOW'));
          }
          return session.db.query(sql, params);
        },
      },
    };
    return mysqlLiveSession(proxied, { target: target.name });
  };
}

/** Runs the watch until it has read `count` times; returns the reads and the log. */
async function watchReads(target: TargetConfig, openSession: (t: TargetConfig) => Promise<LiveSession>, count: number) {
  const logs = new LogCapture();
  const reads: WatchRead[] = [];
  let done!: () => void;
  const enough = new Promise<void>((resolve) => (done = resolve));
  const watch = new Watch({
    targets: [target],
    onChange: () => {},
    onRead: (_name, read) => {
      reads.push(read);
      if (reads.length >= count) done();
    },
    logger: createLogger('debug', logs),
    openSession,
  });
  watch.start();
  try {
    await enough;
  } finally {
    await watch.stop();
  }
  return { reads, logs };
}

const targetOf = (extra: Partial<TargetConfig> = {}): TargetConfig =>
  ({ name: 'gate', dialect: 'mysql', url: db.url, watchMs: 100, ...extra }) as unknown as TargetConfig;

describe('the watch when the DDL counters cannot be read', () => {
  it('runs the full query on every read and logs the gate failure once at debug, with its message', async () => {
    const seen: string[] = [];
    const { reads, logs } = await watchReads(targetOf(), opener(true, seen), 4);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(reads.slice(0, 4).map((r) => [r.failed, r.queried])).toEqual(Array(4).fill([false, true]));
    const logged = logs.records(/could not read the DDL counters/);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'debug', target: 'gate', err: 'this proxy does not support SHOW' });
  }, 60_000);

  it('reads the counters when they can be read, and not at all with watchCounters: false', async () => {
    const on: string[] = [];
    const first = await watchReads(targetOf(), opener(false, on), 2);
    expect(on.length).toBeGreaterThanOrEqual(2);
    expect(first.logs.records(/could not read the DDL counters/)).toEqual([]);
    const off: string[] = [];
    const second = await watchReads(targetOf({ watchCounters: false }), opener(false, off), 2);
    expect(off).toEqual([]);
    expect(second.reads.slice(0, 2).map((r) => r.queried)).toEqual([true, true]);
  }, 60_000);
});
