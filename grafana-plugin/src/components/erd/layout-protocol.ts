/**
 * Messages between the panel and its layout worker (`layout-worker.ts`), and the worker script's file name, shared
 * by the webpack build, the browser-test harness and the package test so the three cannot drift apart.
 */
import type { ElkNode } from 'elkjs/lib/elk-api.js';

/** File name of the worker script, next to `module.js` in `dist/` (and in the test harness). */
export const LAYOUT_WORKER_FILE = 'layout-worker.js';

/** Panel → worker: lay out one graph. */
export interface LayoutRequest {
  id: number;
  graph: ElkNode;
}

/** Worker → panel. `ready` is posted once the worker has loaded ELK: until then an error means "no worker". */
export type LayoutAnswer =
  | { type: 'ready' }
  | { type: 'done'; id: number; result: ElkNode; layoutMs: number }
  | { type: 'failed'; id: number; message: string };
