/**
 * Wall time and peak resident memory of one benchmark step.
 *
 * Steps run one after another in this process, so a step's memory is reported two ways: the absolute peak RSS
 * while it ran, and the rise over the RSS just before it (after a forced GC, when `--expose-gc` is on). The peak is
 * the larger of a timer that samples `process.memoryUsage().rss` every few milliseconds (it only fires between awaits)
 * and `process.resourceUsage().maxRSS` when that high-water mark moved during the step (it also catches synchronous
 * steps such as the differ, which the timer cannot interrupt). Child processes are sampled through `/proc`, with
 * their own children (a replay's PGlite process) when measured as a tree.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/** What one measured step cost. */
export interface Measurement {
  readonly wallMs: number;
  /** Absolute peak RSS while the step ran, bytes. */
  readonly peakRssBytes: number;
  /** RSS before the step (after GC), bytes; `null` for a child process. */
  readonly baselineRssBytes: number | null;
}

const SAMPLE_EVERY_MS = 5;

/** Runs a full GC when the process was started with `--expose-gc`; a no-op otherwise. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

/** Whether {@link collectGarbage} can actually collect. */
export function gcAvailable(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

/** A point in time of this process: the clock, its RSS and its RSS high-water mark (bytes). */
export interface MemoryMark {
  readonly at: number;
  readonly rssBytes: number;
  readonly maxRssBytes: number;
}

/** Reads the clock and this process's memory now; cheap and synchronous, so it can mark a point inside a step. */
export function memoryMark(): MemoryMark {
  return { at: performance.now(), rssBytes: process.memoryUsage().rss, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
}

/**
 * The measurement between two marks, for a synchronous part of a step: its RSS at either end, or the process-wide
 * high-water mark when the part raised it (only then does that mark tell about this part).
 */
export function measurementBetween(from: MemoryMark, to: MemoryMark): Measurement {
  let peak = Math.max(from.rssBytes, to.rssBytes);
  if (to.maxRssBytes > from.maxRssBytes) peak = Math.max(peak, to.maxRssBytes);
  return { wallMs: to.at - from.at, peakRssBytes: peak, baselineRssBytes: from.rssBytes };
}

/** Measures `fn` in this process. */
export async function measureInProcess<T>(fn: () => Promise<T> | T): Promise<{ value: T; measurement: Measurement }> {
  collectGarbage();
  const baseline = process.memoryUsage().rss;
  const maxRssBefore = process.resourceUsage().maxRSS * 1024;
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, SAMPLE_EVERY_MS);
  const start = performance.now();
  try {
    const value = await fn();
    const wallMs = performance.now() - start;
    peak = Math.max(peak, process.memoryUsage().rss);
    const maxRssAfter = process.resourceUsage().maxRSS * 1024;
    // The process-wide high-water mark only tells about this step when this step raised it.
    if (maxRssAfter > maxRssBefore) peak = Math.max(peak, maxRssAfter);
    return { value, measurement: { wallMs, peakRssBytes: peak, baselineRssBytes: baseline } };
  } finally {
    clearInterval(timer);
  }
}

/** Result of a measured child process. */
export interface ChildResult {
  readonly measurement: Measurement;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command and measures its wall time and its peak RSS (`VmHWM` from `/proc/<pid>/status`, polled while it
 * runs: the kernel's own high-water mark, so a short spike between two polls is still seen). Rejects on a non-zero
 * exit, with the command's stderr in the message. With `stdoutFile`, the command writes its standard output there
 * (as `> file` would) instead of into the result.
 */
export function measureChild(
  command: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
  options: { readonly onStart?: (pid: number) => void; readonly stdoutFile?: string } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const { onStart, stdoutFile } = options;
    const out = stdoutFile === undefined ? 'pipe' : openSync(stdoutFile, 'w');
    const start = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', out, 'pipe'], env: env ?? process.env });
    if (typeof out === 'number') closeSync(out); // the child has its own copy
    if (child.pid !== undefined) onStart?.(child.pid);
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const poll = setInterval(() => {
      if (child.pid !== undefined) void highWaterMark(child.pid).then((hwm) => (peak = Math.max(peak, hwm)));
    }, SAMPLE_EVERY_MS);
    child.on('error', (err) => {
      clearInterval(poll);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(poll);
      const wallMs = performance.now() - start;
      if (code !== 0) {
        reject(new Error(`bench: ${command} exited with code ${code}: ${errorLine(stderr)}`));
        return;
      }
      resolve({ measurement: { wallMs, peakRssBytes: peak, baselineRssBytes: null }, stdout, stderr });
    });
  });
}

/** The line of a child's stderr that names the error (node prints a stack and its version after it). */
function errorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  return lines.find((l) => /error/i.test(l) && !l.startsWith('at ')) ?? lines[0] ?? '(no stderr)';
}

/** `VmHWM` of a process in bytes, 0 once it has gone. */
export async function highWaterMark(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0; // the process exited between two polls; the last reading stands
  }
}

/** Peak RSS of a measured process tree, bytes: the process's own, and the largest sum of its children's seen. */
export interface TreePeak {
  readonly ownBytes: number;
  readonly childrenBytes: number;
}

/**
 * Like {@link measureChild}, and also polls the process's own children (`/proc/<pid>/task/*\/children`, e.g. a
 * replay's PGlite process), whose high-water marks are summed: `peakRssBytes` is the process's peak plus its
 * children's, an upper bound of the whole tree's peak (the parent idles while its child works, so it is a close one).
 */
export function measureTree(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<ChildResult & { tree: TreePeak }> {
  const seen = new Map<number, number>();
  let own = 0;
  let stop = false;
  let rootPid: number | undefined;
  const poll = async (): Promise<void> => {
    while (!stop) {
      if (rootPid !== undefined) {
        own = Math.max(own, await highWaterMark(rootPid));
        for (const child of await childrenOf(rootPid)) seen.set(child, Math.max(seen.get(child) ?? 0, await highWaterMark(child)));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const polling = poll();
  const run = measureChild(command, args, env, { onStart: (pid) => (rootPid = pid) });
  return run.then(
    async (result) => {
      stop = true;
      await polling;
      const childrenBytes = [...seen.values()].reduce((a, b) => a + b, 0);
      const ownBytes = Math.max(own, result.measurement.peakRssBytes);
      return { ...result, measurement: { ...result.measurement, peakRssBytes: ownBytes + childrenBytes }, tree: { ownBytes, childrenBytes } };
    },
    async (err: unknown) => {
      stop = true;
      await polling;
      throw err;
    },
  );
}

/** The direct children of `pid`. */
export async function childrenOf(pid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const task of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const text = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    pids.push(...text.split(/\s+/).filter(Boolean).map(Number));
  }
  return pids;
}
