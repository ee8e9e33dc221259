/**
 * Discovery on MySQL/MariaDB (`targets[].discover.databases`): the databases (`information_schema.SCHEMATA`) whose
 * names match a LIKE pattern, or the first column of the user's own query, in the read-only session an inspection
 * uses. There is no `schemas` discovery here: a MySQL schema is a database (`config/rules.ts` says so).
 */
import type { DiscoverRequest } from '../dialect.ts';
import { firstColumn } from '../discover-rows.ts';
import { openMysqlSession } from './connect.ts';

/** The server's own databases are never tenants. */
const DATABASES = `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA
  WHERE SCHEMA_NAME LIKE ? AND SCHEMA_NAME NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') ORDER BY 1`;

/** The names `request` asks for, sorted and without duplicates. */
export async function discoverMysql(request: DiscoverRequest): Promise<string[]> {
  const session = await openMysqlSession(request.url, {
    target: request.target,
    passwordFile: request.passwordFile,
    connectTimeoutMs: request.connectTimeoutMs,
    statementTimeoutMs: request.statementTimeoutMs,
    ...(request.signal ? { signal: request.signal } : {}),
  });
  try {
    const result = request.query !== undefined
      ? await session.db.query<Record<string, unknown>>(request.query)
      : await session.db.query<Record<string, unknown>>(DATABASES, [request.pattern ?? '%']);
    return firstColumn(result.rows);
  } finally {
    await session.close();
  }
}
