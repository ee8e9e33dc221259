import type { GrafanaTheme2 } from '@grafana/data';

import type { DriftStatus } from '../data/model.ts';

/**
 * Colours of drift, from the Grafana theme so light and dark both work. The choice follows diff conventions read
 * from the database's side (expected → actual):
 * - `missing` (in the migrations, not in the database: "removed" from it) → `theme.colors.error` (red);
 * - `extra` (in the database only: "added" to it by hand) → `theme.colors.success` (green);
 * - `changed` (both sides, attributes differ) → `theme.colors.warning` (orange);
 * - `ok` → the theme's ordinary border and text.
 * The SQL diff uses the same mapping: desired-only lines are red, current-only lines green.
 */
export interface DriftColor {
  /** Strong colour: borders, markers, text. */
  main: string;
  /** Faint fill behind highlighted rows. */
  fill: string;
  /** Text on `main`. */
  contrast: string;
}

/** The colour of each drift status in `theme`. */
export function driftPalette(theme: GrafanaTheme2): Record<DriftStatus, DriftColor> {
  const of = (c: { main: string; transparent: string; contrastText: string }): DriftColor => ({
    main: c.main,
    fill: c.transparent,
    contrast: c.contrastText,
  });
  return {
    missing: of(theme.colors.error),
    extra: of(theme.colors.success),
    changed: of(theme.colors.warning),
    ok: { main: theme.colors.border.strong, fill: 'transparent', contrast: theme.colors.text.primary },
  };
}

/** Words of each status, for the legend, tooltips and the drawer. */
export const DRIFT_LABELS: Record<DriftStatus, { title: string; meaning: string }> = {
  extra: { title: 'Extra', meaning: 'in the database only (added by hand)' },
  missing: { title: 'Missing', meaning: 'in the migrations, not in the database' },
  changed: { title: 'Changed', meaning: 'in both, attributes differ (expected vs actual)' },
  ok: { title: 'In sync', meaning: 'same on both sides' },
};
