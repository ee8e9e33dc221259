/**
 * The measured steps for one schema size: pg_dump as the reference, the live read of both databases as a check reads
 * a target (in process, and once in a child process for a clean peak RSS), the watch's fingerprint read
 * (`watch-steps.ts`), then the comparison (filter, diff, plan).
 * The dialect is the registry's; every read and comparison is the engine's (`engine/live.ts`, `engine/compare.ts`).
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { dialectNamed } from '../src/dialects/registry.ts';
import { postgresCliTarget, runCliInspectSteps } from './cli-steps.ts';
import { compareSteps } from './compare-steps.ts';
import { watchSteps } from './watch-steps.ts';
import { readBenchDatabase, tableCount } from './live-read.ts';
import { measureChild, measureInProcess, type Measurement } from './measure.ts';
import { failedRecord, recordOf, type StepRecord } from './report.ts';

/** The size the targets are stated for. */
export const TARGET_SIZE = 5000;
const INSPECT_TARGET = `<=1.0x pg_dump, <400 MB @${TARGET_SIZE}`;
const DIFF_PLAN_TARGET = `<1000 ms @${TARGET_SIZE}`;
const INSPECT_MAX_RSS_MB = 400;
const DIFF_PLAN_MAX_MS = 1000;

/** Two loaded databases of one size. */
export interface SizeInput {
  readonly size: number;
  readonly baseUrl: string;
  readonly driftedUrl: string;
  /** Directory for pg_dump's output. */
  readonly outDir: string;
  /** The compiled package's bin, for the CLI rows; none when the package could not be built. */
  readonly cliBin?: string;
}

const postgres = dialectNamed('postgres');

function verdict(size: number, ok: boolean): 'met' | 'missed' | null {
  return size === TARGET_SIZE ? (ok ? 'met' : 'missed') : null;
}

/**
 * Runs every step of one size and returns their records. A failed step is recorded with its error; the steps that
 * need its result are recorded as skipped, and the others still run.
 */
export async function runSizeSteps(input: SizeInput): Promise<StepRecord[]> {
  const { size } = input;
  const records: StepRecord[] = [];
  const attempt = async <T>(step: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch (err) {
      records.push(failedRecord(size, step, err));
      return null;
    }
  };

  const dumpFile = join(input.outDir, `pg_dump-${size}.sql`);
  const dump = await attempt('pg_dump --schema-only base (reference)', async () => {
    const r = await measureChild('pg_dump', ['--schema-only', '--no-owner', '-d', input.baseUrl, '-f', dumpFile]);
    const mb = ((await stat(dumpFile)).size / 1e6).toFixed(1);
    records.push(recordOf(size, 'pg_dump --schema-only base (reference)', r.measurement, {
      detail: `${mb} MB of DDL, .bench/${basename(dumpFile)}`,
    }));
    return r.measurement;
  });
  const ratio = (m: Measurement): number | null => (dump ? Math.round((m.wallMs / dump.wallMs) * 100) / 100 : null);

  const base = await attempt('inspect base', async () => {
    const { value, measurement } = await measureInProcess(async () => (await readBenchDatabase(postgres, input.baseUrl)).snapshot);
    const r = ratio(measurement);
    records.push(recordOf(size, 'inspect base', measurement, {
      ratioVsPgDump: r, target: '<=1.0x pg_dump @5000', verdict: verdict(size, r !== null && r <= 1),
      detail: `${tableCount(value)} tables`,
    }));
    return value;
  });

  const inspectMs = records.find((r) => r.step === 'inspect base' && r.error === null)?.wallMs ?? null;
  records.push(...(await watchSteps({ size, dialect: postgres, url: input.baseUrl, inspectMs, step: (name) => name })));

  await attempt('inspect base (child process)', async () => {
    const child = join(import.meta.dirname, 'inspect-child.ts');
    const r = await measureChild(process.execPath, [child, input.baseUrl]);
    const own = JSON.parse(r.stdout) as { wallMs: number; tables: number };
    const m: Measurement = { ...r.measurement, wallMs: own.wallMs };
    const rr = ratio(m);
    const ok = rr !== null && rr <= 1 && m.peakRssBytes < INSPECT_MAX_RSS_MB * 1024 * 1024;
    records.push(recordOf(size, 'inspect base (child process)', m, {
      ratioVsPgDump: rr, target: INSPECT_TARGET, verdict: verdict(size, ok),
      detail: `${own.tables} tables; wall excludes node start-up (${r.measurement.wallMs.toFixed(0)} ms with it)`,
    }));
  });

  if (input.cliBin) {
    records.push(...(await runCliInspectSteps({
      size, url: input.baseUrl, bin: input.cliBin, outDir: input.outDir, prefix: '', dump, target: postgresCliTarget(size),
    })));
  }

  const drifted = await attempt('inspect drifted', async () => {
    const { value, measurement } = await measureInProcess(async () => (await readBenchDatabase(postgres, input.driftedUrl)).snapshot);
    records.push(recordOf(size, 'inspect drifted', measurement, {
      ratioVsPgDump: ratio(measurement), detail: `${tableCount(value)} tables`,
    }));
    return value;
  });

  if (!base || !drifted) {
    records.push(failedRecord(size, 'diff + plan', 'skipped: an inspection failed'));
    return records;
  }
  // The live database is the drifted one (current); the base plays the migrations' desired schema.
  records.push(...(await compareSteps({
    size,
    dialect: postgres,
    current: drifted,
    desired: base,
    step: (name) => name,
    totalTarget: (wallMs) => ({ target: DIFF_PLAN_TARGET, verdict: verdict(size, wallMs < DIFF_PLAN_MAX_MS) }),
  })));
  return records;
}
