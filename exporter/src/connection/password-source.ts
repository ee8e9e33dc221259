/**
 * Passwords obtained at connect time from something other than a file: a command's output (`passwordCommand`, for
 * `vault`, `aws rds generate-db-auth-token`, `gcloud`) or an AWS RDS/Aurora IAM token signed locally (`awsIam`).
 *
 * Both are cached per target and database user. A command's output is kept until the server refuses it, or for
 * `cacheForMs` when the configuration sets `passwordCommandCacheFor`; an IAM token is signed again when older than
 * {@link IAM_TOKEN_REUSE_MS}, well before its 15-minute expiry. {@link withSourcedPassword} logs in with it: a refused
 * cached password is obtained again once; a refused fresh one is not (the command printed a wrong password: running it
 * again at once would only fail another login), and the next attempts wait out a backoff
 * ({@link REFUSED_BACKOFF_MS}, doubling to {@link REFUSED_BACKOFF_MAX_MS}) instead of failing a login every watch
 * interval. Nothing here puts a password, a token or a command's output into a message or a log.
 */
import { spawn } from 'node:child_process';
import { AuthError } from '../core/errors.ts';

/** Where a target's password comes from when it is neither in the URL nor in a file. */
export type PasswordSource =
  | {
      readonly kind: 'command';
      readonly command: string | readonly string[];
      readonly timeoutMs: number;
      /** The command's whole environment (`config/load.ts` builds it: {@link passwordCommandEnvironment}). */
      readonly env: Readonly<Record<string, string>>;
      /** Run the command again once its output is this old; absent: only after the server refused it. */
      readonly cacheForMs?: number;
    }
  | { readonly kind: 'awsIam'; readonly region: string };

/** The connection a password is for: the cache key and what an IAM token is signed for. */
export interface PasswordFor {
  /** Configured target name, for messages. */
  readonly target: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

/** Default time limit of a password command. */
export const PASSWORD_COMMAND_TIMEOUT_MS = 10_000;
/** An IAM token is valid for 15 minutes; it is signed again once it is this old. */
export const IAM_TOKEN_REUSE_MS = 10 * 60_000;
/** After a freshly obtained password was refused, nothing is obtained (and no login tried) for this long at first. */
export const REFUSED_BACKOFF_MS = 60_000;
/** The backoff doubles after each refused fresh password, up to this. */
export const REFUSED_BACKOFF_MAX_MS = 10 * 60_000;
/** More than any password or token; a command printing more is stopped and refused. */
const MAX_OUTPUT_BYTES = 64 * 1024;
/** After the command exited, what it left behind holding its output gets this long before its output is closed. */
const AFTER_EXIT_GRACE_MS = 1_000;

/**
 * Prefixes of the environment variables a password command inherits, besides PATH and HOME: what the cloud and secret
 * tools read (credentials chains, profiles, regions, Vault address and token).
 */
export const PASSWORD_COMMAND_ENV_PREFIXES: readonly string[] = ['AWS_', 'VAULT_', 'GOOGLE_', 'CLOUDSDK_'];

/**
 * A password command's whole environment: PATH, HOME and the variables named by {@link PASSWORD_COMMAND_ENV_PREFIXES}
 * from `env` (this process's), minus every variable in `withheld` (those the configuration file interpolated with
 * `${VAR}`: the store URL, the bearer token, other targets' passwords), then `explicit` (`passwordCommandEnv`), which
 * wins. Nothing else of the agent's environment reaches the command.
 */
export function passwordCommandEnvironment(
  env: NodeJS.ProcessEnv,
  withheld: ReadonlySet<string>,
  explicit: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || withheld.has(name)) continue;
    if (name === 'PATH' || name === 'HOME' || PASSWORD_COMMAND_ENV_PREFIXES.some((p) => name.startsWith(p))) out[name] = value;
  }
  return { ...out, ...explicit };
}

interface Cached {
  /** In flight or settled: two connections at once share one run of the command. */
  readonly password: Promise<string>;
  readonly at: number;
}

/** A password as {@link obtain} handed it out: `fresh` when this call ran the command (signed the token). */
interface Obtained {
  readonly password: string;
  readonly fresh: boolean;
  readonly entry: Cached;
}

const cache = new Map<string, Cached>();
/** Per cache key: after a refused fresh password, no new one before `until`; `delayMs` is the backoff that set it. */
const refusals = new Map<string, { readonly until: number; readonly delayMs: number }>();

function cacheKey(source: PasswordSource, to: PasswordFor): string {
  return JSON.stringify([source, to.target ?? '', to.host, to.port, to.user]);
}

function stillGood(source: PasswordSource, cached: Cached, now: number): boolean {
  if (source.kind === 'awsIam') return now - cached.at < IAM_TOKEN_REUSE_MS;
  return source.cacheForMs === undefined || now - cached.at < source.cacheForMs;
}

/** What a message calls the source. */
function sourceName(source: PasswordSource): string {
  return source.kind === 'command' ? `passwordCommand (${programOf(source.command)})` : 'awsIam';
}

async function obtain(source: PasswordSource, to: PasswordFor, signal?: AbortSignal): Promise<Obtained> {
  const key = cacheKey(source, to);
  const cached = cache.get(key);
  const now = Date.now();
  if (cached && stillGood(source, cached, now)) return { password: await cached.password, fresh: false, entry: cached };
  const refused = refusals.get(key);
  if (refused && now < refused.until) {
    throw new AuthError(
      `${sourceName(source)}: the server refused the password it last gave; not tried again before ${new Date(refused.until).toISOString()} (backoff ${Math.round(refused.delayMs / 1000)} s)`,
      { target: to.target },
    );
  }
  const password =
    source.kind === 'command'
      ? runPasswordCommand(source.command, source.timeoutMs, to.target, { env: source.env, ...(signal ? { signal } : {}) })
      : signIamToken(source.region, to);
  const entry = { password, at: now };
  cache.set(key, entry);
  try {
    return { password: await password, fresh: true, entry };
  } catch (err) {
    if (cache.get(key) === entry) cache.delete(key);
    throw err;
  }
}

/**
 * The password for `to` from `source`: the cached one when still good, else a fresh one (the command run, the token
 * signed) which is then cached. A failure is not cached: the next connection tries again.
 * @throws AuthError naming the target and the command's exit status or the signer's failure (never an output), or
 *   the backoff after a refused fresh password.
 */
export async function sourcedPassword(source: PasswordSource, to: PasswordFor, signal?: AbortSignal): Promise<string> {
  return (await obtain(source, to, signal)).password;
}

/**
 * Logs in (`open`) with the password from `source`. When `refused(err)` says the server rejected it: a cached password
 * is dropped (only that entry: a fresher one another connection obtained meanwhile stays) and a fresh one tried, once;
 * a refused fresh password starts (or doubles) the backoff and is not tried again. A login that works ends the backoff.
 */
export async function withSourcedPassword<T>(
  source: PasswordSource,
  to: PasswordFor,
  open: (password: string) => Promise<T>,
  refused: (err: unknown) => boolean,
  signal?: AbortSignal,
): Promise<T> {
  const key = cacheKey(source, to);
  const attempt = async (got: Obtained): Promise<T> => {
    try {
      const session = await open(got.password);
      refusals.delete(key);
      return session;
    } catch (err) {
      if (refused(err)) {
        if (cache.get(key) === got.entry) cache.delete(key);
        if (got.fresh) {
          const previous = refusals.get(key);
          const delayMs = previous ? Math.min(previous.delayMs * 2, REFUSED_BACKOFF_MAX_MS) : REFUSED_BACKOFF_MS;
          refusals.set(key, { until: Date.now() + delayMs, delayMs });
        }
      }
      throw err;
    }
  };
  const first = await obtain(source, to, signal);
  try {
    return await attempt(first);
  } catch (err) {
    // A rotated password (or an expired token) behind a cached one: obtain it again, once.
    if (first.fresh || !refused(err)) throw err;
    return attempt(await obtain(source, to, signal));
  }
}

/** `NAME=value`: a shell assignment before the program (it may hold a token: never shown). */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The program a command runs, for messages: its first word that is not an assignment, never its arguments. */
function programOf(command: string | readonly string[]): string {
  if (typeof command !== 'string') return command[0] ?? '';
  const words = command.trim().split(/\s+/);
  return words.find((word) => !ASSIGNMENT.test(word)) ?? '(an assignment only)';
}

/** How {@link runPasswordCommand} runs the command. */
export interface PasswordCommandRun {
  /** The command's whole environment; default: PATH and HOME only. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kills the command (its process group) when aborted: the check was cancelled, the agent is shutting down. */
  readonly signal?: AbortSignal;
}

/**
 * Runs a password command (a string through `/bin/sh -c`, or a program and its arguments) and returns its standard
 * output, trimmed. Its standard error is discarded (it may echo what it fetched); a time limit kills it. When it exits,
 * whatever it left running in its process group is killed, so a background helper holding its output open cannot
 * turn a command that printed and exited 0 into a time-out.
 */
export async function runPasswordCommand(
  command: string | readonly string[],
  timeoutMs: number,
  target: string | undefined,
  run: PasswordCommandRun = {},
): Promise<string> {
  const [file, args] = typeof command === 'string' ? ['/bin/sh', ['-c', command]] : [command[0] ?? '', command.slice(1)];
  const program = programOf(command);
  const env = run.env ?? passwordCommandEnvironment({ PATH: process.env.PATH, HOME: process.env.HOME }, new Set());
  // Only the error code: the spawn error's own fields (spawnargs) would carry the command line.
  const fail = (why: string, code?: string) =>
    new AuthError(`passwordCommand (${program}) ${why}`, { target }, code === undefined ? undefined : { cause: { code } });
  return new Promise<string>((resolve, reject) => {
    if (run.signal?.aborted) return reject(fail('was not run: the check was cancelled'));
    // A process group of its own, so the time limit also ends what a shell started (`sh -c 'vault ...'`).
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'], detached: true, env });
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    let stopped: string | undefined;
    const timer = setTimeout(() => {
      stopped ??= `did not finish within ${timeoutMs} ms and was killed`;
      killGroup();
    }, timeoutMs);
    const onAbort = (): void => {
      stopped ??= 'was stopped: the check was cancelled';
      killGroup();
    };
    run.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (): void => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
    };
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        stopped ??= `printed more than ${MAX_OUTPUT_BYTES} bytes`;
        killGroup();
        return;
      }
      chunks.push(chunk);
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      finish();
      reject(fail(`could not start (${err.code ?? 'error'})`, err.code ?? 'error'));
    });
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      // What it left in its group goes with it; one that left the group (setsid) has its hold on the output cut after
      // a grace for what is still in the pipe.
      killGroup();
      setTimeout(() => child.stdout.destroy(), AFTER_EXIT_GRACE_MS).unref();
    });
    child.once('close', (closeCode, closeSignal) => {
      finish();
      const code = exited?.code ?? closeCode;
      const signal = exited?.signal ?? closeSignal;
      if (stopped) return reject(fail(stopped));
      if (signal) return reject(fail(`was ended by ${signal}`));
      if (code !== 0) return reject(fail(`failed with exit status ${code}`));
      const password = Buffer.concat(chunks).toString('utf8').trim();
      if (!password) return reject(fail('printed no password'));
      resolve(password);
    });
  });
}

/** Signs an RDS IAM token with the AWS SDK's signer, loaded on first use (the CLI's start does not pay for it). */
async function signIamToken(region: string, to: PasswordFor): Promise<string> {
  try {
    const { Signer } = await import('@aws-sdk/rds-signer');
    return await new Signer({ hostname: to.host, port: to.port, username: to.user, region }).getAuthToken();
  } catch (err) {
    // The SDK's messages name the missing credentials or profile, never a secret key.
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new AuthError(`awsIam: could not sign an RDS IAM token for user ${JSON.stringify(to.user)} in ${region}: ${why}`, { target: to.target }, { cause: err });
  }
}
