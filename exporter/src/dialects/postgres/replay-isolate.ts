/**
 * Runs an embedded replay in a child process (see replay-child.ts for why): forked from the file beside this one,
 * given its input over IPC, killed at once when the replay's signal aborts. Its errors are rebuilt with their class,
 * reason and context intact (`replay-errors.ts`); a stopped or crashed child's error names the file it was applying.
 */
import { type ReplayPosition, replayStoppedError } from '../../connection/deadline.ts';
import { ReplayError } from '../../core/errors.ts';
import type { MigrationDirectory } from '../../migrations/types.ts';
import type { ReplayResult } from '../dialect.ts';
import { forkPglite } from './pglite-child.ts';
import { defaultReplayCacheDir, runDirFor, sweepRunDirs, templateDir } from './pglite-template.ts';
import { deserializeError } from './replay-errors.ts';
import { PGLITE_SHARED_BUFFERS, pgliteVersion } from './replay-scratch.ts';
import type { PostgresReplayOptions, ReplayChildInput, ReplayChildMessage } from './replay-types.ts';

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
  const { process: child, removed, stderr } = forkPglite('replay-child', import.meta.url, input.runDir);
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
    // A failed fork has no channel to send on; its 'error' settles the answer.
    if (child.connected) child.send(input);
  });
  try {
    return await answer;
  } finally {
    await removed;
  }
}
