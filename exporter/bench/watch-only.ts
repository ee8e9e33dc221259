/**
 * `BENCH_STEPS=watch npm run bench`: only the watch's rows (`watch-steps.ts`) and the inspection they are compared
 * with, per size, on one generated database per dialect and size (loaded once, dropped after): the quick way to
 * measure the fingerprint at 10,000 tables without the dumps, the drifted copy, the CLI, the agent and the replays.
 */
import { dialectNamed } from '../src/dialects/registry.ts';
import { createBenchDatabase, loadGeneratedSql, type BenchDatabase } from './databases.ts';
import { generateBenchSchema, generateSchemaSql } from './generate.ts';
import { readBenchDatabase, tableCount } from './live-read.ts';
import { measureInProcess } from './measure.ts';
import { createMysqlBenchDatabase, loadMysqlSql } from './mysql-databases.ts';
import { renderMysqlSql } from './render-mysql.ts';
import { failedRecord, recordOf, type StepRecord } from './report.ts';
import { watchSteps } from './watch-steps.ts';

/** The watch rows of one size on one dialect; `open` collects the database so a signal handler can drop it too. */
export async function benchWatchOnly(
  dialectName: 'postgres' | 'mysql',
  size: number,
  open: BenchDatabase[],
  log: (line: string) => void,
): Promise<StepRecord[]> {
  const dialect = dialectNamed(dialectName);
  const step = (name: string): string => (dialectName === 'mysql' ? `mysql: ${name}` : name);
  const records: StepRecord[] = [];
  let db: BenchDatabase | null = null;
  try {
    const sql = dialectName === 'mysql' ? renderMysqlSql(generateBenchSchema({ tables: size })) : generateSchemaSql({ tables: size });
    db = dialectName === 'mysql' ? await createMysqlBenchDatabase(`sdbench_${size}_watch`) : await createBenchDatabase(`sdbench_${size}_watch`);
    open.push(db);
    const name = db.name;
    const load = await measureInProcess(() => (dialectName === 'mysql' ? loadMysqlSql(name, sql) : loadGeneratedSql(db!.url, sql)));
    records.push(recordOf(size, step('setup: load base'), load.measurement));
    log(`${dialectName} ${size}: loaded in ${load.measurement.wallMs.toFixed(0)} ms`);
    const url = db.url;
    const inspect = await measureInProcess(async () => (await readBenchDatabase(dialect, url)).snapshot);
    records.push(recordOf(size, step('inspect base'), inspect.measurement, { detail: `${tableCount(inspect.value)} tables` }));
    records.push(...(await watchSteps({ size, dialect, url, inspectMs: inspect.measurement.wallMs, step })));
  } catch (err) {
    records.push(failedRecord(size, step('setup'), err));
  } finally {
    if (db) {
      const i = open.indexOf(db);
      if (i >= 0) open.splice(i, 1);
      await db.drop().catch((err: unknown) => log(`could not drop database ${db?.name}: ${String(err)}`));
    }
  }
  for (const r of records) log(`${dialectName} ${size}: ${r.step}: ${r.error === null ? `${r.wallMs} ms` : `ERROR ${r.error}`}`);
  return records;
}
