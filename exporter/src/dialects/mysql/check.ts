/**
 * The MySQL/MariaDB side of a check (`run-check.ts` holds the shared steps): the live database read in one read-only
 * consistent-snapshot session, and the migration directory replayed on the target's dev server
 * (`desired.devUrl`, which the configuration requires for MySQL targets: there is no embedded MySQL).
 *
 * The replay is reported under the live database's name and created with its default character set and
 * collation, so those are part of the desired-cache key (in its engine text) next to the dev server's version.
 */
import type { TargetConfig } from '../../config/types.ts';
import type { DesiredCache } from '../../engine/desired-cache.ts';
import { ConfigError } from '../../core/errors.ts';
import type { MigrationDirectory } from '../../migrations/index.ts';
import { openMysqlSession } from './connect.ts';
import { inspectMysql } from './inspect.ts';
import { databaseDefaults, mysqlReplayEngineIdentity, replayMysql } from './replay.ts';
import { readMysqlRevision } from './revision.ts';
import type { DesiredSchema, LiveSide, TargetDialect } from '../../agent/run-check.ts';

/** Reads the live database: catalogs, then the revision table, in one session that is always closed. */
async function readMysqlLive(target: TargetConfig, signal: AbortSignal | undefined): Promise<LiveSide> {
  const session = await openMysqlSession(target.url, {
    target: target.name,
    passwordFile: target.passwordFile,
    connectTimeoutMs: target.connectTimeoutMs,
    statementTimeoutMs: target.statementTimeoutMs,
  });
  try {
    if (!session.database) {
      throw new ConfigError('url: a MySQL/MariaDB target must name its database (mysql://user@host:3306/<database>)', {
        target: target.name,
      });
    }
    signal?.throwIfAborted();
    const snapshot = await inspectMysql(session.db, {
      database: session.database,
      privileges: target.privileges,
      events: target.events ?? false,
      target: target.name,
      source: { description: target.displayUrl },
    });
    signal?.throwIfAborted();
    const revision = await readMysqlRevision(session.db, session.database, { target: target.name });
    return { snapshot, revision, serverVersion: session.serverVersion, serverMajor: session.major };
  } finally {
    await session.close().catch(() => {});
  }
}

async function desiredMysqlSchema(
  target: TargetConfig,
  directory: MigrationDirectory,
  upToVersion: string | null | undefined,
  live: LiveSide,
  cache: DesiredCache<DesiredSchema>,
): Promise<{ value: DesiredSchema; cached: boolean }> {
  const { devUrl } = target.desired;
  const schemaName = live.snapshot.schemas[0]?.name;
  const defaults = databaseDefaults(live.snapshot);
  const identity = await mysqlReplayEngineIdentity({ devUrl, target: target.name });
  const engine = `${identity}; as database ${schemaName ?? '?'} (${defaults?.charset ?? '-'}/${defaults?.collation ?? '-'})`;
  let replayed = false;
  const key = { directoryHash: directory.hash, upToVersion, engine, inspect: { privileges: target.privileges, events: target.events ?? false } };
  const value = await cache.getOrReplay(key, async () => {
    replayed = true;
    const result = await replayMysql(directory, {
      devUrl,
      target: target.name,
      upToVersion,
      schemaName,
      defaults,
      inspect: { privileges: target.privileges, events: target.events ?? false },
    });
    return { snapshot: result.snapshot, engine: result.engine, serverVersion: result.serverVersion };
  });
  return { value, cached: !replayed };
}

/** Flavour and major version of the dev server against the target's (MySQL 8 and MariaDB normalise differently). */
function mysqlVersionWarnings(desired: DesiredSchema, live: LiveSide): string[] {
  const replay = desired.snapshot.source;
  const target = live.snapshot.source;
  if (replay.flavor === target.flavor && replay.serverMajor === live.serverMajor) return [];
  return [
    `migrations were replayed on ${replay.flavor ?? 'mysql'} ${desired.serverVersion} but the target runs ${target.flavor ?? 'mysql'} ` +
      `${live.serverVersion}: types, defaults and view definitions are normalised differently; set desired.devUrl to a server of the same flavour and major version to rule that out`,
  ];
}

/** The MySQL/MariaDB {@link TargetDialect} of `runCheck`. */
export const mysqlTargetDialect: TargetDialect = {
  readLive: (target, deps) => readMysqlLive(target, deps.signal),
  desired: desiredMysqlSchema,
  versionWarnings: mysqlVersionWarnings,
};
