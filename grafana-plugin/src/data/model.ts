/**
 * The panel's typed model of one schema-drift report, built from Grafana data frames by `framesToPanelModel`.
 * Field meanings are those of the exporter's flat views (docs/report-format.md, formatVersion 1); this file only
 * names them in camelCase and turns comma-joined lists into arrays.
 */

/** Status of a report (closed set in formatVersion 1). */
export type ReportStatus = 'in_sync' | 'drift' | 'pending' | 'deploying' | 'dirty' | 'error';

/** Drift status of an ERD node, column or relation. `missing` = desired only (ghosted), `extra` = database only. */
export type DriftStatus = 'ok' | 'extra' | 'missing' | 'changed';

/** Action of a change record. */
export type ChangeAction = 'extra' | 'missing' | 'changed';

/** Hazard labels of reconcile statements (closed set; unknown labels are kept as text). */
export type Hazard = 'data_loss' | 'table_rewrite' | 'heavy_lock' | 'may_fail' | 'rebuild';

/** The frames the panel understands, named after the exporter's views. */
export type FrameKind = 'targets' | 'changes' | 'tables' | 'columns' | 'relations' | 'sql' | 'statements';

/** Every frame kind, in the order the README lists them. */
export const FRAME_KINDS: readonly FrameKind[] = [
  'targets',
  'changes',
  'tables',
  'columns',
  'relations',
  'sql',
  'statements',
];

/** Counts of a report's changes by action. */
export interface ChangeCounts {
  total: number;
  extra: number;
  missing: number;
  changed: number;
}

/** What the header shows: one target's latest report. */
export interface HeaderModel {
  target: string | null;
  /** `null` before the target's first check. */
  status: ReportStatus | null;
  /** ISO time of the check's end. */
  checkedAt: string | null;
  durationMs: number | null;
  reportId: number | null;
  /** Null when no frame carries counts (neither targets nor changes). */
  counts: ChangeCounts | null;
  /** Number of pending migrations (not drift). */
  pending: number | null;
  dirty: boolean | null;
  deployedVersion: string | null;
  migrationTool: string | null;
  /** Set when `status` is `error`. */
  error: { reason: string; message: string } | null;
  /** Connection URL without password. */
  displayUrl: string | null;
  /** Where the header came from: a targets row, or pieced together from the SQL and changes frames. */
  source: 'targets' | 'derived';
}

/** One ERD node (table, view, materialized view, partition). */
export interface ErdTable {
  /** `schema.name`; join key of columns and relations. */
  id: string;
  schema: string;
  name: string;
  /** `table`, `view`, `materialized_view`, `partition` (open set). */
  kind: string;
  status: DriftStatus;
  columnCount: number;
  driftedColumns: number;
  /** Indices into the changes (`ChangeRow.index`), ascending. */
  changes: number[];
}

/** One column of an ERD node. */
export interface ErdColumn {
  /** `table_id.column`. */
  id: string;
  tableId: string;
  /** 1-based place in the node's column list. */
  position: number;
  name: string;
  type: string;
  nullable: boolean;
  primaryKey: boolean;
  foreignKey: boolean;
  status: DriftStatus;
  /** Names of the differing attributes (`type`, `nullable`, ...). */
  changedAttributes: string[];
  /** Expected vs actual in one line; empty unless changed. */
  details: string;
}

/** One foreign key: an ERD edge from the referencing to the referenced table. */
export interface ErdRelation {
  id: string;
  name: string;
  /** Referencing node id. */
  source: string;
  /** Referenced node id; may name a table outside the inspected schemas (no node). */
  target: string;
  sourceColumns: string[];
  targetColumns: string[];
  status: DriftStatus;
}

/** One change of the report. */
export interface ChangeRow {
  /** Index in the report's changes: what `ErdTable.changes` and `StatementRow.change` refer to. */
  index: number;
  /** Metric kind (`table`, `column`, ..., `routine`, `other`). */
  kind: string;
  /** Change type (`schema`, `event`, `collation` where `kind` says `other`). */
  type: string;
  action: ChangeAction;
  schema: string;
  table: string | null;
  name: string;
  /** Readable identity: `column public.users.email`. */
  subject: string;
  /** ERD node the change concerns, or null (sequences, types, routines, ...). */
  tableId: string | null;
  /** Expected vs actual in one line; empty for extra/missing. */
  details: string;
  hazards: string[];
  /** `old → new` when this dropped or added column (or table) may be half of a rename; null otherwise. */
  possibleRename: string | null;
}

/** The SQL of a report: both sides' DDL and the reconcile script. */
export interface SqlModel {
  target: string | null;
  reportId: number | null;
  status: ReportStatus | null;
  desiredDdl: string;
  currentDdl: string;
  reconcileSql: string;
  /** Why no reconcile script could be planned; the drift is still reported. */
  reconcileError: string | null;
  statementCount: number;
  hazards: string[];
}

/** One reconcile statement, in execution order. */
export interface StatementRow {
  index: number;
  sql: string;
  comment: string;
  hazards: string[];
  /** Index of the change it comes from; null for set-up statements. */
  change: number | null;
  changeSubject: string | null;
}

/**
 * Completeness of the data: `no-data` (no frame recognised at all), `partial` (some frames missing or a frame
 * without a required field), `complete`.
 */
export type DataCompleteness = 'no-data' | 'partial' | 'complete';

/** The whole panel model. Arrays are empty, never undefined, when their frame is missing. */
export interface PanelModel {
  header: HeaderModel | null;
  tables: ErdTable[];
  /** Columns of each node in ERD order, keyed by node id. */
  columnsByTable: Map<string, ErdColumn[]>;
  relations: ErdRelation[];
  changes: ChangeRow[];
  sql: SqlModel | null;
  statements: StatementRow[];
  completeness: DataCompleteness;
  /** Frame kinds found in the data. */
  found: FrameKind[];
  /** Frame kinds not found. */
  missing: FrameKind[];
  /** One-line notes for the user: `frame "tables" has no field "id"; ...`. */
  problems: string[];
}
