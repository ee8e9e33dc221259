/**
 * Runs an embedded replay in a worker thread (see replay-worker.ts for why) and carries errors across the thread
 * boundary with their class, reason and context intact.
 */
import { Worker } from 'node:worker_threads';
import {
  AuthError,
  ConfigError,
  ConnectError,
  InspectError,
  PlanError,
  ReplayError,
  SchemaDriftError,
  TimeoutError,
  type ErrorContext,
} from '../../core/errors.ts';
import type { MigrationDirectory } from '../../migrations/types.ts';
import type { ReplayResult } from '../dialect.ts';
import type { ReplayOptions } from './replay.ts';
import type { ReplayWorkerInput } from './replay-worker.ts';

interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly context?: ErrorContext;
  readonly stack?: string;
}

const CLASSES: Record<string, new (message: string, context?: ErrorContext) => SchemaDriftError> = {
  AuthError,
  ConfigError,
  ConnectError,
  InspectError,
  PlanError,
  ReplayError,
  TimeoutError,
};

/** An error as plain data (structured clone would drop the class and its fields). */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof SchemaDriftError) return { name: err.name, message: err.message, context: err.context, stack: err.stack };
  if (err instanceof Error) return { name: 'Error', message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/** Rebuilds the error a worker serialised, as the same class. */
export function deserializeError(data: SerializedError): Error {
  const Class = CLASSES[data.name];
  const error = Class ? new Class(data.message, data.context ?? {}) : new Error(data.message);
  if (data.stack) error.stack = data.stack;
  return error;
}

type WorkerAnswer =
  | { ok: true; result: ReplayResult; template: Uint8Array | null }
  | { ok: false; error: SerializedError };

/** The data directory of a fresh PGlite, dumped by the first worker of this process and reused by the next ones. */
let template: Uint8Array | null = null;

/** Replays `dir` into PGlite in a worker thread that exits when done. */
export function replayInWorker(dir: MigrationDirectory, options: ReplayOptions): Promise<ReplayResult> {
  const input: ReplayWorkerInput = { dir, options, template };
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./replay-worker.ts', import.meta.url), { workerData: input });
    let answered = false;
    worker.once('message', (answer: WorkerAnswer) => {
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
