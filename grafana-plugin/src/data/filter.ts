import type { ErdRelation, ErdTable, PanelModel } from './model.ts';

/** The part of the ERD to draw. */
export interface ErdSelection {
  tables: ErdTable[];
  /** Relations whose source is drawn (their target may be outside: see `buildLayoutInput`). */
  relations: ErdRelation[];
  /** Nodes left out by the filter (0 without it). */
  hiddenCount: number;
  /** Ids of nodes that drifted themselves (status not `ok`), as opposed to neighbours drawn for context. */
  driftedIds: Set<string>;
}

/** True for a node or relation that is part of the drift. */
export function isDrifted(item: { status: string }): boolean {
  return item.status !== 'ok';
}

/**
 * The drifted nodes plus the nodes one foreign key away from them (either direction), with the relations among
 * those. A drifted relation (e.g. a missing foreign key) pulls in both of its ends even if neither node is marked.
 * With nothing drifted the result is empty: the view then says "no drift" instead of drawing an unfiltered
 * schema the user asked not to see.
 */
export function driftedWithNeighbours(model: Pick<PanelModel, 'tables' | 'relations'>): ErdSelection {
  const driftedIds = new Set(model.tables.filter(isDrifted).map((t) => t.id));
  const keep = new Set(driftedIds);
  for (const relation of model.relations) {
    const touchesDrift = driftedIds.has(relation.source) || driftedIds.has(relation.target) || isDrifted(relation);
    if (touchesDrift) {
      keep.add(relation.source);
      keep.add(relation.target);
    }
  }
  const allIds = new Set(model.tables.map((t) => t.id));
  const tables = model.tables.filter((t) => keep.has(t.id));
  // A target outside the inspected schemas has no node; its edge stays with its kept source.
  const relations = model.relations.filter((r) => keep.has(r.source) && (keep.has(r.target) || !allIds.has(r.target)));
  return { tables, relations, hiddenCount: model.tables.length - tables.length, driftedIds };
}

/** Everything, or only the drift and its neighbours. */
export function selectErd(model: Pick<PanelModel, 'tables' | 'relations'>, onlyDrifted: boolean): ErdSelection {
  if (onlyDrifted) {
    return driftedWithNeighbours(model);
  }
  return {
    tables: model.tables,
    relations: model.relations,
    hiddenCount: 0,
    driftedIds: new Set(model.tables.filter(isDrifted).map((t) => t.id)),
  };
}

/**
 * True when the data shows a check that found no drift at all: the counts (targets row, else the changes frame)
 * say zero changes and no node or relation is marked. Unknown counts (neither frame queried) or a failed check are
 * not "no drift": the ERD's key then stays the usual colour key rather than claiming something the data does not say.
 */
export function showsNoDrift(model: Pick<PanelModel, 'header' | 'tables' | 'relations'>): boolean {
  const header = model.header;
  if (!header || header.status === 'error' || header.counts === null || header.counts.total > 0) {
    return false;
  }
  return !model.tables.some(isDrifted) && !model.relations.some(isDrifted);
}

/**
 * True when the ERD opens on "only drift and neighbours" although the option is off: the schema has more than
 * `focusAbove` tables (0: never) and something drifted. 1,000 tables at "fit" are a dense diamond of unreadable
 * boxes; the drift and its neighbours are what a first look needs, and the toolbar's switch shows everything.
 */
export function focusesOnDrift(model: Pick<PanelModel, 'tables' | 'relations'>, focusAbove: number): boolean {
  return focusAbove > 0 && model.tables.length > focusAbove && (model.tables.some(isDrifted) || model.relations.some(isDrifted));
}
