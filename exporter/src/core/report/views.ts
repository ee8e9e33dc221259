/**
 * Flat row views of reports, for Grafana's Infinity data source: each view is an array of objects whose values are
 * all scalars (string, number, boolean, null), and every row of a view has the same fields, so Infinity turns the
 * array into one data frame without custom parsing. `docs/report-format.md` documents every field.
 */
import { changeSubject, metricKind, type AttributeChange } from '../model/change.ts';
import type { CheckStatus, ErdColumn, Report } from '../model/report.ts';
import { compareText } from '../diff/compare.ts';
import { formatValue } from '../render/value.ts';
import { changeTableId } from './erd.ts';

/** A value Infinity maps onto a frame field without parsing. */
export type Scalar = string | number | boolean | null;
/** One row of a view. */
export type Row = Record<string, Scalar>;

/** What {@link targetRows} needs of a configured target (a subset of `TargetConfig`). */
export interface TargetRowConfig {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** The connection URL without its password. */
  readonly displayUrl?: string;
  readonly schedule: string;
}

/** Fixed fields of a target row; a static label whose key is one of these is exposed as `label_<key>`. */
const TARGET_FIELDS = [
  'target',
  'display_url',
  'schedule',
  'status',
  'checked_at',
  'duration_ms',
  'changes_total',
  'extra',
  'missing',
  'changed',
  'pending',
  'dirty',
  'deployed_version',
  'migration_tool',
  'error_reason',
  'error_message',
  'report_id',
] as const;
const TARGET_FIELD_SET: ReadonlySet<string> = new Set(TARGET_FIELDS);

/** Values in the panel's table: strings bare, index parts as SQL, the rest as JSON, long text cut. */
const VALUE_FORMAT = { maxLength: 120, quoteStrings: false } as const;

/** `type: expected varchar(320), actual text; nullable: expected false, actual true`. Empty when none differ. */
export function summarizeAttributes(attributes: readonly AttributeChange[] | undefined): string {
  return (attributes ?? [])
    .map((a) => `${a.name}: expected ${formatValue(a.expected, VALUE_FORMAT)}, actual ${formatValue(a.actual, VALUE_FORMAT)}`)
    .join('; ');
}

function labelField(key: string): string {
  return TARGET_FIELD_SET.has(key) ? `label_${key}` : key;
}

/** The newest report per target (latest `finishedAt`, then highest id). */
function latestByTarget(reports: readonly Report[]): Map<string, Report> {
  const latest = new Map<string, Report>();
  for (const report of reports) {
    const seen = latest.get(report.target);
    const newer = !seen || report.finishedAt > seen.finishedAt || (report.finishedAt === seen.finishedAt && report.id > seen.id);
    if (newer) latest.set(report.target, report);
  }
  return latest;
}

/**
 * One row per configured target, in configuration order, including targets never checked (status and the check's
 * fields `null`). Each static label is a field of its own (the union of all targets' label keys, `null` where a
 * target lacks one), so every row has the same fields. Reports of targets not configured are ignored.
 */
export function targetRows(reports: readonly Report[], targets: readonly TargetRowConfig[]): Row[] {
  const latest = latestByTarget(reports);
  const labelKeys = [...new Set(targets.flatMap((t) => Object.keys(t.labels)))].sort(compareText);
  return targets.map((config) => {
    const report = latest.get(config.name);
    const row: Row = {
      target: config.name,
      display_url: config.displayUrl ?? null,
      schedule: config.schedule,
      status: (report?.status ?? null) satisfies CheckStatus | null,
      checked_at: report?.finishedAt ?? null,
      duration_ms: report?.durationMs ?? null,
      changes_total: report?.counts.total ?? null,
      extra: report?.counts.extra ?? null,
      missing: report?.counts.missing ?? null,
      changed: report?.counts.changed ?? null,
      pending: report ? report.pending.length : null,
      dirty: report ? (report.revision?.dirty ?? false) : null,
      deployed_version: report?.revision?.version ?? null,
      migration_tool: report?.revision?.tool ?? null,
      error_reason: report?.error?.reason ?? null,
      error_message: report?.error?.message ?? null,
      report_id: report?.id ?? null,
    };
    for (const key of labelKeys) row[labelField(key)] = config.labels[key] ?? null;
    return row;
  });
}

/** Distinct hazards of the statements planned for each change, in order of first appearance. */
function hazardsByChange(report: Report): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const statement of report.reconcile.statements) {
    if (statement.change === null) continue;
    let list = out.get(statement.change);
    if (!list) {
      list = [];
      out.set(statement.change, list);
    }
    for (const hazard of statement.hazards) if (!list.includes(hazard)) list.push(hazard);
  }
  return out;
}

/** One row per change, in the report's order; `index` is the change's index in `changes`. */
export function changeRows(report: Report): Row[] {
  const hazards = hazardsByChange(report);
  return report.changes.map((change, index) => ({
    index,
    kind: metricKind(change),
    type: change.type,
    action: change.action,
    schema: change.schema,
    table: 'table' in change ? change.table : null,
    name: change.name,
    subject: changeSubject(change),
    table_id: changeTableId(change),
    details: summarizeAttributes(change.attributes),
    hazards: (hazards.get(index) ?? []).join(','),
    possible_rename: change.possibleRename ? `${change.possibleRename.from} → ${change.possibleRename.to}` : '',
  }));
}

/** One row per ERD node (table, view, materialized view, partition). */
export function erdTableRows(report: Report): Row[] {
  return report.erd.tables.map((table) => ({
    id: table.id,
    schema: table.schema,
    name: table.name,
    kind: table.kind,
    status: table.status,
    title: table.name,
    subtitle: table.schema,
    column_count: table.columns.length,
    drifted_columns: table.columns.filter((c) => c.status !== 'ok').length,
    change_count: table.changes.length,
    changes: table.changes.join(','),
  }));
}

function columnRow(tableId: string, column: ErdColumn, position: number): Row {
  return {
    id: `${tableId}.${column.name}`,
    table_id: tableId,
    position,
    name: column.name,
    type: column.type,
    nullable: column.nullable,
    primary_key: column.primaryKey,
    foreign_key: column.foreignKey,
    status: column.status,
    changed_attributes: (column.attributes ?? []).map((a) => a.name).join(','),
    details: summarizeAttributes(column.attributes),
  };
}

/** One row per column of every ERD node, in the node's column order; `table_id` joins it to its node. */
export function erdColumnRows(report: Report): Row[] {
  return report.erd.tables.flatMap((table) => table.columns.map((column, i) => columnRow(table.id, column, i + 1)));
}

/** One row per foreign key (edge): `source` references `target`. */
export function erdRelationRows(report: Report): Row[] {
  return report.erd.relations.map((relation) => ({
    id: relation.id,
    name: relation.name,
    source: relation.source,
    target: relation.target,
    source_columns: relation.sourceColumns.join(','),
    target_columns: relation.targetColumns.join(','),
    status: relation.status,
  }));
}

/** One row holding both sides' DDL and the reconcile script, for the SQL diff view. */
export function sqlRows(report: Report): Row[] {
  const hazards = [...new Set(report.reconcile.statements.flatMap((s) => s.hazards))];
  return [
    {
      target: report.target,
      report_id: report.id,
      status: report.status,
      desired_ddl: report.ddl.desired,
      current_ddl: report.ddl.current,
      reconcile_sql: report.reconcile.sql,
      reconcile_error: report.reconcile.error ?? null,
      statement_count: report.reconcile.statements.length,
      hazards: hazards.join(','),
    },
  ];
}

/** One row per reconcile statement, in execution order. */
export function statementRows(report: Report): Row[] {
  return report.reconcile.statements.map((statement, index) => {
    const change = statement.change === null ? undefined : report.changes[statement.change];
    return {
      index,
      sql: statement.sql,
      comment: statement.comment,
      hazards: statement.hazards.join(','),
      change: statement.change,
      change_subject: change ? changeSubject(change) : null,
    };
  });
}
