import type { ExporterLinks } from './data/links.ts';
import type { PanelModel } from './data/model.ts';
import type { SchemaDriftOptions, ViewKind } from './types.ts';

/**
 * Props every view component receives from `SchemaDriftPanel`. The views own their rendering; the panel owns
 * picking frames, the current view and the panel box.
 */
export interface ViewProps {
  model: PanelModel;
  options: SchemaDriftOptions;
  /** Size of the view's area (panel size minus the header). */
  width: number;
  height: number;
}

/** Props of the header: the report's status line plus the view switch. */
export interface HeaderProps {
  model: PanelModel;
  view: ViewKind;
  onViewChange: (view: ViewKind) => void;
  /** Views whose essential frame is present; the others are shown disabled. */
  availableViews: readonly ViewKind[];
  /** Links to the exporter's report, reconcile SQL and runbook; null without the `exporterUrl` option. */
  links: ExporterLinks | null;
}
