/**
 * SIGTERM ends `schema-drift serve` within its stated bound (SHUTDOWN_BOUND_MS, in the README) even while its checks
 * are stuck in migrations that never end: one target replays `DO $$ BEGIN LOOP END LOOP; END $$` in embedded PGlite,
 * the other `pg_sleep(120)` on a PostgreSQL dev server. The real command runs as a child process; once both are
 * stuck, it gets SIGTERM. Afterwards: the process is gone (exit 0, and it never logged that the bound cut the shutdown
 * short), its port is free, its replay child process and run directory are gone, the dev server's backend has left
 * pg_stat_activity and the temporary database is dropped. The seconds measured are printed only, never asserted.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHUTDOWN_BOUND_MS } from '../../src/agent/serve.ts';
import { replayPostgres } from '../../src/dialects/postgres/replay.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { createTempPgDatabase, PG_URL, type TempDatabase } from '../support/servers.ts';
import { eventually, startBin, tempDir, type BinProcess } from './support.ts';

type Temp = Awaited<ReturnType<typeof tempDir>>;

/** The direct children of `pid` whose command line names `name`. */
async function childrenOf(pid: number, name: string): Promise<number[]> {
  const found: number[] = [];
  for (const task of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const text = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    for (const child of text.split(/\s+/).filter(Boolean).map(Number)) {
      const cmdline = await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes(name)) found.push(child);
    }
  }
  return found;
}

/** CPU seconds a process has used (utime + stime from /proc/<pid>/stat), 0 once it is gone. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** No process `pid` any more (or only its zombie, waiting to be reaped). */
async function gone(pid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  return status === null || /^State:\s+Z/m.test(status);
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('serve: SIGTERM while replays are stuck', () => {
  let temp: Temp;
  let live: TempDatabase;
  let child: BinProcess | undefined;
  const marker = `sd_shutdown_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    temp = await tempDir('sd-shutdown-');
    live = await createTempPgDatabase('sdshutdown');
    // The agent's saved PGlite data directory, made beforehand so the spinning child is past its start-up (initdb
    // alone can take longer than the CPU threshold below on a loaded machine).
    for (const sub of ['warm', 'spin', 'sleep']) await mkdir(path.join(temp.dir, sub));
    const warm = await temp.write('warm/001_a.sql', 'CREATE TABLE a (id int);\n');
    await replayPostgres(await readMigrationDirectory(path.dirname(warm), { format: 'plain' }), {
      cacheDir: path.join(temp.dir, 'data', 'replay-cache'),
    });
    await temp.write('spin/001_a.sql', 'CREATE TABLE a (id int);\n');
    await temp.write('spin/002_spin.sql', 'DO $$ BEGIN LOOP END LOOP; END $$;\n');
    await temp.write('sleep/001_a.sql', 'CREATE TABLE a (id int);\n');
    await temp.write('sleep/002_sleep.sql', `SELECT pg_sleep(120) /* ${marker} */;\n`);
  }, 180_000);
  afterAll(async () => {
    child?.kill();
    await live?.drop();
    await temp?.remove();
  });

  it(`exits 0 within its bound (${SHUTDOWN_BOUND_MS / 1000} s), leaving no process, port, backend or scratch database behind`, async () => {
    const config = await temp.write(
      'schema-drift.yaml',
      `listen: 127.0.0.1:9772
dataDir: ./data
concurrency: 2
targets:
  - name: spin
    url: ${live.url}
    desired: { dir: ./spin, format: plain }
  - name: sleep
    url: ${live.url}
    desired: { dir: ./sleep, format: plain, devUrl: ${JSON.stringify(PG_URL)} }
`,
    );
    child = startBin(['serve', '--config', config, '--port', '0']);
    const listening = JSON.parse(await child.waitForLine(/"msg":"listening"/, 60_000)) as { address: string };
    const port = Number(new URL(listening.address).port);
    const pid = child.child.pid!;

    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      const sleeping = async () =>
        (await admin.query<{ pid: number; datname: string }>(
          'SELECT pid, datname FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()',
          [`%${marker}%`],
        )).rows[0];
      const backend = await eventually(sleeping, 60_000, 'pg_sleep running on the dev server');
      // The embedded replay is spinning once its child has used more CPU than starting from the saved data directory
      // and replaying one table takes.
      const [replayChild] = await eventually(async () => {
        const pids = await childrenOf(pid, 'replay-child');
        return pids.length === 1 && (await cpuSeconds(pids[0]!)) >= 6 ? pids : undefined;
      }, 120_000, 'the embedded replay spinning in its DO loop');

      const sent = performance.now();
      child.child.kill('SIGTERM');
      const code = await child.exited;
      const seconds = (performance.now() - sent) / 1000;
      process.stdout.write(`[shutdown-bound] SIGTERM to exit: ${seconds.toFixed(2)} s (bound ${SHUTDOWN_BOUND_MS / 1000} s)\n`);

      expect(code).toBe(0);
      // The bound's own timer logs this line before it exits; a shutdown that finished in time never does.
      expect([...child.stdout, ...child.stderr].filter((line) => line.includes('shutdown did not finish within its bound'))).toEqual([]);
      expect(child.stdout.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
      expect(await portIsFree(port)).toBe(true);
      expect(await gone(replayChild!)).toBe(true);
      expect((await readdir(path.join(temp.dir, 'data', 'replay-cache'))).filter((f) => f.startsWith('run-'))).toEqual([]);
      expect(await sleeping()).toBeUndefined();
      const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [backend.datname]);
      expect(left.rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  }, 300_000);

  it('Ctrl-C to the whole process group: the replay child ignores it, and the agent stops it after the grace', async () => {
    const config = await temp.write(
      'group.yaml',
      `listen: 127.0.0.1:9773
dataDir: ./data
targets:
  - name: spin
    url: ${live.url}
    desired: { dir: ./spin, format: plain }
`,
    );
    // A process group of its own, as a terminal or a systemd unit's control group would make it.
    child = startBin(['serve', '--config', config, '--port', '0'], {}, { detached: true });
    await child.waitForLine(/"msg":"listening"/, 60_000);
    const pid = child.child.pid!;
    const [replayChild] = await eventually(async () => {
      const pids = await childrenOf(pid, 'replay-child');
      return pids.length === 1 && (await cpuSeconds(pids[0]!)) >= 6 ? pids : undefined;
    }, 120_000, 'the embedded replay spinning in its DO loop');

    // What Ctrl-C does: SIGINT to every process of the foreground group, the replay child included.
    process.kill(-pid, 'SIGINT');
    await child.waitForLine(/"msg":"signal received"/, 30_000);
    // The agent has its signal, so the child has had its own: it is still there, for the agent to stop.
    expect(await gone(replayChild!)).toBe(false);
    const code = await child.exited;
    expect(code).toBe(0);
    const lines = [...child.stdout, ...child.stderr];
    expect(lines.filter((line) => /killed by SIGINT|child process (was killed|exited)/.test(line))).toEqual([]);
    expect(lines.filter((line) => line.includes('shutdown did not finish within its bound'))).toEqual([]);
    await eventually(async () => ((await gone(replayChild!)) ? true : undefined), 30_000, 'the replay child stopped by the agent');
    expect((await readdir(path.join(temp.dir, 'data', 'replay-cache'))).filter((f) => f.startsWith('run-'))).toEqual([]);
  }, 300_000);
});
