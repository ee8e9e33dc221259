import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';

import type { ErdLayoutInput, LayoutEdge, LayoutNode } from '../../data/index.ts';

/**
 * Automatic ERD layout with elkjs' `layered` algorithm (Sugiyama style: foreign keys point one way, tables in
 * layers). Chosen over dagre on the 1,000-table fixture: ELK took ~0.4 s and produced a 26,500 × 19,000 px drawing
 * (aspect ~1.4, connected components packed side by side); dagre took ~1.0 s for a 10,000 × 65,000 px column
 * (measured in Node on `tests/browser/fixtures/drift-1000.json`; the browser test prints the in-page figure).
 * Thoroughness 1 and `SIMPLE` node placement are what make ELK fast at that size; on small schemas the default
 * Brandes-Köpf placement gives straighter edges for no noticeable cost, so it is kept below {@link FAST_ABOVE}.
 * This file is pure (graph in, placed drawing out); ELK itself runs in a Web Worker (`layout-client.ts`), because
 * at 1,000 tables its ~1.3 s of computation would otherwise freeze the whole dashboard.
 */

/** A placed box (top-left corner, like SVG rects). */
export interface PlacedNode {
  node: LayoutNode;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A routed edge: a polyline from the referencing box to the referenced one. */
export interface PlacedEdge {
  edge: LayoutEdge;
  points: Array<{ x: number; y: number }>;
  /** Bounding box of the polyline, for culling. */
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Where and how long ELK ran for one layout. */
export interface LayoutRun {
  /** Wall time of the layout library, ms (measured where it ran). */
  layoutMs: number;
  /** `worker`: in the panel's Web Worker; `main`: on the page's main thread (the fallback). */
  thread: 'worker' | 'main';
  /** Why the fallback was taken (the worker could not be created or did not start); absent on a worker run. */
  fallbackReason?: string;
}

/** The result of one layout run. */
export interface ErdLayout extends LayoutRun {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

/** Above this many nodes the faster (slightly less tidy) ELK settings are used. */
export const FAST_ABOVE = 150;

const SELF_LOOP = 18;

function elkOptions(input: ErdLayoutInput): Record<string, string> {
  const fast = input.nodes.length > FAST_ABOVE;
  // Header-only boxes are packed tighter: the overview is about fitting names at a readable size.
  const spacing = input.compact ? { node: 14, layers: 36, components: 24 } : { node: 32, layers: 72, components: 48 };
  return {
    'elk.algorithm': 'layered',
    'elk.direction': input.direction === 'TB' ? 'DOWN' : 'RIGHT',
    'elk.edgeRouting': 'POLYLINE',
    'elk.spacing.nodeNode': String(spacing.node),
    'elk.layered.spacing.nodeNodeBetweenLayers': String(spacing.layers),
    'elk.spacing.componentComponent': String(spacing.components),
    'elk.separateConnectedComponents': 'true',
    'elk.aspectRatio': '1.6',
    'elk.layered.thoroughness': fast ? '1' : '7',
    'elk.layered.nodePlacement.strategy': fast ? 'SIMPLE' : 'BRANDES_KOEPF',
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  };
}

/** The ELK graph of `input`: plain data, so it can be posted to the layout worker. */
export function toElkGraph(input: ErdLayoutInput): ElkNode {
  return {
    id: '__root__',
    layoutOptions: elkOptions(input),
    children: input.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    // Self loops are drawn by hand next to their box; ELK would only add spacing for them.
    edges: input.edges
      .filter((e) => !e.selfLoop)
      .map((e): ElkExtendedEdge => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
}

function bounds(points: ReadonlyArray<{ x: number; y: number }>): Pick<PlacedEdge, 'minX' | 'minY' | 'maxX' | 'maxY'> {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  return { minX, minY, maxX, maxY };
}

function selfLoopPoints(box: PlacedNode): Array<{ x: number; y: number }> {
  const right = box.x + box.width;
  const top = box.y + 10;
  return [
    { x: right, y: top },
    { x: right + SELF_LOOP, y: top },
    { x: right + SELF_LOOP, y: top + SELF_LOOP },
    { x: right, y: top + SELF_LOOP },
  ];
}

function placeEdges(input: ErdLayoutInput, result: ElkNode, placed: Map<string, PlacedNode>): PlacedEdge[] {
  const routed = new Map<string, Array<{ x: number; y: number }>>();
  for (const edge of (result.edges ?? []) as ElkExtendedEdge[]) {
    const section = edge.sections?.[0];
    if (section) routed.set(edge.id, [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]);
  }
  const edges: PlacedEdge[] = [];
  for (const edge of input.edges) {
    const box = placed.get(edge.source);
    const points = edge.selfLoop ? (box ? selfLoopPoints(box) : undefined) : routed.get(edge.id);
    if (points && points.length >= 2) edges.push({ edge, points, ...bounds(points) });
  }
  return edges;
}

/**
 * The placed drawing from ELK's answer for `input`'s graph ({@link toElkGraph}); cheap, so it runs on the main
 * thread whichever thread ELK ran on.
 */
export function placeLayout(input: ErdLayoutInput, result: ElkNode, run: LayoutRun): ErdLayout {
  const byId = new Map(input.nodes.map((n) => [n.id, n]));
  const placed = new Map<string, PlacedNode>();
  for (const child of result.children ?? []) {
    const node = byId.get(child.id);
    if (!node) continue;
    placed.set(child.id, { node, x: child.x ?? 0, y: child.y ?? 0, width: node.width, height: node.height });
  }
  const edges = placeEdges(input, result, placed);
  return {
    nodes: [...placed.values()],
    edges,
    width: (result.width ?? 0) + SELF_LOOP,
    height: result.height ?? 0,
    ...run,
  };
}

/** A key that changes whenever the layout could: direction, box style, every box's id and size, every edge. */
export function layoutKey(input: ErdLayoutInput): string {
  const parts: string[] = [input.direction, input.compact ? 'compact' : 'columns'];
  for (const n of input.nodes) parts.push(`${n.id}:${n.width}x${n.height}`);
  parts.push('|');
  for (const e of input.edges) parts.push(`${e.source}>${e.target}`);
  return parts.join(';');
}
