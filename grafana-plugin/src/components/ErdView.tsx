import React, { useCallback, useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, IconButton, InlineSwitch, useStyles2 } from '@grafana/ui';

import { buildLayoutInput, DEFAULT_BOX_METRICS, showsNoDrift } from '../data/index.ts';
import type { ErdLayoutInput, PanelModel } from '../data/index.ts';
import type { SchemaDriftOptions } from '../types.ts';
import type { ViewProps } from '../view-props.ts';
import { ArrowDefs, Edge } from './erd/Edges.tsx';
import type { ErdLayout } from './erd/elk-layout.ts';
import { useErdColors } from './erd/erd-colors.ts';
import { TableBox } from './erd/TableBox.tsx';
import type { Detail } from './erd/TableBox.tsx';
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

/**
 * Detail of the boxes for the current view: every column while few boxes are visible or the zoom is readable,
 * titles only for a crowd, plain rectangles when the text would be unreadable anyway. This is what keeps 1,000
 * tables light: at "fit" they are 1,000 rectangles, and columns appear as the user zooms into a region.
 */
export function detailFor(scale: number, visibleCount: number): Detail {
  if (visibleCount <= 120 || scale >= 0.5) return 'full';
  if (scale >= 0.12 || visibleCount <= 400) return 'title';
  return 'box';
}

function useLayoutInput(model: PanelModel, options: SchemaDriftOptions, onlyDrifted: boolean): ErdLayoutInput {
  return useMemo(
    () =>
      buildLayoutInput(model, {
        direction: options.layoutDirection,
        onlyDrifted,
        showColumnTypes: options.showColumnTypes,
        showExternalTables: options.showExternalTables,
        maxRows: maxRowsFor(model.tables.length),
      }),
    [model, options.layoutDirection, options.showColumnTypes, options.showExternalTables, onlyDrifted],
  );
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
}): React.JSX.Element {
  const { layout, width, height, showTypes, selected, onSelect } = props;
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
      <div className={styles.toolbar}>
        <IconButton name="search-minus" tooltip="Zoom out" data-testid={TEST_IDS.erdZoomOut} onClick={() => viewport.zoomBy(1 / 1.4)} />
        <IconButton name="search-plus" tooltip="Zoom in" data-testid={TEST_IDS.erdZoomIn} onClick={() => viewport.zoomBy(1.4)} />
        <Button size="sm" variant="secondary" fill="text" data-testid={TEST_IDS.erdFit} onClick={viewport.fit} tooltip="Fit to view">
          Fit
        </Button>
      </div>
    </>
  );
}

/**
 * The ERD view: tables as boxes with their columns, foreign keys as edges, laid out by ELK (see
 * `erd/elk-layout.ts`, run in a Web Worker by `erd/layout-client.ts`), drift coloured from the theme with a legend, missing objects ghosted where they belong.
 * Pan by dragging, zoom with the wheel or the buttons, fit to view; click a table for its changes in a drawer.
 */
export function ErdView({ model, options, width, height }: ViewProps): React.JSX.Element {
  const styles = useStyles2(getStyles);
  const [onlyDrifted, setOnlyDrifted] = useState(options.onlyDrifted);
  const [selected, setSelected] = useState<string | null>(null);
  const input = useLayoutInput(model, options, onlyDrifted);
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
          height={height}
          showTypes={options.showColumnTypes}
          selected={selected}
          onSelect={setSelected}
        />
        {layout.state === 'running' && <div className={styles.busy}>{loading}</div>}
      </>
    );
  }

  const done = layout.state === 'done' ? layout.layout : null;
  return (
    <div className={styles.root} style={{ width, height }} data-testid={TEST_IDS.erd}>
      {body}
      <div className={styles.topLeft}>
        <InlineSwitch
          label="Only drift and neighbours"
          showLabel
          value={onlyDrifted}
          onChange={(e) => setOnlyDrifted(e.currentTarget.checked)}
          transparent
        />
        <span
          className={styles.stats}
          data-testid={TEST_IDS.erdStats}
          data-tables={input.nodes.length}
          data-edges={done?.edges.length ?? 0}
          data-layout-ms={done ? Math.round(done.layoutMs) : ''}
          data-layout-thread={done?.thread ?? ''}
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
      </div>
      <Legend className={styles.legend} noDrift={noDrift ? { nodes: model.tables.length } : undefined} />
      {selected && <TableDrawer model={model} tableId={selected} onClose={() => setSelected(null)} />}
    </div>
  );
}

function getStyles(theme: GrafanaTheme2) {
  const overlay = { position: 'absolute' as const, zIndex: 1 };
  return {
    root: css({ position: 'relative', overflow: 'hidden' }),
    svg: css({ display: 'block', cursor: 'grab', touchAction: 'none', userSelect: 'none', '&:active': { cursor: 'grabbing' } }),
    message: css({
      height: '100%',
      display: 'flex',
      alignItems: 'center',
      justifyContent: 'center',
      color: theme.colors.text.secondary,
    }),
    toolbar: css(overlay, {
      top: theme.spacing(1),
      right: theme.spacing(1),
      display: 'flex',
      alignItems: 'center',
      gap: theme.spacing(0.5),
      padding: theme.spacing(0.25, 0.5),
      background: theme.colors.background.primary,
      border: `1px solid ${theme.colors.border.weak}`,
      borderRadius: theme.shape.radius.default,
    }),
    topLeft: css(overlay, {
      top: theme.spacing(1),
      left: theme.spacing(1),
      display: 'flex',
      alignItems: 'center',
      gap: theme.spacing(1),
      padding: theme.spacing(0, 1),
      background: theme.colors.background.primary,
      border: `1px solid ${theme.colors.border.weak}`,
      borderRadius: theme.shape.radius.default,
    }),
    stats: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary }),
    warning: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.warning.text }),
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
