import type { DataFrame } from '@grafana/data';

import type {
  ChangeAction,
  ChangeRow,
  DriftStatus,
  ErdColumn,
  ErdRelation,
  ErdTable,
  ReportStatus,
  SqlModel,
  StatementRow,
} from './model.ts';
import { READ_FIELDS } from './fields.ts';
import { asBoolean, asEnum, asIndexList, asList, asNumber, asText, readRows } from './values.ts';

/**
 * One parser per view: frame → typed rows. Rows without their key field (an ERD node without `id`, a column
 * without `table_id`) are dropped rather than drawn as phantoms; every other missing value gets a neutral default.
 */

/** Drift statuses, for validating `status` fields. */
export const DRIFT_STATUSES: readonly DriftStatus[] = ['ok', 'extra', 'missing', 'changed'];
/** Report statuses (closed set in formatVersion 1; `deploying` since the watch). */
export const REPORT_STATUSES: readonly ReportStatus[] = ['in_sync', 'drift', 'pending', 'deploying', 'dirty', 'error'];
const ACTIONS: readonly ChangeAction[] = ['extra', 'missing', 'changed'];

/** ERD nodes; `status` outside the known set reads as `changed` so it is still highlighted, not hidden. */
export function parseTables(frame: DataFrame): ErdTable[] {
  const rows = readRows(frame, READ_FIELDS.tables);
  const tables: ErdTable[] = [];
  for (const row of rows) {
    const id = asText(row.id);
    if (!id) {
      continue;
    }
    const status = asText(row.status);
    tables.push({
      id,
      schema: asText(row.schema) ?? '',
      name: asText(row.name) ?? id,
      kind: asText(row.kind) ?? 'table',
      status: status === null ? 'ok' : asEnum(status, DRIFT_STATUSES, 'changed'),
      columnCount: asNumber(row.column_count) ?? 0,
      driftedColumns: asNumber(row.drifted_columns) ?? 0,
      changes: asIndexList(row.changes),
    });
  }
  return tables;
}

/** ERD columns grouped by node id, in ERD order (by `position`, else frame order). */
export function parseColumns(frame: DataFrame): Map<string, ErdColumn[]> {
  const rows = readRows(frame, READ_FIELDS.columns);
  const byTable = new Map<string, ErdColumn[]>();
  rows.forEach((row, rowIndex) => {
    const tableId = asText(row.table_id);
    const name = asText(row.name);
    if (!tableId || name === null) {
      return;
    }
    const status = asText(row.status);
    const column: ErdColumn = {
      id: asText(row.id) ?? `${tableId}.${name}`,
      tableId,
      position: asNumber(row.position) ?? rowIndex + 1,
      name,
      type: asText(row.type) ?? '',
      nullable: asBoolean(row.nullable) ?? true,
      primaryKey: asBoolean(row.primary_key) ?? false,
      foreignKey: asBoolean(row.foreign_key) ?? false,
      status: status === null ? 'ok' : asEnum(status, DRIFT_STATUSES, 'changed'),
      changedAttributes: asList(row.changed_attributes),
      details: asText(row.details) ?? '',
    };
    const list = byTable.get(tableId);
    if (list) {
      list.push(column);
    } else {
      byTable.set(tableId, [column]);
    }
  });
  for (const list of byTable.values()) {
    list.sort((a, b) => a.position - b.position);
  }
  return byTable;
}

/** ERD edges. */
export function parseRelations(frame: DataFrame): ErdRelation[] {
  const rows = readRows(frame, READ_FIELDS.relations);
  const relations: ErdRelation[] = [];
  for (const row of rows) {
    const source = asText(row.source);
    const target = asText(row.target);
    if (!source || !target) {
      continue;
    }
    const name = asText(row.name) ?? '';
    const status = asText(row.status);
    relations.push({
      id: asText(row.id) ?? `${source}.${name}`,
      name,
      source,
      target,
      sourceColumns: asList(row.source_columns),
      targetColumns: asList(row.target_columns),
      status: status === null ? 'ok' : asEnum(status, DRIFT_STATUSES, 'changed'),
    });
  }
  return relations;
}

/** Change rows, in report order. A row without a valid action or index is dropped. */
export function parseChanges(frame: DataFrame): ChangeRow[] {
  const rows = readRows(frame, READ_FIELDS.changes);
  const changes: ChangeRow[] = [];
  for (const row of rows) {
    const index = asNumber(row.index);
    const action = asEnum(row.action, ACTIONS, null);
    if (index === null || action === null) {
      continue;
    }
    const type = asText(row.type) ?? asText(row.kind) ?? 'other';
    const name = asText(row.name) ?? '';
    changes.push({
      index,
      kind: asText(row.kind) ?? type,
      type,
      action,
      schema: asText(row.schema) ?? '',
      table: asText(row.table) || null,
      name,
      subject: asText(row.subject) ?? `${type} ${name}`,
      tableId: asText(row.table_id) || null,
      details: asText(row.details) ?? '',
      hazards: asList(row.hazards),
      possibleRename: asText(row.possible_rename) || null,
    });
  }
  return changes;
}

/** The SQL view's single row (the first row if there are several); null for an empty frame. */
export function parseSql(frame: DataFrame): SqlModel | null {
  const row = readRows(frame, READ_FIELDS.sql)[0];
  if (!row) {
    return null;
  }
  return {
    target: asText(row.target),
    reportId: asNumber(row.report_id),
    status: asEnum(row.status, REPORT_STATUSES, null),
    desiredDdl: asText(row.desired_ddl) ?? '',
    currentDdl: asText(row.current_ddl) ?? '',
    reconcileSql: asText(row.reconcile_sql) ?? '',
    reconcileError: asText(row.reconcile_error) || null,
    statementCount: asNumber(row.statement_count) ?? 0,
    hazards: asList(row.hazards),
  };
}

/** Reconcile statements, in execution order (by `index`, else frame order). */
export function parseStatements(frame: DataFrame): StatementRow[] {
  const rows = readRows(frame, READ_FIELDS.statements);
  const statements: StatementRow[] = [];
  rows.forEach((row, rowIndex) => {
    const sql = asText(row.sql);
    if (sql === null) {
      return;
    }
    statements.push({
      index: asNumber(row.index) ?? rowIndex,
      sql,
      comment: asText(row.comment) ?? '',
      hazards: asList(row.hazards),
      change: asNumber(row.change),
      changeSubject: asText(row.change_subject) || null,
    });
  });
  return statements.sort((a, b) => a.index - b.index);
}
