/**
 * A replay's deadline is enforced, not just observed. A migration that never ends — `DO $$ BEGIN LOOP END LOOP; END $$`
 * in embedded PGlite, `pg_sleep(120)` on a PostgreSQL dev server, `SLEEP(120)` on a MariaDB one — is stopped when the
 * check's signal aborts: the embedded replay's child process is gone, the dev server's statement is gone from its
 * session list and the temporary database is dropped, and the error names the file in progress and says the time limit
 * stopped it. Through the scheduler, the stored report of a timed-out check says the same.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayPosition } from '../../src/connection/deadline.ts';
import { TimeoutError } from '../../src/core/errors.ts';
import type { Report } from '../../src/core/model/report.ts';
import { replayMysql } from '../../src/dialects/mysql/replay.ts';
import { replayPostgres } from '../../src/dialects/postgres/replay.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import { Scheduler } from '../../src/agent/scheduler.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { createTempPgDatabase, MYSQL_URL, PG_URL, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';
import { useTempDirs } from '../support/temp-dirs.ts';

const tempDir = useTempDirs('sd-deadline-');
let cacheDir: string;

beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'sd-deadline-cache-'));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

/** Child processes of this process whose command line names `name` (from /proc: this thread's and every other's). */
async function childrenRunning(name: string): Promise<number[]> {
  const tasks = await readdir(`/proc/${process.pid}/task`);
  const pids = new Set<number>();
  for (const task of tasks) {
    const text = await readFile(`/proc/${process.pid}/task/${task}/children`, 'utf8').catch(() => '');
    for (const pid of text.split(/\s+/).filter(Boolean)) pids.add(Number(pid));
  }
  const named: number[] = [];
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(name)) named.push(pid);
  }
  return named;
}

/** {@link childrenRunning} of process `pid`, read synchronously (for a callback that must act at once). */
function childrenNow(name: string, pid: number = process.pid): number[] {
  const pids = new Set<number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of text.split(/\s+/).filter(Boolean)) pids.add(Number(child));
  }
  return [...pids].filter((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').includes(name);
    } catch {
      return false;
    }
  });
}

/** The children of `pid` whose command line names `name`. */
async function childrenOf(pid: number, name: string): Promise<number[]> {
  return childrenNow(name, pid);
}

async function gone(pid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  return status === null || /^State:\s+Z/m.test(status);
}

/** Polls `check` every 100 ms until it returns a value, or fails naming `what` after `limitMs`. */
async function poll<T>(check: () => Promise<T | undefined>, limitMs: number, what: string): Promise<T> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${limitMs} ms`);
}

function timeLimit(ms: number): TimeoutError {
  return new TimeoutError(`check did not finish within ${ms} ms`, { target: 'deadline' });
}

describe('embedded PGlite replay: a migration that never ends', () => {
  it('is killed with its child process, and the error names the file and the time limit', async () => {
    const dir = await tempDir({
      '001_init.sql': 'CREATE TABLE a (id int PRIMARY KEY);\n',
      '002_spin.sql': 'CREATE TABLE b (id int);\n\nDO $$ BEGIN LOOP END LOOP; END $$;\n',
    });
    const directory = await readMigrationDirectory(dir, { format: 'plain' });
    const controller = new AbortController();
    const positions: ReplayPosition[] = [];
    let spinning: number[] = [];
    const replay = replayPostgres(directory, {
      target: 'deadline',
      cacheDir,
      signal: controller.signal,
      onPosition: (position) => {
        positions.push(position);
        if (position.file?.endsWith('002_spin.sql')) {
          // Let it spin a moment, note the child, then hit the time limit.
          setTimeout(() => {
            void childrenRunning('replay-child').then((pids) => {
              spinning = pids;
              controller.abort(timeLimit(500));
            });
          }, 500);
        }
      },
    });
    const error = await replay.then(
      () => {
        throw new Error('the replay of an endless loop resolved');
      },
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toMatch(/^replay stopped by the time limit while applying this file \(check did not finish within 500 ms\)$/);
    expect((error as TimeoutError).context.file).toMatch(/002_spin\.sql$/);
    expect(positions.some((p) => p.file?.endsWith('001_init.sql'))).toBe(true);
    expect(spinning).toHaveLength(1);
    const [pid] = spinning as [number];
    // The kill is synchronous; the kernel and Node's reaping take a moment.
    await poll(async () => ((await gone(pid)) ? true : undefined), 5_000, `replay child ${pid} gone`);
  }, 120_000);

  it('an abort at the child\'s first message ends it and its run directory, and the next replay works from the saved data directory', async () => {
    const dir = await tempDir({ '001_init.sql': 'CREATE TABLE a (id int PRIMARY KEY);\n' });
    const directory = await readMigrationDirectory(dir, { format: 'plain' });
    const controller = new AbortController();
    const started: number[][] = [];
    const replay = replayPostgres(directory, {
      target: 'deadline',
      cacheDir,
      signal: controller.signal,
      onPosition: () => {
        if (controller.signal.aborted) return;
        // The child is running and has answered once: note it (synchronously, from /proc), then stop it.
        started.push(childrenNow('replay-child'));
        controller.abort(timeLimit(1));
      },
    });
    await expect(replay).rejects.toThrow(/^replay stopped by the time limit while /);
    expect(started).toHaveLength(1);
    expect(started[0]).toHaveLength(1);
    expect(await childrenRunning('replay-child')).toEqual([]);
    expect(await gone(started[0]![0]!)).toBe(true);
    // No run directory is left behind by the killed child.
    expect((await readdir(cacheDir)).filter((f) => f.startsWith('run-'))).toEqual([]);
    const result = await replayPostgres(directory, { target: 'deadline', cacheDir });
    expect(result.snapshot.schemas.flatMap((s) => s.tables.map((t) => t.name))).toEqual(['a']);
    expect((await readdir(cacheDir)).filter((f) => f.endsWith('-datadir'))).toHaveLength(1);
    expect((await readdir(cacheDir)).filter((f) => f.startsWith('run-'))).toEqual([]);
  }, 120_000);

  it('a replay child whose parent is SIGKILLed does not outlive it', async () => {
    const dir = await tempDir({
      '001_init.sql': 'CREATE TABLE a (id int PRIMARY KEY);\n',
      '002_spin.sql': 'DO $$ BEGIN LOOP END LOOP; END $$;\n',
    });
    const src = path.resolve(import.meta.dirname, '../../src');
    const script = path.join(dir, 'parent.mjs');
    await writeFile(
      script,
      [
        `import { readMigrationDirectory } from ${JSON.stringify(path.join(src, 'migrations/index.ts'))};`,
        `import { replayPostgres } from ${JSON.stringify(path.join(src, 'dialects/postgres/replay.ts'))};`,
        `const directory = await readMigrationDirectory(process.argv[2], { format: 'plain' });`,
        `void replayPostgres(directory, { target: 'orphan', cacheDir: process.argv[3], onPosition: (p) => {`,
        `  if (p.file?.endsWith('002_spin.sql')) console.log('spinning');`,
        `} });`,
      ].join('\n'),
    );
    const parent = spawn(process.execPath, [script, dir, cacheDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let orphan: number | undefined;
    try {
      let output = '';
      parent.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        parent.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('spinning')) resolve();
        });
        parent.once('exit', (code) => reject(new Error(`the parent exited (${code}) before the replay spun: ${output}`)));
      });
      const pids = await poll(async () => {
        const found = await childrenOf(parent.pid!, 'replay-child');
        return found.length === 1 ? found : undefined;
      }, 30_000, 'the parent\'s replay child');
      orphan = pids[0]!;
      parent.kill('SIGKILL');
      // Its watchdog thread notices the parent is gone; the child itself is busy in WebAssembly.
      await poll(async () => ((await gone(orphan!)) ? true : undefined), 60_000, `orphaned replay child ${orphan} gone`);
    } finally {
      parent.kill('SIGKILL');
      if (orphan !== undefined && !(await gone(orphan))) process.kill(orphan, 'SIGKILL');
    }
  }, 120_000);
});

describe('PostgreSQL dev server: pg_sleep(120)', () => {
  it('is cancelled from a second connection and its temporary database dropped', async () => {
    const marker = `sd_deadline_${randomBytes(4).toString('hex')}`;
    const dir = await tempDir({
      '001_init.sql': 'CREATE TABLE a (id int PRIMARY KEY);\n',
      '002_sleep.sql': `CREATE TABLE b (id int);\nSELECT pg_sleep(120) /* ${marker} */;\n`,
    });
    const directory = await readMigrationDirectory(dir, { format: 'plain' });
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      const sleeping = async (): Promise<{ pid: number; datname: string } | undefined> =>
        (await admin.query<{ pid: number; datname: string }>(
          'SELECT pid, datname FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()',
          [`%${marker}%`],
        )).rows[0];
      const controller = new AbortController();
      const replay = replayPostgres(directory, { target: 'deadline', devUrl: PG_URL, signal: controller.signal }).then(
        () => undefined,
        (err: unknown) => err,
      );
      const seen = await poll(sleeping, 30_000, 'pg_sleep running on the dev server');
      expect(seen.datname).toMatch(/^schema_drift_tmp_/);
      controller.abort(timeLimit(2_000));
      const error = await replay;
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).message).toMatch(/^replay stopped by the time limit while applying this file/);
      expect((error as TimeoutError).context.file).toMatch(/002_sleep\.sql$/);
      expect(await sleeping()).toBeUndefined();
      const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [seen.datname]);
      expect(left.rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  }, 90_000);
});

describe('MariaDB dev server: SLEEP(120)', () => {
  it('is ended with KILL QUERY from a second connection and its temporary database dropped', async () => {
    const marker = `sd_deadline_${randomBytes(4).toString('hex')}`;
    const dir = await tempDir({
      '001_init.sql': 'CREATE TABLE a (id int PRIMARY KEY);\n',
      '002_sleep.sql': `CREATE TABLE b (id int);\nSELECT SLEEP(120), '${marker}';\n`,
    });
    const directory = await readMigrationDirectory(dir, { format: 'plain' });
    const admin = await mysql.createConnection(MYSQL_URL);
    try {
      const sleeping = async (): Promise<{ id: number; db: string } | undefined> => {
        const [rows] = await admin.query<mysql.RowDataPacket[]>(
          'SELECT ID AS id, DB AS db FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID()',
          [`%${marker}%`],
        );
        return rows[0] as { id: number; db: string } | undefined;
      };
      const controller = new AbortController();
      const replay = replayMysql(directory, { target: 'deadline', devUrl: MYSQL_URL, signal: controller.signal }).then(
        () => undefined,
        (err: unknown) => err,
      );
      const seen = await poll(async () => {
        const ended = await Promise.race([replay, new Promise((r) => setTimeout(() => r('running'), 0))]);
        if (ended !== 'running') throw new Error(`the replay ended before SLEEP was seen: ${String(ended)}`);
        return sleeping();
      }, 30_000, 'SLEEP running on the dev server');
      expect(seen.db).toMatch(/^schema_drift_tmp_/);
      controller.abort(timeLimit(2_000));
      const error = await replay;
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).message).toMatch(/^replay stopped by the time limit while applying this file/);
      expect((error as TimeoutError).context).toMatchObject({ line: 2 });
      expect((error as TimeoutError).context.file).toMatch(/002_sleep\.sql$/);
      expect(await sleeping()).toBeUndefined();
      const [left] = await admin.query<mysql.RowDataPacket[]>('SHOW DATABASES LIKE ?', [seen.db]);
      expect(left).toHaveLength(0);
    } finally {
      await admin.end();
    }
  }, 90_000);
});

describe('the scheduler: a check past its time limit', () => {
  let live: TempDatabase;
  beforeAll(async () => {
    live = await createTempPgDatabase('sddeadline');
  });
  afterAll(async () => {
    await live?.drop();
  });

  it('stores a timeout report that names the file the replay was applying', async () => {
    const marker = `sd_deadline_${randomBytes(4).toString('hex')}`;
    const dir = await tempDir({ '001_sleep.sql': `SELECT pg_sleep(120) /* ${marker} */;\n` });
    const target = testTarget('slow', live.url, { desired: { dir, format: 'plain', devUrl: PG_URL }, checkTimeoutMs: 3_000 });
    const reports: Report[] = [];
    const cache = new DesiredCache<DesiredSchema>();
    const scheduler = new Scheduler({
      targets: [target],
      concurrency: 1,
      retry: { attempts: 0, initialDelayMs: 10, maxDelayMs: 10 },
      runCheck: (t, signal) => runCheck(t, { cache, signal, replayCacheDir: cacheDir }),
      onReport: (report: Report) => {
        reports.push(report);
        return report;
      },
    });
    try {
      const report = await scheduler.runNow('slow');
      expect(report.status).toBe('error');
      expect(report.error?.reason).toBe('timeout');
      expect(report.error?.message).toMatch(/001_sleep\.sql.*replay stopped by the time limit while applying this file \(check did not finish within 3000 ms\)/);
      expect(reports).toHaveLength(1);
    } finally {
      await scheduler.stop(0);
    }
  }, 90_000);
});
