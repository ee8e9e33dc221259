/**
 * The layout worker: a separate script (`dist/layout-worker.js`) that runs ELK off the page's main thread and
 * answers {@link LayoutRequest}s one at a time. Cancelling a request is done by the panel terminating the worker
 * (ELK cannot be interrupted), so this file keeps no state between requests.
 */
import ELK from 'elkjs/lib/elk.bundled.js';

import type { LayoutAnswer, LayoutRequest } from './layout-protocol.ts';

/** The parts of the worker global this script uses (the repo's TypeScript lib is `dom`, not `webworker`). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutAnswer): void;
}

const scope = self as unknown as WorkerScope;
// elk.bundled.js runs ELK's own message dispatcher when it sees a worker global; importing it installed that
// dispatcher as `onmessage`, and this assignment replaces it with ours.
const elk = new ELK();

scope.onmessage = (event) => {
  const { id, graph } = event.data;
  const started = performance.now();
  elk.layout(graph).then(
    (result) => scope.postMessage({ type: 'done', id, result, layoutMs: performance.now() - started }),
    (err: unknown) => scope.postMessage({ type: 'failed', id, message: err instanceof Error ? err.message : String(err) }),
  );
};
scope.postMessage({ type: 'ready' });
