import type { PanelOptionsEditorBuilder } from '@grafana/data';

import { DEFAULT_OPTIONS } from './types.ts';
import type { SchemaDriftOptions } from './types.ts';

/** The panel options editor: every option of `SchemaDriftOptions`, with `DEFAULT_OPTIONS` as defaults. */
export function buildPanelOptions(
  builder: PanelOptionsEditorBuilder<SchemaDriftOptions>,
): PanelOptionsEditorBuilder<SchemaDriftOptions> {
  return builder
    .addRadio({
      path: 'defaultView',
      name: 'Default view',
      description: 'View shown when the dashboard opens; the panel header switches views.',
      defaultValue: DEFAULT_OPTIONS.defaultView,
      settings: {
        options: [
          { value: 'erd', label: 'ERD' },
          { value: 'sql', label: 'SQL diff' },
          { value: 'changes', label: 'Changes' },
        ],
      },
    })
    .addRadio({
      path: 'layoutDirection',
      name: 'Layout direction',
      category: ['ERD'],
      description: 'Direction in which foreign keys point in the automatic layout.',
      defaultValue: DEFAULT_OPTIONS.layoutDirection,
      settings: {
        options: [
          { value: 'TB', label: 'Top to bottom' },
          { value: 'LR', label: 'Left to right' },
        ],
      },
    })
    .addBooleanSwitch({
      path: 'onlyDrifted',
      name: 'Only drifted tables',
      category: ['ERD'],
      description: 'Draw only the tables that drifted and the tables one foreign key away from them.',
      defaultValue: DEFAULT_OPTIONS.onlyDrifted,
    })
    .addNumberInput({
      path: 'focusAbove',
      name: 'Open large schemas on their drift',
      category: ['ERD'],
      description:
        'Above this many tables the ERD opens on "only drift and neighbours" (its switch shows all tables). 0: never.',
      defaultValue: DEFAULT_OPTIONS.focusAbove,
      settings: { min: 0, integer: true },
    })
    .addBooleanSwitch({
      path: 'showColumnTypes',
      name: 'Show column types',
      category: ['ERD'],
      defaultValue: DEFAULT_OPTIONS.showColumnTypes,
    })
    .addBooleanSwitch({
      path: 'showExternalTables',
      name: 'Show referenced tables outside the schemas',
      category: ['ERD'],
      description: 'Draw foreign keys to tables that were not inspected as edges to small stub boxes.',
      defaultValue: DEFAULT_OPTIONS.showExternalTables,
    })
    .addRadio({
      path: 'sqlDiffMode',
      name: 'Diff layout',
      category: ['SQL diff'],
      defaultValue: DEFAULT_OPTIONS.sqlDiffMode,
      settings: {
        options: [
          { value: 'split', label: 'Side by side' },
          { value: 'unified', label: 'Unified' },
        ],
      },
    })
    .addTextInput({
      path: 'target',
      name: 'Target',
      category: ['Data'],
      description:
        'Target shown in the header when the targets query returns several rows, e.g. $target. Empty: the target of the SQL query.',
      defaultValue: DEFAULT_OPTIONS.target,
    })
    .addTextInput({
      path: 'exporterUrl',
      name: 'Exporter URL',
      category: ['Links'],
      description:
        "The exporter's address as viewers' browsers reach it, e.g. https://schema-drift.example.com or $exporter_url. The header then links to the report, its reconcile SQL and the runbook. Empty: no links.",
      defaultValue: DEFAULT_OPTIONS.exporterUrl,
    });
}
