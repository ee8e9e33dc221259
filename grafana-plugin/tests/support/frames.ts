import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createDataFrame, FieldType } from '@grafana/data';
import type { DataFrame } from '@grafana/data';

/** A row of a flat view, as the exporter serves it. */
export type ViewRow = Record<string, string | number | boolean | null>;

/** Field names of each view in the exporter's order (docs/report-format.md), for frames built from no rows. */
export const VIEW_FIELDS = {
  targets: ['target', 'display_url', 'schedule', 'status', 'checked_at', 'duration_ms', 'changes_total', 'extra',
    'missing', 'changed', 'pending', 'dirty', 'deployed_version', 'migration_tool', 'error_reason', 'error_message',
    'report_id'],
  changes: ['index', 'kind', 'type', 'action', 'schema', 'table', 'name', 'subject', 'table_id', 'details', 'hazards',
    'possible_rename'],
  tables: ['id', 'schema', 'name', 'kind', 'status', 'title', 'subtitle', 'column_count', 'drifted_columns',
    'change_count', 'changes'],
  columns: ['id', 'table_id', 'position', 'name', 'type', 'nullable', 'primary_key', 'foreign_key', 'status',
    'changed_attributes', 'details'],
  relations: ['id', 'name', 'source', 'target', 'source_columns', 'target_columns', 'status'],
  sql: ['target', 'report_id', 'status', 'desired_ddl', 'current_ddl', 'reconcile_sql', 'reconcile_error',
    'statement_count', 'hazards'],
  statements: ['index', 'sql', 'comment', 'hazards', 'change', 'change_subject'],
} as const;

/** Explicit field types, like Infinity's `columns` (otherwise the type is guessed from the values). */
export type FieldTypes = Record<string, FieldType>;

/**
 * A data frame as Infinity's backend parser makes it from one view: one field per key of the rows, in first-seen
 * order, `refId` set (pass `refId: undefined` to test recognition by fields).
 */
export function viewFrame(
  refId: string | undefined,
  rows: readonly ViewRow[],
  options: { types?: FieldTypes; name?: string; fields?: readonly string[] } = {},
): DataFrame {
  const names = options.fields ? [...options.fields] : [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return createDataFrame({
    refId,
    name: options.name,
    fields: names.map((name) => ({
      name,
      ...(options.types?.[name] ? { type: options.types[name] } : {}),
      values: rows.map((row) => row[name] ?? null),
    })),
  });
}

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'demo-production');

/** The exporter demo's `production` report (3 changes on a 6-node schema), one view file. */
export function demoRows(file: string): ViewRow[] {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${file}.json`), 'utf8')) as ViewRow[];
}

/** The demo report as the seven frames a provisioned dashboard feeds the panel (refIds after the views). */
export function demoFrames(): DataFrame[] {
  return [
    // The README's dashboard types checked_at as a timestamp: Infinity then hands over epoch milliseconds.
    viewFrame(
      'targets',
      demoRows('targets').map((row) => ({ ...row, checked_at: Date.parse(String(row.checked_at)) })),
      { types: { checked_at: FieldType.time } },
    ),
    viewFrame('changes', demoRows('changes')),
    viewFrame('tables', demoRows('erd-tables')),
    viewFrame('columns', demoRows('erd-columns')),
    viewFrame('relations', demoRows('erd-relations')),
    viewFrame('sql', demoRows('sql')),
    viewFrame('statements', demoRows('statements')),
  ];
}
