/**
 * When the ERD's text can be read, as pure functions of the zoom (screen pixels per layout unit). The drawing's
 * fonts are fixed in layout units (`erd-colors.ts`), so what a user sees is font size × scale: a 30-table schema
 * with its columns fitted into a dashboard panel is drawn at scale ~0.3, its 13px names at 4px. Hence the overview
 * of a larger schema is drawn with header-only boxes ({@link columnsAtFit}), and text the zoom would shrink below
 * readability is not drawn at all ({@link detailFor}).
 */
import type { ErdLayoutInput } from '../../data/index.ts';

/** Font sizes of the drawing, in layout units (= screen pixels at scale 1). */
export const FONT_PX = { title: 13, column: 12, marker: 10 } as const;

/** Smallest on-screen size of a table name the ERD opens with ("fit"), when the schema fits at all. */
export const MIN_NAME_PX = 10;

/** Scale from which columns are drawn: column text of at least 7 px; below, boxes collapse to their header. */
export const COLUMNS_SCALE = 0.6;
/** Scale from which table names are drawn (about 4.5 px: the shape of a name, for orientation while zooming). */
export const TITLES_SCALE = 0.35;

/**
 * How much of a box to draw. `full`: every listed column; `title`: frame and name only; `box`: a coloured rectangle.
 */
export type Detail = 'full' | 'title' | 'box';

/**
 * Detail of the boxes at `scale`: columns where they can be read, or where few boxes are on screen (their drift
 * colours still show which rows differ); names while they have a shape; else plain rectangles. This is also what
 * keeps 1,000 tables light in the DOM at "fit".
 */
export function detailFor(scale: number, visibleCount: number): Detail {
  if (scale >= COLUMNS_SCALE || visibleCount <= 120) return 'full';
  if (scale >= TITLES_SCALE) return 'title';
  return 'box';
}

/**
 * Spacing ELK adds around a box, and how much of a layered drawing's bounding box is empty (layers are as wide as
 * their widest one, and fan in and out): measured on the 30- and 1,000-table fixtures, where a drawing's area was
 * 2.4–3.6 times its boxes' area with that spacing.
 */
const SPACING = { x: 32, y: 72 };
const EMPTY_FACTOR = 3.5;

/** The scale "fit" would roughly give `input` in a `viewport`, from its boxes' area (ELK has not run yet). */
export function estimateFitScale(input: ErdLayoutInput, viewport: { width: number; height: number }): number {
  let area = 0;
  for (const n of input.nodes) area += (n.width + SPACING.x) * (n.height + SPACING.y);
  if (area === 0) return 1;
  return Math.min(1, Math.sqrt((viewport.width * viewport.height) / (area * EMPTY_FACTOR)));
}

/**
 * True when boxes with their columns, fitted into `viewport`, would still show their columns ({@link COLUMNS_SCALE});
 * else the ERD opens on header-only boxes, whose names are what a first look needs. `withColumns` is the layout input
 * with columns (`LayoutInputOptions.columns` true).
 */
export function columnsAtFit(withColumns: ErdLayoutInput, viewport: { width: number; height: number }): boolean {
  return estimateFitScale(withColumns, viewport) >= COLUMNS_SCALE;
}
