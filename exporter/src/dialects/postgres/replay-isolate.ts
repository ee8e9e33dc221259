/**
 * Runs an embedded replay in a child process (see replay-child.ts for why): forked from the file beside this one,
 * given its input over IPC, killed at once when the replay's signal aborts. Its errors are rebuilt with their class,
 * reason and context intact (`replay-errors.ts`); a stopped or crashed child's error names the file it was applying.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { type ReplayPosition, replayStoppedError } from '../../connection/deadline.ts';
import { ReplayError } from '../../core/errors.ts';
import type { MigrationDirectory } from '../../migrations/types.ts';
import type { ReplayResult } from '../dialect.ts';
import { defaultReplayCacheDir, removeRunDir, runDirFor, sweepRunDirs, templateDir } from './pglite-template.ts';
import { deserializeError } from './replay-errors.ts';
import { PGLITE_SHARED_BUFFERS, pgliteVersion } from './replay-scratch.ts';
import { siblingModule } from './sibling-module.ts';
import type { PostgresReplayOptions, ReplayChildInput, ReplayChildMessage } from './replay-types.ts';

/** Children still running: killed when this process exits, so none outlives it spinning in WebAssembly. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Lines of the child's stderr kept for an error (a crash prints its reason there). */
const STDERR_TAIL = 20;

/**
 * V8 runs PGlite's WebAssembly with its baseline compiler only (Liftoff). By default hot functions are compiled again
 * by the optimising compiler (TurboFan), whose compilation alone raised a tiny replay's peak from ~220 MB to ~560 MB,
 * for no gain a replay of DDL could measure (BENCH.md, "Embedded replay memory").
 */
const CHILD_V8_FLAGS = ['--liftoff-only'];

/**
 * Node options of the child: {@link CHILD_V8_FLAGS}, and type stripping on a Node that still flags it to run the same
 * sources. Nothing else is passed on (a test runner's or debugger's flags are not the replay's).
 */
function childExecArgv(): string[] {
  const inherited = process.execArgv.filter((flag) => /^--(experimental-strip-types|experimental-transform-types|no-warnings)$/.test(flag));
  return [...inherited, ...CHILD_V8_FLAGS];
}

/** Replays `dir` into PGlite in a child process that exits when done, or is killed when `options.signal` aborts. */
export async function replayInChild(dir: MigrationDirectory, options: PostgresReplayOptions): Promise<ReplayResult> {
  const { signal, onPosition, ...rest } = options;
  const target = options.target;
  let position: ReplayPosition = { step: 'starting the embedded database' };
  if (signal?.aborted) throw replayStoppedError(signal.reason, position, target);
  const cacheDir = options.cacheDir ?? defaultReplayCacheDir();
  const template = templateDir(cacheDir, await pgliteVersion(), PGLITE_SHARED_BUFFERS);
  await sweepRunDirs(cacheDir);
  const input: ReplayChildInput = { dir, options: rest, templateDir: template, runDir: runDirFor(template) };
  const child = fork(siblingModule('replay-child', import.meta.url), [], {
    // Structured clone keeps the snapshot's Maps, Sets and typed arrays as they are.
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    execArgv: childExecArgv(),
  });
  running.add(child);
  // A killed child cannot remove its data directory: the parent does, whatever became of the child.
  const removed = new Promise<void>((done) => {
    child.once('exit', () => {
      running.delete(child);
      void removeRunDir(input.runDir).then(done);
    });
  });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.push(...chunk.split('\n').filter((l) => l.trim() !== ''));
    stderr.splice(0, Math.max(0, stderr.length - STDERR_TAIL));
  });
  const answer = new Promise<ReplayResult>((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      finish();
    };
    const onAbort = (): void => {
      // SIGKILL: a child spinning in WebAssembly never runs a signal handler, and its database is disposable.
      child.kill('SIGKILL');
      settle(() => reject(replayStoppedError(signal?.reason, position, target)));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('message', (message: ReplayChildMessage) => {
      if (message.kind === 'position') {
        position = message.position;
        onPosition?.(position);
        return;
      }
      settle(() => (message.ok ? resolve(message.result) : reject(deserializeError(message.error))));
    });
    child.once('error', (err) => {
      child.kill('SIGKILL');
      settle(() => reject(new ReplayError(`the replay's child process failed: ${err.message}`, { target }, { cause: err })));
    });
    // 'close', not 'exit': the answer may still be in the IPC channel when the process has exited.
    child.once('close', (code, signalName) => {
      const how = code === null ? `was killed by ${signalName}` : `exited with code ${code}`;
      const where = position.file ? ` while ${position.step} ${position.file}${position.line ? `:${position.line}` : ''}` : ` while ${position.step}`;
      const last = stderr.at(-1);
      settle(() => reject(new ReplayError(`the replay's child process ${how}${where} before answering${last ? `: ${last}` : ''}`, { target })));
    });
    child.send(input);
  });
  try {
    return await answer;
  } finally {
    await removed;
  }
}
