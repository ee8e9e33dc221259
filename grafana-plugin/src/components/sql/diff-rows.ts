import { diffLines } from 'diff';

/**
 * Line diff of the desired DDL (migrations) against the current DDL (database), with jsdiff, shaped for display:
 * rows for a side-by-side view (removed and added runs paired), lines for a unified view, and long unchanged runs
 * folded to a few lines of context so a 1,000-table schema with three differences stays a short page.
 * Direction: desired → current, so `-` lines are what the database lacks (missing, red) and `+` lines what it has
 * in addition (extra, green) — the same colours as the ERD.
 */

/** One side's line: its 1-based number in that text and the text. */
export interface SideLine {
  n: number;
  text: string;
}

/** A row of the side-by-side view. */
export type SplitRow =
  | { kind: 'same'; left: SideLine; right: SideLine }
  | { kind: 'changed'; left: SideLine | null; right: SideLine | null }
  | { kind: 'fold'; id: number; count: number };

/** A line of the unified view. */
export type UnifiedLine =
  | { kind: 'same'; left: number; right: number; text: string }
  | { kind: 'removed'; left: number; text: string }
  | { kind: 'added'; right: number; text: string }
  | { kind: 'fold'; id: number; count: number };

/** A run of the diff: lines common to both, or a block of desired-only lines followed by current-only lines. */
interface Block {
  same: string[];
  removed: string[];
  added: string[];
}

function linesOf(value: string): string[] {
  const lines = value.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The diff as blocks: each change pairs its removed run with the added run right after it. */
function blocks(desired: string, current: string): Block[] {
  const out: Block[] = [];
  let pending: Block | null = null;
  for (const part of diffLines(desired, current)) {
    const lines = linesOf(part.value);
    if (!part.added && !part.removed) {
      if (pending) out.push(pending);
      pending = null;
      out.push({ same: lines, removed: [], added: [] });
    } else {
      pending ??= { same: [], removed: [], added: [] };
      (part.removed ? pending.removed : pending.added).push(...lines);
    }
  }
  if (pending) out.push(pending);
  return out;
}

/** Which lines of a same-run of `length` to show: `context` at each edge next to a change, the rest folded. */
function keptRanges(length: number, context: number, first: boolean, last: boolean): { head: number; tail: number } {
  const head = first ? 0 : context;
  const tail = last ? 0 : context;
  return head + tail + 1 >= length ? { head: length, tail: 0 } : { head, tail };
}

/** Visits the diff, folding long unchanged runs unless their fold id is in `expanded`. */
function walk(
  desired: string,
  current: string,
  context: number,
  expanded: ReadonlySet<number>,
  visit: {
    same: (left: number, right: number, text: string) => void;
    change: (block: Block, left: number, right: number) => void;
    fold: (id: number, count: number) => void;
  },
): void {
  const all = blocks(desired, current);
  let left = 1;
  let right = 1;
  let foldId = 0;
  all.forEach((block, i) => {
    if (block.same.length > 0) {
      const lines = block.same;
      const id = foldId++;
      const { head, tail } = expanded.has(id)
        ? { head: lines.length, tail: 0 }
        : keptRanges(lines.length, context, i === 0, i === all.length - 1);
      lines.forEach((text, j) => {
        if (j < head || j >= lines.length - tail) visit.same(left + j, right + j, text);
        else if (j === head) visit.fold(id, lines.length - head - tail);
      });
      left += lines.length;
      right += lines.length;
    } else {
      visit.change(block, left, right);
      left += block.removed.length;
      right += block.added.length;
    }
  });
}

/** Side-by-side rows: desired on the left, current on the right. */
export function splitRows(desired: string, current: string, context = 3, expanded: ReadonlySet<number> = new Set()): SplitRow[] {
  const rows: SplitRow[] = [];
  walk(desired, current, context, expanded, {
    same: (l, r, text) => rows.push({ kind: 'same', left: { n: l, text }, right: { n: r, text } }),
    fold: (id, count) => rows.push({ kind: 'fold', id, count }),
    change: (block, l, r) => {
      const n = Math.max(block.removed.length, block.added.length);
      for (let i = 0; i < n; i++) {
        const a = block.removed[i];
        const b = block.added[i];
        rows.push({
          kind: 'changed',
          left: a === undefined ? null : { n: l + i, text: a },
          right: b === undefined ? null : { n: r + i, text: b },
        });
      }
    },
  });
  return rows;
}

/** Unified lines: desired-only lines (`-`) before current-only lines (`+`) of each change. */
export function unifiedLines(desired: string, current: string, context = 3, expanded: ReadonlySet<number> = new Set()): UnifiedLine[] {
  const lines: UnifiedLine[] = [];
  walk(desired, current, context, expanded, {
    same: (l, r, text) => lines.push({ kind: 'same', left: l, right: r, text }),
    fold: (id, count) => lines.push({ kind: 'fold', id, count }),
    change: (block, l, r) => {
      block.removed.forEach((text, i) => lines.push({ kind: 'removed', left: l + i, text }));
      block.added.forEach((text, i) => lines.push({ kind: 'added', right: r + i, text }));
    },
  });
  return lines;
}
