import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { FilterInput, InteractiveTable, RadioButtonGroup, useStyles2 } from '@grafana/ui';

import type { ChangeAction, ChangeRow } from '../data/index.ts';
import { type ActionFilter, filterChanges } from '../data/change-filter.ts';
import type { ViewProps } from '../view-props.ts';
import { showsNoDrift } from '../data/index.ts';
import { ActionBadge, HazardBadges } from './badges.tsx';
import { EmptyState } from './EmptyState.tsx';
import { TEST_IDS } from './test-ids.ts';

const HAZARD_CELL = css({ display: 'inline-flex', flexWrap: 'wrap', gap: 4 });

const COLUMNS = [
  // `index` is the change's position in the report, from 0; people count from 1.
  { id: 'index', header: '#', sortType: 'number' as const, cell: ({ row }: CellArg) => <span data-testid={TEST_IDS.changesNumber}>{row.original.index + 1}</span> },
  { id: 'action', header: 'Action', sortType: 'string' as const, cell: ({ row }: CellArg) => <ActionBadge action={row.original.action} /> },
  { id: 'kind', header: 'Kind', sortType: 'string' as const },
  {
    id: 'subject',
    header: 'Object',
    sortType: 'string' as const,
    cell: ({ row }: CellArg) => (
      <code data-testid={TEST_IDS.changesRow} data-action={row.original.action}>
        {row.original.subject}
      </code>
    ),
  },
  { id: 'details', header: 'Expected vs actual', cell: ({ row }: CellArg) => <Details row={row.original} /> },
  {
    id: 'hazardText',
    header: 'Hazards',
    sortType: 'string' as const,
    cell: ({ row }: CellArg) => (
      <span className={HAZARD_CELL}>
        <HazardBadges hazards={row.original.hazards} />
      </span>
    ),
  },
];

/** The details text; a dropped or added object that may be half of a rename says so (the plan still drops and adds). */
function Details({ row }: { row: ChangeRow }): React.JSX.Element {
  if (!row.possibleRename) {
    return <span>{row.details}</span>;
  }
  return (
    <span data-testid={TEST_IDS.changesPossibleRename} title="Same definition as an object the plan adds or drops: a RENAME would keep the data">
      possible rename: <code>{row.possibleRename}</code>
      {row.details ? ` ${row.details}` : ''}
    </span>
  );
}

interface CellArg {
  row: { original: ChangeRow & { hazardText: string } };
}

/** The report's changes as a sortable (click a header) and filterable (action, free text) table. */
export function ChangesView({ model, width, height }: ViewProps): React.JSX.Element {
  const styles = useStyles2(getStyles);
  const [action, setAction] = useState<ActionFilter>('all');
  const [text, setText] = useState('');
  const rows = useMemo(
    () => filterChanges(model.changes, action, text).map((r) => ({ ...r, hazardText: r.hazards.join(',') })),
    [model.changes, action, text],
  );
  const counts = (a: ChangeAction) => model.changes.filter((c) => c.action === a).length;
  const options = [
    { value: 'all' as const, label: `All (${model.changes.length})` },
    { value: 'extra' as const, label: `Extra (${counts('extra')})` },
    { value: 'missing' as const, label: `Missing (${counts('missing')})` },
    { value: 'changed' as const, label: `Changed (${counts('changed')})` },
  ];
  if (model.changes.length === 0) {
    // Zero rows is "no drift" only when the counts say so; a failed check has no rows either.
    return (
      <div style={{ width, height }}>
        {showsNoDrift(model) ? (
          <EmptyState tone="ok" title="No drift" testId={TEST_IDS.noDrift} fill>
            The database matches the migrations: nothing is extra, missing or changed.
          </EmptyState>
        ) : (
          <EmptyState tone="neutral" title="No changes to show" testId={TEST_IDS.noChanges} fill>
            {model.header?.status === 'error' ? 'The last check failed (see the header).' : 'The changes query returned no rows.'}
          </EmptyState>
        )}
      </div>
    );
  }
  return (
    <div className={styles.root} style={{ width, height }} data-testid={TEST_IDS.changesView}>
      <div className={styles.bar}>
        <RadioButtonGroup<ActionFilter> size="sm" options={options} value={action} onChange={setAction} />
        <div className={styles.filter} data-testid={TEST_IDS.changesFilter}>
          <FilterInput placeholder="Filter by object, kind, details, hazard" value={text} onChange={setText} />
        </div>
        <span className={styles.muted}>
          {rows.length} of {model.changes.length} shown
        </span>
      </div>
      <div className={styles.scroll}>
        <InteractiveTable columns={COLUMNS} data={rows} getRowId={(r) => String(r.index)} />
      </div>
    </div>
  );
}

function getStyles(theme: GrafanaTheme2) {
  return {
    root: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), padding: theme.spacing(0, 1, 1, 1) }),
    bar: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), flexWrap: 'wrap' }),
    filter: css({ flex: '0 1 360px' }),
    muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
    scroll: css({ overflow: 'auto', flex: '1 1 auto', minHeight: 0 }),
  };
}
