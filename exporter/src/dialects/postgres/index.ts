/**
 * The PostgreSQL dialect (13–18, and PGlite): the {@link Dialect} the registry lists, assembled from this folder's
 * files. Migrations replay into an embedded PGlite by default, or into a temporary database on a dev server.
 *
 * The replay, the scratch server and PGlite are imported when first used, not with the registry: a command that only
 * reads a database (`inspect`, `diff` of two URLs) starts without loading them.
 */
import type { Dialect, ReplayRequest } from '../dialect.ts';
import { toPostgresError } from './connect.ts';
import { renderPostgresDdl } from './ddl.ts';
import { postgresHooks } from './hooks.ts';
import { withCatalogRaceRetry } from './inspect.ts';
import { planPostgres, renderPostgresPlanSql } from './plan.ts';
import { postgresRevisionTableDdl } from './revision.ts';

function inspectOptions(request: ReplayRequest): { schemas?: string[]; privileges?: boolean } {
  const { schemas, privileges } = request.inspect;
  return { ...(schemas ? { schemas: [...schemas] } : {}), ...(privileges !== undefined ? { privileges } : {}) };
}

/** PostgreSQL. */
export const postgresDialect: Dialect = {
  name: 'postgres',
  label: 'PostgreSQL',
  urlSchemes: ['postgres', 'postgresql'],
  exampleUrl: 'postgres://user@host:5432/db',
  capabilities: { embeddedScratch: true, events: false },
  // Prisma and drizzle-kit say `postgresql`; drizzle-kit journals written before 0.21 say `pg`.
  migrationProviders: ['postgresql', 'pg'],
  hooks: postgresHooks,
  plan: (changes, sides) => planPostgres(changes, sides),
  renderPlanSql: renderPostgresPlanSql,
  renderDdl: renderPostgresDdl,
  toError: (err, context) => toPostgresError(err, context),

  async connect(request) {
    const [{ openPostgresSession }, { postgresLiveSession }] = await Promise.all([import('./connect.ts'), import('./session.ts')]);
    const session = await openPostgresSession(request.url, {
      target: request.target,
      passwordFile: request.passwordFile,
      ...(request.passwordSource ? { passwordSource: request.passwordSource } : {}),
      connectTimeoutMs: request.connectTimeoutMs,
      statementTimeoutMs: request.statementTimeoutMs,
      ...(request.signal ? { signal: request.signal } : {}),
      applicationName: request.applicationName,
    });
    return postgresLiveSession(session, { target: request.target });
  },
  discover: async (request) => (await import('./discover.ts')).discoverPostgres(request),
  // DDL running on the target while it is read can make a catalog function fail: read again in a new snapshot.
  withReadRetry: (read) => withCatalogRaceRetry(read),
  revisionTableDdl: postgresRevisionTableDdl,
  replay: async (directory, request) =>
    (await import('./replay.ts')).replayPostgres(directory, {
      devUrl: request.devUrl,
      target: request.target,
      upToVersion: request.upToVersion,
      leaveOut: request.leaveOut,
      setup: request.setup,
      inspect: inspectOptions(request),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.cacheDir ? { cacheDir: request.cacheDir } : {}),
    }),
  replayIdentity: async (request) =>
    (await import('./replay.ts')).postgresReplayEngineIdentity({ devUrl: request.devUrl, target: request.target }),
  openScratch: async (request) => (await import('./scratch-server.ts')).openPostgresScratchServer(request),
  devServerRisks: async (request) => (await import('./dev-privileges.ts')).postgresDevServerRisks(request),
  versionWarnings(replay, live) {
    const replayMajor = replay.source.serverMajor;
    if (replayMajor === undefined || live.serverMajor === undefined || replayMajor === live.serverMajor) return [];
    const engine = replay.engine === 'pglite' ? 'embedded PGlite' : 'the dev server';
    return [
      `migrations were replayed on ${engine} (PostgreSQL ${replay.source.serverVersion ?? replayMajor}) but the target runs PostgreSQL ${live.serverMajor}: ` +
        'deparsed defaults and definitions can differ between major versions; set desired.devUrl (--dev-url) to a server of the same major version to rule that out',
    ];
  },
  embedded: { create: async () => (await import('./embedded.ts')).createEmbeddedPostgres() },
};
