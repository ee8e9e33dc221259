/**
 * Pure data shaping for the panel: frames → `PanelModel` → what each view draws. Nothing here renders or fetches.
 */
export type * from './model.ts';
export { FRAME_KINDS } from './model.ts';
export { frameKind, pickFrames, findField, normalizeName, REQUIRED_FIELDS } from './frames.ts';
export {
  framesToPanelModel,
  emptyPanelModel,
  canShowView,
  missingForView,
  changesForTable,
  VIEW_FRAMES,
} from './panel-model.ts';
export type { FramesToModelOptions } from './panel-model.ts';
export { countChanges } from './header.ts';
export { DRIFT_STATUSES, REPORT_STATUSES } from './rows.ts';
export { selectErd, driftedWithNeighbours, focusesOnDrift, isDrifted, showsNoDrift } from './filter.ts';
export type { ErdSelection } from './filter.ts';
export { buildLayoutInput, boxSize, compactBoxSize, externalNode, DEFAULT_BOX_METRICS } from './layout-input.ts';
export type { BoxMetrics, LayoutInputOptions, LayoutNode, LayoutEdge, ErdLayoutInput } from './layout-input.ts';
export { exporterBase, exporterLinks, RUNBOOK_SECTIONS } from './links.ts';
export type { ExporterLinks } from './links.ts';
