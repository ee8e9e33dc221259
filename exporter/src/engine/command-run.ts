/**
 * Runs a team's migration command (`desired.command`) as a child process: from a minimal environment (PATH, HOME,
 * the configuration's `env`, and the scratch database's variables — never this process's own, so the target's
 * credentials cannot reach it), in its own process group, killed as a group at its time limit, with its output
 * captured so that a failure shows its last lines and its exit code.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ReplayError, TimeoutError } from '../core/errors.ts';

/** How to run the command. */
export interface CommandRun {
  /** A shell command line (`/bin/sh -c`) or a program and its arguments (no shell). */
  readonly command: string | readonly string[];
  readonly cwd: string;
  readonly timeoutMs: number;
  /** The whole environment of the child: the caller builds it ({@link commandEnvironment}). */
  readonly env: Readonly<Record<string, string>>;
  /** For messages. */
  readonly target?: string;
  /** Kills the command (its process group) when aborted, like the time limit. */
  readonly signal?: AbortSignal;
}

/** Lines of output an error shows. */
const TAIL_LINES = 20;
/** Output kept while the command runs (its tail): a chatty migrator does not grow memory without bound. */
const KEEP_BYTES = 64 * 1024;
/** After SIGTERM at the time limit, the group gets this long to exit before SIGKILL. */
const KILL_GRACE_MS = 2_000;

/**
 * The child's whole environment: PATH and HOME of this process (to find the tools and their caches), then `extra`
 * (the configuration's `env`), then `scratch` (the scratch database's variables, which win).
 */
export function commandEnvironment(extra: Readonly<Record<string, string>>, scratch: Readonly<Record<string, string>>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'HOME'] as const) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return { ...base, ...extra, ...scratch };
}

/** The command as a person reads it in a message: the line, or the argv joined with spaces. */
export function describeCommand(command: string | readonly string[]): string {
  return typeof command === 'string' ? command : command.join(' ');
}

/**
 * Runs the command to its end.
 * @throws ReplayError when it cannot start (not found, working directory missing) or exits with a non-zero code or a
 *   signal, with the last lines of its output; TimeoutError when it ran past its limit (its process group is killed).
 */
export function runCommand(run: CommandRun): Promise<{ readonly output: string }> {
  const [file, ...args] = typeof run.command === 'string' ? ['/bin/sh', '-c', run.command] : [...run.command];
  const shown = JSON.stringify(describeCommand(run.command));
  const context = { target: run.target };
  return new Promise((resolve, reject) => {
    let output = '';
    const keep = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > KEEP_BYTES * 2) output = output.slice(-KEEP_BYTES);
    };
    const child = spawn(file ?? '', args, { cwd: run.cwd, env: run.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let stopped: 'timeout' | 'aborted' | undefined;
    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // ESRCH: the group is gone already.
      }
    };
    const stop = (why: 'timeout' | 'aborted'): void => {
      if (stopped) return;
      stopped = why;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => stop('timeout'), run.timeoutMs);
    const onAbort = (): void => stop('aborted');
    run.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (): void => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      finish();
      const why = err.code !== 'ENOENT' ? err.message : existsSync(run.cwd) ? `${file} not found (PATH=${run.env.PATH ?? ''})` : `no working directory ${run.cwd}`;
      reject(new ReplayError(`migration command ${shown} could not start: ${why}`, context, { cause: err }));
    });
    // Whatever the command left running in its group (a daemonised helper holding its output open) goes with it.
    child.once('exit', () => killGroup('SIGKILL'));
    child.once('close', (code, signal) => {
      finish();
      const tail = tailOf(output);
      if (stopped === 'timeout') {
        reject(new TimeoutError(`migration command ${shown} ran past its time limit of ${run.timeoutMs}ms and was killed${tail}`, context));
      } else if (stopped === 'aborted') {
        reject(new ReplayError(`migration command ${shown} was stopped: the check was cancelled${tail}`, context));
      } else if (code !== 0) {
        const how = code === null ? `was killed by ${signal}` : `exited with code ${code}${code === 127 ? ' (command not found)' : ''}`;
        reject(new ReplayError(`migration command ${shown} ${how}${tail}`, context));
      } else {
        resolve({ output });
      }
    });
  });
}

function tailOf(output: string): string {
  const lines = output.replace(/\s+$/, '').split('\n').slice(-TAIL_LINES);
  if (lines.length === 1 && lines[0] === '') return '; it printed nothing';
  return `; last lines of its output:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}
