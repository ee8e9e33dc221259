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
   * Direction of the ERD layout. Default `TB`: schemas are wide and shallow (many tables, few levels of foreign
   * keys), so top to bottom fills a wide dashboard panel; LR drew the 30-table fixture at scale 0.13 in a 1200×600
   * panel, TB at 0.18 (browser test "default layout direction").
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
  layoutDirection: 'TB',
  onlyDrifted: false,
  focusAbove: 300,
  showColumnTypes: true,
  showExternalTables: true,
  sqlDiffMode: 'split',
  target: '',
  exporterUrl: '',
};
