/**
 * Planning of views and materialized views. All view changes are planned together because they interact: a view
 * that must be dropped (extra, incompatible change, or reading a column whose type changes or that is dropped) takes
 * every view that reads it along, and those are created again from their desired form afterwards. Drops run in
 * reverse dependency order, creates in dependency order (`View.dependsOn`).
 *
 * A view is rebuilt only for what it reads by the catalog's dependency records (`View.readsColumns`,
 * `View.dependsOnTypes`), never for its table's name alone: a rebuild loses what the view carries, so it is kept for
 * the views that cannot stay. A rebuilt view comes back with everything attached to it: its desired definition,
 * comment and materialized-view indexes, its owner and grants as they are on the live database (the desired ACL when
 * privileges are compared; otherwise the ACL the live snapshot kept, `View.kept`) and its triggers.
 */
import type { ViewChange } from '../../core/model/change.ts';
import type { View } from '../../core/model/schema.ts';
import type { Hazard } from '../../core/model/plan.ts';
import type { PostgresPlanContext } from './plan-context.ts';
import { SLOT, keyOf } from './plan-context.ts';
import { objectName, renderCreateView, renderDropView, viewKeyword } from './ddl-objects.ts';
import { renderComment } from './ddl-table.ts';
import { attributeNames, createIndex, createTrigger } from './plan-parts.ts';
import { quoteIdent } from './quote.ts';
import { planAclChange, planCreatedAcl, relationTarget } from './plan-privileges.ts';

interface Planned {
  readonly change: ViewChange;
  readonly index: number;
}

/** True when `CREATE OR REPLACE VIEW` can turn `current` into `desired`: same leading columns, new ones appended. */
export function replaceable(current: View, desired: View): boolean {
  if (current.materialized || desired.materialized) return false;
  if (desired.columns.length < current.columns.length) return false;
  return current.columns.every((c, i) => desired.columns[i]?.name === c.name && desired.columns[i]?.type === c.type);
}

function needsRebuild(ctx: PostgresPlanContext, change: ViewChange): boolean {
  if (change.action !== 'changed' || !change.current || !change.desired) return false;
  const names = attributeNames(change);
  const shape = [...names].some((n) => n !== 'comment' && n !== 'acl' && !n.startsWith('attrs.') && n !== 'attrs');
  if (!shape) return false;
  if (!replaceable(change.current, change.desired)) return true;
  return ctx.reshapedBy(change.current) !== undefined;
}

/** Plans every view change, plus unchanged views that must be rebuilt around them. */
export function planViews(ctx: PostgresPlanContext, planned: Planned[]): void {
  const byKey = new Map(planned.map((p) => [keyOf(p.change), p]));
  // Views to drop, with the change responsible.
  const drop = new Map<string, { view: View; index: number; rebuild: boolean }>();
  for (const p of planned) {
    if (p.change.action === 'extra' && p.change.current) drop.set(keyOf(p.change), { view: p.change.current, index: p.index, rebuild: false });
    if (needsRebuild(ctx, p.change) && p.change.current) drop.set(keyOf(p.change), { view: p.change.current, index: p.index, rebuild: true });
  }
  addDependents(ctx, drop, byKey);
  for (const [key, d] of drop) {
    ctx.droppedViews.set(key, d.index);
    ctx.add(d.index, { slot: SLOT.dropView, sub: -ctx.viewRank(key), sql: renderDropView(d.view), comment: `drop ${d.view.materialized ? 'materialized view' : 'view'} ${key}`, hazards: d.rebuild ? ['rebuild'] : [] });
  }
  for (const p of planned) planOne(ctx, p, drop.has(keyOf(p.change)));
  for (const [key, d] of drop) {
    if (byKey.has(key)) continue;
    const desired = ctx.views('desired').find((v) => keyOf(v) === key) ?? d.view;
    createView(ctx, desired, d.index, ['rebuild'], d.view);
  }
}

/** Adds the current views that read a dropped view or a reshaped column or type, until nothing more is added. */
function addDependents(ctx: PostgresPlanContext, drop: Map<string, { view: View; index: number; rebuild: boolean }>, byKey: Map<string, Planned>): void {
  const current = [...ctx.views('current'), ...[...byKey.values()].flatMap((p) => (p.change.current ? [p.change.current] : []))];
  let grew = true;
  while (grew) {
    grew = false;
    for (const view of current) {
      const key = keyOf(view);
      if (drop.has(key)) continue;
      // A view reading a dropped view goes too (whatever columns it reads: DROP VIEW refuses while it exists).
      const cause = view.dependsOn.map((d) => drop.get(d)?.index).find((i) => i !== undefined) ?? ctx.reshapedBy(view);
      if (cause === undefined) continue;
      const own = byKey.get(key);
      if (own && own.change.action === 'missing') continue;
      drop.set(key, { view, index: own?.index ?? cause, rebuild: true });
      grew = true;
    }
  }
}

function planOne(ctx: PostgresPlanContext, p: Planned, dropped: boolean): void {
  const { change, index } = p;
  if (change.action === 'extra') return;
  const desired = change.desired;
  if (!desired) throw ctx.error(index, 'a missing or changed view must carry the desired view');
  if (change.action === 'missing' || dropped) return createView(ctx, desired, index, dropped ? ['rebuild'] : [], dropped ? change.current : undefined);
  const current = change.current;
  if (!current) throw ctx.error(index, 'a changed view must carry the current view');
  const names = attributeNames(change);
  const shape = [...names].some((n) => n !== 'comment' && n !== 'acl' && !n.startsWith('attrs'));
  if (shape) {
    ctx.add(index, { slot: SLOT.createView, sub: ctx.viewRank(keyOf(desired)), sql: renderCreateView(desired, true), comment: `replace view ${keyOf(desired)}` });
  } else if ([...names].some((n) => n.startsWith('attrs'))) {
    alterViewOptions(ctx, current, desired, index);
  }
  if (names.has('comment')) ctx.add(index, { slot: SLOT.comment, sql: renderComment(viewKeyword(desired), desired.comment), comment: `comment on view ${keyOf(desired)}` });
  if (names.has('acl')) planAclChange(ctx, relationTarget(desired, viewLabel(desired)), current, desired, index);
}

function viewLabel(view: View): string {
  return view.materialized ? 'materialized view' : 'view';
}

function alterViewOptions(ctx: PostgresPlanContext, current: View, desired: View, index: number): void {
  if (desired.materialized) throw ctx.error(index, 'materialized view options cannot be altered');
  const set: string[] = [];
  const reset: string[] = [];
  const flag = (attr: string, option: string): void => {
    const want = desired.attrs[attr] === true;
    if (want === (current.attrs[attr] === true)) return;
    if (want) set.push(`${option}=true`);
    else reset.push(option);
  };
  flag('securityBarrier', 'security_barrier');
  flag('securityInvoker', 'security_invoker');
  const check = (v: View): string | null => (typeof v.attrs.checkOption === 'string' && v.attrs.checkOption !== 'none' ? v.attrs.checkOption : null);
  if (check(desired) !== check(current)) {
    const want = check(desired);
    if (want) set.push(`check_option=${want}`);
    else reset.push('check_option');
  }
  const name = objectName(desired);
  if (reset.length) ctx.add(index, { slot: SLOT.createView, sql: `ALTER VIEW ${name} RESET (${reset.join(', ')});`, comment: `reset options of view ${keyOf(desired)}` });
  if (set.length) ctx.add(index, { slot: SLOT.createView, sql: `ALTER VIEW ${name} SET (${set.join(', ')});`, comment: `set options of view ${keyOf(desired)}` });
  if (!set.length && !reset.length) throw ctx.error(index, 'the view attributes that differ cannot be altered');
}

/**
 * Creates a view with its comment and, for a materialized view, its indexes. `rebuilt` is the current (live) view
 * when the view is dropped and created again: its owner, grants and triggers are then restored (see the file's doc).
 */
export function createView(ctx: PostgresPlanContext, view: View, index: number, hazards: Hazard[], rebuilt?: View): void {
  const key = keyOf(view);
  if (ctx.createdViews.has(key)) return;
  ctx.createdViews.add(key);
  ctx.add(index, { slot: SLOT.createView, sub: ctx.viewRank(key), sql: renderCreateView(view), comment: `create ${view.materialized ? 'materialized view' : 'view'} ${key}`, hazards });
  for (const i of view.indexes) createIndex(ctx, view, i, index, true, SLOT.createViewIndex);
  if (view.comment !== null) ctx.add(index, { slot: SLOT.comment, sql: renderComment(viewKeyword(view), view.comment), comment: `comment on view ${key}` });
  const target = relationTarget(view, viewLabel(view));
  if (!rebuilt) {
    // A created view starts from the default ACL.
    planCreatedAcl(ctx, target, view, index);
    return;
  }
  const owner = rebuilt.owner ?? rebuilt.kept?.owner;
  if (owner !== undefined) {
    ctx.add(index, { slot: SLOT.owner, sql: `ALTER ${viewKeyword(view)} OWNER TO ${quoteIdent(owner)};`, comment: `give ${viewLabel(view)} ${key} back to its owner ${owner}` });
  }
  // The desired ACL when privileges are compared (the differ planned any difference into it), else the live one.
  const acl = view.acl ?? rebuilt.acl ?? rebuilt.kept?.acl;
  if (acl) planCreatedAcl(ctx, target, { acl, owner: view.acl ? view.owner : owner }, index, owner);
  for (const trigger of rebuilt.kept?.triggers ?? []) createTrigger(ctx, view, trigger, index);
}
