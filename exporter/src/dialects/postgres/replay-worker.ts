/**
 * Worker-thread entry of an embedded (PGlite) replay.
 *
 * PGlite is PostgreSQL compiled to WebAssembly: an instance costs ~400 MB of RSS, and WebAssembly memory is never
 * returned to the operating system while the isolate lives. A long-running agent therefore replays in a worker
 * thread that exits afterwards, which frees it all. The worker answers with the replay result, or with the error
 * as plain data, plus (on request) a dump of a freshly initialised data directory that later workers start from
 * instead of running initdb again (~0.3 s instead of ~2 s).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from './replay-errors.ts';
import { replayInProcess } from './replay-run.ts';
import type { ReplayWorkerAnswer, ReplayWorkerInput } from './replay-types.ts';

const input = workerData as ReplayWorkerInput;
try {
  let template: Uint8Array | null = null;
  const result = await replayInProcess(input.dir, input.options, {
    template: input.template,
    onTemplate: input.template ? undefined : (bytes) => void (template = bytes),
  });
  parentPort?.postMessage({ ok: true, result, template } satisfies ReplayWorkerAnswer);
} catch (err) {
  parentPort?.postMessage({ ok: false, error: serializeError(err) } satisfies ReplayWorkerAnswer);
}
