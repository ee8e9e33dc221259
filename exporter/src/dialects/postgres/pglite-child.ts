/**
 * The child processes PGlite runs in (a replay's, a migration command's scratch server): forked from a file beside the
 * caller with the V8 flags PGlite needs least memory with, tracked so that none outlives this process, each with its
 * own run directory (a copy of the saved data directory) removed by the parent once the child has exited, whatever
 * became of it.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { removeRunDir } from './pglite-template.ts';
import { siblingModule } from './sibling-module.ts';

/**
 * V8 runs PGlite's WebAssembly with its baseline compiler only (Liftoff). By default hot functions are compiled again
 * by the optimising compiler (TurboFan), whose compilation alone raised a tiny replay's peak from ~220 MB to ~560 MB,
 * for no gain a replay of DDL could measure (BENCH.md, "Embedded replay memory").
 */
const CHILD_V8_FLAGS = ['--liftoff-only'];

/**
 * Children still running, with their run directories: killed when this process exits, so none outlives it spinning in
 * WebAssembly, and their run directories removed there and then (an exit hook runs synchronous code only).
 */
const running = new Map<ChildProcess, string>();
process.on('exit', () => {
  for (const [child, runDir] of running) {
    child.kill('SIGKILL');
    try {
      rmSync(runDir, { recursive: true, force: true });
    } catch {
      // The next replay's sweep removes it.
    }
  }
});

/**
 * Node options of a child: {@link CHILD_V8_FLAGS}, and type stripping on a Node that still flags it to run the same
 * sources. Nothing else is passed on (a test runner's or debugger's flags are not PGlite's).
 */
function childExecArgv(): string[] {
  const inherited = process.execArgv.filter((flag) => /^--(experimental-strip-types|experimental-transform-types|no-warnings)$/.test(flag));
  return [...inherited, ...CHILD_V8_FLAGS];
}

/** A forked PGlite child, and a promise that settles once it has exited and its run directory is gone. */
export interface PgliteChild {
  readonly process: ChildProcess;
  readonly removed: Promise<void>;
  /** The last lines of its stderr (a crash prints its reason there). */
  readonly stderr: string[];
}

/** Lines of a child's stderr kept for an error. */
const STDERR_TAIL = 20;

/** Forks module `name` (beside the module whose `import.meta.url` is `from`) with IPC in structured-clone mode. */
export function forkPglite(name: string, from: string, runDir: string): PgliteChild {
  const child = fork(siblingModule(name, from), [], {
    // Structured clone keeps a snapshot's Maps, Sets and typed arrays as they are.
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    execArgv: childExecArgv(),
  });
  running.set(child, runDir);
  const removed = new Promise<void>((done) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      running.delete(child);
      void removeRunDir(runDir).then(done);
    };
    child.once('exit', finish);
    // A fork that failed (EAGAIN, EMFILE) emits 'error' and never 'exit': there is no process to wait for.
    child.once('error', () => {
      if (child.pid === undefined) finish();
    });
  });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.push(...chunk.split('\n').filter((l) => l.trim() !== ''));
    stderr.splice(0, Math.max(0, stderr.length - STDERR_TAIL));
  });
  return { process: child, removed, stderr };
}
