import type { DataFrame } from '@grafana/data';

import { missingFieldProblems, pickFrames } from './frames.ts';
import { derivedHeader, headerFromTargetRow, pickTargetRow } from './header.ts';
import { FRAME_KINDS } from './model.ts';
import type { ChangeRow, DataCompleteness, FrameKind, PanelModel, SqlModel } from './model.ts';
import { parseChanges, parseColumns, parseRelations, parseSql, parseStatements, parseTables } from './rows.ts';

/** Options of `framesToPanelModel`. */
export interface FramesToModelOptions {
  /** Target to show in the header when the targets frame has several rows (variables already expanded). */
  target?: string | null;
}

/** Which frames each view needs; the first is required, the rest only enrich it. */
export const VIEW_FRAMES = {
  erd: ['tables', 'columns', 'relations', 'changes'],
  sql: ['sql', 'statements'],
  changes: ['changes', 'statements'],
} as const satisfies Record<string, readonly FrameKind[]>;

/** An empty model: what the panel shows with no frames at all. */
export function emptyPanelModel(): PanelModel {
  return {
    header: null,
    tables: [],
    columnsByTable: new Map(),
    relations: [],
    changes: [],
    sql: null,
    statements: [],
    completeness: 'no-data',
    found: [],
    missing: [...FRAME_KINDS],
    problems: [],
  };
}

/**
 * Grafana data frames → the panel model. Pure and total: unknown frames are ignored, a frame without its key
 * fields contributes nothing and is named in `problems`, and a missing frame leaves its part empty.
 */
export function framesToPanelModel(series: readonly DataFrame[], options: FramesToModelOptions = {}): PanelModel {
  const frames = pickFrames(series);
  const model = emptyPanelModel();
  const usable = new Map<FrameKind, DataFrame>();
  for (const [kind, frame] of frames) {
    const problems = missingFieldProblems(kind, frame);
    model.problems.push(...problems);
    if (problems.length === 0) {
      usable.set(kind, frame);
    }
  }

  const get = (kind: FrameKind): DataFrame | undefined => usable.get(kind);
  const tablesFrame = get('tables');
  const columnsFrame = get('columns');
  const relationsFrame = get('relations');
  const changesFrame = get('changes');
  const sqlFrame = get('sql');
  const statementsFrame = get('statements');
  const targetsFrame = get('targets');

  model.tables = tablesFrame ? parseTables(tablesFrame) : [];
  model.columnsByTable = columnsFrame ? parseColumns(columnsFrame) : new Map();
  model.relations = relationsFrame ? parseRelations(relationsFrame) : [];
  const changes: ChangeRow[] | null = changesFrame ? parseChanges(changesFrame) : null;
  model.changes = changes ?? [];
  const sql: SqlModel | null = sqlFrame ? parseSql(sqlFrame) : null;
  model.sql = sql;
  model.statements = statementsFrame ? parseStatements(statementsFrame) : [];

  const targetRow = targetsFrame ? pickTargetRow(targetsFrame, options.target ?? null, sql?.target ?? null) : null;
  if (targetsFrame && !targetRow) {
    model.problems.push('frame "targets" has several rows and none matches the panel\'s target option');
  }
  model.header = targetRow ? headerFromTargetRow(targetRow) : derivedHeader(sql, changes);

  model.found = FRAME_KINDS.filter((kind) => usable.has(kind));
  model.missing = FRAME_KINDS.filter((kind) => !usable.has(kind));
  model.completeness = completeness(model.found, model.problems);
  return model;
}

function completeness(found: readonly FrameKind[], problems: readonly string[]): DataCompleteness {
  if (found.length === 0) {
    return 'no-data';
  }
  return found.length === FRAME_KINDS.length && problems.length === 0 ? 'complete' : 'partial';
}

/** Frames a view needs that the model lacks (the first entry of `VIEW_FRAMES[view]` is the essential one). */
export function missingForView(model: PanelModel, view: keyof typeof VIEW_FRAMES): FrameKind[] {
  return VIEW_FRAMES[view].filter((kind) => model.missing.includes(kind));
}

/** True when the view has its essential frame. */
export function canShowView(model: PanelModel, view: keyof typeof VIEW_FRAMES): boolean {
  const essential = VIEW_FRAMES[view][0];
  return model.found.includes(essential);
}

/** The changes concerning one ERD node (for the side drawer), in report order. */
export function changesForTable(model: PanelModel, tableId: string): ChangeRow[] {
  const table = model.tables.find((t) => t.id === tableId);
  const indices = new Set(table?.changes ?? []);
  return model.changes.filter((change) => change.tableId === tableId || indices.has(change.index));
}
