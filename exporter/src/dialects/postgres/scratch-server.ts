/**
 * A scratch database a migration command can connect to (`Dialect.openScratch`): on a dev server, a temporary
 * database (`replay-scratch.ts`, dropped on close); otherwise a fresh in-memory PGlite served over the PostgreSQL wire
 * protocol by `@electric-sql/pglite-socket` on 127.0.0.1 and a free port, in a worker thread
 * (`scratch-server-worker.ts`) that exits on close, which returns PGlite's WebAssembly memory, as a replay's worker does.
 */
import { Worker } from 'node:worker_threads';
import { ReplayError } from '../../core/errors.ts';
import type { ScratchRequest, ScratchServer } from '../dialect.ts';
import { defaultReplayCacheDir, templateDir } from './pglite-template.ts';
import { openServerScratch, PGLITE_SHARED_BUFFERS, pgliteVersion } from './replay-scratch.ts';
import { deserializeError } from './replay-errors.ts';
import { siblingModule } from './sibling-module.ts';
import type { ScratchWorkerAnswer, ScratchWorkerInput } from './scratch-server-types.ts';

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
  return pgliteServer(request.target, templateDir(request.cacheDir ?? defaultReplayCacheDir(), await pgliteVersion(), PGLITE_SHARED_BUFFERS));
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

function pgliteServer(target: string | undefined, file: string): Promise<ScratchServer> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(siblingModule('scratch-server-worker', import.meta.url), { workerData: { templateDir: file } satisfies ScratchWorkerInput });
    let ready = false;
    let gone = false;
    worker.once('exit', () => void (gone = true));
    let exited: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (exited ??= new Promise<void>((done) => {
        // A worker that already ended (crashed) has nothing left to stop.
        if (gone) return done();
        worker.once('exit', () => done());
        worker.postMessage('stop');
        // A worker stuck in PGlite is ended anyway: the scratch database is ours and disposable.
        setTimeout(() => void worker.terminate(), 5_000).unref();
      }));
    worker.once('message', (answer: ScratchWorkerAnswer) => {
      if (!answer.ok) {
        void worker.terminate();
        reject(deserializeError(answer.error));
        return;
      }
      ready = true;
      // The embedded server trusts every connection from this host; the password only satisfies clients that want one.
      const url = `postgres://postgres:postgres@127.0.0.1:${answer.port}/postgres`;
      resolve({ url, env: postgresEnv(url), engine: 'pglite', serverVersion: answer.serverVersion, close: stop });
    });
    worker.once('error', (err) => {
      if (!ready) reject(new ReplayError(`the embedded scratch server failed: ${err.message}`, { target }, { cause: err }));
    });
    worker.once('exit', (code) => {
      if (!ready) reject(new ReplayError(`the embedded scratch server exited with code ${code} before it listened`, { target }));
    });
  });
}
