/**
 * The one-off replay step: the generated 50-file migration directory replayed (and read back by the inspector) with
 * PGlite and with the real server as dev database, through the engine's `readDesired` as a check replays (without
 * its cache, and with no revision table, so every file is applied). PGlite runs in the worker thread a check uses.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { dialectNamed } from '../src/dialects/registry.ts';
import { readDesired } from '../src/engine/desired.ts';
import { readMigrationDirectory } from '../src/migrations/index.ts';
import { writeMigrationDirectory } from './generate-migrations.ts';
import { tableCount } from './live-read.ts';
import { measureInProcess } from './measure.ts';
import { failedRecord, recordOf, type StepRecord } from './report.ts';

const MIGRATION_TABLES = 500;
const MIGRATION_FILES = 50;

/** Writes the migration directory under `outDir` and measures its replay with each engine. */
export async function runReplaySteps(outDir: string, devUrl: string, log: (line: string) => void): Promise<StepRecord[]> {
  const dir = join(outDir, 'migrations');
  await rm(dir, { recursive: true, force: true });
  await writeMigrationDirectory(dir, { tables: MIGRATION_TABLES, files: MIGRATION_FILES });
  const records: StepRecord[] = [];
  // The server first: PGlite's WebAssembly heap is not handed back to the OS after the instance closes, so it
  // would inflate the RSS baseline of whatever ran after it.
  const engines: [string, { devUrl?: string }][] = [
    ['server (devUrl)', { devUrl }],
    ['pglite', {}],
  ];
  const postgres = dialectNamed('postgres');
  for (const [engine, options] of engines) {
    const step = `replay ${MIGRATION_FILES} files / ${MIGRATION_TABLES} tables: ${engine}`;
    try {
      const { value, measurement } = await measureInProcess(async () => {
        const directory = await readMigrationDirectory(dir, { format: 'plain' });
        const desired = await readDesired(postgres, { directory, ...options, target: dir, inspect: { target: dir } });
        return { directory, desired };
      });
      const { directory, desired } = value;
      // No revision table: nothing is pending, every file of the directory ran.
      const applied = directory.files.length - desired.pending.length;
      const record = recordOf(null, step, measurement, {
        detail: `${applied} files applied, ${tableCount(desired.snapshot)} tables read back (${desired.replay.serverVersion})`,
      });
      records.push(record);
      log(`replay ${engine}: ${record.wallMs} ms`);
    } catch (err) {
      records.push(failedRecord(null, step, err));
      log(`replay ${engine}: failed`);
    }
  }
  return records;
}
