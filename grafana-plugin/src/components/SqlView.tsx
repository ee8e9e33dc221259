import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { RadioButtonGroup, useStyles2 } from '@grafana/ui';

import type { SqlDiffMode } from '../types.ts';
import type { ViewProps } from '../view-props.ts';
import { DdlDiff } from './sql/DdlDiff.tsx';
import { ReconcileSql } from './sql/ReconcileSql.tsx';
import { TEST_IDS } from './test-ids.ts';

const MODES = [
  { value: 'split' as const, label: 'Side by side' },
  { value: 'unified' as const, label: 'Unified' },
];

/** Below this width the DDL diff and the reconcile script stack instead of sitting side by side. */
const TWO_COLUMNS_FROM = 1000;

/**
 * The SQL view: desired vs current DDL (side by side or unified, highlighted, changed lines marked) and the
 * reconcile script with hazard labels and a copy button. Scrolls inside the panel.
 */
export function SqlView({ model, options, width, height }: ViewProps): React.JSX.Element {
  const styles = useStyles2(getStyles);
  const [mode, setMode] = useState<SqlDiffMode>(options.sqlDiffMode);
  const sql = model.sql;
  if (!sql) {
    return <div className={styles.message}>The panel&apos;s queries return no SQL frame.</div>;
  }
  const wide = width >= TWO_COLUMNS_FROM;
  // Identical DDL has nothing to colour or to lay out two ways: the key and the mode switch would only confuse.
  const identical = sql.desiredDdl === sql.currentDdl;
  return (
    <div className={styles.root} style={{ width, height, flexDirection: wide ? 'row' : 'column' }} data-testid={TEST_IDS.sqlView}>
      <section className={styles.diff} style={wide ? { flex: '3 1 0' } : undefined}>
        <div className={styles.bar}>
          <strong>Desired vs current DDL</strong>
          {!identical && (
            <>
              <span className={styles.muted}>red: only in the migrations · green: only in the database</span>
              <span className={styles.spacer} />
              <RadioButtonGroup size="sm" options={MODES} value={mode} onChange={setMode} />
            </>
          )}
        </div>
        <div className={styles.scroll}>
          <DdlDiff desired={sql.desiredDdl} current={sql.currentDdl} mode={mode} />
        </div>
      </section>
      <section className={styles.reconcile} style={wide ? { flex: '2 1 0' } : undefined}>
        <div className={styles.scroll}>
          <ReconcileSql sql={sql} statements={model.statements} />
        </div>
      </section>
    </div>
  );
}

function getStyles(theme: GrafanaTheme2) {
  return {
    root: css({ display: 'flex', gap: theme.spacing(1), padding: theme.spacing(0, 1, 1, 1), overflow: 'hidden' }),
    diff: css({ display: 'flex', flexDirection: 'column', minWidth: 0, minHeight: 0, flex: '1 1 60%' }),
    reconcile: css({ display: 'flex', flexDirection: 'column', minWidth: 0, minHeight: 0, flex: '1 1 40%' }),
    scroll: css({
      overflow: 'auto',
      flex: '1 1 auto',
      border: `1px solid ${theme.colors.border.weak}`,
      borderRadius: theme.shape.radius.default,
      padding: theme.spacing(0.5),
    }),
    bar: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), padding: theme.spacing(0.5, 0), flexWrap: 'wrap' }),
    muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
    spacer: css({ flex: '1 1 auto' }),
    message: css({ padding: theme.spacing(2), color: theme.colors.text.secondary }),
  };
}
