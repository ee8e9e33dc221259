/**
 * The command line as a user runs it, each run a process of its own: a bare `node -e 0` start as the reference, then
 * `schema-drift --version` and `inspect` of an empty database, from the repository's TypeScript sources (with and
 * without Node's compile cache, which keeps their type-stripped text) and from the compiled package (what `npm pack` ships: bin/ and dist/, no src/), built for this run;
 * and per size, `inspect --format sql|json` of the compiled package against the dump tool. Start-up figures are the
 * median of a few runs (one start is a few tens of milliseconds of a shared machine's noise).
 *
 * "Start to first connection" is read inside the process: `first-connect.js`, preloaded, prints when the process
 * opened its first TCP connection (the database session, which the first query follows), on the process's own clock.
 * The bin enables Node's compile cache, so all but the first of a variant's runs start with a warm one.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDist, EXPORTER_ROOT } from '../scripts/build-dist.ts';
import { createBenchDatabase } from './databases.ts';
import { measureChild, measureInProcess, type Measurement } from './measure.ts';
import { failedRecord, recordOf, type StepRecord } from './report.ts';

/** The two ways to run the CLI the bench compares. */
export interface CliBins {
  /** The repository's bin, which runs src/ with type stripping. */
  readonly src: string;
  /** The package's bin, which runs the compiled dist/. */
  readonly dist: string;
}

/** Start-up runs per figure; the median is reported. */
const START_RUNS = 5;
const START_TARGET_MS = 250;
const FIRST_CONNECT_PRELOAD = join(import.meta.dirname, 'first-connect.js');
/** The CLI's statement timeout for the bench's reads (its 30 s default is for production, not 10,000 tables here). */
const STATEMENT_TIMEOUT_MS = '600000';

/** Builds the package copy the `dist` rows run: `<outDir>/package/{bin,dist,package.json}`. */
export function preparePackage(outDir: string): CliBins {
  const root = join(outDir, 'package');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync(join(EXPORTER_ROOT, 'bin', 'schema-drift.js'), join(root, 'bin', 'schema-drift.js'));
  copyFileSync(join(EXPORTER_ROOT, 'package.json'), join(root, 'package.json'));
  // Dependencies resolve from the repository's node_modules, above the copy.
  buildDist(join(root, 'dist'));
  return { src: join(EXPORTER_ROOT, 'bin', 'schema-drift.js'), dist: join(root, 'bin', 'schema-drift.js') };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Runs `args` with node {@link START_RUNS} times: the median wall and peak RSS, and the median first connection. */
async function startRuns(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ measurement: Measurement; firstConnectMs: number | null }> {
  const walls: number[] = [];
  const peaks: number[] = [];
  const connects: number[] = [];
  for (let i = 0; i < START_RUNS; i++) {
    const r = await measureChild(process.execPath, args, env);
    walls.push(r.measurement.wallMs);
    peaks.push(r.measurement.peakRssBytes);
    const at = /^first-connect-ms ([\d.]+)$/m.exec(r.stderr)?.[1];
    if (at !== undefined) connects.push(Number(at));
  }
  return {
    measurement: { wallMs: median(walls), peakRssBytes: median(peaks), baselineRssBytes: null },
    firstConnectMs: connects.length === START_RUNS ? median(connects) : null,
  };
}

/**
 * The ways a start is measured: the sources with Node's compile cache (the bin enables it; warm after the first of the
 * runs), the sources without it (every file type-stripped and compiled at every start), and the compiled package.
 */
function variants(bins: CliBins): { kind: string; bin: string; env: NodeJS.ProcessEnv }[] {
  return [
    { kind: 'src', bin: bins.src, env: process.env },
    { kind: 'src, no compile cache', bin: bins.src, env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' } },
    { kind: 'dist', bin: bins.dist, env: process.env },
  ];
}

/** The start-up rows: `node -e 0`, `--version` and `inspect` of an empty database, from src and from dist. */
export async function runCliStartSteps(bins: CliBins, log: (line: string) => void): Promise<StepRecord[]> {
  const records: StepRecord[] = [];
  let node: Measurement | null = null;
  try {
    node = (await startRuns(['-e', '0'])).measurement;
    records.push(recordOf(null, 'cli: node -e 0 (reference)', node, { detail: `median of ${START_RUNS} starts` }));
  } catch (err) {
    records.push(failedRecord(null, 'cli: node -e 0 (reference)', err));
  }
  const xNode = (m: Measurement): string => (node ? `${(m.wallMs / node.wallMs).toFixed(1)}x node start` : '');
  for (const { kind, bin, env } of variants(bins)) {
    const step = `cli: schema-drift --version (${kind})`;
    try {
      const { measurement } = await startRuns([bin, '--version'], env);
      records.push(recordOf(null, step, measurement, { detail: `median of ${START_RUNS}; ${xNode(measurement)}` }));
    } catch (err) {
      records.push(failedRecord(null, step, err));
    }
  }
  const empty = await createBenchDatabase('sdbench_empty');
  try {
    for (const { kind, bin, env } of variants(bins)) {
      const step = `cli: inspect empty database (${kind})`;
      try {
        const args = ['--import', FIRST_CONNECT_PRELOAD, bin, 'inspect', empty.url, '--format', 'sql'];
        const { measurement, firstConnectMs } = await startRuns(args, env);
        // The target is the package's (compiled JavaScript); the repository's sources are reported beside it.
        const ok = firstConnectMs !== null && firstConnectMs <= START_TARGET_MS;
        records.push(recordOf(null, step, measurement, {
          target: kind === 'dist' ? `start to first connection <=${START_TARGET_MS} ms` : null,
          verdict: kind === 'dist' ? (ok ? 'met' : 'missed') : null,
          detail: `start to first connection ${firstConnectMs === null ? '?' : firstConnectMs.toFixed(0)} ms (median of ${START_RUNS}); wall ${xNode(measurement)}`,
        }));
        log(`${step}: first connection at ${firstConnectMs} ms`);
      } catch (err) {
        records.push(failedRecord(null, step, err));
      }
    }
  } finally {
    await empty.drop();
  }
  return records;
}

/** What one size's CLI inspect rows compare against. */
export interface CliInspectInput {
  readonly size: number;
  readonly url: string;
  readonly bin: string;
  readonly outDir: string;
  /** Step name prefix (`mysql: ` for MySQL rows). */
  readonly prefix: string;
  /** The dump tool's measurement on the same database in this run, for the ratio. */
  readonly dump: Measurement | null;
  /** The target text and whether a measurement meets it, or null when no target applies at this size. */
  readonly target: (m: Measurement, ratio: number | null) => { target: string; ok: boolean } | null;
}

/** `inspect --format sql` and `--format json` of the compiled package, output to a file as a user's `> file`. */
export async function runCliInspectSteps(input: CliInspectInput): Promise<StepRecord[]> {
  const records: StepRecord[] = [];
  for (const format of ['sql', 'json'] as const) {
    const step = `${input.prefix}CLI inspect --format ${format} (dist)`;
    const file = join(input.outDir, `cli-inspect-${input.prefix ? 'mysql-' : ''}${input.size}.${format}`);
    try {
      const args = [input.bin, 'inspect', input.url, '--format', format, '--statement-timeout', STATEMENT_TIMEOUT_MS];
      const { measurement } = await measureChild(process.execPath, args, process.env, { stdoutFile: file });
      const ratio = input.dump ? Math.round((measurement.wallMs / input.dump.wallMs) * 100) / 100 : null;
      const goal = input.target(measurement, ratio);
      const { size } = await stat(file);
      records.push(recordOf(input.size, step, measurement, {
        ratioVsPgDump: ratio,
        ...(goal ? { target: goal.target, verdict: goal.ok ? 'met' : 'missed' } : {}),
        detail: `${(size / 1e6).toFixed(1)} MB written; wall includes node start-up`,
      }));
    } catch (err) {
      records.push(failedRecord(input.size, step, err));
    }
  }
  return records;
}

const MIB = 1024 * 1024;

/**
 * The targets for PostgreSQL `inspect` from the CLI: <=1.0x pg_dump at 1,000 tables, <=0.6x at 5,000 and
 * 10,000, and a peak RSS <=300 MB at 5,000.
 */
export function postgresCliTarget(size: number): CliInspectInput['target'] {
  const maxRatio = size === 1000 ? 1 : size === 5000 || size === 10000 ? 0.6 : null;
  return (m, ratio) => {
    if (maxRatio === null) return null;
    const rssOk = size !== 5000 || m.peakRssBytes <= 300 * MIB;
    return { target: `<=${maxRatio.toFixed(1)}x pg_dump${size === 5000 ? ', <=300 MB' : ''}`, ok: ratio !== null && ratio <= maxRatio && rssOk };
  };
}

/** The target for MySQL `inspect` from the CLI: a peak RSS <=250 MB at 5,000 tables. */
export function mysqlCliTarget(size: number): CliInspectInput['target'] {
  return (m) => (size === 5000 ? { target: '<=250 MB', ok: m.peakRssBytes <= 250 * MIB } : null);
}

/** Times building the package copy, as a setup row. */
export async function preparePackageStep(outDir: string): Promise<{ bins: CliBins; record: StepRecord }> {
  const { value, measurement } = await measureInProcess(() => preparePackage(outDir));
  return { bins: value, record: recordOf(null, 'setup: compile the package (tsc)', measurement, { detail: 'bin/ + dist/, no src/' }) };
}
