/**
 * Child-process entry of an embedded (PGlite) replay (`replay-isolate.ts` forks it).
 *
 * PGlite is PostgreSQL compiled to WebAssembly, running in the JavaScript thread that calls it: a statement in
 * progress (`DO $$ BEGIN LOOP END LOOP; END $$`) cannot be interrupted from that thread, and its memory (WebAssembly
 * heap, in-memory files, compiled code) stays with the process. In a child process the deadline is a kill, and every
 * byte goes back to the system when it exits. The child gets its input as one IPC message, posts where it is before
 * each file and statement, then the result or the error as plain data, and exits.
 */
import type { ReplayPosition } from '../../connection/deadline.ts';
import { guardPgliteChild } from './pglite-child-guard.ts';
import { serializeError } from './replay-errors.ts';
import { replayInProcess } from './replay-run.ts';
import type { ReplayChildInput, ReplayChildMessage } from './replay-types.ts';

function post(message: ReplayChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

guardPgliteChild();
// The parent is gone (its IPC channel closed): nobody will read the answer. The watchdog covers a child busy in
// WebAssembly, which never gets to run this.
const onParentGone = (): void => process.exit(1);
process.once('disconnect', onParentGone);

process.once('message', (input: ReplayChildInput) => {
  void (async () => {
    let answer: ReplayChildMessage;
    try {
      const onPosition = (position: ReplayPosition): void => {
        process.send?.({ kind: 'position', position } satisfies ReplayChildMessage);
      };
      const result = await replayInProcess(input.dir, { ...input.options, onPosition }, { templateDir: input.templateDir, runDir: input.runDir });
      answer = { kind: 'done', ok: true, result };
    } catch (err) {
      answer = { kind: 'done', ok: false, error: serializeError(err) };
    }
    await post(answer);
    process.off('disconnect', onParentGone);
    process.disconnect?.();
    process.exit(0);
  })();
});
