/**
 * A check's report: what the exporter stores, serves over HTTP and turns into metrics, and what the Grafana panel
 * draws. The JSON shape is versioned by `formatVersion`; `docs/report-format.md` documents it.
 */
import type { FailureReason } from '../errors.ts';
import type { Change, ChangeAction, MetricKind } from './change.ts';
import type { Hazard } from './plan.ts';
import type { DialectName } from './schema.ts';

/**
 * Status of a target after a check, in order of precedence (the first that applies wins):
 * - `error`: the check failed (see `error.reason`);
 * - `deploying`: the migration tool holds its lock, a deploy is in flight (not compared; checked again shortly);
 * - `dirty`: the migration tool recorded a failed or half-applied migration;
 * - `drift`: the database differs from the migrations up to the deployed version;
 * - `pending`: in sync with the deployed version, with newer migrations not applied yet;
 * - `in_sync`: nothing to report.
 */
export type CheckStatus = 'error' | 'deploying' | 'dirty' | 'drift' | 'pending' | 'in_sync';

/** Every status, in order of precedence. */
export const CHECK_STATUSES: readonly CheckStatus[] = ['error', 'deploying', 'dirty', 'drift', 'pending', 'in_sync'];

/** Changes by action. */
export interface ActionCounts {
  readonly extra: number;
  readonly missing: number;
  readonly changed: number;
}

/** Changes by action, in total and per metric kind. */
export interface ReportCounts extends ActionCounts {
  readonly total: number;
  /** Every metric kind is present, zeros included. */
  readonly byKind: Record<MetricKind, ActionCounts>;
}

/** The target's revision table, as the report shows it (see `RevisionState`). */
export interface ReportRevision {
  readonly tool: string;
  /** Qualified revision table. */
  readonly table: string;
  readonly version: string | null;
  readonly dirty: boolean;
  readonly failedVersion?: string;
  readonly error?: string;
  /** Set while the migration tool holds its lock (status `deploying`): what is held. */
  readonly deploying?: string;
}

/** One reconcile statement of the report (a `PlannedStatement`). */
export interface ReportStatement {
  readonly sql: string;
  readonly comment: string;
  readonly hazards: Hazard[];
  /** Index into `changes`, or null for set-up statements. */
  readonly change: number | null;
}

/** One statement of the keep plan (`Report.keep`): a reconcile statement's fields, and whether it needs to run outside a
 * transaction (the migration file says so in its tool's own way). */
export interface KeepStatement extends ReportStatement {
  readonly noTransaction?: boolean;
}

/** Drift status of an ERD element. */
export type ErdStatus = 'ok' | ChangeAction;

/** One column of an ERD table, with its drift status. */
export interface ErdColumn {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly primaryKey: boolean;
  readonly foreignKey: boolean;
  readonly status: ErdStatus;
  /** For `changed`: each differing attribute, expected (desired) vs actual (database). */
  readonly attributes?: { readonly name: string; readonly expected: unknown; readonly actual: unknown }[];
}

/** One table or view of the ERD, with its drift status and the changes that concern it. */
export interface ErdTable {
  /** `schema.name`. */
  readonly id: string;
  readonly schema: string;
  readonly name: string;
  /** `table`, `view`, `materialized_view`, `partition`. */
  readonly kind: string;
  /** `changed` when the table itself or any of its parts (columns, indexes, constraints, ...) differ. */
  readonly status: ErdStatus;
  /** Columns of the desired table, with extra columns of the database added (a missing table: all desired columns). */
  readonly columns: ErdColumn[];
  /** Indices into the report's `changes` that concern this table or its parts. */
  readonly changes: number[];
}

/** One foreign key of the ERD, drawn from the referencing to the referenced table. */
export interface ErdRelation {
  /** `schema.table.fk_name`. */
  readonly id: string;
  readonly name: string;
  /** Referencing table id. */
  readonly source: string;
  /** Referenced table id. */
  readonly target: string;
  readonly sourceColumns: string[];
  readonly targetColumns: string[];
  readonly status: ErdStatus;
}

/** Why a check failed (status `error`). */
export interface ReportError {
  readonly reason: FailureReason;
  /** One line, no secrets. */
  readonly message: string;
}

/** The result of one check of one target. */
export interface Report {
  readonly formatVersion: 1;
  /** Assigned by the store; 0 before the report is stored. */
  readonly id: number;
  readonly target: string;
  /** The target's static labels (e.g. environment). */
  readonly labels: Record<string, string>;
  readonly status: CheckStatus;
  /** ISO 8601, UTC. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly error: ReportError | null;
  readonly revision: ReportRevision | null;
  readonly pending: { readonly version: string | null; readonly path: string }[];
  readonly counts: ReportCounts;
  readonly changes: Change[];
  /** Whole-schema DDL of both sides, deterministic, for side-by-side diffs. Empty strings on error. */
  readonly ddl: { readonly desired: string; readonly current: string };
  /**
   * Reconcile SQL (current → desired). `error` when the planner could not render a change (then nothing is planned);
   * `refused` lists the changes it refused on their own (index into `changes` and why) while planning the rest.
   */
  readonly reconcile: {
    readonly sql: string;
    readonly statements: ReportStatement[];
    readonly error?: string;
    readonly refused?: readonly { readonly change: number; readonly message: string }[];
  };
  /**
   * The plan the other way (desired → current): what keeps the drift as the next migration of the directory
   * (`/reports/:id/migration`). Present when there is drift; absent in reports stored before it existed.
   */
  readonly keep?: {
    readonly statements: KeepStatement[];
    readonly error?: string;
    /**
     * `MigrationDirectory.hash` of the directory the check replayed: the download serves the migration only while the
     * directory is still that one. Absent for a migration command, and in reports stored before it existed.
     */
    readonly directoryHash?: string;
  };
  readonly erd: { readonly tables: ErdTable[]; readonly relations: ErdRelation[] };
  /** Where the desired state came from and what normalised it. */
  readonly engine: {
    readonly dialect: DialectName;
    readonly replay: 'pglite' | 'server' | null;
    readonly targetServerVersion: string | null;
    readonly replayServerVersion: string | null;
    /** True when the desired schema came from the cache. */
    readonly cached: boolean;
  };
  readonly warnings: string[];
  /**
   * Discovered targets: the fingerprint of the live schema with the tenant's name normalised
   * (`core/model/rename-schema.ts`), which groups a fleet's targets into variants. Absent otherwise, and on error.
   */
  readonly fingerprint?: string;
}
