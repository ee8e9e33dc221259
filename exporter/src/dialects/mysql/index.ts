/**
 * The MySQL/MariaDB dialect (MySQL 8.0/8.4, MariaDB 10.x/11.x): the {@link Dialect} the registry lists, assembled
 * from this folder's files. A database is one schema; migrations replay into a temporary database on a dev server
 * (there is no embedded MySQL), created with the live database's default character set and collation.
 *
 * The driver (mysql2), the replay and the scratch server are imported when first used, not with the registry: a
 * PostgreSQL command never loads them.
 */
import type { Dialect, ReplayRequest } from '../dialect.ts';
import { toMysqlError } from './connect.ts';
import { renderMysqlDdl } from './ddl.ts';
import { mysqlHooks } from './hooks.ts';
import { planMysql, renderMysqlPlanSql } from './plan.ts';
import { databaseDefaults, onlySchemaName } from './session.ts';
import { mysqlRevisionTableDdl } from './revision.ts';

/** Name and default character set/collation of the replay database: the counterpart's. */
function replayDatabase(request: ReplayRequest): { schemaName?: string; defaults?: { charset?: string; collation?: string } } {
  const counterpart = request.inspect.counterpart;
  const schemaName = onlySchemaName(counterpart);
  const defaults = counterpart && schemaName !== undefined ? databaseDefaults(counterpart) : undefined;
  return { ...(schemaName !== undefined ? { schemaName } : {}), ...(defaults ? { defaults } : {}) };
}

/** MySQL and MariaDB. */
export const mysqlDialect: Dialect = {
  name: 'mysql',
  label: 'MySQL/MariaDB',
  urlSchemes: ['mysql', 'mariadb'],
  exampleUrl: 'mysql://user@host:3306/db',
  capabilities: { embeddedScratch: false, events: true },
  // Prisma and drizzle-kit call MySQL and MariaDB both `mysql`.
  migrationProviders: ['mysql'],
  hooks: mysqlHooks,
  plan: (changes, sides) => planMysql(changes, sides),
  renderPlanSql: renderMysqlPlanSql,
  renderDdl: renderMysqlDdl,
  toError: (err, context) => toMysqlError(err, context),

  async connect(request) {
    const [{ openMysqlSession }, { mysqlLiveSession }] = await Promise.all([import('./connect.ts'), import('./session.ts')]);
    const session = await openMysqlSession(request.url, {
      target: request.target,
      passwordFile: request.passwordFile,
      ...(request.passwordSource ? { passwordSource: request.passwordSource } : {}),
      connectTimeoutMs: request.connectTimeoutMs,
      statementTimeoutMs: request.statementTimeoutMs,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    return mysqlLiveSession(session, { target: request.target });
  },
  discover: async (request) => (await import('./discover.ts')).discoverMysql(request),
  withReadRetry: (read) => read(),
  revisionTableDdl: mysqlRevisionTableDdl,
  replay: async (directory, request) =>
    (await import('./replay.ts')).replayMysql(directory, {
      devUrl: request.devUrl,
      target: request.target,
      upToVersion: request.upToVersion,
      leaveOut: request.leaveOut,
      setup: request.setup,
      inspect: { privileges: request.inspect.privileges, events: request.inspect.events },
      ...replayDatabase(request),
      ...(request.signal ? { signal: request.signal } : {}),
    }),
  // The database name and defaults change what a replay reads back, so they are part of the identity.
  async replayIdentity(request) {
    const { mysqlReplayEngineIdentity } = await import('./replay.ts');
    const identity = await mysqlReplayEngineIdentity({ devUrl: request.devUrl, target: request.target });
    const { schemaName, defaults } = replayDatabase(request);
    return `${identity}; as database ${schemaName ?? '?'} (${defaults?.charset ?? '-'}/${defaults?.collation ?? '-'})`;
  },
  openScratch: async (request) => (await import('./scratch-server.ts')).openMysqlScratchServer(request),
  devServerRisks: async (request) => (await import('./dev-privileges.ts')).mysqlDevServerRisks(request),
  versionWarnings(replay, live) {
    const { source } = replay;
    const flavorDiffers = live.flavor !== undefined && live.flavor !== source.flavor;
    const majorDiffers = live.serverMajor !== undefined && live.serverMajor !== source.serverMajor;
    if (!flavorDiffers && !majorDiffers) return [];
    const runs = `${live.flavor ?? source.flavor ?? 'mysql'} ${live.serverVersion ?? live.serverMajor ?? '?'}`;
    return [
      `migrations were replayed on ${source.flavor ?? 'mysql'} ${source.serverVersion ?? '?'} but the target runs ${runs}: ` +
        'types, defaults and view definitions are normalised differently; set desired.devUrl (--dev-url) to a server of the same flavour and major version to rule that out',
    ];
  },
};
