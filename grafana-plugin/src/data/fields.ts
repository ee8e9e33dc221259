import type { FrameKind } from './model.ts';

/**
 * The fields the panel reads from each frame, named as the exporter's flat views name them (docs/report-format.md).
 * The panel and the exporter are separate bundles, so these lists restate the exporter's rows on purpose;
 * `tests/unit/view-contract.test.ts` builds real rows with the exporter's view functions and checks every name here
 * is one of theirs, so a field renamed on either side fails a test instead of silently blanking the panel.
 */
export const READ_FIELDS = {
  targets: [
    'target',
    'display_url',
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
  ],
  changes: ['index', 'kind', 'type', 'action', 'schema', 'table', 'name', 'subject', 'table_id', 'details', 'hazards', 'possible_rename'],
  tables: ['id', 'schema', 'name', 'kind', 'status', 'column_count', 'drifted_columns', 'changes'],
  columns: [
    'id',
    'table_id',
    'position',
    'name',
    'type',
    'nullable',
    'primary_key',
    'foreign_key',
    'status',
    'changed_attributes',
    'details',
  ],
  relations: ['id', 'name', 'source', 'target', 'source_columns', 'target_columns', 'status'],
  sql: [
    'target',
    'report_id',
    'status',
    'desired_ddl',
    'current_ddl',
    'reconcile_sql',
    'reconcile_error',
    'statement_count',
    'hazards',
  ],
  statements: ['index', 'sql', 'comment', 'hazards', 'change', 'change_subject'],
} as const satisfies Record<FrameKind, readonly string[]>;
