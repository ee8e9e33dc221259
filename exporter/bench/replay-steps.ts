/**
 * The replay steps, each in a process of its own (`replay-process.ts`) measured with its children (PGlite's replay
 * process), as a check replays through the engine's `readDesired` without its desired-schema cache:
 * - a tiny directory (3 files, 5 tables) with PGlite, first with no saved data directory (initdb, then saved), then
 *   from the saved one: the issue's ≤ 250 MB peak;
 * - the fixed cost, a 1-file, 1-table directory from the saved data directory: the issue's ≤ 1.5 s;
 * - the generated 50-file, 1,000-table directory on the real server as dev database (the reference) and with PGlite:
 *   the issue's ≤ 400 MB peak.
 * Peak RSS is the bench child's own plus its children's high-water marks (`measureTree`).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMigrationDirectory } from './generate-migrations.ts';
import { measureTree } from './measure.ts';
import { failedRecord, recordOf, toMb, type StepRecord } from './report.ts';

const MIGRATION_TABLES = 1000;
const MIGRATION_FILES = 50;
const TINY_MAX_MB = 250;
const LARGE_MAX_MB = 400;
const FIXED_MAX_MS = 1500;

const REPLAY_PROCESS = join(import.meta.dirname, 'replay-process.ts');

interface ReplayOutput {
  wallMs: number;
  tables: number;
  files: number;
  serverVersion: string;
}

/** The tiny directory: 3 files, 5 tables. */
async function writeTinyDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, '001_users.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);\n');
  await writeFile(join(dir, '002_orders.sql'), [
    'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users, total numeric(12,2));',
    'CREATE TABLE order_lines (order_id bigint REFERENCES orders, line int, sku text, PRIMARY KEY (order_id, line));',
    '',
  ].join('\n'));
  await writeFile(join(dir, '003_catalog.sql'), [
    'CREATE TABLE products (sku text PRIMARY KEY, name text NOT NULL);',
    'CREATE TABLE prices (sku text REFERENCES products, since date, amount numeric(12,2), PRIMARY KEY (sku, since));',
    'CREATE INDEX orders_user ON orders (user_id);',
    '',
  ].join('\n'));
}

/** Writes the directories and measures each replay; `cacheDir` is fresh, so the first PGlite replay runs initdb. */
export async function runReplaySteps(outDir: string, devUrl: string, log: (line: string) => void): Promise<StepRecord[]> {
  const tiny = join(outDir, 'migrations-tiny');
  const single = join(outDir, 'migrations-one');
  const large = join(outDir, 'migrations');
  await rm(tiny, { recursive: true, force: true });
  await rm(single, { recursive: true, force: true });
  await rm(large, { recursive: true, force: true });
  await writeTinyDirectory(tiny);
  await mkdir(single, { recursive: true });
  await writeFile(join(single, '001_one.sql'), 'CREATE TABLE one (id int PRIMARY KEY);\n');
  await writeMigrationDirectory(large, { tables: MIGRATION_TABLES, files: MIGRATION_FILES });
  const cacheDir = await mkdtemp(join(tmpdir(), 'sd-bench-replay-cache-'));

  const records: StepRecord[] = [];
  const measure = async (
    step: string,
    dir: string,
    options: { devUrl?: string; maxMb?: number; maxMs?: number; reference?: number },
  ): Promise<ReplayOutput | null> => {
    try {
      const args = [REPLAY_PROCESS, dir, 'plain', cacheDir, ...(options.devUrl ? [options.devUrl] : [])];
      const r = await measureTree(process.execPath, args);
      const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as ReplayOutput;
      const peakMb = toMb(r.measurement.peakRssBytes);
      let target: string | null = null;
      let verdict: 'met' | 'missed' | null = null;
      if (options.maxMb !== undefined) {
        target = `peak <= ${options.maxMb} MB (process + child)`;
        verdict = peakMb <= options.maxMb ? 'met' : 'missed';
      } else if (options.maxMs !== undefined) {
        target = `<= ${options.maxMs} ms`;
        verdict = out.wallMs <= options.maxMs ? 'met' : 'missed';
      }
      const ratio = options.reference ? `, ${(out.wallMs / options.reference).toFixed(2)}x the dev server's time` : '';
      records.push(recordOf(null, step, { wallMs: out.wallMs, peakRssBytes: r.measurement.peakRssBytes, baselineRssBytes: null }, {
        detail: `${out.files} files, ${out.tables} tables read back (${out.serverVersion}); process ${toMb(r.tree.ownBytes)} MB + children ${toMb(r.tree.childrenBytes)} MB${ratio}`,
        ...(target ? { target, verdict } : {}),
      }));
      log(`${step}: ${out.wallMs.toFixed(0)} ms, peak ${peakMb} MB`);
      return out;
    } catch (err) {
      records.push(failedRecord(null, step, err));
      log(`${step}: failed`);
      return null;
    }
  };

  try {
    await measure('replay 3 files / 5 tables: pglite, first (initdb, data directory saved)', tiny, {});
    await measure('replay 3 files / 5 tables: pglite', tiny, { maxMb: TINY_MAX_MB });
    await measure('replay fixed cost, 1 file / 1 table: pglite', single, { maxMs: FIXED_MAX_MS });
    const server = await measure(`replay ${MIGRATION_FILES} files / ${MIGRATION_TABLES} tables: server (devUrl)`, large, { devUrl });
    await measure(`replay ${MIGRATION_FILES} files / ${MIGRATION_TABLES} tables: pglite`, large, {
      maxMb: LARGE_MAX_MB,
      ...(server ? { reference: server.wallMs } : {}),
    });
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
  return records;
}
