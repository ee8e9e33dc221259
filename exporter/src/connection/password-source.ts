/**
 * Passwords obtained at connect time from something other than a file: a command's output (`passwordCommand`, for
 * `vault`, `aws rds generate-db-auth-token`, `gcloud`) or an AWS RDS/Aurora IAM token signed locally (`awsIam`).
 *
 * Both are cached per target and database user: a command runs once and again only after the server rejected its
 * password (`forgetSourcedPassword`, called by the dialects on SQLSTATE 28P01/28000 or MySQL errno 1045, one retry);
 * an IAM token is signed again when older than {@link IAM_TOKEN_REUSE_MS}, well before its 15-minute expiry.
 * Nothing here puts a password, a token or a command's output into a message or a log.
 */
import { spawn } from 'node:child_process';
import { AuthError } from '../core/errors.ts';

/** Where a target's password comes from when it is neither in the URL nor in a file. */
export type PasswordSource =
  | { readonly kind: 'command'; readonly command: string | readonly string[]; readonly timeoutMs: number }
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
/** More than any password or token; a command printing more is stopped and refused. */
const MAX_OUTPUT_BYTES = 64 * 1024;

interface Cached {
  /** In flight or settled: two connections at once share one run of the command. */
  readonly password: Promise<string>;
  readonly at: number;
}

const cache = new Map<string, Cached>();

function cacheKey(source: PasswordSource, to: PasswordFor): string {
  return JSON.stringify([source, to.target ?? '', to.host, to.port, to.user]);
}

/**
 * The password for `to` from `source`: the cached one when still good, else a fresh one (the command run, the token
 * signed) which is then cached. A failure is not cached: the next connection tries again.
 * @throws AuthError naming the target and the command's exit status or the signer's failure (never an output).
 */
export async function sourcedPassword(source: PasswordSource, to: PasswordFor): Promise<string> {
  const key = cacheKey(source, to);
  const cached = cache.get(key);
  const now = Date.now();
  if (cached && (source.kind === 'command' || now - cached.at < IAM_TOKEN_REUSE_MS)) return cached.password;
  const password = source.kind === 'command' ? runPasswordCommand(source.command, source.timeoutMs, to.target) : signIamToken(source.region, to);
  const entry = { password, at: now };
  cache.set(key, entry);
  try {
    return await password;
  } catch (err) {
    if (cache.get(key) === entry) cache.delete(key);
    throw err;
  }
}

/** Drops the cached password for `to`, so the next {@link sourcedPassword} runs the command (signs) again. */
export function forgetSourcedPassword(source: PasswordSource, to: PasswordFor): void {
  cache.delete(cacheKey(source, to));
}

/** The program a command runs, for messages: its first word, never its arguments. */
function programOf(command: string | readonly string[]): string {
  const first = typeof command === 'string' ? command.trim().split(/\s+/)[0] : command[0];
  return first ?? '';
}

/**
 * Runs a password command (a string through `/bin/sh -c`, or a program and its arguments) and returns its standard
 * output, trimmed. Its standard error is discarded (it may echo what it fetched); a time limit kills it.
 */
export async function runPasswordCommand(command: string | readonly string[], timeoutMs: number, target: string | undefined): Promise<string> {
  const [file, args] = typeof command === 'string' ? ['/bin/sh', ['-c', command]] : [command[0] ?? '', command.slice(1)];
  const program = programOf(command);
  const fail = (why: string, cause?: unknown) =>
    new AuthError(`passwordCommand (${program}) ${why}`, { target }, cause === undefined ? undefined : { cause });
  return new Promise<string>((resolve, reject) => {
    // A process group of its own, so the time limit also ends what a shell started (`sh -c 'vault ...'`).
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    let stopped: string | undefined;
    const timer = setTimeout(() => {
      stopped = `did not finish within ${timeoutMs} ms and was killed`;
      killGroup();
    }, timeoutMs);
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
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(fail(`could not start (${(err as { code?: string }).code ?? 'error'})`, err));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
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
