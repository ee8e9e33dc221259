/**
 * Types shared by the PostgreSQL replay files: the options of `replayPostgres`, how an in-process PGlite replay
 * starts, and the messages between the parent and the replay worker. A file of its own so that `replay.ts`,
 * `replay-run.ts`, `replay-isolate.ts`, `replay-worker.ts` and `replay-scratch.ts` never import each other in a circle.
 */
import type { MigrationDirectory } from '../../migrations/types.ts';
import type { ReplayResult } from '../dialect.ts';
import type { PostgresInspectOptions } from './inspect.ts';
import type { SerializedError } from './replay-errors.ts';

/** Options of `replayPostgres`. */
export interface PostgresReplayOptions {
  /** A server to replay on (a temporary database is created and dropped there); default: in-memory PGlite. */
  readonly devUrl?: string;
  /** Target name (or the directory as given), for error messages. */
  readonly target?: string;
  /**
   * Apply versioned files with version <= this; `undefined` applies all; `null` applies none (nothing deployed,
   * so repeatable files are skipped too).
   */
  readonly upToVersion?: string | null;
  /** `fileId`s of files to leave out whatever their version (see `ReplayRequest.leaveOut`). */
  readonly leaveOut?: readonly string[];
  /** Statements run before the first file (the migration tool's revision table, see `ReplayRequest.setup`). */
  readonly setup?: readonly string[];
  /** Passed to `inspectPostgres` (schemas, privileges); `source` and `target` are filled in here. */
  readonly inspect?: PostgresInspectOptions;
  /**
   * Run an embedded (PGlite) replay in a worker thread that exits afterwards, so its ~400 MB of WebAssembly memory
   * is returned (default true). Without it the memory stays with the process for good.
   */
  readonly isolate?: boolean;
}

/** How an in-process PGlite replay starts: from a dumped data directory, or dumping a fresh one for later replays. */
export interface PgliteStart {
  readonly template?: Uint8Array | null;
  readonly onTemplate?: (template: Uint8Array) => void;
}

/** What the parent sends the replay worker (its `workerData`). */
export interface ReplayWorkerInput {
  readonly dir: MigrationDirectory;
  readonly options: PostgresReplayOptions;
  /** A data directory dumped by an earlier worker, to skip initdb. */
  readonly template: Uint8Array | null;
}

/**
 * What the replay worker posts back: the result plus, when it started without a template, a dump of its fresh data
 * directory; or the error as plain data.
 */
export type ReplayWorkerAnswer =
  | { ok: true; result: ReplayResult; template: Uint8Array | null }
  | { ok: false; error: SerializedError };
