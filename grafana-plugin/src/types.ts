/** The panel's views, switchable in the header. */
export type ViewKind = 'erd' | 'sql' | 'changes';

/** Rank direction of the ERD layout: left to right or top to bottom (dagre/ELK vocabulary). */
export type LayoutDirection = 'LR' | 'TB';

/** How the SQL view lays out desired vs current DDL. */
export type SqlDiffMode = 'split' | 'unified';

/** Panel options, edited in the panel editor (see `module.ts` for labels and descriptions). */
export interface SchemaDriftOptions {
  /** View shown when the dashboard opens. */
  defaultView: ViewKind;
  /**
   * Direction of the ERD layout. Default `LR`: a schema beyond a handful of tables opens on header-only boxes (wide and
   * short), which stack densely in left-to-right layers; top to bottom spreads them into wide rows. On the 30-table
   * fixture in a 1280×760 panel the smallest name at fit was 13 px with LR, 9.6 px with TB (browser test
   * `erd-legibility.test.ts`, 2026-12-07). With columns, TB fits better (scale 0.18 vs 0.13 in 1200×600, test
   * "default layout direction").
   */
  layoutDirection: LayoutDirection;
  /** ERD: draw only tables that drifted and the tables one foreign key away from them. */
  onlyDrifted: boolean;
  /**
   * ERD: above this many tables, open on "only drift and neighbours" even with `onlyDrifted` off (when something
   * drifted; the ERD's switch shows all). 0: never.
   */
  focusAbove: number;
  /** ERD: print each column's type next to its name. */
  showColumnTypes: boolean;
  /** ERD: draw relations to tables outside the inspected schemas as small stub boxes (else drop those edges). */
  showExternalTables: boolean;
  /** SQL view: side by side or unified diff. */
  sqlDiffMode: SqlDiffMode;
  /**
   * The exporter's address as the dashboard viewer's browser reaches it (e.g. `https://schema-drift.example.com` or
   * `$exporter_url`): the header links to the report, its reconcile SQL and the runbook there. Empty: no links.
   */
  exporterUrl: string;
  /**
   * Target whose header to show when the targets frame holds several rows. Template variables are expanded
   * (`$target`); empty picks the target named by the SQL frame, else the only row.
   */
  target: string;
}

/** Defaults of every option; `module.ts` and the tests use the same object. */
export const DEFAULT_OPTIONS: SchemaDriftOptions = {
  defaultView: 'erd',
  layoutDirection: 'LR',
  onlyDrifted: false,
  focusAbove: 300,
  showColumnTypes: true,
  showExternalTables: true,
  sqlDiffMode: 'split',
  target: '',
  exporterUrl: '',
};
