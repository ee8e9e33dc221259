/**
 * How the bench reads a database: the engine's `readLive` with the registry's dialect, as the agent's check reads a
 * target (one read-only session: the catalogs, then a look for a migration tool's revision table, which the bench's
 * databases do not have). The in-process inspect steps and `inspect-child.ts` both read through here.
 */
import { redactUrl } from '../src/connection/url.ts';
import type { SchemaSnapshot } from '../src/core/model/schema.ts';
import type { Dialect } from '../src/dialects/dialect.ts';
import { dialectForUrl } from '../src/dialects/registry.ts';
import { readLive, type LiveSide } from '../src/engine/live.ts';

/** Shown in the server's session list while the bench reads. */
const APPLICATION_NAME = 'schema-drift-bench';

/**
 * Reads the database at `url`. `counterpart` is the snapshot it will be compared with, when read first: a MySQL
 * database is one schema, named after the counterpart's so two databases of different names diff as one schema.
 */
export function readBenchDatabase(dialect: Dialect, url: string, counterpart?: SchemaSnapshot): Promise<LiveSide> {
  const description = redactUrl(url);
  return readLive(dialect, {
    url,
    description,
    target: description,
    // No statement time limit: the check's default (60 s) is for production, not for 10,000 tables on a slow machine.
    statementTimeoutMs: 0,
    applicationName: APPLICATION_NAME,
    ...(counterpart ? { counterpart } : {}),
  });
}

/**
 * The registry's dialect for `url`.
 * @throws Error when no dialect accepts the URL's scheme.
 */
export function benchDialectForUrl(url: string): Dialect {
  const dialect = dialectForUrl(url);
  if (!dialect) throw new Error(`bench: no dialect for ${redactUrl(url)}`);
  return dialect;
}

/** Tables in every schema of `snapshot`. */
export function tableCount(snapshot: SchemaSnapshot): number {
  return snapshot.schemas.reduce((n, s) => n + s.tables.length, 0);
}
