/**
 * A large baseline replays in PGlite: the real `pg_dump --schema-only` of 3,000 tables (each with a sequence, a
 * primary key, an index and a TOAST table) takes more locks than PGlite's lock table holds (64 per transaction × 100
 * connections, plus slack): run as one transaction in PGlite 0.5.16 it fails with "out of shared memory" while adding
 * the primary keys (2,222 such tables still fit). A schema file runs statement by statement, as psql runs it, and must
 * come out in sync with the database it was dumped from. The process's peak resident memory (the replay's worker
 * thread included) is sampled and printed.
 */
import { execFile } from 'node:child_process';
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

  it('replays in PGlite and is in sync with the database', async () => {
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
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
        `peak RSS ${Math.round(peak / 1024 / 1024)} MiB`,
    );
  }, 180_000);
});
