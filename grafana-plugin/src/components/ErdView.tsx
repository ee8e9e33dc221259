import React, { useCallback, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, IconButton, InlineSwitch, ToolbarButton, useStyles2 } from '@grafana/ui';

import { buildLayoutInput, DEFAULT_BOX_METRICS, focusesOnDrift, showsNoDrift } from '../data/index.ts';
import type { ErdLayoutInput, PanelModel } from '../data/index.ts';
import type { SchemaDriftOptions } from '../types.ts';
import type { ViewProps } from '../view-props.ts';
import { ArrowDefs, Edge } from './erd/Edges.tsx';
import type { ErdLayout } from './erd/elk-layout.ts';
import { useErdColors } from './erd/erd-colors.ts';
import { columnsAtFit, detailFor } from './erd/legibility.ts';
import { TableBox } from './erd/TableBox.tsx';
import { useErdLayout } from './erd/use-erd-layout.ts';
import { useViewport } from './erd/use-viewport.ts';
import { intersects, scaleOf } from './erd/viewport.ts';
import type { ViewBox } from './erd/viewport.ts';
import { Legend } from './Legend.tsx';
import { TableDrawer } from './TableDrawer.tsx';
import { TEST_IDS } from './test-ids.ts';

/** Columns listed per box before "+N more": all of them on small schemas, a dozen on large ones. */
export function maxRowsFor(tableCount: number): number {
  return tableCount > 100 ? 12 : 40;
}

/** Height of the ERD's toolbar row; the drawing is below it, so the toolbar never covers a table. */
export const TOOLBAR_HEIGHT = 40;

function useLayoutInputs(
  model: PanelModel,
  options: SchemaDriftOptions,
  onlyDrifted: boolean,
): { withColumns: ErdLayoutInput; compact: ErdLayoutInput } {
  return useMemo(() => {
    const base = {
      direction: options.layoutDirection,
      onlyDrifted,
      showColumnTypes: options.showColumnTypes,
      showExternalTables: options.showExternalTables,
      maxRows: maxRowsFor(model.tables.length),
    };
    return { withColumns: buildLayoutInput(model, base), compact: buildLayoutInput(model, { ...base, columns: false }) };
  }, [model, options.layoutDirection, options.showColumnTypes, options.showExternalTables, onlyDrifted]);
}

/** The boxes and edges inside the viewBox (with a margin so panning does not show empty borders first). */
function visibleParts(layout: ErdLayout, box: ViewBox) {
  const margin = box.width * 0.1;
  const nodes = layout.nodes.filter((n) => intersects(box, n, margin));
  const edges = layout.edges.filter((e) =>
    intersects(box, { x: e.minX, y: e.minY, width: e.maxX - e.minX, height: e.maxY - e.minY }, margin),
  );
  return { nodes, edges };
}

function Drawing(props: {
  layout: ErdLayout;
  width: number;
  height: number;
  showTypes: boolean;
  selected: string | null;
  onSelect: (id: string) => void;
  /** Where the toolbar's zoom buttons go (a node in the toolbar row above the drawing). */
  zoomSlot: HTMLElement | null;
}): React.JSX.Element {
  const { layout, width, height, showTypes, selected, onSelect, zoomSlot } = props;
  const styles = useStyles2(getStyles);
  const colors = useErdColors();
  const svgRef = useRef<SVGSVGElement>(null);
  const viewport = useViewport(svgRef, layout, width, height);
  const box = viewport.box ?? { x: 0, y: 0, width, height };
  const { nodes, edges } = useMemo(() => visibleParts(layout, box), [layout, box]);
  const scale = scaleOf(box, width);
  const detail = detailFor(scale, nodes.length);
  const select = useCallback((id: string) => !viewport.dragged() && onSelect(id), [viewport, onSelect]);
  return (
    <>
      <svg
        ref={svgRef}
        data-testid={TEST_IDS.erdSvg}
        data-scale={scale.toFixed(3)}
        data-detail={detail}
        width={width}
        height={height}
        viewBox={`${box.x} ${box.y} ${box.width} ${box.height}`}
        className={styles.svg}
        style={{ background: colors.canvas }}
        {...viewport.handlers}
      >
        <ArrowDefs colors={colors} />
        <g>
          {edges.map((e) => (
            <Edge key={e.edge.id} placed={e} colors={colors} />
          ))}
        </g>
        <g>
          {nodes.map((n) => (
            <TableBox
              key={n.node.id}
              placed={n}
              colors={colors}
              metrics={DEFAULT_BOX_METRICS}
              detail={detail}
              showTypes={showTypes}
              selected={n.node.id === selected}
              onSelect={select}
            />
          ))}
        </g>
      </svg>
      {zoomSlot &&
        createPortal(
          <>
            <IconButton name="search-minus" tooltip="Zoom out" data-testid={TEST_IDS.erdZoomOut} onClick={() => viewport.zoomBy(1 / 1.4)} />
            <IconButton name="search-plus" tooltip="Zoom in" data-testid={TEST_IDS.erdZoomIn} onClick={() => viewport.zoomBy(1.4)} />
            <Button size="sm" variant="secondary" fill="text" data-testid={TEST_IDS.erdFit} onClick={viewport.fit} tooltip="Fit to view">
              Fit
            </Button>
          </>,
          zoomSlot,
        )}
    </>
  );
}

/**
 * The ERD view: tables as boxes, foreign keys as edges, laid out by ELK (see `erd/elk-layout.ts`, run in a Web Worker
 * by `erd/layout-client.ts`), drift coloured from the theme with a legend, missing objects ghosted where they belong.
 * A toolbar row above the drawing (never over it) holds the drift filter, the figures, the columns switch and the
 * zoom buttons. A schema too large to read with its columns at "fit" opens on header-only boxes whose names stay
 * legible (`erd/legibility.ts`); one above `focusAbove` tables opens on its drift and neighbours.
 * Pan by dragging, zoom with the wheel or the buttons, fit to view; click a table for its columns and changes.
 */
export function ErdView({ model, options, width, height }: ViewProps): React.JSX.Element {
  const styles = useStyles2(getStyles);
  const autoFocus = focusesOnDrift(model, options.focusAbove);
  const [scopeChoice, setScopeChoice] = useState<boolean | null>(null);
  const onlyDrifted = scopeChoice ?? (options.onlyDrifted || autoFocus);
  const [columnsChoice, setColumnsChoice] = useState<boolean | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [zoomSlot, setZoomSlot] = useState<HTMLElement | null>(null);
  const drawingHeight = Math.max(0, height - TOOLBAR_HEIGHT);
  const inputs = useLayoutInputs(model, options, onlyDrifted);
  const columns = columnsChoice ?? columnsAtFit(inputs.withColumns, { width, height: drawingHeight });
  const input = columns ? inputs.withColumns : inputs.compact;
  const layout = useErdLayout(input);
  const driftedCount = model.tables.filter((t) => t.status !== 'ok').length;
  const noDrift = showsNoDrift(model);
  const loading = <span data-testid={TEST_IDS.erdLoading}>Laying out {input.nodes.length} tables…</span>;

  const shown = layout.state === 'done' ? layout.layout : layout.state === 'running' ? layout.previous : null;
  let body: React.JSX.Element;
  if (model.tables.length === 0) {
    body = <div className={styles.message} data-testid={TEST_IDS.noDrift}>The report lists no tables.</div>;
  } else if (input.nodes.length === 0) {
    body = (
      <div className={styles.message} data-testid={TEST_IDS.noDrift}>
        No drift: all {model.tables.length} tables match the migrations.
      </div>
    );
  } else if (layout.state === 'failed') {
    body = <div className={styles.message}>Layout failed: {layout.message}</div>;
  } else if (shown === null) {
    body = <div className={styles.message}>{loading}</div>;
  } else {
    // While a new layout runs, the previous drawing stays usable (pan, zoom, click) under a small notice.
    body = (
      <>
        <Drawing
          layout={shown}
          width={width}
          height={drawingHeight}
          showTypes={options.showColumnTypes}
          selected={selected}
          onSelect={setSelected}
          zoomSlot={zoomSlot}
        />
        {layout.state === 'running' && <div className={styles.busy}>{loading}</div>}
      </>
    );
  }

  const done = layout.state === 'done' ? layout.layout : null;
  return (
    <div className={styles.root} style={{ width, height }} data-testid={TEST_IDS.erd}>
      <div className={styles.toolbar} style={{ height: TOOLBAR_HEIGHT }} data-testid={TEST_IDS.erdToolbar}>
        <span
          className={styles.scope}
          data-testid={TEST_IDS.erdScope}
          data-only-drifted={onlyDrifted}
          data-auto={scopeChoice === null && autoFocus && !options.onlyDrifted}
        >
          <InlineSwitch
            label="Only drift and neighbours"
            showLabel
            value={onlyDrifted}
            onChange={(e) => setScopeChoice(e.currentTarget.checked)}
            transparent
          />
        </span>
        <span
          className={styles.stats}
          data-testid={TEST_IDS.erdStats}
          data-tables={input.nodes.length}
          data-edges={done?.edges.length ?? 0}
          data-layout-ms={done ? Math.round(done.layoutMs) : ''}
          data-layout-thread={done?.thread ?? ''}
          title={onlyDrifted && input.hiddenCount ? `Switch "Only drift and neighbours" off to draw all ${model.tables.length} tables` : undefined}
        >
          {input.nodes.length} tables ({driftedCount} drifted{input.hiddenCount ? `, ${input.hiddenCount} hidden` : ''}) ·{' '}
          {input.edges.length} relations
          {done ? ` · layout ${Math.round(done.layoutMs)} ms` : ''}
        </span>
        {done?.fallbackReason && (
          <span className={styles.warning} data-testid={TEST_IDS.erdLayoutWarning} title={done.fallbackReason}>
            laid out on the page: {done.fallbackReason}
          </span>
        )}
        <span className={styles.spacer} />
        <ToolbarButton
          variant={columns ? 'active' : 'default'}
          icon="table"
          aria-pressed={columns}
          data-testid={TEST_IDS.erdColumnsToggle}
          tooltip={columns ? 'Draw table names only (fits more tables legibly)' : 'Draw every table with its columns'}
          onClick={() => setColumnsChoice(!columns)}
        >
          Columns
        </ToolbarButton>
        <span className={styles.zoom} ref={setZoomSlot} />
      </div>
      <div className={styles.drawing} style={{ height: drawingHeight }}>
        {body}
        <Legend className={styles.legend} noDrift={noDrift ? { nodes: model.tables.length } : undefined} />
      </div>
      {selected && <TableDrawer model={model} tableId={selected} onClose={() => setSelected(null)} />}
    </div>
  );
}

function getStyles(theme: GrafanaTheme2) {
  const overlay = { position: 'absolute' as const, zIndex: 1 };
  return {
    root: css({ position: 'relative', overflow: 'hidden', display: 'flex', flexDirection: 'column' }),
    drawing: css({ position: 'relative', overflow: 'hidden', flex: '0 0 auto' }),
    svg: css({ display: 'block', cursor: 'grab', touchAction: 'none', userSelect: 'none', '&:active': { cursor: 'grabbing' } }),
    message: css({
      height: '100%',
      display: 'flex',
      alignItems: 'center',
      justifyContent: 'center',
      color: theme.colors.text.secondary,
    }),
    toolbar: css({
      flex: '0 0 auto',
      display: 'flex',
      alignItems: 'center',
      gap: theme.spacing(1),
      padding: theme.spacing(0, 1),
      whiteSpace: 'nowrap',
      overflow: 'hidden',
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      background: theme.colors.background.primary,
    }),
    scope: css({ flex: '0 0 auto' }),
    spacer: css({ flex: '1 1 auto' }),
    zoom: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(0.5), flex: '0 0 auto' }),
    stats: css({
      fontSize: theme.typography.bodySmall.fontSize,
      color: theme.colors.text.secondary,
      overflow: 'hidden',
      textOverflow: 'ellipsis',
      minWidth: 0,
    }),
    warning: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.warning.text, overflow: 'hidden', textOverflow: 'ellipsis', minWidth: 0 }),
    busy: css(overlay, {
      top: '50%',
      left: '50%',
      transform: 'translate(-50%, -50%)',
      padding: theme.spacing(1, 2),
      color: theme.colors.text.secondary,
      background: theme.colors.background.primary,
      border: `1px solid ${theme.colors.border.weak}`,
      borderRadius: theme.shape.radius.default,
      pointerEvents: 'none',
    }),
    legend: css(overlay, { bottom: theme.spacing(1), left: theme.spacing(1), maxWidth: `calc(100% - ${theme.spacing(2)})` }),
  };
}
