import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Drawer, useStyles2 } from '@grafana/ui';

import { changesForTable } from '../data/index.ts';
import type { ChangeRow, ErdColumn, PanelModel } from '../data/index.ts';
import { ActionBadge, HazardBadges } from './badges.tsx';
import { DRIFT_LABELS } from './drift-palette.ts';
import { parseDetails } from './erd/details.ts';
import { TEST_IDS } from './test-ids.ts';

/** Props of {@link TableDrawer}. */
export interface TableDrawerProps {
  model: PanelModel;
  tableId: string;
  onClose: () => void;
}

function ExpectedActual({ details }: { details: string }): React.JSX.Element | null {
  const styles = useStyles2(getStyles);
  const rows = parseDetails(details);
  if (rows.length === 0) return null;
  return (
    <table className={styles.attrs}>
      <thead>
        <tr>
          <th>attribute</th>
          <th>expected (migrations)</th>
          <th>actual (database)</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            <td>{row.name}</td>
            <td className={styles.expected}>{row.expected}</td>
            <td className={styles.actual}>{row.actual}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ChangeItem({ change }: { change: ChangeRow }): React.JSX.Element {
  const styles = useStyles2(getStyles);
  return (
    <li className={styles.change} data-testid={TEST_IDS.drawerChange} data-action={change.action}>
      <div className={styles.changeHead}>
        <ActionBadge action={change.action} />
        <code>{change.subject}</code>
        <HazardBadges hazards={change.hazards} />
      </div>
      <ExpectedActual details={change.details} />
    </li>
  );
}

function ColumnList({ columns }: { columns: readonly ErdColumn[] }): React.JSX.Element {
  const styles = useStyles2(getStyles);
  return (
    <table className={styles.columns}>
      <thead>
        <tr>
          <th>column</th>
          <th>type</th>
          <th>null</th>
          <th>key</th>
          <th>status</th>
        </tr>
      </thead>
      <tbody>
        {columns.map((c) => (
          <tr key={c.id} data-status={c.status} className={c.status === 'missing' ? styles.ghost : undefined}>
            <td>{c.name}</td>
            <td>{c.type}</td>
            <td>{c.nullable ? 'yes' : 'no'}</td>
            <td>{[c.primaryKey ? 'PK' : '', c.foreignKey ? 'FK' : ''].filter(Boolean).join(' ')}</td>
            <td title={c.details || DRIFT_LABELS[c.status].meaning}>
              {c.status === 'ok' ? '' : DRIFT_LABELS[c.status].title}
              {c.details ? `: ${c.details}` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Side drawer for one ERD node: its changes (expected vs actual, hazards) and its columns with their drift. */
export function TableDrawer({ model, tableId, onClose }: TableDrawerProps): React.JSX.Element {
  const styles = useStyles2(getStyles);
  const table = model.tables.find((t) => t.id === tableId);
  const changes = changesForTable(model, tableId);
  const columns = model.columnsByTable.get(tableId) ?? [];
  const status = table?.status ?? 'ok';
  return (
    <Drawer
      title={tableId}
      subtitle={
        <span className={styles.subtitle}>
          {table?.kind ?? 'external table'}{' '}
          <Badge
            text={DRIFT_LABELS[status].title}
            color={status === 'ok' ? 'green' : status === 'missing' ? 'red' : status === 'extra' ? 'green' : 'orange'}
            icon={status === 'ok' ? 'check' : 'exclamation-triangle'}
          />{' '}
          {status !== 'ok' && DRIFT_LABELS[status].meaning}
        </span>
      }
      size="md"
      onClose={onClose}
    >
      <div data-testid={TEST_IDS.drawer} data-table-id={tableId}>
        <h4>
          {changes.length === 0 ? 'No changes' : `${changes.length} change${changes.length === 1 ? '' : 's'}`}
        </h4>
        {changes.length > 0 && (
          <ul className={styles.list}>
            {changes.map((c) => (
              <ChangeItem key={c.index} change={c} />
            ))}
          </ul>
        )}
        {columns.length > 0 && (
          <>
            <h4>Columns</h4>
            <ColumnList columns={columns} />
          </>
        )}
      </div>
    </Drawer>
  );
}

function getStyles(theme: GrafanaTheme2) {
  const cell = { padding: theme.spacing(0.5, 1), borderBottom: `1px solid ${theme.colors.border.weak}`, textAlign: 'left' as const };
  const table = css({ width: '100%', borderCollapse: 'collapse', fontSize: theme.typography.bodySmall.fontSize, th: cell, td: cell });
  return {
    subtitle: css({ display: 'inline-flex', gap: theme.spacing(1), alignItems: 'center' }),
    list: css({ listStyle: 'none', padding: 0, margin: theme.spacing(0, 0, 2, 0) }),
    change: css({ padding: theme.spacing(1, 0), borderBottom: `1px solid ${theme.colors.border.weak}` }),
    changeHead: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1), alignItems: 'center' }),
    attrs: cx(table, css({ marginTop: theme.spacing(1), fontFamily: theme.typography.fontFamilyMonospace })),
    expected: css({ color: theme.colors.error.text }),
    actual: css({ color: theme.colors.success.text }),
    columns: cx(table, css({ fontFamily: theme.typography.fontFamilyMonospace })),
    ghost: css({ opacity: 0.6, textDecoration: 'line-through' }),
  };
}
