import React, { useMemo, useState } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import type { SqlDiffMode } from '../../types.ts';
import { EmptyState } from '../EmptyState.tsx';
import { TEST_IDS } from '../test-ids.ts';
import { splitRows, unifiedLines } from './diff-rows.ts';
import type { SideLine } from './diff-rows.ts';
import { highlightSqlLine, tokenStyles } from './highlight.ts';

/** Props of {@link DdlDiff}. */
export interface DdlDiffProps {
  desired: string;
  current: string;
  mode: SqlDiffMode;
}

function Code({ text }: { text: string }): React.JSX.Element {
  return <span dangerouslySetInnerHTML={{ __html: highlightSqlLine(text) || '&nbsp;' }} />;
}

function Fold({ count, colSpan, onOpen }: { count: number; colSpan: number; onOpen: () => void }): React.JSX.Element {
  const styles = useStyles2(getStyles);
  return (
    <tr className={styles.fold} onClick={onOpen} title="Show these lines">
      <td colSpan={colSpan}>⋯ {count} unchanged line{count === 1 ? '' : 's'}</td>
    </tr>
  );
}

function SideCells({ line, kind }: { line: SideLine | null; kind: 'same' | 'removed' | 'added' }): React.JSX.Element {
  const styles = useStyles2(getStyles);
  const cls = line === null ? styles.empty : kind === 'same' ? undefined : styles[kind];
  return (
    <>
      <td className={cx(styles.num, cls)}>{line?.n ?? ''}</td>
      <td className={cx(styles.sign, cls)}>{line && kind !== 'same' ? (kind === 'removed' ? '-' : '+') : ''}</td>
      <td className={cx(styles.code, cls)}>{line ? <Code text={line.text} /> : null}</td>
    </>
  );
}

/**
 * Desired DDL (migrations, left / `-`) against current DDL (database, right / `+`), side by side or unified,
 * highlighted, changed lines marked in the drift colours, unchanged runs folded (click to open).
 */
export function DdlDiff({ desired, current, mode }: DdlDiffProps): React.JSX.Element {
  const styles = useStyles2(getStyles);
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const open = (id: number) => setExpanded((s) => new Set(s).add(id));
  const split = useMemo(() => (mode === 'split' ? splitRows(desired, current, 3, expanded) : []), [desired, current, mode, expanded]);
  const unified = useMemo(() => (mode === 'unified' ? unifiedLines(desired, current, 3, expanded) : []), [desired, current, mode, expanded]);
  if (desired === current) {
    const lines = desired === '' ? 0 : desired.split('\n').length;
    return (
      <EmptyState tone="ok" title="Desired and current DDL are identical" testId={TEST_IDS.sqlIdentical}>
        {lines} line{lines === 1 ? '' : 's'} of DDL, the same in the migrations and in the database.
      </EmptyState>
    );
  }
  if (mode === 'split') {
    return (
      <table className={styles.table} data-testid={TEST_IDS.sqlSplit}>
        <thead>
          <tr>
            <th colSpan={3}>Desired (migrations)</th>
            <th colSpan={3}>Current (database)</th>
          </tr>
        </thead>
        <tbody>
          {split.map((row, i) =>
            row.kind === 'fold' ? (
              <Fold key={`f${row.id}`} count={row.count} colSpan={6} onOpen={() => open(row.id)} />
            ) : (
              <tr key={i} data-testid={row.kind === 'changed' ? TEST_IDS.sqlLineChanged : undefined}>
                <SideCells line={row.left} kind={row.kind === 'same' ? 'same' : 'removed'} />
                <SideCells line={row.right} kind={row.kind === 'same' ? 'same' : 'added'} />
              </tr>
            ),
          )}
        </tbody>
      </table>
    );
  }
  return (
    <table className={styles.table} data-testid={TEST_IDS.sqlUnified}>
      <tbody>
        {unified.map((line, i) => {
          if (line.kind === 'fold') return <Fold key={`f${line.id}`} count={line.count} colSpan={4} onOpen={() => open(line.id)} />;
          const cls = line.kind === 'same' ? undefined : styles[line.kind];
          return (
            <tr key={i} data-testid={line.kind === 'same' ? undefined : TEST_IDS.sqlLineChanged}>
              <td className={cx(styles.num, cls)}>{line.kind === 'added' ? '' : line.left}</td>
              <td className={cx(styles.num, cls)}>{line.kind === 'removed' ? '' : line.right}</td>
              <td className={cx(styles.sign, cls)}>{line.kind === 'removed' ? '-' : line.kind === 'added' ? '+' : ''}</td>
              <td className={cx(styles.code, cls)}>
                <Code text={line.text} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function getStyles(theme: GrafanaTheme2) {
  return {
    table: cx(
      css({
        width: '100%',
        borderCollapse: 'collapse',
        tableLayout: 'auto',
        fontFamily: theme.typography.fontFamilyMonospace,
        fontSize: theme.typography.bodySmall.fontSize,
        lineHeight: 1.5,
        th: {
          position: 'sticky',
          top: 0,
          background: theme.colors.background.secondary,
          textAlign: 'left',
          padding: theme.spacing(0.5, 1),
          fontFamily: theme.typography.fontFamily,
          zIndex: 1,
        },
      }),
      tokenStyles(theme),
    ),
    num: css({
      width: '1%',
      padding: theme.spacing(0, 1),
      textAlign: 'right',
      color: theme.colors.text.disabled,
      userSelect: 'none',
      whiteSpace: 'nowrap',
    }),
    sign: css({ width: '1%', paddingRight: theme.spacing(0.5), userSelect: 'none' }),
    // Wrap at spaces; a token is broken only when it alone is wider than the column (`NO CYCLE`, not `NO CYC|LE`).
    code: css({ whiteSpace: 'pre-wrap', wordBreak: 'normal', overflowWrap: 'anywhere', width: '48%' }),
    removed: css({ background: theme.colors.error.transparent, '&:nth-of-type(2)': { color: theme.colors.error.text } }),
    added: css({ background: theme.colors.success.transparent, '&:nth-of-type(2)': { color: theme.colors.success.text } }),
    empty: css({ background: theme.colors.background.secondary }),
    fold: css({
      cursor: 'pointer',
      color: theme.colors.text.secondary,
      background: theme.colors.background.secondary,
      td: { padding: theme.spacing(0.25, 1), fontFamily: theme.typography.fontFamily },
      '&:hover': { color: theme.colors.text.link },
    }),
  };
}
