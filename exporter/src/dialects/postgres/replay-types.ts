/**
 * Types shared by the PostgreSQL replay files: the options of `replayPostgres`, how an in-process PGlite replay
 * starts, and the messages between the parent and the replay's child process. A file of its own so that `replay.ts`,
 * `replay-run.ts`, `replay-isolate.ts`, `replay-child.ts` and `replay-scratch.ts` never import each other in a circle.
 */
import type { ReplayPosition } from '../../connection/deadline.ts';
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
   * Run an embedded (PGlite) replay in a child process that exits afterwards (default true): all its memory goes back
   * to the system, and the deadline kills it. Without it PGlite runs in this thread, its memory stays with the process
   * for good, and a statement in progress cannot be stopped.
   */
  readonly isolate?: boolean;
  /**
   * Stops the replay (the check's time limit, the agent's shutdown): the child process is killed, or the dev server's
   * running statement cancelled and its temporary database dropped. The error names the file in progress.
   */
  readonly signal?: AbortSignal;
  /** Where PGlite's initialised data directory is kept between processes (default: `defaultReplayCacheDir()`). */
  readonly cacheDir?: string;
  /** Hears where the replay is (the step, and the file and line it starts) each time that changes. */
  readonly onPosition?: (position: ReplayPosition) => void;
}

/** How an in-process PGlite replay starts: from a copy of a saved data directory, which it makes when missing. */
export interface PgliteStart {
  /** The saved data directory (`pglite-template.ts`); without it the instance is in memory and runs initdb. */
  readonly templateDir?: string;
  /** Where the copy goes (default: beside the template); removed on close. */
  readonly runDir?: string;
}

/** What the parent sends the replay's child process (its one IPC message). */
export interface ReplayChildInput {
  readonly dir: MigrationDirectory;
  /** The options without `signal` and `onPosition` (the parent keeps them: aborting kills the child). */
  readonly options: Omit<PostgresReplayOptions, 'signal' | 'onPosition'>;
  readonly templateDir: string;
  /** The replay's data directory, which the parent removes whatever became of the child. */
  readonly runDir: string;
}

/** What the replay's child posts back: where it is (any number of times), then the result or the error as plain data. */
export type ReplayChildMessage =
  | { readonly kind: 'position'; readonly position: ReplayPosition }
  | { readonly kind: 'done'; readonly ok: true; readonly result: ReplayResult }
  | { readonly kind: 'done'; readonly ok: false; readonly error: SerializedError };
