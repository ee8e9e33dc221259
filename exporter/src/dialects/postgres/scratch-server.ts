/**
 * A scratch database a migration command can connect to (`Dialect.openScratch`): on a dev server, a temporary
 * database (`replay-scratch.ts`, dropped on close); otherwise a fresh PGlite (from the saved data directory, `pglite-template.ts`) served over the PostgreSQL wire
 * protocol by `@electric-sql/pglite-socket` on 127.0.0.1 and a free port, in a child process
 * (`scratch-server-child.ts`) that exits on close, which returns all of PGlite's memory, as a replay's child does.
 */
import { ReplayError } from '../../core/errors.ts';
import type { ScratchRequest, ScratchServer } from '../dialect.ts';
import { defaultReplayCacheDir, runDirFor, sweepRunDirs, templateDir } from './pglite-template.ts';
import { openServerScratch, PGLITE_SHARED_BUFFERS, pgliteVersion } from './replay-scratch.ts';
import { deserializeError } from './replay-errors.ts';
import { forkPglite } from './pglite-child.ts';
import type { ScratchChildAnswer, ScratchChildInput } from './scratch-server-types.ts';

/** Opens a scratch database for a migration command; close it on every path. */
export async function openPostgresScratchServer(request: ScratchRequest): Promise<ScratchServer> {
  if (request.devUrl) {
    const scratch = await openServerScratch(request.devUrl, request.target);
    // The dev server's admin connection stays with the scratch (it drops the database); the command gets its own.
    // Never the dev server's own database: the command writes where it is told.
    const url = scratch.url;
    if (url === undefined) {
      await scratch.close();
      throw new ReplayError('the dev server scratch has no URL of its own', { target: request.target });
    }
    return { url, env: postgresEnv(url), engine: 'server', serverVersion: scratch.serverVersion, close: () => scratch.close() };
  }
  const cacheDir = request.cacheDir ?? defaultReplayCacheDir();
  await sweepRunDirs(cacheDir);
  return pgliteServer(request.target, templateDir(cacheDir, await pgliteVersion(), PGLITE_SHARED_BUFFERS));
}

/**
 * The variables PostgreSQL clients read: `DATABASE_URL` (node-pg-migrate, Prisma, Rails, most twelve-factor apps) and
 * libpq's `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE` (psql, node-postgres, psycopg, Knex through pg).
 */
function postgresEnv(url: string): Record<string, string> {
  const parsed = new URL(url);
  return {
    DATABASE_URL: url,
    PGHOST: parsed.hostname.replace(/^\[|\]$/g, ''),
    PGPORT: parsed.port || '5432',
    PGUSER: decodeURIComponent(parsed.username) || 'postgres',
    PGPASSWORD: decodeURIComponent(parsed.password),
    PGDATABASE: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres',
  };
}

/** How long a stopped child has to close its database and exit before it is killed. */
const STOP_GRACE_MS = 2_000;

function pgliteServer(target: string | undefined, template: string): Promise<ScratchServer> {
  const input: ScratchChildInput = { templateDir: template, runDir: runDirFor(template) };
  const { process: child, removed, stderr } = forkPglite('scratch-server-child', import.meta.url, input.runDir);
  let gone = false;
  child.once('exit', () => void (gone = true));
  // A failed fork emits 'error' and never 'exit': there is nothing to stop.
  child.once('error', () => void (child.pid === undefined && (gone = true)));
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (!gone) {
        child.send('stop', () => {});
        // A child stuck in PGlite is killed: the scratch database is ours and disposable.
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await removed;
        clearTimeout(timer);
      }
      await removed;
    })());
  return new Promise((resolve, reject) => {
    let ready = false;
    child.once('message', (answer: ScratchChildAnswer) => {
      if (!answer.ok) {
        child.kill('SIGKILL');
        reject(deserializeError(answer.error));
        return;
      }
      ready = true;
      // The embedded server trusts every connection from this host; the password only satisfies clients that want one.
      const url = `postgres://postgres:postgres@127.0.0.1:${answer.port}/postgres`;
      resolve({ url, env: postgresEnv(url), engine: 'pglite', serverVersion: answer.serverVersion, close: stop });
    });
    child.once('error', (err) => {
      if (!ready) reject(new ReplayError(`the embedded scratch server failed: ${err.message}`, { target }, { cause: err }));
    });
    // 'close', not 'exit': the answer may still be in the IPC channel when the process has exited.
    child.once('close', (code, signalName) => {
      const how = code === null ? `was killed by ${signalName}` : `exited with code ${code}`;
      const last = stderr.at(-1);
      if (!ready) reject(new ReplayError(`the embedded scratch server ${how} before it listened${last ? `: ${last}` : ''}`, { target }));
    });
    // A failed fork has no channel to send on; its 'error' rejects.
    if (child.connected) child.send(input);
  });
}
