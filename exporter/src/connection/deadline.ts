/**
 * A replay's deadline, shared by the dialects: where a replay is (file and line in progress) and the error it ends
 * with when the check's signal stops it. The signal is what makes the deadline enforced: an embedded replay's child
 * process is killed, a dev server's running statement is cancelled from a second connection and its temporary
 * database dropped; this file only words what happened.
 */
import { ReplayError, type SchemaDriftError, TimeoutError } from '../core/errors.ts';

/** What a replay is doing now, for the error that stops it. */
export interface ReplayPosition {
  /** e.g. `starting the embedded database`, `applying`, `reading the replayed schema back`. */
  readonly step: string;
  /** The migration file in progress (its path as errors name it). */
  readonly file?: string;
  /** 1-based line of the statement in progress in `file`, or of the file's first statement. */
  readonly line?: number;
}

/** True for the check's time limit: our TimeoutError, or a DOM one from `AbortSignal.timeout`. */
function isTimeLimit(reason: unknown): boolean {
  return reason instanceof TimeoutError || (reason instanceof Error && reason.name === 'TimeoutError');
}

/**
 * The error a replay stopped by `reason` (the aborted signal's reason) ends with: a TimeoutError for the time limit,
 * else a ReplayError ("stopped: ..."), both naming the file and line in progress and keeping `reason` as the cause.
 */
export function replayStoppedError(reason: unknown, position: ReplayPosition, target?: string): SchemaDriftError {
  const why = reason instanceof Error ? reason.message : String(reason ?? 'aborted');
  const where = position.file ? `while ${position.step} this file` : `while ${position.step}`;
  const context = { ...(target !== undefined ? { target } : {}), ...(position.file ? { file: position.file } : {}), ...(position.line ? { line: position.line } : {}) };
  if (isTimeLimit(reason)) return new TimeoutError(`replay stopped by the time limit ${where} (${why})`, context, { cause: reason });
  return new ReplayError(`replay stopped ${where} (${why})`, context, { cause: reason });
}

/** Throws {@link replayStoppedError} when `signal` has been aborted. */
export function throwIfStopped(signal: AbortSignal | undefined, position: ReplayPosition, target?: string): void {
  if (signal?.aborted) throw replayStoppedError(signal.reason, position, target);
}

/** True when `promise` settles (either way) within `ms`; false when the time runs out first. Never rejects. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
