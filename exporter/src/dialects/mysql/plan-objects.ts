/**
 * Planning of views (CREATE OR REPLACE in dependency order), routines (DROP + CREATE: MySQL 8 has no OR REPLACE for
 * functions and procedures), events (CREATE, DROP, ALTER) and MariaDB sequences.
 */
import type { EventChange, RoutineChange, SequenceChange, ViewChange } from '../../core/model/change.ts';
import type { View } from '../../core/model/schema.ts';
import { rankByDependencies } from '../../core/plan/dependency-rank.ts';
import {
  renderAlterEvent,
  renderAlterSequence,
  renderCreateEvent,
  renderDropEvent,
  renderCreateRoutine,
  renderCreateSequence,
  renderCreateView,
  renderDropRoutine,
  renderDropSequence,
  renderDropView,
} from './ddl-objects.ts';
import { SLOT, type MysqlPlanContext } from './plan-context.ts';

/** Topological rank of each view by its `dependsOn` (views it reads rank lower); names are `schema.name`. */
export function rankViews(views: readonly View[]): Map<string, number> {
  const deps = new Map<string, string[]>();
  for (const v of views) deps.set(`${v.schema}.${v.name}`, v.dependsOn);
  return rankByDependencies(deps);
}

/** Plans a view change: drop an extra view first, create or replace others after tables and routines. */
export function planView(ctx: MysqlPlanContext, change: ViewChange, index: number, ranks: Map<string, number>): void {
  if (change.action === 'extra') {
    if (!change.current) throw ctx.error(index, 'the change carries no current view');
    ctx.add(index, { slot: SLOT.dropView, sql: renderDropView(change.current), comment: `drop view ${change.current.name}` });
    return;
  }
  const view = change.desired;
  if (!view) throw ctx.error(index, 'the change carries no desired view');
  if (view.materialized) throw ctx.error(index, 'MySQL has no materialized views');
  ctx.add(index, {
    slot: SLOT.createView,
    sub: ranks.get(`${view.schema}.${view.name}`) ?? 0,
    sql: renderCreateView(view),
    comment: `${change.action === 'missing' ? 'create' : 'replace'} view ${view.name}`,
  });
}

/** Plans a routine change: drop first, create after tables (a changed routine is dropped and created again). */
export function planRoutine(ctx: MysqlPlanContext, change: RoutineChange, index: number): void {
  if (change.current && change.action !== 'missing') {
    ctx.add(index, { slot: SLOT.dropRoutine, sql: renderDropRoutine(change.current), comment: `drop ${change.current.kind} ${change.current.name}`, hazards: change.action === 'changed' ? ['rebuild'] : [] });
  }
  if (change.desired && change.action !== 'extra') {
    if (change.desired.attrs?.bodyHidden === true) throw ctx.error(index, 'its body is hidden from the inspecting user (grant SHOW_ROUTINE or inspect as its definer)');
    ctx.add(index, { slot: SLOT.createRoutine, sql: renderCreateRoutine(change.desired), comment: `create ${change.desired.kind} ${change.desired.name}` });
  }
  if (!change.desired && !change.current) throw ctx.error(index, 'the change carries no routine');
}

/** Plans a MariaDB sequence change. */
export function planSequence(ctx: MysqlPlanContext, change: SequenceChange, index: number): void {
  if (change.action === 'missing' && change.desired) {
    ctx.add(index, { slot: SLOT.createSequence, sql: renderCreateSequence(change.desired), comment: `create sequence ${change.name}` });
  } else if (change.action === 'extra' && change.current) {
    ctx.add(index, { slot: SLOT.dropSequence, sql: renderDropSequence(change.current), comment: `drop sequence ${change.name}`, hazards: ['data_loss'] });
  } else if (change.action === 'changed' && change.desired) {
    ctx.add(index, { slot: SLOT.createSequence, sql: renderAlterSequence(change.desired), comment: `alter sequence ${change.name}`, hazards: ['may_fail'] });
  } else {
    throw ctx.error(index, 'the change carries no sequence');
  }
}

function endsRemoved(change: EventChange): boolean {
  return change.current?.attrs.ends != null && change.desired?.attrs.ends == null;
}

/**
 * Plans an event change: drop an extra event early, create a missing one last (its body is only resolved when it
 * runs, but it may call routines created by the plan), ALTER a changed one in place with all its clauses (drop and
 * create when its end time goes).
 */
export function planEvent(ctx: MysqlPlanContext, change: EventChange, index: number): void {
  if (change.action === 'extra' && change.current) {
    ctx.add(index, { slot: SLOT.dropEvent, sql: renderDropEvent(change.current), comment: `drop event ${change.name}` });
  } else if (change.action === 'missing' && change.desired) {
    ctx.add(index, { slot: SLOT.createEvent, sql: renderCreateEvent(change.desired), comment: `create event ${change.name}` });
  } else if (change.action === 'changed' && change.desired && change.current && endsRemoved(change)) {
    // ALTER EVENT ... ON SCHEDULE keeps an ENDS it is not given, and there is no clause that removes one.
    ctx.add(index, { slot: SLOT.dropEvent, sql: renderDropEvent(change.current), comment: `drop event ${change.name} (its end time goes)`, hazards: ['rebuild'] });
    ctx.add(index, { slot: SLOT.createEvent, sql: renderCreateEvent(change.desired), comment: `create event ${change.name}` });
  } else if (change.action === 'changed' && change.desired) {
    const what = change.attributes.map((a) => a.name.replace(/^attrs\./, '')).join(', ');
    ctx.add(index, { slot: SLOT.createEvent, sql: renderAlterEvent(change.desired), comment: `alter event ${change.name}: ${what}` });
  } else {
    throw ctx.error(index, 'the change carries no event');
  }
}
