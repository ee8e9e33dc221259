/**
 * The measured steps for one schema size: pg_dump as the reference, inspection of both databases (in process, and
 * once in a child process for a clean peak RSS), the diff and the plan.
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Change } from '../src/core/model/change.ts';
import type { SchemaSnapshot } from '../src/core/model/schema.ts';
import { diffSchemas } from '../src/core/diff/diff.ts';
import { openReadOnlySession } from '../src/dialects/postgres/connect.ts';
import { postgresHooks } from '../src/dialects/postgres/hooks.ts';
import { inspectPostgres } from '../src/dialects/postgres/inspect.ts';
import { planPostgres } from '../src/dialects/postgres/plan.ts';
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
}

function tableCount(snapshot: SchemaSnapshot): number {
  return snapshot.schemas.reduce((n, s) => n + s.tables.length, 0);
}

async function inspectUrl(url: string): Promise<SchemaSnapshot> {
  const session = await openReadOnlySession(url, { statementTimeoutMs: 0, applicationName: 'schema-drift-bench' });
  try {
    return await inspectPostgres(session.db);
  } finally {
    await session.close();
  }
}

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
    const { value, measurement } = await measureInProcess(() => inspectUrl(input.baseUrl));
    const r = ratio(measurement);
    records.push(recordOf(size, 'inspect base', measurement, {
      ratioVsPgDump: r, target: '<=1.0x pg_dump @5000', verdict: verdict(size, r !== null && r <= 1),
      detail: `${tableCount(value)} tables`,
    }));
    return value;
  });

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

  const drifted = await attempt('inspect drifted', async () => {
    const { value, measurement } = await measureInProcess(() => inspectUrl(input.driftedUrl));
    records.push(recordOf(size, 'inspect drifted', measurement, {
      ratioVsPgDump: ratio(measurement), detail: `${tableCount(value)} tables`,
    }));
    return value;
  });

  if (!base || !drifted) {
    records.push(failedRecord(size, 'diff + plan', 'skipped: an inspection failed'));
    return records;
  }
  await diffAndPlan(size, drifted, base, records, attempt);
  return records;
}

/** `21 changes: column changed 7, table extra 3, ...` — what the differ found, to compare with the drift edits. */
function summarizeChanges(changes: readonly Change[]): string {
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(`${c.type} ${c.action}`, (counts.get(`${c.type} ${c.action}`) ?? 0) + 1);
  const parts = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`);
  return `${changes.length} changes: ${parts.join(', ')}`;
}

/** The live database is the drifted one (current), the base plays the migrations' desired schema. */
async function diffAndPlan(
  size: number,
  current: SchemaSnapshot,
  desired: SchemaSnapshot,
  records: StepRecord[],
  attempt: <T>(step: string, fn: () => Promise<T>) => Promise<T | null>,
): Promise<void> {
  const changes = await attempt('diff drifted -> base', async () => {
    const { value, measurement } = await measureInProcess(() =>
      diffSchemas({ current, desired, hooks: postgresHooks }),
    );
    records.push(recordOf(size, 'diff drifted -> base', measurement, { detail: summarizeChanges(value) }));
    return { value, measurement };
  });
  if (!changes) return;
  const plan = await attempt('plan', async () => {
    // With both snapshots, as a check plans (dependent views, rebuilt parts, enum users are looked up in them).
    const { value, measurement } = await measureInProcess(() => planPostgres(changes.value, { current, desired }));
    const hazards = value.statements.filter((s) => s.hazards.length > 0).length;
    records.push(recordOf(size, 'plan', measurement, {
      detail: `${value.statements.length} statements, ${hazards} with hazards`,
    }));
    return measurement;
  });
  if (!plan) return;
  const total = changes.measurement.wallMs + plan.wallMs;
  records.push(recordOf(size, 'diff + plan', {
    wallMs: total,
    peakRssBytes: Math.max(changes.measurement.peakRssBytes, plan.peakRssBytes),
    baselineRssBytes: changes.measurement.baselineRssBytes,
  }, { target: DIFF_PLAN_TARGET, verdict: verdict(size, total < DIFF_PLAN_MAX_MS) }));
}
