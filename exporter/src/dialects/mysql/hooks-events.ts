/**
 * Event noise of the MySQL snapshot pre-pass ({@link normalizeEventPair}, called by `normalizeMysqlSnapshots`):
 * - `STARTS` the server filled in: an event created without `STARTS` starts at its creation time, so the replayed
 *   event and the live one differ there by when each was created. When the desired event's start was filled in
 *   (`attrs.startsDefault`, see `inspect-routines.ts`), the migrations ask for no start time and `starts` is compared
 *   on neither side;
 * - session echoes: `definer`, `sqlMode` and `timeZone` (the creating session's; the start time above is already
 *   compared in the event's own zone);
 * - the body without comments and with blanks collapsed, as for routines (the `mysql` client strips comments); the
 *   planner creates events from `definition`, which keeps them;
 * - MySQL 8.4's `REPLICA_SIDE_DISABLED` and the older `SLAVESIDE_DISABLED` are one status; the desired side takes
 *   the current side's spelling, which is the one the server the plan runs on understands.
 */
import type { Attrs, JsonValue, MysqlEvent } from '../../core/model/schema.ts';
import { normalizeRoutineBody } from './hooks-sql.ts';

const ECHO_KEYS = new Set(['definer', 'sqlMode', 'timeZone']);
const REPLICA_DISABLED = new Set(['SLAVESIDE_DISABLED', 'REPLICA_SIDE_DISABLED']);

function withoutKeys(attrs: Attrs, drop: (key: string) => boolean): Attrs {
  return Object.fromEntries(Object.entries(attrs).filter(([k]) => !drop(k)).map(([k, v]) => [k, v as JsonValue]));
}

/** One event with echoes dropped and its body normalised; `starts` dropped too when `ignoreStarts`. */
function normalizeEvent(event: MysqlEvent, ignoreStarts: boolean, startsDefault: boolean, status?: JsonValue): MysqlEvent {
  const attrs = withoutKeys(event.attrs, (k) => ECHO_KEYS.has(k) || k === 'startsDefault' || (ignoreStarts && k === 'starts'));
  const body = typeof attrs.body === 'string' ? normalizeRoutineBody(attrs.body) : attrs.body;
  return {
    ...event,
    attrs: {
      ...attrs,
      ...(body !== undefined ? { body } : {}),
      ...(status !== undefined ? { status } : {}),
      ...(startsDefault ? { startsDefault: true } : {}),
    },
  };
}

/**
 * Normalises the events of one schema on both sides (either side may be absent when events were not inspected
 * there). Pure: returns new lists. Each side keeps `attrs.startsDefault` of the desired event it is paired with, so
 * the planner knows to leave `STARTS` out and the flag itself is never reported.
 */
export function normalizeEventPair(
  desired: readonly MysqlEvent[] | undefined,
  current: readonly MysqlEvent[] | undefined,
): { desired: MysqlEvent[] | undefined; current: MysqlEvent[] | undefined } {
  const currentByName = new Map((current ?? []).map((e) => [e.name, e]));
  const desiredByName = new Map((desired ?? []).map((e) => [e.name, e]));
  const filledIn = (e: MysqlEvent | undefined) => e?.attrs.startsDefault === true;
  const d = desired?.map((e) => {
    const other = currentByName.get(e.name);
    const sameStatus = other && REPLICA_DISABLED.has(String(e.attrs.status)) && REPLICA_DISABLED.has(String(other.attrs.status));
    return normalizeEvent(e, filledIn(e), filledIn(e), sameStatus ? other.attrs.status : undefined);
  });
  const c = current?.map((e) => {
    const want = desiredByName.get(e.name);
    // Unpaired (extra) events keep their own flag: only the planner's DROP reads them.
    return normalizeEvent(e, filledIn(want), want ? filledIn(want) : filledIn(e));
  });
  return { desired: d, current: c };
}
