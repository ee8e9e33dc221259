import React from 'react';
import { Badge } from '@grafana/ui';
import type { BadgeColor } from '@grafana/ui';

import type { ChangeAction } from '../data/index.ts';
import { TEST_IDS } from './test-ids.ts';

/** Badge colours of change actions: the same mapping as `drift-palette.ts` (Badge only offers named colours). */
export const ACTION_BADGE: Record<ChangeAction, BadgeColor> = { extra: 'green', missing: 'red', changed: 'orange' };

/**
 * Hazard labels of reconcile statements, worst first: `data_loss` is red; the locking and rewriting ones orange
 * (they hurt availability, not data); `may_fail` purple (the script may stop half-way); `rebuild` blue (informative).
 */
export const HAZARD_BADGE: Record<string, { color: BadgeColor; text: string; tooltip: string }> = {
  data_loss: { color: 'red', text: 'data loss', tooltip: 'drops data' },
  table_rewrite: { color: 'orange', text: 'table rewrite', tooltip: 'rewrites the whole table' },
  heavy_lock: { color: 'orange', text: 'heavy lock', tooltip: 'ACCESS EXCLUSIVE lock or a long scan under lock' },
  may_fail: { color: 'purple', text: 'may fail', tooltip: 'can fail on existing data' },
  rebuild: { color: 'blue', text: 'rebuild', tooltip: 'object dropped and created again' },
};

const HAZARD_ORDER = Object.keys(HAZARD_BADGE);

/** Hazards in a fixed order (worst first); unknown labels last, as the exporter may add some. */
export function sortHazards(hazards: readonly string[]): string[] {
  const rank = (h: string): number => {
    const i = HAZARD_ORDER.indexOf(h);
    return i < 0 ? HAZARD_ORDER.length : i;
  };
  return [...hazards].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The action of a change as a coloured badge. */
export function ActionBadge({ action }: { action: ChangeAction }): React.JSX.Element {
  return <Badge text={action} color={ACTION_BADGE[action] ?? 'darkgrey'} />;
}

/** Hazard labels as badges, with what each means as tooltip. */
export function HazardBadges({ hazards }: { hazards: readonly string[] }): React.JSX.Element | null {
  if (hazards.length === 0) return null;
  return (
    <>
      {sortHazards(hazards).map((h) => {
        const known = HAZARD_BADGE[h];
        return (
          <Badge
            key={h}
            data-testid={TEST_IDS.sqlHazard}
            data-hazard={h}
            text={known?.text ?? h}
            color={known?.color ?? 'darkgrey'}
            tooltip={known?.tooltip}
            icon={h === 'data_loss' ? 'exclamation-triangle' : undefined}
          />
        );
      })}
    </>
  );
}
