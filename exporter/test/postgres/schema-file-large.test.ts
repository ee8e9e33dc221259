/**
 * A large baseline replays in PGlite: the real `pg_dump --schema-only` of 3,000 tables (each with a sequence, a
 * primary key, an index and a TOAST table) takes more locks than PGlite's lock table holds (64 per transaction × 100
 * connections, plus slack): run as one transaction in PGlite 0.5.16 it fails with "out of shared memory" while adding
 * the primary keys (2,222 such tables still fit). A schema file runs statement by statement, as psql runs it, and must
 * come out in sync with the database it was dumped from. Peak resident memory is sampled and printed: this process's,
 * and the replay's child process's (its VmHWM, read while it runs).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/cli.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';

const run = promisify(execFile);
const TABLES = 3000;

describe(`a pg_dump of ${TABLES} tables`, () => {
  let db: TempDatabase;
  let dir: string;
  let dumpFile: string;

  beforeAll(async () => {
    db = await createTempPgDatabase('sdschemabig');
    // In batches: the server's own lock table cannot create them all in one transaction either.
    await db.exec(`DO $$ BEGIN
      FOR i IN 1..${TABLES} LOOP
        EXECUTE format('CREATE TABLE public.t%s (id bigserial PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now())', i);
        EXECUTE format('CREATE INDEX t%s_name ON public.t%s (name)', i, i);
        IF i % 250 = 0 THEN COMMIT; END IF;
      END LOOP;
    END $$`);
    dir = await mkdtemp(path.join(tmpdir(), 'sd-schema-big-'));
    dumpFile = path.join(dir, 'baseline.sql');
    const { stdout } = await run('pg_dump', ['--schema-only', `--dbname=${db.url}`], { maxBuffer: 256 * 1024 * 1024 });
    await writeFile(dumpFile, stdout);
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The largest VmHWM (peak resident set, bytes) among this process's replay children now running; 0 when none. */
  function replayChildPeakRss(): number {
    let most = 0;
    for (const task of readdirSync(`/proc/${process.pid}/task`)) {
      let children = '';
      try {
        children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const pid of children.split(/\s+/).filter(Boolean)) {
        try {
          if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('replay-child')) continue;
          const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
          if (kb) most = Math.max(most, Number(kb) * 1024);
        } catch {
          // It exited between the two reads.
        }
      }
    }
    return most;
  }

  it('replays in PGlite and is in sync with the database', async () => {
    let peak = process.memoryUsage().rss;
    let childPeak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
      childPeak = Math.max(childPeak, replayChildPeakRss());
    }, 100);
    const started = Date.now();
    let stdout = '';
    let stderr = '';
    try {
      const code = await main(['diff', '--from', dumpFile, '--to', db.url, '--format', 'json'], {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
      });
      expect(stderr).not.toMatch(/out of shared memory|error/i);
      expect(code).toBe(0);
    } finally {
      clearInterval(sampler);
    }
    const json = JSON.parse(stdout) as { changes: unknown[] };
    expect(json.changes).toEqual([]);
    // Printed for the record (the machine is shared, so neither is asserted tightly).
    console.info(
      `schema file of ${TABLES} tables: replay + both inspections + diff in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
        `peak RSS ${Math.round(peak / 1024 / 1024)} MiB here, ${Math.round(childPeak / 1024 / 1024)} MiB in the replay's child process (as last sampled)`,
    );
  }, 180_000);
});
