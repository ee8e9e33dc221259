/**
 * The PostgreSQL {@link LiveSession}: one read-only `REPEATABLE READ` transaction (`connect.ts`) that inspects the
 * catalogs, reads the migration tool's revision table and probes what a check needs, over a network connection or
 * an embedded PGlite alike.
 */
import type { LiveSession, SchemaFingerprint } from '../dialect.ts';
import { FINGERPRINT_SQL } from './fingerprint.ts';
import { toPostgresError, type PostgresSession } from './connect.ts';
import { inspectPostgres } from './inspect.ts';
import type { Queryable } from './queryable.ts';
import { readPostgresRevision } from './revision.ts';

/** Schemas a check reads: the configured ones, or every user schema. */
const SCHEMAS_SQL = `
SELECT n.nspname::text AS name, pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS usage
FROM pg_catalog.pg_namespace n
WHERE CASE WHEN $1::text[] IS NULL
  THEN n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname !~ '^pg_(toast_)?temp_'
  ELSE n.nspname = ANY ($1::text[]) END
ORDER BY 1`;

/** A live session over an open read-only transaction; `flavor` is `pglite` for an embedded database. */
export function postgresLiveSession(session: PostgresSession, options: { target?: string; flavor?: string } = {}): LiveSession {
  const { target } = options;
  return {
    serverVersion: session.serverVersion,
    serverMajor: Math.floor(session.serverVersionNum / 10_000),
    flavor: options.flavor ?? 'postgresql',
    inspect: (request) =>
      inspectPostgres(session.db, {
        schemas: request.schemas ? [...request.schemas] : undefined,
        privileges: request.privileges,
        target: request.target ?? target,
        source: { description: request.description },
      }),
    readRevision: (options) => readPostgresRevision(session.db, { target, ...(options?.preferSchema !== undefined ? { preferSchema: options.preferSchema } : {}) }),
    probe: (request) => probeCatalogs(session.db, request.schemas, target),
    fingerprint: (request) => readFingerprint(session.db, request.schemas, target),
    close: () => session.close(),
  };
}

/** Reads a catalog the way the inspector does, and lists schemas a check would not see or could not use. */
async function probeCatalogs(db: Queryable, schemas: readonly string[] | undefined, target: string | undefined): Promise<string[]> {
  try {
    await db.query('SELECT count(*)::int4 AS n FROM pg_catalog.pg_class');
    const { rows } = await db.query<{ name: string; usage: boolean }>(SCHEMAS_SQL, [schemas ? [...schemas] : null]);
    const warnings: string[] = [];
    const found = new Set(rows.map((r) => r.name));
    const missing = (schemas ?? []).filter((s) => !found.has(s));
    if (missing.length) warnings.push(`schema not found: ${missing.join(', ')} (a check reports it as missing)`);
    const denied = rows.filter((r) => !r.usage).map((r) => r.name);
    if (denied.length) warnings.push(`no USAGE privilege on schema ${denied.join(', ')}`);
    return warnings;
  } catch (err) {
    throw toPostgresError(err, { target, action: 'reading the catalogs' });
  }
}

async function readFingerprint(db: Queryable, schemas: readonly string[] | undefined, target: string | undefined): Promise<SchemaFingerprint> {
  try {
    const { rows } = await db.query<{ fingerprint: string; classes: string | number }>(FINGERPRINT_SQL, [schemas ? [...schemas] : null]);
    const row = rows[0];
    if (!row) throw new Error('the fingerprint query returned no row');
    return { value: row.fingerprint, classes: Number(row.classes) };
  } catch (err) {
    throw toPostgresError(err, { target, action: 'reading the schema fingerprint' });
  }
}
