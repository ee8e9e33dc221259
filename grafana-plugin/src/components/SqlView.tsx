// PLACEHOLDER (foundation): the view engineer replaces this file with the SQL diff view.
import React from 'react';

import type { ViewProps } from '../view-props.ts';

/** Desired vs current DDL and the reconcile SQL. Placeholder: prints the reconcile script. */
export function SqlView({ model }: ViewProps): React.JSX.Element {
  return <pre data-testid="schema-drift-sql-placeholder">{model.sql?.reconcileSql ?? ''}</pre>;
}
