/**
 * Stored functions and procedures (`ROUTINES` + `PARAMETERS`, two queries) and, as an opt-in, events (`EVENTS`, one
 * query).
 *
 * MySQL has no overloading: a routine is identified by kind and name, so `identityArgs` is always empty. (A function
 * and a procedure may share a name; the model keys routines by name and arguments, so such a pair would collide.)
 */
import type { MysqlEvent, Routine } from '../../core/model/schema.ts';
import { attrsOf, catalogQuery, type InspectContext, nonEmpty, pushTo } from './inspect-common.ts';
import { toMysqlError } from './connect.ts';
import { quoteIdent, quoteLiteral } from './quote.ts';

interface RawRoutine {
  name: string;
  type: string;
  return_type: string | null;
  body: string | null;
  is_deterministic: string;
  data_access: string;
  security_type: string;
  sql_mode: string | null;
  comment: string | null;
  definer: string | null;
}

interface RawParameter {
  routine: string;
  type: string;
  mode: string | null;
  name: string | null;
  dtd: string;
}

/**
 * Functions and procedures of the database. `volatility` is `deterministic` or `not deterministic`; `attrs` hold
 * `dataAccess` (`CONTAINS SQL`, `NO SQL`, `READS SQL DATA`, `MODIFIES SQL DATA`), `sqlMode` (informational) and, with
 * privileges, `definer`. A body the connected user may not see (MySQL shows it only to its definer or with
 * `SHOW_ROUTINE`) is `''` with `attrs.bodyHidden`.
 */
export async function inspectRoutines(ctx: InspectContext): Promise<Routine[]> {
  const routines = await catalogQuery<RawRoutine>(
    ctx,
    'routines',
    `SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS type, DTD_IDENTIFIER AS return_type, ROUTINE_DEFINITION AS body,
       IS_DETERMINISTIC AS is_deterministic, SQL_DATA_ACCESS AS data_access, SECURITY_TYPE AS security_type,
       SQL_MODE AS sql_mode, ROUTINE_COMMENT AS comment, DEFINER AS definer
     FROM information_schema.ROUTINES
     WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE IN ('FUNCTION', 'PROCEDURE')`,
  );
  const params = await catalogQuery<RawParameter>(
    ctx,
    'routine parameters',
    `SELECT SPECIFIC_NAME AS routine, ROUTINE_TYPE AS type, PARAMETER_MODE AS mode, PARAMETER_NAME AS name,
       DTD_IDENTIFIER AS dtd
     FROM information_schema.PARAMETERS
     WHERE SPECIFIC_SCHEMA = ? AND ORDINAL_POSITION > 0
     ORDER BY SPECIFIC_NAME, ROUTINE_TYPE, ORDINAL_POSITION`,
  );
  const byRoutine = new Map<string, RawParameter[]>();
  for (const p of params) pushTo(byRoutine, `${p.type}\u0000${p.routine}`, p);
  return routines.map((r) => toRoutine(ctx, r, byRoutine.get(`${r.type}\u0000${r.name}`) ?? []));
}

function toRoutine(ctx: InspectContext, row: RawRoutine, params: RawParameter[]): Routine {
  const kind = row.type === 'FUNCTION' ? 'function' : 'procedure';
  const args = params
    .map((p) => `${kind === 'procedure' && p.mode ? `${p.mode} ` : ''}${quoteIdent(p.name ?? '')} ${p.dtd}`)
    .join(', ');
  const returns = kind === 'function' ? row.return_type : null;
  const body = row.body ?? '';
  const deterministic = row.is_deterministic === 'YES';
  const characteristics = [
    deterministic ? 'DETERMINISTIC' : 'NOT DETERMINISTIC',
    row.data_access,
    `SQL SECURITY ${row.security_type}`,
    ...(nonEmpty(row.comment) ? [`COMMENT ${quoteLiteral(row.comment ?? '')}`] : []),
  ];
  return {
    schema: ctx.schemaName,
    name: row.name,
    kind,
    identityArgs: '',
    args,
    returns,
    language: 'SQL',
    body,
    volatility: deterministic ? 'deterministic' : 'not deterministic',
    strict: false,
    securityDefiner: row.security_type === 'DEFINER',
    config: [],
    definition:
      `CREATE ${kind.toUpperCase()} ${quoteIdent(row.name)}(${args})${returns ? ` RETURNS ${returns}` : ''}\n` +
      `  ${characteristics.join('\n  ')}\n${body}`,
    comment: nonEmpty(row.comment),
    ...(ctx.privileges && row.definer ? { owner: row.definer } : {}),
    attrs: attrsOf({
      dataAccess: row.data_access,
      sqlMode: row.sql_mode ?? undefined,
      bodyHidden: row.body === null ? true : undefined,
    }),
  };
}

interface RawEvent {
  name: string;
  body: string;
  type: string;
  execute_at: string | null;
  interval_value: string | null;
  interval_field: string | null;
  starts: string | null;
  ends: string | null;
  status: string;
  on_completion: string;
  comment: string | null;
  sql_mode: string | null;
  time_zone: string | null;
  definer: string | null;
  starts_at_creation: number | string | null;
}

/**
 * Events of the database (only with the `events` option). `definition` is the `CREATE EVENT` statement; `attrs`
 * hold the schedule (`executeAt` or `interval`/`starts`/`ends`), `status` (`ENABLED`, `DISABLED`,
 * `SLAVESIDE_DISABLED`, MySQL 8.4 `REPLICA_SIDE_DISABLED`), `onCompletion`, `timeZone`, `sqlMode` and, with
 * privileges, `definer`. Note that `STARTS` defaults to the creation time, so an event created without it differs
 * between two databases by that time: `attrs.startsDefault` marks a `STARTS` within a second of the event's creation
 * or last change (the server does not say whether it was written), compared in the event's own time zone, in which
 * the server shows `STARTS` (`CREATED` is shown in the session's). Times are read as text (`CAST(... AS CHAR)`), as
 * the server prints them, not as driver dates.
 */
/** Server errors that say the session may not see a database's events (no EVENT privilege on it). */
const EVENTS_DENIED = new Set([
  1044, // ER_DBACCESS_DENIED_ERROR
  1142, // ER_TABLEACCESS_DENIED_ERROR
  1227, // ER_SPECIFIC_ACCESS_DENIED_ERROR
]);

/**
 * True when the session may read the database's events. `information_schema.EVENTS` answers a user without the
 * EVENT privilege with no rows rather than an error, which would read as "every event is missing"; `SHOW EVENTS`
 * needs that privilege and says so (error 1044), so it is the probe (its rows are not used; with a `WHERE 0 = 1`
 * MariaDB 10.11 skips the privilege check, so there is none). The database name is backtick-quoted: SHOW takes no
 * bind parameter there.
 */
export async function canReadEvents(ctx: Pick<InspectContext, 'db' | 'database' | 'target'>): Promise<boolean> {
  try {
    await ctx.db.query(`SHOW EVENTS FROM ${quoteIdent(ctx.database)}`);
    return true;
  } catch (err) {
    const errno = (err as { errno?: unknown } | null)?.errno;
    if (typeof errno === 'number' && EVENTS_DENIED.has(errno)) return false;
    const on = ctx.target ? ` on target ${JSON.stringify(ctx.target)}` : '';
    throw toMysqlError(err, { target: ctx.target, action: `probing the events of database "${ctx.database}"${on}` });
  }
}

/** The warning of a session that may not read the database's events (see {@link canReadEvents}). */
export function eventsNotReadable(database: string): string {
  return (
    `events of database "${database}" not compared: the user lacks the EVENT privilege on it ` +
    '(grant it to compare them, or turn events off with events: false / --no-events)'
  );
}

export async function inspectEvents(ctx: InspectContext): Promise<MysqlEvent[]> {
  const rows = await catalogQuery<RawEvent>(
    ctx,
    'events',
    `SELECT EVENT_NAME AS name, EVENT_DEFINITION AS body, EVENT_TYPE AS type,
       CAST(EXECUTE_AT AS CHAR) AS execute_at, INTERVAL_VALUE AS interval_value, INTERVAL_FIELD AS interval_field,
       CAST(STARTS AS CHAR) AS starts, CAST(ENDS AS CHAR) AS ends,
       STATUS AS status, ON_COMPLETION AS on_completion, EVENT_COMMENT AS comment, SQL_MODE AS sql_mode,
       TIME_ZONE AS time_zone, DEFINER AS definer,
       (ABS(TIMESTAMPDIFF(SECOND, STARTS, CONVERT_TZ(CREATED, @@session.time_zone, TIME_ZONE))) <= 1
         OR ABS(TIMESTAMPDIFF(SECOND, STARTS, CONVERT_TZ(LAST_ALTERED, @@session.time_zone, TIME_ZONE))) <= 1)
         AS starts_at_creation
     FROM information_schema.EVENTS
     WHERE EVENT_SCHEMA = ?`,
  );
  return rows.map((row) => toEvent(ctx, row));
}

/**
 * The `CREATE EVENT` clause for an `EVENTS.STATUS`: MySQL 8.4 says `REPLICA_SIDE_DISABLED` (written `DISABLE ON
 * REPLICA`, MySQL 8.0.22+), MySQL 8.0 and MariaDB `SLAVESIDE_DISABLED` (`DISABLE ON SLAVE`, the only spelling MariaDB
 * knows).
 */
export function eventStatusClause(status: string): string {
  if (status === 'ENABLED') return 'ENABLE';
  if (status === 'DISABLED') return 'DISABLE';
  return status === 'REPLICA_SIDE_DISABLED' ? 'DISABLE ON REPLICA' : 'DISABLE ON SLAVE';
}

function toEvent(ctx: InspectContext, row: RawEvent): MysqlEvent {
  const interval = row.interval_value !== null ? `${row.interval_value} ${row.interval_field ?? ''}`.trim() : undefined;
  const schedule =
    row.type === 'ONE TIME'
      ? `AT ${quoteLiteral(row.execute_at ?? '')}`
      : `EVERY ${interval ?? ''}${row.starts ? ` STARTS ${quoteLiteral(row.starts)}` : ''}${row.ends ? ` ENDS ${quoteLiteral(row.ends)}` : ''}`;
  const status = eventStatusClause(row.status);
  const comment = nonEmpty(row.comment);
  return {
    schema: ctx.schemaName,
    name: row.name,
    definition:
      `CREATE EVENT ${quoteIdent(row.name)} ON SCHEDULE ${schedule} ON COMPLETION ${row.on_completion} ${status}` +
      `${comment ? ` COMMENT ${quoteLiteral(comment)}` : ''} DO ${row.body}`,
    comment,
    attrs: attrsOf({
      body: row.body,
      executeAt: row.execute_at ?? undefined,
      interval,
      starts: row.starts ?? undefined,
      startsDefault: Number(row.starts_at_creation ?? 0) === 1 ? true : undefined,
      ends: row.ends ?? undefined,
      status: row.status,
      onCompletion: row.on_completion,
      timeZone: row.time_zone ?? undefined,
      sqlMode: row.sql_mode ?? undefined,
      definer: ctx.privileges ? (row.definer ?? undefined) : undefined,
    }),
  };
}
