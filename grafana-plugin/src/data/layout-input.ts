import type { LayoutDirection } from '../types.ts';
import { selectErd } from './filter.ts';
import type { ErdColumn, ErdRelation, ErdTable, PanelModel } from './model.ts';

/**
 * The ERD layout INPUT: boxes with sizes and edges, neutral to the layout library (elkjs and dagre both take
 * `{id, width, height}` nodes and `{source, target}` edges). The view draws each box with the same metrics, so the
 * sizes here are the sizes on screen.
 */

/** Pixel metrics of a table box. */
export interface BoxMetrics {
  /** Height of the title bar. */
  headerHeight: number;
  /** Height of one column row. */
  rowHeight: number;
  /** Average character width of the box font (monospace: exact). */
  charWidth: number;
  /** Horizontal padding on each side, and the vertical padding below the last row. */
  padding: number;
  minWidth: number;
  maxWidth: number;
  /** Characters reserved in front of a column name for the PK/FK marker. */
  markerChars: number;
}

/** Metrics for a 12px monospace font. */
export const DEFAULT_BOX_METRICS: BoxMetrics = {
  headerHeight: 28,
  rowHeight: 20,
  charWidth: 7.2,
  padding: 8,
  minWidth: 140,
  maxWidth: 420,
  markerChars: 3,
};

/** Options of `buildLayoutInput`. */
export interface LayoutInputOptions {
  direction: LayoutDirection;
  onlyDrifted: boolean;
  showColumnTypes: boolean;
  /** Add stub nodes for relation targets outside the inspected schemas (else drop those edges). */
  showExternalTables: boolean;
  /** Rows drawn per box before a "+N more" row; unlimited when absent. */
  maxRows?: number;
  /**
   * `false`: header-only boxes sized to the table's name (the overview of a schema whose boxes with columns would
   * be too small to read at fit, see `erd/legibility.ts`). Default `true`: boxes list their columns.
   */
  columns?: boolean;
  metrics?: BoxMetrics;
}

/** A box to place. */
export interface LayoutNode {
  id: string;
  width: number;
  height: number;
  /** The node's data; a stub for an external table has status `ok`, kind `external` and no columns. */
  table: ErdTable;
  /** Columns to list, in ERD order (already cut to `maxRows`). */
  columns: ErdColumn[];
  /** Columns not listed because of `maxRows`. */
  hiddenColumns: number;
  /** A table outside the inspected schemas, known only as a relation target. */
  external: boolean;
  /** A header-only box: the name alone, no columns (`LayoutInputOptions.columns` false). */
  compact: boolean;
}

/** An edge to route: from the referencing box to the referenced one. */
export interface LayoutEdge {
  id: string;
  source: string;
  target: string;
  relation: ErdRelation;
  /** A table referencing itself (dagre drops self-loops; draw them by hand). */
  selfLoop: boolean;
}

/** Everything the layout step needs. */
export interface ErdLayoutInput {
  direction: LayoutDirection;
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  /** Header-only boxes (see `LayoutInputOptions.columns`): the layout packs them tighter. */
  compact: boolean;
  /** Nodes left out by the drift filter. */
  hiddenCount: number;
  /** Edges dropped because their target is neither drawn nor stubbed. */
  droppedEdges: number;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Width and height of a table box. */
export function boxSize(
  table: Pick<ErdTable, 'name' | 'schema'>,
  columns: readonly Pick<ErdColumn, 'name' | 'type'>[],
  rows: number,
  showColumnTypes: boolean,
  metrics: BoxMetrics = DEFAULT_BOX_METRICS,
): { width: number; height: number } {
  let chars = Math.max(table.name.length, table.schema.length);
  for (const column of columns) {
    const typeChars = showColumnTypes && column.type ? column.type.length + 2 : 0;
    chars = Math.max(chars, metrics.markerChars + column.name.length + typeChars);
  }
  const width = clamp(Math.ceil(chars * metrics.charWidth + 2 * metrics.padding), metrics.minWidth, metrics.maxWidth);
  const height = metrics.headerHeight + rows * metrics.rowHeight + metrics.padding;
  return { width, height };
}

/**
 * Width of a header-only box: the name in the title font (13px, semibold: wider than the monospace columns' 7.2px
 * per character), and the same padding.
 */
export function compactBoxSize(
  table: Pick<ErdTable, 'name'>,
  metrics: BoxMetrics = DEFAULT_BOX_METRICS,
): { width: number; height: number } {
  const width = Math.ceil(table.name.length * COMPACT_TITLE_CHAR_WIDTH + 2 * metrics.padding);
  return { width: clamp(width, COMPACT_MIN_WIDTH, metrics.maxWidth), height: metrics.headerHeight };
}

/** Character width of the 13px semibold title font, generous (Chromium's fallback sans measured ~8.0; Inter is narrower). */
export const COMPACT_TITLE_CHAR_WIDTH = 8.6;
const COMPACT_MIN_WIDTH = 56;

function tableNode(table: ErdTable, all: readonly ErdColumn[], options: LayoutInputOptions): LayoutNode {
  if (options.columns === false) {
    return { id: table.id, ...compactBoxSize(table, options.metrics), table, columns: [], hiddenColumns: 0, external: false, compact: true };
  }
  const limit = options.maxRows ?? Number.POSITIVE_INFINITY;
  const columns = all.length > limit ? all.slice(0, limit) : [...all];
  const hiddenColumns = all.length - columns.length;
  // Without a columns frame the box still gets the height its column count promises.
  const listed = all.length > 0 ? columns.length : Math.min(table.columnCount, limit);
  const rows = listed + (hiddenColumns > 0 ? 1 : 0);
  const size = boxSize(table, columns, rows, options.showColumnTypes, options.metrics);
  return { id: table.id, ...size, table, columns, hiddenColumns, external: false, compact: false };
}

/** A stub box for a referenced table outside the inspected schemas: its id split at the last dot. */
export function externalNode(id: string, metrics: BoxMetrics = DEFAULT_BOX_METRICS, compact = false): LayoutNode {
  const dot = id.lastIndexOf('.');
  const schema = dot > 0 ? id.slice(0, dot) : '';
  const name = dot > 0 ? id.slice(dot + 1) : id;
  const table: ErdTable = { id, schema, name, kind: 'external', status: 'ok', columnCount: 0, driftedColumns: 0, changes: [] };
  const size = compact ? compactBoxSize(table, metrics) : boxSize(table, [], 0, false, metrics);
  return { id, ...size, table, columns: [], hiddenColumns: 0, external: true, compact };
}

/** Nodes (drawn tables, then stubs in first-seen order) and edges for the layout library. */
export function buildLayoutInput(
  model: Pick<PanelModel, 'tables' | 'relations' | 'columnsByTable'>,
  options: LayoutInputOptions,
): ErdLayoutInput {
  const selection = selectErd(model, options.onlyDrifted);
  const allIds = new Set(model.tables.map((t) => t.id));
  const nodes = selection.tables.map((t) => tableNode(t, model.columnsByTable.get(t.id) ?? [], options));
  const drawn = new Set(nodes.map((n) => n.id));
  const edges: LayoutEdge[] = [];
  let droppedEdges = 0;
  for (const relation of selection.relations) {
    if (!drawn.has(relation.source)) {
      droppedEdges++;
      continue;
    }
    if (!drawn.has(relation.target)) {
      // A target in the model but filtered out is dropped; only a truly external one gets a stub.
      if (!options.showExternalTables || allIds.has(relation.target)) {
        droppedEdges++;
        continue;
      }
      nodes.push(externalNode(relation.target, options.metrics, options.columns === false));
      drawn.add(relation.target);
    }
    edges.push({
      id: relation.id,
      source: relation.source,
      target: relation.target,
      relation,
      selfLoop: relation.source === relation.target,
    });
  }
  return {
    direction: options.direction,
    nodes,
    edges,
    compact: options.columns === false,
    hiddenCount: selection.hiddenCount,
    droppedEdges,
  };
}
