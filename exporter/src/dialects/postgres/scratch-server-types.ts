/**
 * What the embedded scratch server's worker posts to its parent: the port it listens on, or its start-up error as
 * plain data. A file of its own so that the worker and `scratch-server.ts` never import each other.
 */
import type { SerializedError } from './replay-errors.ts';

/** The worker's one answer. */
export type ScratchWorkerAnswer =
  | { readonly ok: true; readonly port: number; readonly serverVersion: string }
  | { readonly ok: false; readonly error: SerializedError };

/** What the parent gives the worker: the saved initialised data directory (`pglite-template.ts`), to skip initdb. */
export interface ScratchWorkerInput {
  readonly templateDir: string;
}
