/**
 * SQL renderers for the schema-level MySQL/MariaDB objects: views, triggers, routines, events and MariaDB sequences.
 * Shared by the planner and the whole-schema DDL.
 */
import type { MysqlEvent, Routine, Sequence, Trigger, View } from '../../core/model/schema.ts';
import { quoteIdent } from './quote.ts';

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * `CREATE OR REPLACE [ALGORITHM=..] [SQL SECURITY ..] VIEW ... AS ... [WITH .. CHECK OPTION]`, without DEFINER (the
 * user applying the plan becomes the definer, as for every other object it creates).
 */
export function renderCreateView(view: View): string {
  const algorithm = text(view.attrs.algorithm);
  const security = text(view.attrs.securityType);
  const check = text(view.attrs.checkOption);
  return [
    'CREATE OR REPLACE',
    algorithm && algorithm !== 'UNDEFINED' ? ` ALGORITHM=${algorithm}` : '',
    security ? ` SQL SECURITY ${security}` : '',
    ` VIEW ${quoteIdent(view.name)} AS ${view.definition.trim().replace(/;$/, '')}`,
    check && check !== 'NONE' ? ` WITH ${check} CHECK OPTION` : '',
    ';',
  ].join('');
}

/** `DROP VIEW`. */
export function renderDropView(view: { name: string }): string {
  return `DROP VIEW ${quoteIdent(view.name)};`;
}

/**
 * `CREATE TRIGGER` from the inspected definition, with `FOLLOWS`/`PRECEDES` when the trigger must not go last in its
 * (timing, event) group. A definition that is not a plain CREATE TRIGGER is used as it is.
 */
export function renderCreateTrigger(trigger: Trigger, order: { follows?: string; precedes?: string } = {}): string {
  const sql = trigger.definition.trim().replace(/;$/, '');
  const clause = order.follows ? `FOLLOWS ${quoteIdent(order.follows)} ` : order.precedes ? `PRECEDES ${quoteIdent(order.precedes)} ` : '';
  if (!clause) return `${sql};`;
  const at = /\bFOR EACH ROW\s+/i.exec(sql);
  return at ? `${sql.slice(0, at.index + at[0].length)}${clause}${sql.slice(at.index + at[0].length)};` : `${sql};`;
}

/** `DROP TRIGGER`. */
export function renderDropTrigger(trigger: { name: string }): string {
  return `DROP TRIGGER ${quoteIdent(trigger.name)};`;
}

/** `CREATE FUNCTION`/`CREATE PROCEDURE` from the inspected definition (without DEFINER). */
export function renderCreateRoutine(routine: Routine): string {
  const sql = routine.definition.trim();
  return sql.endsWith(';') ? sql : `${sql};`;
}

/** `DROP FUNCTION`/`DROP PROCEDURE`. */
export function renderDropRoutine(routine: Routine): string {
  return `DROP ${routine.kind === 'function' ? 'FUNCTION' : 'PROCEDURE'} ${quoteIdent(routine.name)};`;
}

/** MariaDB `CREATE SEQUENCE` with every option spelled out. */
export function renderCreateSequence(seq: Sequence): string {
  return (
    `CREATE SEQUENCE ${quoteIdent(seq.name)} START WITH ${seq.start} INCREMENT BY ${seq.increment} ` +
    `MINVALUE ${seq.min} MAXVALUE ${seq.max} CACHE ${seq.cache} ${seq.cycle ? 'CYCLE' : 'NOCYCLE'};`
  );
}

/** MariaDB `ALTER SEQUENCE` to the desired options (the current value is kept). */
export function renderAlterSequence(seq: Sequence): string {
  return (
    `ALTER SEQUENCE ${quoteIdent(seq.name)} INCREMENT BY ${seq.increment} MINVALUE ${seq.min} MAXVALUE ${seq.max} ` +
    `START WITH ${seq.start} CACHE ${seq.cache} ${seq.cycle ? 'CYCLE' : 'NOCYCLE'};`
  );
}

/** `DROP SEQUENCE`. */
export function renderDropSequence(seq: { name: string }): string {
  return `DROP SEQUENCE ${quoteIdent(seq.name)};`;
}

/** The recurring schedule's `STARTS '...'` clause of an inspected event definition (its literal is a plain datetime). */
const STARTS_CLAUSE = /^(CREATE EVENT\s+(?:`(?:[^`]|``)*`|\S+)\s+ON SCHEDULE\s+EVERY\s.*?) STARTS '[^']*'/s;

/**
 * `CREATE EVENT` from the inspected definition (without DEFINER). A start time the server filled in at creation
 * (`attrs.startsDefault`) is left out, so the event starts when the plan runs, as it did when the migration ran.
 */
export function renderCreateEvent(event: MysqlEvent): string {
  let sql = event.definition.trim().replace(/;$/, '');
  if (event.attrs.startsDefault === true) sql = sql.replace(STARTS_CLAUSE, '$1');
  return `${sql};`;
}

/**
 * `ALTER EVENT` with every clause of the desired event (schedule, completion, status, comment, body). A removed
 * comment is written `COMMENT ''`: ALTER EVENT keeps every clause it is not given.
 */
export function renderAlterEvent(event: MysqlEvent): string {
  let sql = renderCreateEvent(event).replace(/^CREATE EVENT\b/, 'ALTER EVENT');
  if (event.comment === null) {
    // Without a comment, the first ` DO ` after ON COMPLETION ends the clauses (no literal can hold it there).
    const completion = sql.indexOf(' ON COMPLETION ');
    const body = completion < 0 ? -1 : sql.indexOf(' DO ', completion);
    if (body >= 0) sql = `${sql.slice(0, body)} COMMENT ''${sql.slice(body)}`;
  }
  return sql;
}

/** `DROP EVENT`. */
export function renderDropEvent(event: { name: string }): string {
  return `DROP EVENT ${quoteIdent(event.name)};`;
}
