/**
 * The MySQL/MariaDB {@link LiveSession}: one consistent-snapshot, read-only transaction (`connect.ts`) on the database
 * the URL names, which the snapshot reports as its one schema.
 */
import { ConfigError } from '../../core/errors.ts';
import type { SchemaSnapshot } from '../../core/model/schema.ts';
import { FULL_QUERY_EVERY_MS, gateQuietMs, type FingerprintGatePolicy, type LiveSession, type SchemaFingerprint } from '../dialect.ts';
import {
  DDL_COUNTERS_SQL,
  ddlGate,
  FINGERPRINT_PARAMS,
  FINGERPRINT_SQL,
  gateLets,
  gateUnchanged,
  SERVER_IDENTITY_SQL,
  serverIdentity,
} from './fingerprint.ts';
import { type MysqlQueryable, type MysqlSession, toMysqlError } from './connect.ts';
import { inspectMysql } from './inspect.ts';
import { canReadEvents, eventsNotReadable } from './inspect-routines.ts';
import { readMysqlRevision } from './revision.ts';

/** The gate's policy when the caller gives none: a one-minute watch's (`gateQuietMs`), the query every 10 minutes. */
const DEFAULT_GATE_POLICY: FingerprintGatePolicy = { quietMs: gateQuietMs(60_000), fullQueryEveryMs: FULL_QUERY_EVERY_MS };

/**
 * A live session on the URL's database.
 * @throws ConfigError (after closing the connection) when the URL names no database.
 */
export async function mysqlLiveSession(session: MysqlSession, options: { target?: string } = {}): Promise<LiveSession> {
  const { target } = options;
  const database = session.database;
  if (!database) {
    await session.close().catch(() => {});
    throw new ConfigError('mysql: the URL must name its database (mysql://user@host:3306/<database>)', { target });
  }
  return {
    serverVersion: session.serverVersion,
    serverMajor: session.major,
    flavor: session.flavor,
    inspect: (request) =>
      inspectMysql(session.db, {
        database,
        schemaName: onlySchemaName(request.counterpart),
        privileges: request.privileges,
        events: request.events,
        target: request.target ?? target,
        source: { description: request.description },
      }),
    readRevision: () => readMysqlRevision(session.db, database, { target }),
    probe: async (request) => {
      const warnings = await probeCatalogs(session.db, database, target);
      const ctx = { db: session.db, database, target };
      if (request.events && !(await canReadEvents(ctx))) warnings.push(eventsNotReadable(database));
      return warnings;
    },
    fingerprint: (request) =>
      readFingerprint(session.db, database, target, request.previous ?? null, request.gate ?? DEFAULT_GATE_POLICY),
    close: () => session.close(),
  };
}

/**
 * The name a MySQL snapshot's one schema takes: the other side's, so two databases of different names (`app` live,
 * `app_staging`, a replay's temporary database) diff as one schema rather than one extra and one missing.
 */
export function onlySchemaName(counterpart: { schemas: readonly { name: string }[] } | undefined): string | undefined {
  return counterpart?.schemas.length === 1 ? counterpart.schemas[0]?.name : undefined;
}

/**
 * The default character set and collation of a MySQL snapshot's one database (`Schema.attrs`), to create a replay's
 * temporary database like the live one; `undefined` when the snapshot does not say.
 */
export function databaseDefaults(snapshot: Pick<SchemaSnapshot, 'schemas'>): { charset?: string; collation?: string } | undefined {
  const attrs = snapshot.schemas[0]?.attrs;
  const charset = typeof attrs?.charset === 'string' ? attrs.charset : undefined;
  const collation = typeof attrs?.collation === 'string' ? attrs.collation : undefined;
  if (!charset && !collation) return undefined;
  return { ...(charset ? { charset } : {}), ...(collation ? { collation } : {}) };
}

async function probeCatalogs(db: MysqlQueryable, database: string, target: string | undefined): Promise<string[]> {
  try {
    const { rows } = await db.query<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
      [database],
    );
    // information_schema shows only what the account may see: an empty list usually means missing privileges.
    return Number(rows[0]?.n ?? 0) === 0 ? [`no tables visible in database ${database} (empty, or no privileges on it)`] : [];
  } catch (err) {
    throw toMysqlError(err, { target, action: 'reading information_schema' });
  }
}

/**
 * The database's fingerprint (`fingerprint.ts`); the database is the whole schema, so configured schemas do not apply.
 * First the server's DDL counters and identity: when they are where `previous` left them, on the same server, and
 * have been still for `policy.quietMs`, the previous fingerprint stands without the `information_schema` query.
 * Counters that cannot be read only cost the query (the error's message is returned as `gateError`).
 */
async function readFingerprint(
  db: MysqlQueryable,
  database: string,
  target: string | undefined,
  previous: SchemaFingerprint | null,
  policy: FingerprintGatePolicy | false,
): Promise<SchemaFingerprint> {
  let gate: string | undefined;
  let gateError: string | undefined;
  if (policy !== false) {
    try {
      const { rows: server } = await db.query<{ Variable_name: string; Value: string }>(SERVER_IDENTITY_SQL);
      const { rows } = await db.query<{ Variable_name: string; Value: string }>(DDL_COUNTERS_SQL);
      gate = ddlGate(rows, serverIdentity(server));
      if (gate === undefined) gateError = 'the server reported no Com_alter_table, Uptime or server identity';
    } catch (err) {
      gate = undefined; // e.g. a proxy that refuses SHOW: the full query decides alone
      gateError = err instanceof Error ? err.message : String(err);
    }
  }
  const now = Date.now();
  const before = previous?.gate;
  if (before && policy !== false && gateLets(before, gate, now, policy)) {
    return { ...previous, gate: before, queried: false };
  }
  try {
    const params = Array.from({ length: FINGERPRINT_PARAMS }, () => database);
    const { rows } = await db.query<{ fingerprint: string; classes: number | string }>(FINGERPRINT_SQL, params);
    const row = rows[0];
    if (!row) throw new Error('the fingerprint query returned no row');
    const movedAt = before && gateUnchanged(before.value, gate) ? before.movedAt : now;
    return {
      value: String(row.fingerprint),
      classes: Number(row.classes),
      ...(gate !== undefined ? { gate: { value: gate, movedAt, queriedAt: now } } : {}),
      queried: true,
      ...(gateError !== undefined ? { gateError } : {}),
    };
  } catch (err) {
    throw toMysqlError(err, { target, action: 'reading the schema fingerprint' });
  }
}
