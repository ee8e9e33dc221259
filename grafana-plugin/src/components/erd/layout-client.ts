import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api.js';

import type { LayoutRun } from './elk-layout.ts';
import { LAYOUT_WORKER_FILE } from './layout-protocol.ts';
import type { LayoutAnswer, LayoutRequest } from './layout-protocol.ts';

/**
 * Runs ELK in a Web Worker (`layout-worker.ts`, emitted as `dist/layout-worker.js`) so a 1,000-table layout does
 * not freeze the dashboard. One worker per page serves every panel, one graph at a time; a request whose
 * `AbortSignal` fires while ELK works on it terminates the worker (ELK cannot be interrupted) and the next request
 * starts a fresh one. When no worker can be had (no public path, a Content-Security-Policy without `worker-src`
 * for the plugin, a script that fails to load), every layout runs on the main thread instead and says why in
 * {@link LayoutRun.fallbackReason}: slower, but the panel never breaks.
 */

/** ELK's answer and where it ran. */
export interface ElkRun extends LayoutRun {
  result: ElkNode;
}

/** Performance marks around each layout (visible in the browser's profiler; the browser tests read them). */
export const LAYOUT_MARKS = {
  start: 'schema-drift:layout-start',
  end: 'schema-drift:layout-end',
  cancel: 'schema-drift:layout-cancel',
} as const;

/** The URL of the worker script: next to `module.js`, resolved against the page like webpack's own chunks. */
export function layoutWorkerUrl(): string | null {
  if (typeof __webpack_public_path__ !== 'string' || typeof document === 'undefined') return null;
  return new URL(LAYOUT_WORKER_FILE, new URL(__webpack_public_path__, document.baseURI)).href;
}

function abortError(): DOMException {
  return new DOMException('layout cancelled: its input changed', 'AbortError');
}

/** True for the rejection of a cancelled layout. */
export function isAbortError(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function mark(name: string, detail: Record<string, unknown>): void {
  if (typeof performance.mark === 'function') performance.mark(name, { detail });
}

/** A worker on `url`; a cross-origin script (a plugin CDN) is loaded by a same-origin bootstrap, as workers require. */
function createWorker(url: string): Worker {
  if (new URL(url).origin === self.origin) return new Worker(url, { name: 'schema-drift-layout' });
  const bootstrap = new Blob([`importScripts(${JSON.stringify(url)});`], { type: 'text/javascript' });
  return new Worker(URL.createObjectURL(bootstrap), { name: 'schema-drift-layout' });
}

/** ELK on the page's main thread, one frame later so a "laying out" placeholder paints first. */
async function layoutOnMainThread(graph: ElkNode, fallbackReason: string): Promise<ElkRun> {
  await new Promise((resolve) => setTimeout(resolve, 16));
  const started = performance.now();
  const result = await new ELK().layout(graph);
  return { result, layoutMs: performance.now() - started, thread: 'main', fallbackReason };
}

interface Job {
  id: number;
  graph: ElkNode;
  signal: AbortSignal | undefined;
  resolve: (run: ElkRun) => void;
  reject: (err: unknown) => void;
}

/** The page's layout worker and its queue. */
class LayoutWorkerClient {
  private worker: Worker | null = null;
  private ready = false;
  private fallbackReason: string | null = null;
  private running: Job | null = null;
  private readonly queue: Job[] = [];
  private nextId = 1;

  layout(graph: ElkNode, signal?: AbortSignal): Promise<ElkRun> {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<ElkRun>((resolve, reject) => {
      const job: Job = { id: this.nextId++, graph, signal, resolve, reject };
      signal?.addEventListener('abort', () => this.cancel(job), { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const worker = this.fallbackReason === null ? this.ensureWorker() : null;
    if (!worker) {
      this.drainToMainThread();
      return;
    }
    const job = this.queue.shift() as Job;
    this.running = job;
    mark(LAYOUT_MARKS.start, { id: job.id, thread: 'worker' });
    const request: LayoutRequest = { id: job.id, graph: job.graph };
    worker.postMessage(request);
  }

  private ensureWorker(): Worker | null {
    if (this.worker) return this.worker;
    const url = layoutWorkerUrl();
    if (url === null) {
      this.fallbackReason = 'no public path to load the layout worker from';
      return null;
    }
    try {
      const worker = createWorker(url);
      worker.onmessage = (event: MessageEvent<LayoutAnswer>) => this.answer(event.data);
      worker.onerror = (event) => this.workerError(event);
      this.worker = worker;
      this.ready = false;
      return worker;
    } catch (err) {
      this.fallbackReason = `the browser refused a Web Worker (${messageOf(err)})`;
      return null;
    }
  }

  private answer(answer: LayoutAnswer): void {
    if (answer.type === 'ready') {
      this.ready = true;
      return;
    }
    const job = this.running;
    if (!job || job.id !== answer.id) return;
    this.running = null;
    if (answer.type === 'done') {
      mark(LAYOUT_MARKS.end, { id: job.id, thread: 'worker', layoutMs: answer.layoutMs });
      job.resolve({ result: answer.result, layoutMs: answer.layoutMs, thread: 'worker' });
    } else {
      job.reject(new Error(answer.message));
    }
    this.pump();
  }

  /** A worker that never said `ready` did not start: give up on workers. Later errors fail the running job. */
  private workerError(event: ErrorEvent): void {
    // Handled here: keep the browser from also reporting it as an uncaught error.
    event.preventDefault();
    this.dropWorker();
    const job = this.running;
    this.running = null;
    if (!this.ready) {
      this.fallbackReason = `the layout worker did not start (${event.message || `${LAYOUT_WORKER_FILE} failed to load`})`;
      if (job) this.queue.unshift(job);
    } else if (job) {
      job.reject(new Error(`layout worker failed: ${event.message || 'unknown error'}`));
    }
    this.pump();
  }

  private dropWorker(): void {
    this.worker?.terminate();
    this.worker = null;
    this.ready = false;
  }

  private cancel(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
    } else if (this.running === job) {
      // ELK cannot be interrupted: the worker goes, the next request starts a new one.
      this.dropWorker();
      this.running = null;
    } else {
      return;
    }
    mark(LAYOUT_MARKS.cancel, { id: job.id });
    job.reject(abortError());
    this.pump();
  }

  private drainToMainThread(): void {
    const reason = this.fallbackReason ?? 'no layout worker';
    for (const job of this.queue.splice(0)) {
      mark(LAYOUT_MARKS.start, { id: job.id, thread: 'main' });
      layoutOnMainThread(job.graph, reason).then((run) => {
        mark(LAYOUT_MARKS.end, { id: job.id, thread: 'main', layoutMs: run.layoutMs });
        if (job.signal?.aborted) job.reject(abortError());
        else job.resolve(run);
      }, job.reject);
    }
  }
}

let client: LayoutWorkerClient | null = null;

/**
 * Lays out an ELK graph off the main thread when the browser allows it (see the file comment). Rejects with an
 * `AbortError` ({@link isAbortError}) when `signal` fires first.
 */
export function layoutGraph(graph: ElkNode, signal?: AbortSignal): Promise<ElkRun> {
  client ??= new LayoutWorkerClient();
  return client.layout(graph, signal);
}
