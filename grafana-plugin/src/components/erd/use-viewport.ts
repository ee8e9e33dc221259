import { useCallback, useEffect, useRef, useState } from 'react';
import type { PointerEvent as ReactPointerEvent, RefObject } from 'react';

import { fitViewBox, panBy, zoomAt } from './viewport.ts';
import type { ViewBox } from './viewport.ts';

/** What the ERD needs to pan and zoom its SVG. */
export interface Viewport {
  box: ViewBox | null;
  fit: () => void;
  zoomBy: (factor: number) => void;
  /** True while the pointer drags: clicks on tables are ignored then. */
  dragged: () => boolean;
  handlers: {
    onPointerDown: (e: ReactPointerEvent<SVGSVGElement>) => void;
    onPointerMove: (e: ReactPointerEvent<SVGSVGElement>) => void;
    onPointerUp: (e: ReactPointerEvent<SVGSVGElement>) => void;
  };
}

const WHEEL_STEP = 1.0015;
const DRAG_THRESHOLD = 4;

/**
 * Pan (drag), zoom (mouse wheel around the cursor, buttons) and fit for an SVG of `width` × `height` pixels
 * showing `content`. Fits again whenever the content or the panel size changes.
 */
export function useViewport(
  svgRef: RefObject<SVGSVGElement | null>,
  content: { width: number; height: number } | null,
  width: number,
  height: number,
): Viewport {
  const [box, setBox] = useState<ViewBox | null>(null);
  const drag = useRef<{ x: number; y: number; moved: number; id: number } | null>(null);
  const lastDrag = useRef(0);
  const contentW = content?.width ?? 0;
  const contentH = content?.height ?? 0;

  const fit = useCallback(() => {
    if (contentW > 0 || contentH > 0) setBox(fitViewBox({ width: contentW, height: contentH }, { width, height }));
  }, [contentW, contentH, width, height]);
  useEffect(fit, [fit]);

  const zoomBy = useCallback(
    (factor: number) => setBox((b) => (b ? zoomAt(b, { width, height }, factor, width / 2, height / 2) : b)),
    [width, height],
  );

  // React's onWheel is passive: a native listener is the only way to stop the page (dashboard) from scrolling.
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return undefined;
    const onWheel = (e: WheelEvent): void => {
      e.preventDefault();
      const rect = svg.getBoundingClientRect();
      const factor = Math.pow(WHEEL_STEP, -e.deltaY * (e.deltaMode === 1 ? 16 : 1));
      setBox((b) => (b ? zoomAt(b, { width, height }, factor, e.clientX - rect.left, e.clientY - rect.top) : b));
    };
    svg.addEventListener('wheel', onWheel, { passive: false });
    return () => svg.removeEventListener('wheel', onWheel);
  }, [svgRef, width, height, box !== null]);

  const handlers = {
    onPointerDown: (e: ReactPointerEvent<SVGSVGElement>) => {
      if (e.button !== 0) return;
      drag.current = { x: e.clientX, y: e.clientY, moved: 0, id: e.pointerId };
    },
    onPointerMove: (e: ReactPointerEvent<SVGSVGElement>) => {
      const d = drag.current;
      if (!d) return;
      const dx = e.clientX - d.x;
      const dy = e.clientY - d.y;
      d.moved += Math.abs(dx) + Math.abs(dy);
      if (d.moved < DRAG_THRESHOLD) return;
      // Capture only once it is a drag, so a plain click still reaches the table under the pointer.
      if (!e.currentTarget.hasPointerCapture(d.id)) e.currentTarget.setPointerCapture(d.id);
      d.x = e.clientX;
      d.y = e.clientY;
      setBox((b) => (b ? panBy(b, width, dx, dy) : b));
    },
    onPointerUp: (e: ReactPointerEvent<SVGSVGElement>) => {
      const d = drag.current;
      if (d && d.moved >= DRAG_THRESHOLD) lastDrag.current = performance.now();
      if (d && e.currentTarget.hasPointerCapture(d.id)) e.currentTarget.releasePointerCapture(d.id);
      drag.current = null;
    },
  };

  const dragged = useCallback(() => performance.now() - lastDrag.current < 50, []);
  return { box, fit, zoomBy, dragged, handlers };
}
