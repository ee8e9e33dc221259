/**
 * `npm run bench`: measures the PostgreSQL engine on generated schemas of 1,000, 5,000 and 10,000 tables
 * (`BENCH_SIZES=1000,5000` overrides) against `pg_dump --schema-only` on the same databases, with the agent's memory
 * around four checks of each, plus the replay steps (a tiny directory, the fixed cost, a 50-file, 1,000-table one); then
 * the MySQL/MariaDB engine on 1,000, 5,000 and 10,000 tables (`BENCH_MYSQL_SIZES`, `none` to skip) against
 * `mysqldump --no-data` on the same databases. First, the command line as processes of their own (`cli-steps.ts`):
 * start-up against a bare `node -e 0`, from the sources and from the compiled package, and per size its `inspect`
 * against the dump tool. Prints a table with the issue's targets next to the figures, the load average, and writes
 * `exporter/.bench/results.json`. It reports; a missed target never fails the run. Every database it creates is
 * dropped at the end, failures and Ctrl-C included. `BENCH_STEPS=watch` runs only the watch's rows and the
 * inspection they are compared with (`watch-only.ts`). Last, the fleet rows (`fleet-steps.ts`): one agent discovering
 * 500 tenant schemas (`BENCH_FLEET_TENANTS`, `none` to skip; `npm run bench:fleet` runs them alone).
 */
import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { preparePackageStep, runCliStartSteps, type CliBins } from './cli-steps.ts';
import { generateDriftedSql, generateSchemaSql } from './generate.ts';
import { BENCH_PG_URL, createBenchDatabase, loadGeneratedSql, type BenchDatabase } from './databases.ts';
import { gcAvailable, measureInProcess } from './measure.ts';
import { mysqlServerVersion } from './mysql-databases.ts';
import { benchMysqlSize } from './mysql-steps.ts';
import { runAgentSteps } from './agent-steps.ts';
import { runReplaySteps } from './replay-steps.ts';
import { runFleetSteps } from './fleet-steps.ts';
import { failedRecord, formatTable, recordOf, writeResults, type StepRecord } from './report.ts';
import { runSizeSteps } from './steps.ts';
import { benchWatchOnly } from './watch-only.ts';

const DEFAULT_SIZES = [1000, 5000, 10000];
const DEFAULT_MYSQL_SIZES = [1000, 5000, 10000];
/** Tenant schemas of the fleet rows (`fleet-steps.ts`). */
const DEFAULT_FLEET_TENANTS = [500];
const OUT_DIR = join(import.meta.dirname, '..', '.bench');

/** Sizes from `BENCH_SIZES`/`BENCH_MYSQL_SIZES` (comma-separated positive integers, or `none`) or the defaults. */
function parseSizes(value: string | undefined, defaults: number[], variable: string): number[] {
  if (value === undefined || value.trim() === '') return defaults;
  if (value.trim() === 'none') return [];
  const sizes = value.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new Error(`bench: ${variable} must be comma-separated positive integers or none, got ${JSON.stringify(value)}`);
  }
  return sizes;
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

const open: BenchDatabase[] = [];

async function dropAll(): Promise<void> {
  for (const db of open.splice(0)) {
    try {
      await db.drop();
    } catch (err) {
      log(`could not drop database ${db.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

async function serverVersion(): Promise<string | null> {
  const client = new pg.Client({ connectionString: BENCH_PG_URL });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? null;
  } catch {
    return null; // the size steps will record the connection error
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Generates and loads the two databases of one size, then runs its steps; the databases are dropped after. */
async function benchSize(size: number, bins: CliBins | null): Promise<StepRecord[]> {
  const records: StepRecord[] = [];
  const gen = await measureInProcess(() => ({
    base: generateSchemaSql({ tables: size }),
    drifted: generateDriftedSql({ tables: size }),
  }));
  const { base, drifted } = gen.value;
  records.push(recordOf(size, 'setup: generate SQL', gen.measurement, {
    detail: `${(base.length / 1e6).toFixed(1)} MB base, ${drifted.edits.length} drift edits`,
  }));
  try {
    const baseDb = await createBenchDatabase(`sdbench_${size}_base`);
    open.push(baseDb);
    const driftedDb = await createBenchDatabase(`sdbench_${size}_drifted`);
    open.push(driftedDb);
    for (const [label, db, sql] of [['base', baseDb, base], ['drifted', driftedDb, drifted.sql]] as const) {
      const load = await measureInProcess(() => loadGeneratedSql(db.url, sql));
      records.push(recordOf(size, `setup: load ${label}`, load.measurement));
      log(`${size}: loaded ${label} in ${load.measurement.wallMs.toFixed(0)} ms`);
    }
    const steps = await runSizeSteps({
      size, baseUrl: baseDb.url, driftedUrl: driftedDb.url, outDir: OUT_DIR, ...(bins ? { cliBin: bins.dist } : {}),
    });
    for (const s of steps) log(`${size}: ${s.step}: ${s.error === null ? `${s.wallMs} ms` : `ERROR ${s.error}`}`);
    records.push(...steps);
    const agent = await runAgentSteps(size, baseDb.url, base, OUT_DIR);
    for (const s of agent) log(`${size}: ${s.step}: ${s.error === null ? `${s.wallMs} ms` : `ERROR ${s.error}`}`);
    records.push(...agent);
  } catch (err) {
    records.push(failedRecord(size, 'setup', err));
  } finally {
    await dropAll();
  }
  return records;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const sizes = parseSizes(process.env.BENCH_SIZES, DEFAULT_SIZES, 'BENCH_SIZES');
  const mysqlSizes = parseSizes(process.env.BENCH_MYSQL_SIZES, DEFAULT_MYSQL_SIZES, 'BENCH_MYSQL_SIZES');
  const fleetSizes = parseSizes(process.env.BENCH_FLEET_TENANTS, DEFAULT_FLEET_TENANTS, 'BENCH_FLEET_TENANTS');
  if (!gcAvailable()) log('run with node --expose-gc for RSS baselines after a full GC');
  const onSignal = (): void => {
    void dropAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await mkdir(OUT_DIR, { recursive: true });
  const steps: StepRecord[] = [];
  const loadAverage = loadavg();
  const stepsOnly = process.env.BENCH_STEPS?.trim() ?? '';
  if (stepsOnly !== '' && stepsOnly !== 'watch') throw new Error(`bench: BENCH_STEPS must be watch or unset, got ${JSON.stringify(stepsOnly)}`);
  try {
    if (stepsOnly === 'watch') {
      for (const size of sizes) steps.push(...(await benchWatchOnly('postgres', size, open, log)));
      for (const size of mysqlSizes) steps.push(...(await benchWatchOnly('mysql', size, open, log)));
    } else {
      let bins: CliBins | null = null;
      try {
        const prepared = await preparePackageStep(OUT_DIR);
        steps.push(prepared.record);
        bins = prepared.bins;
        steps.push(...(await runCliStartSteps(bins, log)));
      } catch (err) {
        steps.push(failedRecord(null, 'cli: start-up', err));
      }
      for (const size of sizes) steps.push(...(await benchSize(size, bins)));
      if (sizes.length > 0) steps.push(...(await runReplaySteps(OUT_DIR, BENCH_PG_URL, log)));
      for (const size of mysqlSizes) steps.push(...(await benchMysqlSize(size, OUT_DIR, log, bins?.dist)));
      for (const tenants of fleetSizes) steps.push(...(await runFleetSteps(tenants, log)));
    }
  } finally {
    await dropAll();
  }
  const finishedAt = new Date();
  const totalWallMs = finishedAt.getTime() - startedAt.getTime();
  const resultsPath = join(OUT_DIR, 'results.json');
  await writeResults(resultsPath, {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    node: process.version,
    serverVersion: await serverVersion(),
    mysqlServerVersion: mysqlSizes.length > 0 ? await mysqlServerVersion() : null,
    gcExposed: gcAvailable(),
    sizes,
    mysqlSizes,
    totalWallMs,
    loadAverage: { start: loadAverage, end: loadavg() },
    steps,
  });
  process.stdout.write(`${formatTable(steps)}\n\n`);
  process.stdout.write(`x dump: pg_dump --schema-only for PostgreSQL rows, mysqldump --no-data for "mysql:" rows, each `);
  process.stdout.write(`run on the same base database in the same run. RSS: peak while the `);
  process.stdout.write(`step ran; "rise" is over the RSS before it (in-process steps only).\n`);
  process.stdout.write(`cli: rows run as processes of their own; "(dist)" is the compiled package (as npm ships it), "(src)" the `);
  process.stdout.write(`repository's TypeScript sources (the bin enables Node's compile cache; "no compile cache" strips types at every start).\n`);
  const loads = (l: number[]): string => l.map((n) => n.toFixed(2)).join(' ');
  process.stdout.write(`load average (1/5/15 min) at start ${loads(loadAverage)}, at end ${loads(loadavg())}\n`);
  process.stdout.write(`total ${(totalWallMs / 1000).toFixed(1)} s; results in ${resultsPath}\n`);
}

await main();
