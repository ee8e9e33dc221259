// PLACEHOLDER (foundation): the view engineer replaces this file with the sortable, filterable changes table.
import React from 'react';

import type { ViewProps } from '../view-props.ts';

/** Table of the report's changes. Placeholder: one line per change. */
export function ChangesView({ model }: ViewProps): React.JSX.Element {
  return (
    <ul data-testid="schema-drift-changes-placeholder">
      {model.changes.map((change) => (
        <li key={change.index}>
          {change.action} {change.subject}
        </li>
      ))}
    </ul>
  );
}
