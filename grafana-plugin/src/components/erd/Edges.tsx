import React, { memo } from 'react';

import type { DriftStatus } from '../../data/index.ts';
import { TEST_IDS } from '../test-ids.ts';
import type { PlacedEdge } from './elk-layout.ts';
import type { ErdColors } from './erd-colors.ts';

const STATUSES: readonly DriftStatus[] = ['ok', 'extra', 'missing', 'changed'];

/** Id of the arrow-head marker of a status (one per status so the head takes the edge's colour). */
export function arrowId(status: DriftStatus): string {
  return `schema-drift-arrow-${status}`;
}

/** Arrow heads in each status colour; referenced by the edges' `marker-end`. */
export function ArrowDefs({ colors }: { colors: ErdColors }): React.JSX.Element {
  return (
    <defs>
      {STATUSES.map((status) => (
        <marker
          key={status}
          id={arrowId(status)}
          viewBox="0 0 10 10"
          refX={9}
          refY={5}
          markerWidth={7}
          markerHeight={7}
          markerUnits="userSpaceOnUse"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" fill={status === 'ok' ? colors.muted : colors.status[status].main} />
        </marker>
      ))}
    </defs>
  );
}

function pathOf(points: PlacedEdge['points']): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

/** One foreign key: referencing table → referenced table, dashed when missing, coloured by status. */
export const Edge = memo(function Edge({ placed, colors }: { placed: PlacedEdge; colors: ErdColors }): React.JSX.Element {
  const relation = placed.edge.relation;
  const status = relation.status;
  const stroke = status === 'ok' ? colors.muted : colors.status[status].main;
  const cols = `${relation.sourceColumns.join(', ')} → ${relation.targetColumns.join(', ')}`;
  return (
    <path
      d={pathOf(placed.points)}
      data-testid={TEST_IDS.erdEdge}
      data-status={status}
      data-relation-id={relation.id}
      fill="none"
      stroke={stroke}
      strokeWidth={status === 'ok' ? 1 : 2}
      strokeDasharray={status === 'missing' ? '6 4' : undefined}
      opacity={status === 'ok' ? 0.7 : 1}
      vectorEffect="non-scaling-stroke"
      markerEnd={`url(#${arrowId(status)})`}
    >
      <title>{`${relation.name}: ${relation.source} (${cols}) references ${relation.target}${status === 'ok' ? '' : ` — ${status}`}`}</title>
    </path>
  );
});
