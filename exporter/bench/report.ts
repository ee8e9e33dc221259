/**
 * The benchmark's results: one record per (size, step), the targets next to the figures, a printed table and
 * a JSON file. The bench reports; it never fails a run because a target was missed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Measurement } from './measure.ts';

/** One measured step. Sizes are table counts; `null` for the one-off migration replay. */
export interface StepRecord {
  readonly size: number | null;
  readonly step: string;
  readonly wallMs: number | null;
  /** Absolute peak RSS, MiB. */
  readonly peakRssMb: number | null;
  /** Rise of RSS over the step's baseline, MiB; `null` for child processes (their peak is their own). */
  readonly riseRssMb: number | null;
  /** Wall time divided by the dump tool's (pg_dump, or mysqldump for `mysql:` steps) on the same database. */
  readonly ratioVsPgDump: number | null;
  /** The target for this step, in words. */
  readonly target: string | null;
  /** `met` / `missed` when a target applies to this size, else `null`. */
  readonly verdict: 'met' | 'missed' | null;
  /** Counts that say what the step worked on (changes, statements, bytes). */
  readonly detail: string | null;
  readonly error: string | null;
}

/** The whole JSON document written to `.bench/results.json`. */
export interface BenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly node: string;
  readonly serverVersion: string | null;
  /** Added field: `VERSION()` of the MySQL/MariaDB server, null when no MySQL size ran. */
  readonly mysqlServerVersion?: string | null;
  readonly gcExposed: boolean;
  readonly sizes: number[];
  /** Added field: the MySQL sizes (`BENCH_MYSQL_SIZES`). */
  readonly mysqlSizes?: number[];
  readonly totalWallMs: number;
  /** Added field: `os.loadavg()` (1, 5, 15 minutes) when the run started and ended: the machine may be shared. */
  readonly loadAverage?: { readonly start: number[]; readonly end: number[] };
  readonly steps: StepRecord[];
}

const MIB = 1024 * 1024;

/** Bytes to MiB, one decimal. */
export function toMb(bytes: number): number {
  return Math.round((bytes / MIB) * 10) / 10;
}

/** A record from a measurement, before targets are applied. */
export function recordOf(
  size: number | null,
  step: string,
  m: Measurement,
  extra: Partial<Pick<StepRecord, 'ratioVsPgDump' | 'detail' | 'target' | 'verdict'>> = {},
): StepRecord {
  return {
    size,
    step,
    wallMs: Math.round(m.wallMs * 10) / 10,
    peakRssMb: m.peakRssBytes > 0 ? toMb(m.peakRssBytes) : null,
    riseRssMb: m.baselineRssBytes === null ? null : toMb(Math.max(0, m.peakRssBytes - m.baselineRssBytes)),
    ratioVsPgDump: extra.ratioVsPgDump ?? null,
    target: extra.target ?? null,
    verdict: extra.verdict ?? null,
    detail: extra.detail ?? null,
    error: null,
  };
}

/** A record for a step that failed (or could not run because an earlier one failed). */
export function failedRecord(size: number | null, step: string, error: unknown): StepRecord {
  const message = error instanceof Error ? error.message : String(error);
  return {
    size, step, wallMs: null, peakRssMb: null, riseRssMb: null, ratioVsPgDump: null,
    target: null, verdict: null, detail: null, error: message.split('\n')[0] ?? message,
  };
}

const HEADERS = ['tables', 'step', 'wall ms', 'peak RSS MB', 'rise MB', 'x dump', 'target', 'verdict', 'detail'];

/** The results as a fixed-width text table. */
export function formatTable(steps: readonly StepRecord[]): string {
  const rows = steps.map((s) => [
    s.size === null ? '-' : String(s.size),
    s.step,
    s.wallMs === null ? '-' : s.wallMs.toFixed(0),
    s.peakRssMb === null ? '-' : s.peakRssMb.toFixed(1),
    s.riseRssMb === null ? '-' : s.riseRssMb.toFixed(1),
    s.ratioVsPgDump === null ? '' : s.ratioVsPgDump.toFixed(2),
    s.target ?? '',
    s.verdict ?? '',
    s.error === null ? (s.detail ?? '') : `ERROR: ${s.error}`,
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = new Set([0, 2, 3, 4, 5]);
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(HEADERS), rule, ...rows.map(line)].join('\n');
}

/** Writes the results as pretty JSON, creating the directory. */
export async function writeResults(path: string, results: BenchResults): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
}
