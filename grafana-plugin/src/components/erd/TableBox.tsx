import React, { memo } from 'react';

import type { BoxMetrics, ErdColumn } from '../../data/index.ts';
import { DRIFT_LABELS } from '../drift-palette.ts';
import { TEST_IDS } from '../test-ids.ts';
import type { PlacedNode } from './elk-layout.ts';
import type { ErdColors } from './erd-colors.ts';
import type { Detail } from './legibility.ts';

export type { Detail } from './legibility.ts';

/** Props of {@link TableBox}. */
export interface TableBoxProps {
  placed: PlacedNode;
  colors: ErdColors;
  metrics: BoxMetrics;
  detail: Detail;
  showTypes: boolean;
  selected: boolean;
  onSelect: (id: string) => void;
}

const MARKER: Record<string, string> = { pk: 'PK', fk: 'FK', both: 'PF' };

function markerOf(column: ErdColumn): string {
  if (column.primaryKey && column.foreignKey) return MARKER.both ?? '';
  if (column.primaryKey) return MARKER.pk ?? '';
  return column.foreignKey ? (MARKER.fk ?? '') : '';
}

function columnTitle(column: ErdColumn): string {
  const flags = [column.primaryKey ? 'primary key' : '', column.foreignKey ? 'foreign key' : '', column.nullable ? 'nullable' : 'not null']
    .filter(Boolean)
    .join(', ');
  const status = column.status === 'ok' ? '' : `\n${DRIFT_LABELS[column.status].title}: ${DRIFT_LABELS[column.status].meaning}`;
  const details = column.details ? `\n${column.details.split('; ').join('\n')}` : '';
  return `${column.name} ${column.type} (${flags})${status}${details}`;
}

function ColumnRow(props: {
  column: ErdColumn;
  y: number;
  width: number;
  metrics: BoxMetrics;
  colors: ErdColors;
  showTypes: boolean;
}): React.JSX.Element {
  const { column, y, width, metrics, colors, showTypes } = props;
  const status = colors.status[column.status];
  const ghost = column.status === 'missing';
  const textY = y + metrics.rowHeight / 2;
  const nameX = metrics.padding + metrics.markerChars * metrics.charWidth;
  return (
    <g data-testid={TEST_IDS.erdColumn} data-status={column.status} data-column={column.name} opacity={ghost ? 0.7 : 1}>
      <title>{columnTitle(column)}</title>
      {column.status !== 'ok' && (
        <>
          <rect x={1} y={y} width={width - 2} height={metrics.rowHeight} fill={status.fill} />
          <rect x={1} y={y} width={3} height={metrics.rowHeight} fill={status.main} />
        </>
      )}
      {ghost && (
        <rect x={2} y={y + 1} width={width - 4} height={metrics.rowHeight - 2} fill="none" stroke={status.main} strokeDasharray="4 3" />
      )}
      <text x={metrics.padding} y={textY} className={colors.classes.marker} fill={colors.muted}>
        {markerOf(column)}
      </text>
      <text
        x={nameX}
        y={textY}
        className={colors.classes.mono}
        fill={column.status === 'ok' ? colors.text : status.main}
        fontWeight={column.primaryKey ? 600 : 400}
        textDecoration={ghost ? 'line-through' : undefined}
      >
        {column.name}
      </text>
      {showTypes && (
        <text x={width - metrics.padding} y={textY} textAnchor="end" className={colors.classes.mono} fill={colors.muted}>
          {column.type}
          {column.nullable ? '?' : ''}
        </text>
      )}
    </g>
  );
}

function Title({ placed, colors, metrics }: Pick<TableBoxProps, 'placed' | 'colors' | 'metrics'>): React.JSX.Element {
  const { node, width } = placed;
  const status = colors.status[node.table.status];
  const kind = node.external ? 'external' : node.table.kind === 'table' ? '' : node.table.kind.replace('_', ' ');
  return (
    <>
      <rect
        x={0}
        y={0}
        width={width}
        height={metrics.headerHeight}
        rx={4}
        fill={node.table.status === 'ok' ? colors.header : status.fill}
      />
      <text
        x={metrics.padding}
        y={metrics.headerHeight / 2}
        className={colors.classes.title}
        fill={colors.text}
        data-testid={TEST_IDS.erdTableName}
      >
        {node.table.name}
      </text>
      {/* A header-only box is as wide as the name: its schema and kind are in the tooltip. */}
      {!node.compact && (
        <text
          x={width - metrics.padding}
          y={metrics.headerHeight / 2}
          textAnchor="end"
          className={colors.classes.marker}
          fill={colors.muted}
        >
          {[kind, node.table.schema].filter(Boolean).join(' · ')}
        </text>
      )}
    </>
  );
}

function hiddenLabel(hidden: number, hiddenDrifted: number): string {
  const drift = hiddenDrifted > 0 ? `, ${hiddenDrifted} drifted` : '';
  return `+ ${hidden} more column${hidden === 1 ? '' : 's'}${drift} (click for all)`;
}

/** `schema.name`, what it is unless a table (a header-only box does not print it), and its drift. */
function boxTooltip(node: PlacedNode['node'], drifted: boolean): string {
  const table = node.table;
  const what = node.external ? ' (outside the inspected schemas)' : table.kind === 'table' ? '' : ` (${table.kind.replace('_', ' ')})`;
  const drift = drifted ? ` — ${DRIFT_LABELS[table.status].title}: ${DRIFT_LABELS[table.status].meaning}` : '';
  return `${table.schema}.${table.name}${what}${drift}`;
}

/** One table (or view, partition, external stub) as an SVG group: frame, title, columns. */
export const TableBox = memo(function TableBox(props: TableBoxProps): React.JSX.Element {
  const { placed, colors, metrics, detail, showTypes, selected, onSelect } = props;
  const { node, x, y, width, height } = placed;
  const table = node.table;
  const status = colors.status[table.status];
  const ghost = table.status === 'missing';
  const drifted = table.status !== 'ok';
  return (
    <g
      transform={`translate(${x},${y})`}
      data-testid={TEST_IDS.erdTable}
      data-table-id={table.id}
      data-status={table.status}
      data-ghost={ghost ? 'true' : undefined}
      opacity={ghost ? 0.6 : 1}
      className={colors.classes.box}
      onClick={() => onSelect(table.id)}
    >
      <title>{boxTooltip(node, drifted)}</title>
      <rect
        width={width}
        height={height}
        rx={4}
        fill={ghost ? colors.ghostFill : detail === 'box' && drifted ? status.fill : colors.fill}
        stroke={selected ? colors.selected : drifted ? status.main : colors.border}
        strokeWidth={selected || drifted ? 2 : 1}
        strokeDasharray={ghost || node.external ? '6 4' : undefined}
        vectorEffect="non-scaling-stroke"
      />
      {detail !== 'box' && <Title placed={placed} colors={colors} metrics={metrics} />}
      {detail === 'full' &&
        node.columns.map((column, i) => (
          <ColumnRow
            key={column.id}
            column={column}
            y={metrics.headerHeight + i * metrics.rowHeight}
            width={width}
            metrics={metrics}
            colors={colors}
            showTypes={showTypes}
          />
        ))}
      {detail === 'full' && node.hiddenColumns > 0 && (
        <text
          x={metrics.padding}
          y={metrics.headerHeight + node.columns.length * metrics.rowHeight + metrics.rowHeight / 2}
          className={colors.classes.marker}
          fill={colors.muted}
        >
          {hiddenLabel(node.hiddenColumns, node.table.driftedColumns - node.columns.filter((c) => c.status !== 'ok').length)}
        </text>
      )}
    </g>
  );
});
