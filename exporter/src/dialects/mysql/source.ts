/**
 * MySQL/MariaDB diff sources: a `mysql://` or `mariadb://` database read in a read-only session, and a migration
 * directory replayed on a dev server (`--dev-url`; there is no embedded MySQL).
 *
 * A MySQL database is one schema named after the database. Two sides with different database names (`app` live,
 * `app_staging`, or the replay's temporary database) would diff as one extra and one missing schema, so the side read
 * second takes the first side's name ({@link Counterpart.schemaName}).
 */
import { ConfigError } from '../../core/errors.ts';
import type { MigrationDirectory, MigrationFile } from '../../migrations/index.ts';
import { openMysqlSession, redactMysqlUrl } from './connect.ts';
import { inspectMysql } from './inspect.ts';
import { replayMysql } from './replay.ts';
import { readMysqlRevision } from './revision.ts';
import type { Counterpart, LoadedSource, SourceOptions } from '../../cli/sources.ts';

/** Reads a live MySQL/MariaDB database and its migration tool's revision table. */
export async function loadMysqlDatabase(url: string, options: SourceOptions, counterpart?: Counterpart): Promise<LoadedSource> {
  const description = redactMysqlUrl(url);
  const session = await openMysqlSession(url, {
    target: description,
    passwordFile: options.passwordFile,
    statementTimeoutMs: options.statementTimeoutMs,
  });
  try {
    if (!session.database) {
      throw new ConfigError('a MySQL/MariaDB URL must name a database: mysql://user@host:3306/<database>', {
        target: description,
      });
    }
    const snapshot = await inspectMysql(session.db, {
      database: session.database,
      schemaName: counterpart?.schemaName,
      privileges: options.privileges,
      events: options.events,
      target: description,
      source: { description },
    });
    const revision = await readMysqlRevision(session.db, session.database, { target: description });
    return { kind: 'database', description, snapshot, revision, warnings: [] };
  } finally {
    await session.close();
  }
}

/**
 * Replays a migration directory on the dev server, up to `upToVersion`, named like the counterpart's database and
 * created with its default character set and collation.
 */
export async function replayMysqlDirectory(
  directory: MigrationDirectory,
  options: SourceOptions,
  counterpart: Counterpart | undefined,
  bound: { upToVersion: string | null | undefined; pending?: MigrationFile[]; warnings: string[] },
): Promise<LoadedSource> {
  const replay = await replayMysql(directory, {
    devUrl: options.devUrl,
    target: directory.dir,
    upToVersion: bound.upToVersion,
    inspect: { privileges: options.privileges, events: options.events },
    schemaName: counterpart?.schemaName,
    defaults: counterpart?.defaults,
    targetServerMajor: counterpart?.serverMajor,
    targetFlavor: counterpart?.flavor === 'mysql' || counterpart?.flavor === 'mariadb' ? counterpart.flavor : undefined,
  });
  return {
    kind: 'directory',
    description: directory.dir,
    snapshot: replay.snapshot,
    pending: bound.pending ?? replay.pending,
    warnings: [...bound.warnings, ...replay.warnings],
  };
}
