/**
 * The MySQL/MariaDB part of `npm run bench`: per size, the generated schema rendered with MySQL syntax
 * (`render-mysql.ts`) and its drifted copy loaded into two databases, then `mysqldump --no-data` on the base database
 * as the reference (same server, same run), the live read of both databases and the comparison (filter, diff, plan),
 * through the engine with the registry's dialect as a check runs them. The databases are dropped after each size,
 * failures included.
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SchemaSnapshot } from '../src/core/model/schema.ts';
import { dialectNamed } from '../src/dialects/registry.ts';
import { mysqlCliTarget, runCliInspectSteps } from './cli-steps.ts';
import { watchSteps } from './watch-steps.ts';
import { compareSteps } from './compare-steps.ts';
import type { BenchDatabase } from './databases.ts';
import { DEFAULT_SEED, driftBenchSchema, generateBenchSchema } from './generate.ts';
import { readBenchDatabase, tableCount } from './live-read.ts';
import { measureChild, measureInProcess, type Measurement } from './measure.ts';
import { BENCH_MYSQL_URL, createMysqlBenchDatabase, loadMysqlSql } from './mysql-databases.ts';
import { renderMysqlSql } from './render-mysql.ts';
import { failedRecord, recordOf, type StepRecord } from './report.ts';

const mysql = dialectNamed('mysql');

/** `mysqldump --no-data` of `db` into `file`, with the bench URL's credentials (password through MYSQL_PWD). */
function mysqldump(db: BenchDatabase, file: string): Promise<{ measurement: Measurement }> {
  const url = new URL(BENCH_MYSQL_URL);
  const args = ['--no-data', '--single-transaction', '-h', url.hostname, '-P', url.port || '3306'];
  args.push('-u', decodeURIComponent(url.username) || 'root', '-r', file, db.name);
  const env = url.password ? { ...process.env, MYSQL_PWD: decodeURIComponent(url.password) } : process.env;
  return measureChild('mysqldump', args, env);
}

/** Generates, loads and measures one MySQL size; `cliBin`, the compiled package's bin, adds the CLI rows. */
export async function benchMysqlSize(
  size: number,
  outDir: string,
  log: (line: string) => void,
  cliBin?: string,
): Promise<StepRecord[]> {
  const records: StepRecord[] = [];
  const step = (name: string): string => `mysql: ${name}`;
  const gen = await measureInProcess(() => {
    const base = generateBenchSchema({ tables: size });
    const drifted = driftBenchSchema(base, DEFAULT_SEED);
    return { base: renderMysqlSql(base), drifted: renderMysqlSql(drifted.schema), edits: drifted.edits.length };
  });
  records.push(recordOf(size, step('setup: generate SQL'), gen.measurement, {
    detail: `${(gen.value.base.length / 1e6).toFixed(1)} MB base, ${gen.value.edits} drift edits`,
  }));
  const open: BenchDatabase[] = [];
  const attempt = async <T>(name: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch (err) {
      records.push(failedRecord(size, step(name), err));
      return null;
    }
  };
  try {
    const baseDb = await createMysqlBenchDatabase(`sdbench_${size}_base`);
    open.push(baseDb);
    const driftedDb = await createMysqlBenchDatabase(`sdbench_${size}_drifted`);
    open.push(driftedDb);
    for (const [label, db, sql] of [['base', baseDb, gen.value.base], ['drifted', driftedDb, gen.value.drifted]] as const) {
      const load = await measureInProcess(() => loadMysqlSql(db.name, sql));
      records.push(recordOf(size, step(`setup: load ${label}`), load.measurement));
      log(`mysql ${size}: loaded ${label} in ${load.measurement.wallMs.toFixed(0)} ms`);
    }
    const dumpFile = join(outDir, `mysqldump-${size}.sql`);
    const dump = await attempt('mysqldump --no-data base (reference)', async () => {
      const { measurement } = await mysqldump(baseDb, dumpFile);
      const mb = ((await stat(dumpFile)).size / 1e6).toFixed(1);
      records.push(recordOf(size, step('mysqldump --no-data base (reference)'), measurement, {
        detail: `${mb} MB of DDL, .bench/${basename(dumpFile)}`,
      }));
      return measurement;
    });
    const ratio = (m: Measurement): number | null => (dump ? Math.round((m.wallMs / dump.wallMs) * 100) / 100 : null);
    const inspect = async (label: string, db: BenchDatabase, counterpart?: SchemaSnapshot): Promise<SchemaSnapshot | null> =>
      attempt(`inspect ${label}`, async () => {
        const { value, measurement } = await measureInProcess(async () => (await readBenchDatabase(mysql, db.url, counterpart)).snapshot);
        records.push(recordOf(size, step(`inspect ${label}`), measurement, {
          ratioVsPgDump: ratio(measurement),
          detail: `${tableCount(value)} tables`,
        }));
        return value;
      });
    if (cliBin) {
      records.push(...(await runCliInspectSteps({
        size, url: baseDb.url, bin: cliBin, outDir, prefix: step(''), dump, target: mysqlCliTarget(size),
      })));
    }
    const base = await inspect('base', baseDb);
    const inspectMs = records.find((r) => r.step === step('inspect base'))?.wallMs ?? null;
    records.push(...(await watchSteps({ size, dialect: mysql, url: baseDb.url, inspectMs, step })));
    // Read with the base as its counterpart, so its one schema takes the base's name, as a replay takes the target's.
    const drifted = await inspect('drifted', driftedDb, base ?? undefined);
    // The live database is the drifted one (current); the base plays the migrations' desired schema.
    if (base && drifted) records.push(...(await compareSteps({ size, dialect: mysql, current: drifted, desired: base, step })));
    else records.push(failedRecord(size, step('diff + plan'), 'skipped: an inspection failed'));
  } catch (err) {
    records.push(failedRecord(size, step('setup'), err));
  } finally {
    for (const db of open) {
      await db.drop().catch((err: unknown) => log(`could not drop database ${db.name}: ${String(err)}`));
    }
  }
  return records;
}
