/**
 * Worker-thread entry of the embedded scratch server: a fresh in-memory PGlite (every contrib extension available, as
 * in a replay) served by `PGLiteSocketServer` on 127.0.0.1 and a port the system picks, until the parent posts
 * `stop`. pglite-socket multiplexes several client connections onto PGlite's one session, queueing queries, so a
 * migrator with a connection pool works; a transaction keeps the session to its connection until it ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { PGlite } from '@electric-sql/pglite';
import { serializeError } from './replay-errors.ts';
import { openPgliteScratch } from './replay-scratch.ts';
import type { ScratchWorkerAnswer, ScratchWorkerInput } from './scratch-server-types.ts';

/** Enough for a migrator's pool plus our own read-back session. */
const MAX_CONNECTIONS = 32;

try {
  const input = workerData as ScratchWorkerInput;
  const scratch = await openPgliteScratch({ templateDir: input.templateDir });
  const server = new PGLiteSocketServer({ db: scratch.db as PGlite, host: '127.0.0.1', port: 0, maxConnections: MAX_CONNECTIONS });
  await server.start();
  const port = Number(server.getServerConn().split(':').at(-1));
  parentPort?.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    void server
      .stop()
      .catch(() => {})
      .then(() => scratch.close())
      .finally(() => process.exit(0));
  });
  parentPort?.postMessage({ ok: true, port, serverVersion: scratch.serverVersion } satisfies ScratchWorkerAnswer);
} catch (err) {
  parentPort?.postMessage({ ok: false, error: serializeError(err) } satisfies ScratchWorkerAnswer);
}
