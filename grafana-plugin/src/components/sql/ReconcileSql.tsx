import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, ClipboardButton, useStyles2 } from '@grafana/ui';

import type { SqlModel, StatementRow } from '../../data/index.ts';
import { HazardBadges } from '../badges.tsx';
import { EmptyState } from '../EmptyState.tsx';
import { TEST_IDS } from '../test-ids.ts';
import { highlightSqlLine, tokenStyles } from './highlight.ts';

function Statement({ statement }: { statement: StatementRow }): React.JSX.Element {
  const styles = useStyles2(getStyles);
  return (
    <li className={styles.statement} data-testid={TEST_IDS.sqlStatement} data-hazards={statement.hazards.join(',')}>
      <div className={styles.head}>
        <span className={styles.index}>{statement.index + 1}.</span>
        <span className={styles.comment}>{statement.comment}</span>
        <HazardBadges hazards={statement.hazards} />
      </div>
      <pre className={styles.sql}>
        <code dangerouslySetInnerHTML={{ __html: statement.sql.split('\n').map(highlightSqlLine).join('\n') }} />
      </pre>
    </li>
  );
}

/**
 * The reconcile script: each statement with its comment and hazard labels, in execution order, and a button that
 * copies the whole script as the exporter rendered it (comments and hazards included).
 */
export function ReconcileSql({ sql, statements }: { sql: SqlModel; statements: StatementRow[] }): React.JSX.Element {
  const styles = useStyles2(getStyles);
  if (!sql.reconcileSql && statements.length === 0 && !sql.reconcileError) {
    // Nothing planned and nothing failed: say so rather than show an empty list under a dead Copy button.
    return (
      <div className={styles.root}>
        <div className={styles.bar}>
          <strong>Reconcile SQL</strong>
        </div>
        <EmptyState tone="ok" title="Nothing to reconcile" testId={TEST_IDS.sqlNothingToReconcile}>
          No statement is needed: the database already matches the migrations.
        </EmptyState>
      </div>
    );
  }
  return (
    <div className={styles.root}>
      <div className={styles.bar}>
        <strong>Reconcile SQL</strong>
        <span className={styles.muted}>
          {sql.statementCount} statement{sql.statementCount === 1 ? '' : 's'} · turns the database into the migrations
        </span>
        <span className={styles.spacer} />
        <ClipboardButton
          size="sm"
          icon="copy"
          variant="secondary"
          data-testid={TEST_IDS.sqlCopy}
          getText={() => sql.reconcileSql}
          disabled={!sql.reconcileSql}
        >
          Copy SQL
        </ClipboardButton>
      </div>
      {sql.reconcileError && (
        <Alert severity="warning" title="No reconcile script could be planned">
          {sql.reconcileError}
        </Alert>
      )}
      {sql.hazards.length > 0 && (
        <div className={styles.hazards}>
          Review before running: <HazardBadges hazards={sql.hazards} />
        </div>
      )}
      {statements.length > 0 ? (
        <ol className={styles.list}>
          {statements.map((s) => (
            <Statement key={s.index} statement={s} />
          ))}
        </ol>
      ) : (
        sql.reconcileSql && (
          <pre className={styles.sql}>
            <code dangerouslySetInnerHTML={{ __html: sql.reconcileSql.split('\n').map(highlightSqlLine).join('\n') }} />
          </pre>
        )
      )}
    </div>
  );
}

function getStyles(theme: GrafanaTheme2) {
  return {
    root: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), minWidth: 0 }),
    bar: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), flexWrap: 'wrap' }),
    muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
    spacer: css({ flex: '1 1 auto' }),
    hazards: css({ display: 'flex', gap: theme.spacing(0.5), alignItems: 'center', flexWrap: 'wrap', fontSize: theme.typography.bodySmall.fontSize }),
    list: css({ listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
    statement: css({ border: `1px solid ${theme.colors.border.weak}`, borderRadius: theme.shape.radius.default, padding: theme.spacing(0.5, 1) }),
    head: css({ display: 'flex', gap: theme.spacing(0.5), alignItems: 'center', flexWrap: 'wrap', marginBottom: theme.spacing(0.5) }),
    index: css({ color: theme.colors.text.secondary, fontFamily: theme.typography.fontFamilyMonospace }),
    comment: css({ color: theme.colors.text.secondary, fontStyle: 'italic' }),
    sql: cx(
      css({
        margin: 0,
        padding: theme.spacing(0.5, 1),
        whiteSpace: 'pre-wrap',
        wordBreak: 'break-word',
        fontSize: theme.typography.bodySmall.fontSize,
        background: theme.colors.background.canvas,
        border: 'none',
      }),
      tokenStyles(theme),
    ),
  };
}
