/**
 * The MySQL/MariaDB part of `npm run bench`: per size, the generated schema rendered with MySQL syntax
 * (`render-mysql.ts`) and its drifted copy loaded into two databases, then `mysqldump --no-data` on the base database
 * as the reference (same server, same run), inspection of both databases, the diff and the plan. The databases are
 * dropped after each size, failures included.
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { diffSchemas } from '../src/core/diff/diff.ts';
import type { Change } from '../src/core/model/change.ts';
import type { SchemaSnapshot } from '../src/core/model/schema.ts';
import { openMysqlSession } from '../src/dialects/mysql/connect.ts';
import { mysqlHooks } from '../src/dialects/mysql/hooks.ts';
import { inspectMysql } from '../src/dialects/mysql/inspect.ts';
import { planMysql } from '../src/dialects/mysql/plan.ts';
import type { BenchDatabase } from './databases.ts';
import { DEFAULT_SEED, driftBenchSchema, generateBenchSchema } from './generate.ts';
import { measureChild, measureInProcess, type Measurement } from './measure.ts';
import { BENCH_MYSQL_URL, createMysqlBenchDatabase, loadMysqlSql } from './mysql-databases.ts';
import { renderMysqlSql } from './render-mysql.ts';
import { failedRecord, recordOf, type StepRecord } from './report.ts';

/** The schema name both sides are read under, so the two databases' different names are not drift. */
const SCHEMA_NAME = 'bench';

function tableCount(snapshot: SchemaSnapshot): number {
  return snapshot.schemas.reduce((n, s) => n + s.tables.length, 0);
}

async function inspectUrl(url: string): Promise<SchemaSnapshot> {
  const session = await openMysqlSession(url, { statementTimeoutMs: 0 });
  try {
    return await inspectMysql(session.db, { database: session.database ?? undefined, schemaName: SCHEMA_NAME });
  } finally {
    await session.close();
  }
}

/** `mysqldump --no-data` of `db` into `file`, with the bench URL's credentials (password through MYSQL_PWD). */
function mysqldump(db: BenchDatabase, file: string): Promise<{ measurement: Measurement }> {
  const url = new URL(BENCH_MYSQL_URL);
  const args = ['--no-data', '--single-transaction', '-h', url.hostname, '-P', url.port || '3306'];
  args.push('-u', decodeURIComponent(url.username) || 'root', '-r', file, db.name);
  const env = url.password ? { ...process.env, MYSQL_PWD: decodeURIComponent(url.password) } : process.env;
  return measureChild('mysqldump', args, env);
}

function summarizeChanges(changes: readonly Change[]): string {
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(`${c.type} ${c.action}`, (counts.get(`${c.type} ${c.action}`) ?? 0) + 1);
  const parts = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`);
  return `${changes.length} changes: ${parts.join(', ')}`;
}

/** Generates, loads and measures one MySQL size. */
export async function benchMysqlSize(size: number, outDir: string, log: (line: string) => void): Promise<StepRecord[]> {
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
    const inspect = async (label: string, db: BenchDatabase): Promise<SchemaSnapshot | null> =>
      attempt(`inspect ${label}`, async () => {
        const { value, measurement } = await measureInProcess(() => inspectUrl(db.url));
        records.push(recordOf(size, step(`inspect ${label}`), measurement, {
          ratioVsPgDump: ratio(measurement),
          detail: `${tableCount(value)} tables`,
        }));
        return value;
      });
    const base = await inspect('base', baseDb);
    const drifted = await inspect('drifted', driftedDb);
    if (base && drifted) await diffAndPlan(size, drifted, base, records, attempt, step);
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

async function diffAndPlan(
  size: number,
  current: SchemaSnapshot,
  desired: SchemaSnapshot,
  records: StepRecord[],
  attempt: <T>(name: string, fn: () => Promise<T>) => Promise<T | null>,
  step: (name: string) => string,
): Promise<void> {
  const changes = await attempt('diff drifted -> base', async () => {
    const { value, measurement } = await measureInProcess(() => diffSchemas({ current, desired, hooks: mysqlHooks }));
    records.push(recordOf(size, step('diff drifted -> base'), measurement, { detail: summarizeChanges(value) }));
    return { value, measurement };
  });
  if (!changes) return;
  const plan = await attempt('plan', async () => {
    const { value, measurement } = await measureInProcess(() => planMysql(changes.value, { current, desired }));
    const hazards = value.statements.filter((s) => s.hazards.length > 0).length;
    records.push(recordOf(size, step('plan'), measurement, {
      detail: `${value.statements.length} statements, ${hazards} with hazards`,
    }));
    return measurement;
  });
  if (!plan) return;
  records.push(recordOf(size, step('diff + plan'), {
    wallMs: changes.measurement.wallMs + plan.wallMs,
    peakRssBytes: Math.max(changes.measurement.peakRssBytes, plan.peakRssBytes),
    baselineRssBytes: changes.measurement.baselineRssBytes,
  }));
}
