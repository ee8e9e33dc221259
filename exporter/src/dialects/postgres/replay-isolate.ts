/**
 * Runs an embedded replay in a worker thread (see replay-worker.ts for why) and rebuilds the worker's errors with their
 * class, reason and context intact (`replay-errors.ts`).
 */
import { Worker } from 'node:worker_threads';
import { ReplayError } from '../../core/errors.ts';
import type { MigrationDirectory } from '../../migrations/types.ts';
import type { ReplayResult } from '../dialect.ts';
import { deserializeError } from './replay-errors.ts';
import { siblingModule } from './sibling-module.ts';
import type { PostgresReplayOptions, ReplayWorkerAnswer, ReplayWorkerInput } from './replay-types.ts';

/** The data directory of a fresh PGlite, dumped by the first worker of this process and reused by the next ones. */
let template: Uint8Array | null = null;

/** Replays `dir` into PGlite in a worker thread that exits when done. */
export function replayInWorker(dir: MigrationDirectory, options: PostgresReplayOptions): Promise<ReplayResult> {
  const input: ReplayWorkerInput = { dir, options, template };
  return new Promise((resolve, reject) => {
    const worker = new Worker(siblingModule('replay-worker', import.meta.url), { workerData: input });
    let answered = false;
    worker.once('message', (answer: ReplayWorkerAnswer) => {
      answered = true;
      void worker.terminate();
      if (answer.ok) {
        if (answer.template) template = answer.template;
        resolve(answer.result);
      } else {
        reject(deserializeError(answer.error));
      }
    });
    worker.once('error', (err) => {
      answered = true;
      reject(new ReplayError(`the replay worker failed: ${err.message}`, { target: options.target }, { cause: err }));
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new ReplayError(`the replay worker exited with code ${code} before answering`, { target: options.target }));
    });
  });
}
