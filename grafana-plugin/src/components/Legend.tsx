import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Icon, useStyles2, useTheme2 } from '@grafana/ui';

import type { DriftStatus } from '../data/index.ts';
import { DRIFT_LABELS, driftPalette } from './drift-palette.ts';
import { TEST_IDS } from './test-ids.ts';

const SHOWN: readonly DriftStatus[] = ['extra', 'missing', 'changed'];

/** Props of {@link Legend}. */
export interface LegendProps {
  className?: string;
  /**
   * The check found no drift (`showsNoDrift`): a key to colours nothing is drawn in would read as if something
   * were highlighted, so the key says "no drift" instead, and how many nodes were compared.
   */
  noDrift?: { nodes: number };
}

/**
 * The ERD's key: what each drift colour means (see `drift-palette.ts` for why these theme colours), that missing
 * objects are drawn ghosted (dashed, faded) where they should be, and the column markers. With no drift, a
 * "no drift" line in the theme's success colour takes the colours' place.
 */
export function Legend({ className, noDrift }: LegendProps): React.JSX.Element {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const palette = driftPalette(theme);
  return (
    <div className={`${styles.legend} ${className ?? ''}`} data-testid={TEST_IDS.legend}>
      {noDrift && (
        <span className={styles.item} data-testid={TEST_IDS.noDrift}>
          <Icon name="check" style={{ color: theme.colors.success.text }} />
          <strong style={{ color: theme.colors.success.text }}>No drift</strong>
          <span className={styles.meaning}>all {noDrift.nodes} tables match the migrations</span>
        </span>
      )}
      {!noDrift && SHOWN.map((status) => (
        <span key={status} className={styles.item} title={DRIFT_LABELS[status].meaning} data-status={status}>
          <span
            className={styles.swatch}
            style={{
              borderColor: palette[status].main,
              background: palette[status].fill,
              borderStyle: status === 'missing' ? 'dashed' : 'solid',
            }}
          />
          {DRIFT_LABELS[status].title}
          <span className={styles.meaning}>{status === 'missing' ? 'ghosted, ' : ''}{DRIFT_LABELS[status].meaning}</span>
        </span>
      ))}
      <span className={styles.item}>
        <code>PK</code>/<code>FK</code> keys · <code>type?</code> nullable
      </span>
    </div>
  );
}

function getStyles(theme: GrafanaTheme2) {
  return {
    legend: css({
      display: 'flex',
      flexWrap: 'wrap',
      gap: theme.spacing(0.5, 1.5),
      alignItems: 'center',
      fontSize: theme.typography.bodySmall.fontSize,
      color: theme.colors.text.secondary,
      background: theme.colors.background.primary,
      border: `1px solid ${theme.colors.border.weak}`,
      borderRadius: theme.shape.radius.default,
      padding: theme.spacing(0.5, 1),
      code: { fontSize: 'inherit', padding: 0, background: 'none', border: 'none' },
    }),
    item: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.5), color: theme.colors.text.primary }),
    meaning: css({ color: theme.colors.text.secondary }),
    swatch: css({ display: 'inline-block', width: 14, height: 10, borderWidth: 2, borderRadius: 2 }),
  };
}
