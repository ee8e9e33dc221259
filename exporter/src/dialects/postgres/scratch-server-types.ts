/**
 * The messages between `scratch-server.ts` and the embedded scratch server's child process: what the parent sends,
 * and the port it listens on or its start-up error as plain data. A file of its own so that the child and
 * `scratch-server.ts` never import each other.
 */
import type { SerializedError } from './replay-errors.ts';

/** The child's one answer. */
export type ScratchChildAnswer =
  | { readonly ok: true; readonly port: number; readonly serverVersion: string }
  | { readonly ok: false; readonly error: SerializedError };

/** What the parent sends the child first: the saved initialised data directory, and where its copy goes. */
export interface ScratchChildInput {
  readonly templateDir: string;
  /** Removed by the parent once the child has exited. */
  readonly runDir: string;
}
