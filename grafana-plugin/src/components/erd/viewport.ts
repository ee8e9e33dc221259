/**
 * Pan and zoom as pure functions on an SVG viewBox. The ERD's `<svg>` keeps its pixel size; what it shows is the
 * viewBox `x y width height` in layout coordinates, so panning and zooming change one attribute and nothing is
 * re-laid out.
 */

/** The visible rectangle of the drawing, in layout coordinates. */
export interface ViewBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Zoom limits, as screen pixels per layout unit. */
export const MIN_SCALE = 0.02;
export const MAX_SCALE = 4;

/** Screen pixels per layout unit of a viewBox shown in a `viewportWidth`-pixel-wide element. */
export function scaleOf(box: ViewBox, viewportWidth: number): number {
  return box.width > 0 ? viewportWidth / box.width : 1;
}

/** Screen pixels kept free on each side when fitting (room for the overlays drawn over the drawing). */
export interface Insets {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** Default insets: a margin, and the legend drawn over the bottom of the drawing (the toolbar is above it). */
export const DEFAULT_INSETS: Insets = { top: 12, right: 12, bottom: 52, left: 12 };

/**
 * The viewBox showing the whole `content` inside the viewport minus `insets`, centred in that area, never magnified
 * beyond 1:1 so a three-table schema does not fill the panel with giant boxes.
 */
export function fitViewBox(
  content: { width: number; height: number },
  viewport: { width: number; height: number },
  insets: Insets = DEFAULT_INSETS,
): ViewBox {
  const vw = Math.max(1, viewport.width - insets.left - insets.right);
  const vh = Math.max(1, viewport.height - insets.top - insets.bottom);
  const scale = Math.min(1, vw / Math.max(1, content.width), vh / Math.max(1, content.height));
  const width = viewport.width / scale;
  const height = viewport.height / scale;
  // Centre of the free area, in screen pixels, maps onto the centre of the content.
  const cx = insets.left + vw / 2;
  const cy = insets.top + vh / 2;
  return { x: content.width / 2 - cx / scale, y: content.height / 2 - cy / scale, width, height };
}

/**
 * Zooms by `factor` (>1 zooms in) keeping the layout point under the screen point (`sx`, `sy`, pixels from the
 * viewport's top-left) in place, clamped to {@link MIN_SCALE}..{@link MAX_SCALE}.
 */
export function zoomAt(
  box: ViewBox,
  viewport: { width: number; height: number },
  factor: number,
  sx: number,
  sy: number,
): ViewBox {
  const scale = scaleOf(box, viewport.width);
  const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale * factor));
  const width = viewport.width / next;
  const height = viewport.height / next;
  const px = box.x + (sx / viewport.width) * box.width;
  const py = box.y + (sy / viewport.height) * box.height;
  return { x: px - (sx / viewport.width) * width, y: py - (sy / viewport.height) * height, width, height };
}

/** Moves the view by a drag of (`dx`, `dy`) screen pixels: the drawing follows the pointer. */
export function panBy(box: ViewBox, viewportWidth: number, dx: number, dy: number): ViewBox {
  const scale = scaleOf(box, viewportWidth);
  return { ...box, x: box.x - dx / scale, y: box.y - dy / scale };
}

/** True when the rectangle intersects the viewBox grown by `margin` layout units on each side. */
export function intersects(
  box: ViewBox,
  rect: { x: number; y: number; width: number; height: number },
  margin = 0,
): boolean {
  return (
    rect.x + rect.width >= box.x - margin &&
    rect.x <= box.x + box.width + margin &&
    rect.y + rect.height >= box.y - margin &&
    rect.y <= box.y + box.height + margin
  );
}
