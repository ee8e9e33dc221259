// PLACEHOLDER (foundation): the view engineer replaces this file with the header (target, status, checked at,
// counts) and keeps the view switch.
import React from 'react';
import { RadioButtonGroup } from '@grafana/ui';

import type { ViewKind } from '../types.ts';
import type { HeaderProps } from '../view-props.ts';

const VIEW_LABELS: Record<ViewKind, string> = { erd: 'ERD', sql: 'SQL diff', changes: 'Changes' };

/** Status line and view switch. Placeholder: target and status as text. */
export function SchemaDriftHeader({ model, view, onViewChange, availableViews }: HeaderProps): React.JSX.Element {
  const options = (Object.keys(VIEW_LABELS) as ViewKind[]).map((value) => ({
    value,
    label: VIEW_LABELS[value],
    disabled: !availableViews.includes(value),
  }));
  return (
    <div data-testid="schema-drift-header-placeholder">
      <span>
        {model.header?.target ?? 'unknown target'}: {model.header?.status ?? 'not checked'}
      </span>
      <RadioButtonGroup<ViewKind> size="sm" options={options} value={view} onChange={onViewChange} />
    </div>
  );
}
