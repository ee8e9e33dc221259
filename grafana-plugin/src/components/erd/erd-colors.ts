import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { useMemo } from 'react';

import type { DriftStatus } from '../../data/index.ts';
import { driftPalette } from '../drift-palette.ts';
import type { DriftColor } from '../drift-palette.ts';
import { FONT_PX } from './legibility.ts';

/** Everything the SVG needs from the theme, computed once per theme and passed down (SVG attributes, not CSS). */
export interface ErdColors {
  status: Record<DriftStatus, DriftColor>;
  text: string;
  muted: string;
  border: string;
  fill: string;
  header: string;
  ghostFill: string;
  selected: string;
  canvas: string;
  classes: ReturnType<typeof getSvgStyles>;
}

function getSvgStyles(theme: GrafanaTheme2) {
  const mono = theme.typography.fontFamilyMonospace;
  return {
    box: css({ cursor: 'pointer' }),
    title: css({ fontFamily: theme.typography.fontFamily, fontSize: FONT_PX.title, fontWeight: 600, dominantBaseline: 'central' }),
    mono: css({ fontFamily: mono, fontSize: FONT_PX.column, dominantBaseline: 'central' }),
    marker: css({ fontFamily: mono, fontSize: FONT_PX.marker, dominantBaseline: 'central' }),
  };
}

/** The ERD's colours and text classes from the current Grafana theme. */
export function useErdColors(): ErdColors {
  const theme = useTheme2();
  const classes = useStyles2(getSvgStyles);
  return useMemo(
    () => ({
      status: driftPalette(theme),
      text: theme.colors.text.primary,
      muted: theme.colors.text.secondary,
      border: theme.colors.border.strong,
      fill: theme.colors.background.primary,
      header: theme.colors.background.secondary,
      ghostFill: theme.colors.background.canvas,
      selected: theme.colors.primary.main,
      canvas: theme.colors.background.canvas,
      classes,
    }),
    [theme, classes],
  );
}
