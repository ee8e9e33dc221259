import type { DataFrame, Field } from '@grafana/data';

import type { FrameKind } from './model.ts';

/**
 * Frame recognition. A query's refId (or the frame's name) names the view it reads; when neither does, the set of
 * fields decides. Infinity keeps the refId on the frame, so naming the queries after the views is the documented
 * convention (README "Frame contract").
 */

/** Names accepted for each frame kind in `refId` or `name` (compared lower-case, `-`, `/`, space as `_`). */
const KIND_ALIASES: Record<FrameKind, readonly string[]> = {
  targets: ['targets', 'target'],
  changes: ['changes'],
  tables: ['tables', 'erd_tables', 'nodes'],
  columns: ['columns', 'erd_columns'],
  relations: ['relations', 'erd_relations', 'edges'],
  sql: ['sql'],
  statements: ['statements', 'reconcile_statements'],
};

/**
 * Field sets that identify a view when the refId says nothing; a frame holding every field of one set is that
 * view. Checked in this order; each set is unique to its view (e.g. `statements` and `changes` both have `index`
 * and `hazards`, only statements have `comment`; only targets rows have a `target` without `desired_ddl`).
 */
const KIND_FINGERPRINTS: ReadonlyArray<[FrameKind, readonly string[]]> = [
  ['sql', ['desired_ddl']],
  ['sql', ['current_ddl']],
  ['columns', ['table_id', 'position']],
  ['columns', ['table_id', 'primary_key']],
  ['relations', ['source', 'target']],
  ['statements', ['sql', 'comment']],
  ['changes', ['index', 'action']],
  ['tables', ['id', 'column_count']],
  ['tables', ['id', 'status', 'changes']],
  ['targets', ['target', 'schedule']],
  ['targets', ['target', 'checked_at']],
  ['targets', ['target', 'changes_total']],
];

/** Fields a frame must carry for its rows to be read at all. */
export const REQUIRED_FIELDS: Record<FrameKind, readonly string[]> = {
  targets: ['target'],
  changes: ['index', 'action'],
  tables: ['id'],
  columns: ['table_id', 'name'],
  relations: ['source', 'target'],
  sql: ['desired_ddl', 'current_ddl'],
  statements: ['sql'],
};

/** Lower-case, with `-`, `/`, `.` and spaces as `_`, so `erd/tables`, `ERD tables` and `erd-tables` all match. */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s/.-]+/g, '_');
}

function kindFromName(name: string | undefined): FrameKind | null {
  if (!name) {
    return null;
  }
  const normalized = normalizeName(name);
  for (const [kind, aliases] of Object.entries(KIND_ALIASES) as Array<[FrameKind, readonly string[]]>) {
    if (aliases.includes(normalized)) {
      return kind;
    }
  }
  return null;
}

/** The names of a frame's fields, normalised. */
function fieldNames(frame: DataFrame): Set<string> {
  return new Set(frame.fields.map((field) => normalizeName(field.name)));
}

/** Which view a frame holds: by refId, then by frame name, then by its fields; null when none fits. */
export function frameKind(frame: DataFrame): FrameKind | null {
  const byName = kindFromName(frame.refId) ?? kindFromName(frame.name);
  if (byName) {
    return byName;
  }
  const names = fieldNames(frame);
  for (const [kind, fingerprint] of KIND_FINGERPRINTS) {
    if (fingerprint.every((field) => names.has(field))) {
      return kind;
    }
  }
  return null;
}

/**
 * The first frame of each kind. A later frame of a kind already seen is ignored: one query per view is the
 * contract, and silently merging two reports' rows would draw a chimera.
 */
export function pickFrames(series: readonly DataFrame[]): Map<FrameKind, DataFrame> {
  const picked = new Map<FrameKind, DataFrame>();
  for (const frame of series) {
    const kind = frameKind(frame);
    if (kind && !picked.has(kind)) {
      picked.set(kind, frame);
    }
  }
  return picked;
}

/** Field lookup by name, exact first, then by normalised name (Infinity columns may be renamed `Column count`). */
export function findField(frame: DataFrame, name: string): Field | undefined {
  return (
    frame.fields.find((field) => field.name === name) ??
    frame.fields.find((field) => normalizeName(field.name) === name)
  );
}

/** Number of rows: the frame's length, else its longest field. */
export function rowCount(frame: DataFrame): number {
  if (typeof frame.length === 'number' && frame.length > 0) {
    return frame.length;
  }
  return frame.fields.reduce((max, field) => Math.max(max, field.values.length), 0);
}

/** Required fields a frame lacks, as user-facing notes. */
export function missingFieldProblems(kind: FrameKind, frame: DataFrame): string[] {
  return REQUIRED_FIELDS[kind]
    .filter((name) => !findField(frame, name))
    .map((name) => `frame "${kind}" has no field "${name}"`);
}
