/**
 * The desired schema: replay a migration directory into a scratch database and read it back with the same
 * inspector that reads the live database, so a real server normalises both sides. The public entry points: an
 * embedded (PGlite) replay runs in a child process (`replay-isolate.ts`), one on a dev server in this thread
 * (`replay-run.ts`, which also says how files are applied). Both stop when `options.signal` aborts.
 */
import type { MigrationDirectory } from '../../migrations/types.ts';
import type { ReplayResult } from '../dialect.ts';
import { openPostgresSession } from './connect.ts';
import { replayInChild } from './replay-isolate.ts';
import { replayInProcess } from './replay-run.ts';
import { pgliteVersion } from './replay-scratch.ts';
import type { PostgresReplayOptions } from './replay-types.ts';

/** The options of {@link replayPostgres}, declared in `replay-types.ts` and exported here with it. */
export type { PostgresReplayOptions } from './replay-types.ts';

/**
 * Replays `dir` into a fresh scratch database and inspects the result.
 *
 * @throws ReplayError naming the file and line when a migration fails, with the server's message.
 * @throws ConnectError, AuthError for a dev server that cannot be reached or refuses to create a database.
 * @throws TimeoutError (the time limit) or ReplayError (another stop) naming the file in progress when `options.signal`
 *   aborts.
 */
export async function replayPostgres(dir: MigrationDirectory, options: PostgresReplayOptions = {}): Promise<ReplayResult> {
  if (!options.devUrl && options.isolate !== false) return replayInChild(dir, options);
  return replayInProcess(dir, options);
}

/**
 * Identity of the engine a replay with these options would use, for cache keys: `pglite <version>` (read from the
 * installed package, nothing started) or `postgresql <server_version>` of the dev server (one short connection).
 */
export async function postgresReplayEngineIdentity(options: Pick<PostgresReplayOptions, 'devUrl' | 'target'> = {}): Promise<string> {
  if (!options.devUrl) return `pglite ${await pgliteVersion()}`;
  const session = await openPostgresSession(options.devUrl, { target: options.target, applicationName: 'schema-drift replay' });
  try {
    return `postgresql ${session.serverVersion}`;
  } finally {
    await session.close();
  }
}
