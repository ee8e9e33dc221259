/**
 * The one-off replay step: the generated 50-file migration directory replayed (and read back by the inspector) with
 * PGlite and with the real server as dev database.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readMigrationDirectory } from '../src/migrations/index.ts';
import { replayPostgres, type ReplayOptions } from '../src/dialects/postgres/replay.ts';
import { writeMigrationDirectory } from './generate-migrations.ts';
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
  const engines: [string, ReplayOptions][] = [
    ['server (devUrl)', { devUrl }],
    ['pglite', {}],
  ];
  for (const [engine, options] of engines) {
    const step = `replay ${MIGRATION_FILES} files / ${MIGRATION_TABLES} tables: ${engine}`;
    try {
      const { value, measurement } = await measureInProcess(async () =>
        replayPostgres(await readMigrationDirectory(dir, { format: 'plain' }), options),
      );
      const tables = value.snapshot.schemas.reduce((n, s) => n + s.tables.length, 0);
      const record = recordOf(null, step, measurement, {
        detail: `${value.applied.length} files applied, ${tables} tables read back (${value.serverVersion})`,
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
