/**
 * From a check's outcome or failure to a {@link Report} (through `report/build.ts`), with the target's name and
 * labels, the passwords to scrub, and the failure classified: a `SchemaDriftError` keeps its reason, an abort by the
 * check's time limit is `timeout`, anything else is `internal`.
 */
import path from 'node:path';
import type { TargetConfig } from '../config/types.ts';
import { SchemaDriftError, TimeoutError } from '../core/errors.ts';
import type { MigrationFile } from '../migrations/types.ts';
import type { Report } from '../core/model/report.ts';
import type { RevisionState } from '../revision/revision-state.ts';
import { buildReport, errorReport, type ReportInput } from '../core/report/build.ts';
import type { ReportParts } from '../engine/compare.ts';

/** What a check that ran to the end produced: the comparison as a report takes it, and what the check learnt. */
export type CheckOutcome = ReportParts & {
  /** With drift: the plan the other way, for the report's migration download. */
  readonly keep?: ReportInput['keep'];
  /** The replayed directory's hash (absent for a migration command). */
  readonly directoryHash?: string;
  readonly revision: RevisionState | null;
  readonly pending: readonly MigrationFile[];
  readonly engine: Omit<Report['engine'], 'dialect'>;
  readonly warnings: readonly string[];
  /** Discovered targets: the live schema's fingerprint for the fleet view. */
  readonly fingerprint?: string;
};

/** What a check had learnt before it failed, kept in the error report. */
export interface CheckProgress {
  revision?: RevisionState | null;
  engine?: Omit<Report['engine'], 'dialect'>;
  warnings: string[];
}

/**
 * Passwords of the target's URLs, decoded, to scrub from messages. `report/build.ts` already removes URL
 * credentials; a driver message may quote the bare password, so it goes too. A migration command's `env` values go
 * too (tokens a migrator may print, and its output tail is in a failed command's message); values shorter than four
 * characters are left, as masking `1` or `on` everywhere would garble every message.
 */
export function targetSecrets(target: TargetConfig): string[] {
  const secrets: string[] = [];
  for (const url of [target.url, target.desired.devUrl]) {
    if (!url) continue;
    try {
      const password = new URL(url).password;
      if (password) secrets.push(password, decodeURIComponent(password));
    } catch {
      // Not a URL: the session reports it as a config error without quoting it.
    }
  }
  for (const value of Object.values(target.desired.command?.env ?? {})) if (value.length >= 4) secrets.push(value);
  return [...new Set(secrets)];
}

/** The report of a check that ran to the end. */
export function checkSuccess(target: TargetConfig, startedAt: Date, finishedAt: Date, outcome: CheckOutcome): Report {
  return buildReport({
    ...outcome,
    target: target.name,
    labels: target.labels,
    startedAt,
    finishedAt,
    engine: { dialect: target.dialect, ...outcome.engine },
    secrets: targetSecrets(target),
  });
}

/**
 * The report of a check that failed with `err`. When `signal` was aborted the abort is the cause, whatever the
 * interrupted step threw: its reason when that is a schema-drift error (the scheduler's TimeoutError), else `timeout`
 * for a DOM `TimeoutError` (`AbortSignal.timeout`), else `internal` ("check cancelled").
 */
export function checkFailure(
  target: TargetConfig,
  startedAt: Date,
  finishedAt: Date,
  err: unknown,
  signal: AbortSignal | undefined,
  progress: CheckProgress = { warnings: [] },
): Report {
  const cause = signal?.aborted ? stopCause(target, err, signal.reason) : err;
  return errorReport({
    target: target.name,
    labels: target.labels,
    startedAt,
    finishedAt,
    error: forReport(target, cause),
    ...(progress.engine ? { engine: { dialect: target.dialect, ...progress.engine } } : { engine: noEngine(target) }),
    ...(progress.revision !== undefined ? { revision: progress.revision } : {}),
    warnings: progress.warnings,
    secrets: targetSecrets(target),
  });
}

/** The scheduler's report for an attempt it abandoned at its time limit. */
export function timeoutReport(target: TargetConfig, startedAt: Date, finishedAt: Date, error: TimeoutError): Report {
  return checkFailure(target, startedAt, finishedAt, error, undefined);
}

/** The scheduler's report when `runCheck` broke its contract and threw. */
export function internalFailure(target: TargetConfig, startedAt: Date, finishedAt: Date, err: unknown): Report {
  return checkFailure(target, startedAt, finishedAt, err, undefined);
}

function noEngine(target: TargetConfig): Report['engine'] {
  return { dialect: target.dialect, replay: null, targetServerVersion: null, replayServerVersion: null, cached: false };
}

/**
 * The error of an aborted check: the step's own when it says it was stopped by this abort (a replay names the file in
 * progress, with the abort's reason as its cause), else the abort's reason.
 */
function stopCause(target: TargetConfig, err: unknown, reason: unknown): SchemaDriftError {
  if (err instanceof SchemaDriftError && err.cause === reason) return err;
  return abortError(target, reason);
}

function abortError(target: TargetConfig, reason: unknown): SchemaDriftError {
  if (reason instanceof SchemaDriftError) return reason;
  const message = reason instanceof Error ? reason.message : String(reason);
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new TimeoutError(`check timed out: ${message}`, { target: target.name }, { cause: reason });
  }
  return new SchemaDriftError('internal', `check cancelled: ${message}`, { target: target.name }, { cause: reason });
}

/**
 * The report already names the target, so the message leaves it out; a file inside the migration directory is
 * named relative to it (`000005_bad.up.sql:3: ...`).
 */
function forReport(target: TargetConfig, err: unknown): unknown {
  if (!(err instanceof SchemaDriftError)) return err;
  const { file, line, column } = err.context;
  const context = {
    ...(file !== undefined ? { file: relativeToDirectory(target.desired.dir, file) } : {}),
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {}),
  };
  return new SchemaDriftError(err.reason, err.message, context, { cause: err });
}

/** `file` relative to `dir` when it lies inside it, else unchanged. */
export function relativeToDirectory(dir: string, file: string): string {
  const relative = path.relative(dir, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
