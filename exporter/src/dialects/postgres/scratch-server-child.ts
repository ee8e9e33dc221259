/**
 * Child-process entry of the embedded scratch server (`scratch-server.ts` forks it): a fresh PGlite (every contrib
 * extension available, as in a replay; its data directory a copy of the saved one) served by `PGLiteSocketServer` on
 * 127.0.0.1 and a port the system picks, until the parent sends `stop` or goes away. pglite-socket multiplexes several
 * client connections onto PGlite's one session, queueing queries, so a migrator with a connection pool works; a
 * transaction keeps the session to its connection until it ends. A process, not a thread: it exits afterwards and
 * returns all of PGlite's memory, and a migrator's statement that never ends is stopped by killing it.
 */
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { PGlite } from '@electric-sql/pglite';
import { guardPgliteChild } from './pglite-child-guard.ts';
import { serializeError } from './replay-errors.ts';
import { openPgliteScratch } from './replay-scratch.ts';
import type { ScratchChildAnswer, ScratchChildInput } from './scratch-server-types.ts';

/** Enough for a migrator's pool plus our own read-back session. */
const MAX_CONNECTIONS = 32;

function post(message: ScratchChildAnswer): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

guardPgliteChild();

process.once('message', (input: ScratchChildInput) => {
  void (async () => {
    try {
      const scratch = await openPgliteScratch({ templateDir: input.templateDir, runDir: input.runDir });
      const server = new PGLiteSocketServer({ db: scratch.db as PGlite, host: '127.0.0.1', port: 0, maxConnections: MAX_CONNECTIONS });
      await server.start();
      const port = Number(server.getServerConn().split(':').at(-1));
      const stop = (): void => {
        void server
          .stop()
          .catch(() => {})
          .then(() => scratch.close())
          .finally(() => process.exit(0));
      };
      process.on('message', (message: unknown) => {
        if (message === 'stop') stop();
      });
      // The parent is gone (killed): nobody will read this database.
      process.once('disconnect', stop);
      await post({ ok: true, port, serverVersion: scratch.serverVersion });
    } catch (err) {
      await post({ ok: false, error: serializeError(err) });
      process.exit(1);
    }
  })();
});
