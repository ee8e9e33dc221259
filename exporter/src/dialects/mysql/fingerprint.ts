/**
 * The MySQL/MariaDB schema fingerprint the watch reads (`agent/watch.ts`), in two steps: the server's DDL statement
 * counters, cheap, then, only when they moved, one read-only `information_schema` query over the target database that
 * changes with every DDL statement on it and with nothing else.
 *
 * Step one, the gate: `SHOW GLOBAL STATUS` for the `Com_create_*`, `Com_alter_*`, `Com_drop_*` and `Com_rename_*`
 * counters (every CREATE/ALTER/DROP/RENAME of a table, index, view, routine, trigger, event, sequence, database;
 * prepared and stored-program statements included, and the counts of sessions still open, measured on MariaDB 10.11),
 * leaving out temporary tables, users and roles; `ANALYZE`, `OPTIMIZE`, `TRUNCATE` and writes have counters of their
 * own and do not move it. With the server's start and its last `FLUSH STATUS` (from `Uptime` and
 * `Uptime_since_flush_status`), so a restart or a reset counts as moved. The counters are server-wide: DDL in another
 * database (our own replays on a shared dev server included) moves them, and the query then finds nothing changed.
 * A counter moves when a statement starts, not when it ends: an `ALTER TABLE` waiting for its metadata lock behind a
 * long transaction, or running longer than one `watch` interval, has moved the counters before its change is visible,
 * and they then stay still. So after any movement the full query keeps running for {@link gateQuietMs} (at least
 * twice the `watch` interval and at least 60 s) of still counters before the gate may skip it, and the query runs at
 * least every {@link FULL_QUERY_EVERY_MS} (10 minutes) regardless: a DDL that waits or runs longer than the quiet time
 * is seen within that time (or by the next scheduled check).
 * The counters are those of the server that answers: each reading carries the server's identity (`server_uuid`;
 * MariaDB has none, so `server_id` and `hostname`), and a reading from another server (an Aurora reader, a proxy
 * sending the session elsewhere) is "unknown", as is a reading without `Com_alter_table` or `Uptime`: the full query
 * runs. `watchCounters: false` (per target) turns the gate off where the server answering `SHOW` may not be the one
 * that ran the DDL.
 * Not counted, so seen only by the forced query (or the next scheduled check): an event dropping itself after its last
 * run (`ON COMPLETION NOT PRESERVE`), and `GRANT`/`REVOKE` (privileges, when a target compares them).
 *
 * Step two: MySQL and MariaDB keep no row versions a client can read, so the fingerprint is a count and a CRC32 sum, per `information_schema` view, of the columns a definition is made of, leaving out what
 * changes without DDL: `TABLE_ROWS`, `AVG_ROW_LENGTH`, `DATA_LENGTH`, `INDEX_LENGTH`, `DATA_FREE`, `AUTO_INCREMENT`,
 * `UPDATE_TIME`, `CHECK_TIME`, `CREATE_TIME` (`OPTIMIZE TABLE` rebuilds), `CARDINALITY` (`ANALYZE TABLE`), and an
 * event's `LAST_EXECUTED`. `CHECK_CONSTRAINTS` needs MariaDB 10.2 or MySQL 8.0.16.
 *
 * Not seen: MariaDB's `ALTER SEQUENCE` (a sequence's options live in the sequence itself, and MariaDB 10.11 has no
 * `information_schema.SEQUENCES`; reading each sequence is what the inspector does, not a cheap query). The next
 * scheduled check finds it.
 *
 * Each view is filtered on the column the server can look up without opening every database's tables (MariaDB:
 * `TABLE_SCHEMA` of `TABLE_CONSTRAINTS` and `KEY_COLUMN_USAGE` rather than their `CONSTRAINT_SCHEMA`, which made the
 * query 40 times slower on a server with a few thousand tables elsewhere).
 */

import type { FingerprintGate, FingerprintGatePolicy } from '../dialect.ts';

/** `?` × {@link FINGERPRINT_PARAMS}: the database, once per view. One row: `fingerprint` (md5 of the parts) and `classes` (tables and views). */
export const FINGERPRINT_SQL = `
SELECT MD5(CONCAT_WS(',',
  (SELECT CONCAT('tables=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, TABLE_TYPE, ENGINE, ROW_FORMAT,
     TABLE_COLLATION, CREATE_OPTIONS, TABLE_COMMENT))), 0)) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?),
  (SELECT CONCAT('columns=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION,
     COLUMN_DEFAULT, IS_NULLABLE, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, EXTRA, COLUMN_COMMENT,
     GENERATION_EXPRESSION))), 0)) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?),
  (SELECT CONCAT('statistics=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX,
     COLUMN_NAME, NON_UNIQUE, SUB_PART, INDEX_TYPE, INDEX_COMMENT))), 0)) FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = ?),
  (SELECT CONCAT('partitions=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, PARTITION_NAME,
     SUBPARTITION_NAME, PARTITION_ORDINAL_POSITION, PARTITION_METHOD, SUBPARTITION_METHOD, PARTITION_EXPRESSION,
     SUBPARTITION_EXPRESSION, PARTITION_DESCRIPTION, PARTITION_COMMENT))), 0)) FROM information_schema.PARTITIONS
     WHERE TABLE_SCHEMA = ?),
  (SELECT CONCAT('constraints=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, CONSTRAINT_NAME,
     CONSTRAINT_TYPE))), 0)) FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = ?),
  (SELECT CONCAT('keys=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME,
     ORDINAL_POSITION, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME))), 0))
     FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ?),
  (SELECT CONCAT('references=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, CONSTRAINT_NAME,
     UNIQUE_CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE))), 0)) FROM information_schema.REFERENTIAL_CONSTRAINTS
     WHERE CONSTRAINT_SCHEMA = ?),
  (SELECT CONCAT('checks=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', CONSTRAINT_NAME, CHECK_CLAUSE))), 0))
     FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?),
  (SELECT CONCAT('views=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION,
     SECURITY_TYPE, DEFINER))), 0)) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?),
  (SELECT CONCAT('routines=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', ROUTINE_NAME, ROUTINE_TYPE, CREATED,
     LAST_ALTERED, ROUTINE_DEFINITION, SECURITY_TYPE, SQL_MODE, DEFINER))), 0)) FROM information_schema.ROUTINES
     WHERE ROUTINE_SCHEMA = ?),
  (SELECT CONCAT('triggers=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TRIGGER_NAME, EVENT_MANIPULATION,
     EVENT_OBJECT_TABLE, ACTION_TIMING, ACTION_ORDER, ACTION_STATEMENT, CREATED))), 0)) FROM information_schema.TRIGGERS
     WHERE TRIGGER_SCHEMA = ?),
  (SELECT CONCAT('events=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', EVENT_NAME, EVENT_DEFINITION, EVENT_TYPE,
     EXECUTE_AT, INTERVAL_VALUE, INTERVAL_FIELD, STARTS, ENDS, STATUS, ON_COMPLETION, LAST_ALTERED))), 0))
     FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?)
)) AS fingerprint,
(SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?) AS classes`;

/** How many times {@link FINGERPRINT_SQL} takes the database name. */
export const FINGERPRINT_PARAMS = 13;

/**
 * The gate's counters (step one). `SHOW GLOBAL STATUS` needs no privilege, and works on MySQL 8, whose
 * `information_schema.GLOBAL_STATUS` is gone. `_` is escaped: it would match any character.
 */
export const DDL_COUNTERS_SQL = String.raw`SHOW GLOBAL STATUS WHERE Variable_name LIKE 'Com\_create\_%'
  OR Variable_name LIKE 'Com\_alter\_%' OR Variable_name LIKE 'Com\_drop\_%' OR Variable_name LIKE 'Com\_rename\_%'
  OR Variable_name IN ('Uptime', 'Uptime_since_flush_status')`;

/** Counters the gate leaves out: they change no database's schema objects. */
const NOT_SCHEMA = /^com_(create|alter|drop|rename)_(temporary_table|user|role)$/i;

/**
 * The server's identity (`SERVER_IDENTITY_SQL`'s rows): MySQL's `server_uuid`, else (MariaDB, which has none)
 * `server_id` and `hostname`; `undefined` when neither is there.
 */
export const SERVER_IDENTITY_SQL = "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('server_uuid', 'server_id', 'hostname')";

export function serverIdentity(rows: readonly { Variable_name: string; Value: string }[]): string | undefined {
  const value = (name: string) => rows.find((row) => row.Variable_name.toLowerCase() === name)?.Value || undefined;
  const uuid = value('server_uuid');
  if (uuid) return `uuid:${uuid}`;
  const id = value('server_id');
  const host = value('hostname');
  return id !== undefined && host !== undefined ? `id:${id}:${host}` : undefined;
}

/**
 * The gate of `rows` (`DDL_COUNTERS_SQL`'s) on the server `server` ({@link serverIdentity}):
 * `<sum of DDL counters>@<start>/<flush>#<server>`, the two times as Unix seconds derived from the uptimes. Their
 * second may differ by one between reads, so {@link gateUnchanged} compares them with a tolerance. `undefined`
 * (unknown: the full query runs) without `Com_alter_table` or `Uptime` among the rows, or without the server.
 */
export function ddlGate(
  rows: readonly { Variable_name: string; Value: string }[],
  server: string | undefined,
  nowSeconds = Date.now() / 1000,
): string | undefined {
  let ddl = 0n;
  let uptime: number | null = null;
  let sinceFlush: number | null = null;
  let alterTable = false;
  for (const row of rows) {
    const name = row.Variable_name.toLowerCase();
    if (name === 'uptime') uptime = Number(row.Value);
    else if (name === 'uptime_since_flush_status') sinceFlush = Number(row.Value);
    else if (!NOT_SCHEMA.test(name) && /^\d+$/.test(row.Value)) {
      ddl += BigInt(row.Value);
      if (name === 'com_alter_table') alterTable = true;
    }
  }
  if (!alterTable || uptime === null || !Number.isFinite(uptime) || server === undefined) return undefined;
  const started = String(Math.round(nowSeconds - uptime));
  const flushed = sinceFlush === null || !Number.isFinite(sinceFlush) ? started : String(Math.round(nowSeconds - sinceFlush));
  return `${ddl}@${started}/${flushed}#${server}`;
}

/** Seconds two readings of the server's start (or flush) time may differ by and still be the same start. */
const START_TOLERANCE_SECONDS = 3;

/**
 * Whether `next` is the same gate as `previous`: the same server, the same DDL count, the same start and flush
 * (within a few seconds).
 */
export function gateUnchanged(previous: string | undefined, next: string | undefined): boolean {
  if (previous === undefined || next === undefined) return false;
  const parse = (gate: string) => /^(\d+)@(\d+)\/(\d+)#(.+)$/s.exec(gate);
  const a = parse(previous);
  const b = parse(next);
  if (!a || !b) return false;
  const near = (x: string | undefined, y: string | undefined) => Math.abs(Number(x) - Number(y)) <= START_TOLERANCE_SECONDS;
  return a[1] === b[1] && a[4] === b[4] && near(a[2], b[2]) && near(a[3], b[3]);
}

/**
 * Whether the counters `next` let the previous fingerprint stand without the query (see the header): the same
 * counters on the same server, still for at least `policy.quietMs` since they last moved, and the last full query
 * less than `policy.fullQueryEveryMs` ago.
 */
export function gateLets(previous: FingerprintGate, next: string | undefined, nowMs: number, policy: FingerprintGatePolicy): boolean {
  return (
    gateUnchanged(previous.value, next) &&
    nowMs - previous.movedAt >= policy.quietMs &&
    nowMs - previous.queriedAt < policy.fullQueryEveryMs
  );
}
