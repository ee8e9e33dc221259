/**
 * Discovery on PostgreSQL (`targets[].discover`): the databases of a server (`pg_database`) or the schemas of one
 * database (`pg_namespace`) whose names match a LIKE pattern, or the first column of the user's own query. Runs in the
 * same read-only session as an inspection, and the query goes through the extended protocol, which accepts a single
 * statement: it cannot end the read-only transaction (`SELECT 1; COMMIT; DELETE …` is refused), so it cannot write.
 */
import type { DiscoverRequest } from '../dialect.ts';
import { firstColumn } from '../discover-rows.ts';
import { openPostgresSession } from './connect.ts';

/** Databases a check can connect to: templates and those refusing connections are never tenants. */
const DATABASES = `SELECT datname AS name FROM pg_catalog.pg_database
  WHERE datallowconn AND NOT datistemplate AND datname LIKE $1 ORDER BY 1`;

/** User schemas: the catalogs, TOAST and temporary schemas are never tenants. */
const SCHEMAS = `SELECT nspname AS name FROM pg_catalog.pg_namespace
  WHERE nspname LIKE $1 AND nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1`;

/** The names `request` asks for, sorted and without duplicates. */
export async function discoverPostgres(request: DiscoverRequest): Promise<string[]> {
  const session = await openPostgresSession(request.url, {
    target: request.target,
    passwordFile: request.passwordFile,
    connectTimeoutMs: request.connectTimeoutMs,
    statementTimeoutMs: request.statementTimeoutMs,
    ...(request.signal ? { signal: request.signal } : {}),
    applicationName: 'schema-drift discovery',
  });
  try {
    const result = request.query !== undefined
      ? await session.singleStatement<Record<string, unknown>>(request.query)
      : await session.db.query<Record<string, unknown>>(request.kind === 'databases' ? DATABASES : SCHEMAS, [request.pattern ?? '%']);
    return firstColumn(result.rows);
  } finally {
    await session.close();
  }
}
