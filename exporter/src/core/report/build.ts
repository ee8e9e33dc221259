/**
 * Builds a check's {@link Report} from what the engine produced (snapshots, changes, plan, DDL, revision), or from the
 * error that stopped the check. Pure: no I/O, no clock (the caller passes the times), so the same input always gives
 * the same report.
 */
import { maskSecrets } from '../mask.ts';
import { SchemaDriftError, type FailureReason } from '../errors.ts';
import type { MigrationFile } from '../../migrations/types.ts';
import { CHANGE_ACTIONS, METRIC_KINDS, metricKind, type Change, type MetricKind } from '../model/change.ts';
import type { Plan } from '../model/plan.ts';
import type { ActionCounts, CheckStatus, Report, ReportCounts, ReportRevision, ReportStatement } from '../model/report.ts';
import type { SchemaSnapshot } from '../model/schema.ts';
import type { RevisionState } from '../../revision/revision-state.ts';
import { buildErd } from './erd.ts';

/**
 * The reconcile part of a {@link ReportInput}: the plan with its script rendered by the dialect (the report is built
 * without knowing dialects), or why planning failed, or nothing when there was no plan.
 */
export type ReportReconcile =
  | { readonly plan: Plan; readonly reconcileSql: string; readonly planError?: undefined }
  | { readonly plan?: undefined; readonly reconcileSql?: undefined; readonly planError?: string };

/** What a successful check hands to {@link buildReport}: with drift, also the keep plan (desired → current) or its
 * planner's error. */
export type ReportInput = ReportFacts &
  ReportReconcile & {
    readonly keep?: Plan | { readonly planError: string };
    /** The hash of the migration directory the check replayed (`Report.keep.directoryHash`). */
    readonly directoryHash?: string;
  };

/** {@link ReportInput} without its reconcile part. */
export interface ReportFacts {
  readonly target: string;
  readonly labels: Record<string, string>;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** The snapshots the differ compared (after filtering). */
  readonly current: SchemaSnapshot;
  readonly desired: SchemaSnapshot;
  readonly changes: Change[];
  readonly ddl: { readonly desired: string; readonly current: string };
  readonly revision: RevisionState | null;
  /** Migration files newer than the deployed version. */
  readonly pending: readonly MigrationFile[];
  readonly engine: Report['engine'];
  readonly warnings: readonly string[];
  /** The live schema's fingerprint for the fleet view (`core/model/rename-schema.ts`); discovered targets only. */
  readonly fingerprint?: string;
  /** Added field: secret values (passwords) to remove from every message, besides URL credentials. */
  readonly secrets?: readonly string[];
}

/** What a failed check hands to {@link errorReport}. */
export interface ErrorReportInput {
  readonly target: string;
  readonly labels: Record<string, string>;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** What stopped the check: a {@link SchemaDriftError} gives its reason; anything else is `internal`. */
  readonly error: SchemaDriftError | unknown;
  /** What was known of the engine when the check failed (its dialect at least: there is no default dialect). */
  readonly engine: Report['engine'];
  /** The revision, when it was read before the failure. */
  readonly revision?: RevisionState | null;
  readonly warnings?: readonly string[];
  /** Added field: secret values (passwords) to remove from the message, besides URL credentials. */
  readonly secrets?: readonly string[];
}

// `scheme://user:password@` → `scheme://user@`, as `redactUrl` (postgres/connect.ts) renders URLs; the password may
// hold unencoded `/` or `:`, so everything up to the last `@` before whitespace goes.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*):[^\s@]*@/gi;
// `password=...` in a URL query or a libpq keyword string, `password: ...` in YAML-ish text.
const KEYWORD_PASSWORD = /\b(password|passwd|pwd)(\s*[=:]\s*)('[^']*'|"[^"]*"|[^\s&;,'")]+)/gi;

/**
 * Removes secrets from text meant for people: URL passwords (the user name stays, as `redactUrl` keeps it),
 * `password=` values, and each of `secrets` (replaced by `***`, as the dialects' error mappings do).
 */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  return maskSecrets(text, secrets).replace(URL_PASSWORD, '$1@').replace(KEYWORD_PASSWORD, '$1$2***');
}

const MAX_MESSAGE = 2000;

/** Collapses line breaks and runs of white space into single spaces, and caps the length: a message is one line. */
export function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}

/**
 * The status of a successful check, by precedence: `deploying` (the migration tool holds its lock) over `dirty` (the migration tool recorded a failed migration) over
 * `drift` (any change) over `pending` (newer migrations not deployed) over `in_sync`. `error` is
 * {@link errorReport}'s alone.
 */
export function checkStatus(input: { deploying?: boolean; dirty: boolean; changes: number; pending: number }): CheckStatus {
  if (input.deploying) return 'deploying';
  if (input.dirty) return 'dirty';
  if (input.changes > 0) return 'drift';
  if (input.pending > 0) return 'pending';
  return 'in_sync';
}

function zeroActions(): { extra: number; missing: number; changed: number } {
  return { extra: 0, missing: 0, changed: 0 };
}

/** Counts with every metric kind present and zero, so series never appear and vanish. */
export function emptyCounts(): ReportCounts {
  const byKind = Object.fromEntries(METRIC_KINDS.map((kind) => [kind, zeroActions()])) as Record<MetricKind, ActionCounts>;
  return { total: 0, ...zeroActions(), byKind };
}

/** Counts of changes by action and by metric kind × action (every kind present, zeros included). */
export function countChanges(changes: readonly Change[]): ReportCounts {
  const totals = zeroActions();
  const byKind = Object.fromEntries(METRIC_KINDS.map((kind) => [kind, zeroActions()])) as Record<
    MetricKind,
    { extra: number; missing: number; changed: number }
  >;
  for (const change of changes) {
    totals[change.action] += 1;
    byKind[metricKind(change)][change.action] += 1;
  }
  return { total: CHANGE_ACTIONS.reduce((sum, action) => sum + totals[action], 0), ...totals, byKind };
}

/** The revision as the report shows it (the list of applied versions stays out: it can be long). */
export function reportRevision(state: RevisionState | null | undefined, secrets: readonly string[] = []): ReportRevision | null {
  if (!state) return null;
  return {
    tool: state.tool,
    table: state.table,
    version: state.version,
    dirty: state.dirty,
    ...(state.failedVersion !== undefined ? { failedVersion: state.failedVersion } : {}),
    ...(state.error !== undefined ? { error: scrubSecrets(state.error, secrets) } : {}),
    ...(state.deploying !== undefined ? { deploying: scrubSecrets(state.deploying, secrets) } : {}),
  };
}

function durationMs(startedAt: Date, finishedAt: Date): number {
  return Math.max(0, finishedAt.getTime() - startedAt.getTime());
}

function reconcile(input: ReportInput, secrets: readonly string[]): Report['reconcile'] {
  if (input.planError !== undefined) {
    return { sql: '', statements: [], error: oneLine(scrubSecrets(input.planError, secrets)) };
  }
  if (!input.plan) {
    return input.changes.length > 0
      ? { sql: '', statements: [], error: 'no reconcile plan was produced for these changes' }
      : { sql: '', statements: [] };
  }
  const statements: ReportStatement[] = input.plan.statements.map((s) => ({
    sql: s.sql,
    comment: s.comment,
    hazards: [...s.hazards],
    change: s.change,
  }));
  const refused = (input.plan.refused ?? []).map((r) => ({ change: r.change, message: oneLine(scrubSecrets(r.message, secrets)) }));
  return { sql: input.reconcileSql, statements, ...(refused.length ? { refused } : {}) };
}

function keep(plan: Plan | { readonly planError: string }, secrets: readonly string[]): NonNullable<Report['keep']> {
  if ('planError' in plan) return { statements: [], error: oneLine(scrubSecrets(plan.planError, secrets)) };
  const statements = plan.statements.map((s) => ({
    sql: s.sql,
    comment: s.comment,
    hazards: [...s.hazards],
    change: s.change,
    ...(s.noTransaction ? { noTransaction: true } : {}),
  }));
  return { statements };
}

/**
 * The report of a check that ran to the end (id 0: the store assigns ids). Status by precedence (see
 * {@link checkStatus}); counts with every kind; reconcile statements from the plan, or `reconcile.error` when
 * planning failed (the drift is still reported).
 */
export function buildReport(input: ReportInput): Report {
  const secrets = input.secrets ?? [];
  const revision = reportRevision(input.revision, secrets);
  return {
    formatVersion: 1,
    id: 0,
    target: input.target,
    labels: { ...input.labels },
    status: checkStatus({
      deploying: revision?.deploying !== undefined,
      dirty: revision?.dirty ?? false,
      changes: input.changes.length,
      pending: input.pending.length,
    }),
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationMs: durationMs(input.startedAt, input.finishedAt),
    error: null,
    revision,
    pending: input.pending.map((file) => ({ version: file.version, path: file.path })),
    counts: countChanges(input.changes),
    changes: input.changes,
    ddl: { desired: input.ddl.desired, current: input.ddl.current },
    reconcile: reconcile(input, secrets),
    ...(input.keep && input.changes.length > 0 ? { keep: { ...keep(input.keep, secrets), ...(input.directoryHash ? { directoryHash: input.directoryHash } : {}) } } : {}),
    erd: buildErd(input.desired, input.current, input.changes),
    engine: { ...input.engine },
    warnings: input.warnings.map((w) => scrubSecrets(w, secrets)),
    ...(input.fingerprint !== undefined ? { fingerprint: input.fingerprint } : {}),
  };
}

function errorOf(error: unknown): { reason: FailureReason; text: string } {
  if (error instanceof SchemaDriftError) return { reason: error.reason, text: error.describe() };
  if (error instanceof Error) return { reason: 'internal', text: error.message || error.name };
  return { reason: 'internal', text: String(error) };
}

/**
 * The report of a check that failed: status `error`, the reason class (`internal` for anything that is not a
 * {@link SchemaDriftError}), and a one-line message with URL passwords and the given secrets removed. Counts are all
 * zero; DDL, changes and ERD are empty.
 */
export function errorReport(input: ErrorReportInput): Report {
  const secrets = input.secrets ?? [];
  const { reason, text } = errorOf(input.error);
  return {
    formatVersion: 1,
    id: 0,
    target: input.target,
    labels: { ...input.labels },
    status: 'error',
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationMs: durationMs(input.startedAt, input.finishedAt),
    error: { reason, message: oneLine(scrubSecrets(text, secrets)) || reason },
    revision: reportRevision(input.revision, secrets),
    pending: [],
    counts: emptyCounts(),
    changes: [],
    ddl: { desired: '', current: '' },
    reconcile: { sql: '', statements: [] },
    erd: { tables: [], relations: [] },
    engine: { ...input.engine },
    warnings: (input.warnings ?? []).map((w) => scrubSecrets(w, secrets)),
  };
}
