// PLACEHOLDER (foundation): the view engineer replaces this file with the ERD view.
import React from 'react';

import type { ViewProps } from '../view-props.ts';

/** ERD of the report's tables and relations. Placeholder: lists the node count only. */
export function ErdView({ model }: ViewProps): React.JSX.Element {
  return <div data-testid="schema-drift-erd-placeholder">ERD: {model.tables.length} tables</div>;
}
