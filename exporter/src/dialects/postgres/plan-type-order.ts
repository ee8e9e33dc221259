/**
 * Where a created or dropped type goes in the plan, by what it depends on rather than by name: enums first, then
 * domains (a domain over another domain after it), ranges, composites; drops in the reverse order. A domain whose CHECK
 * or DEFAULT calls a function the plan creates is created after the functions (and before the tables that may use
 * it); one calling a function the plan drops is dropped before the functions. A domain over such a domain follows it.
 */
import type { DomainType, TypeDef } from '../../core/model/schema.ts';
import type { PostgresPlanContext } from './plan-context.ts';
import { SLOT } from './plan-context.ts';
import { quoteQualified } from './quote.ts';

// A range may be built on an enum or a domain, a composite on any of them.
const KIND_ORDER = { enum: 0, domain: 1, range: 2, composite: 3 } as const;
/** Longest domain-over-domain chain followed (a cycle cannot exist in a catalog; this only bounds a broken input). */
const MAX_DEPTH = 50;

type Side = 'current' | 'desired';

/** Slot and sub-rank of a type the plan creates (`desired` side) or drops (`current` side, default slot `dropSlot`). */
export function typePlacement(ctx: PostgresPlanContext, type: TypeDef, side: Side, dropSlot: number = SLOT.dropType): { slot: number; sub: number } {
  const domain = type.kind === 'domain' ? chain(ctx, type, side) : { depth: 0, callsPlanned: false };
  const rank = KIND_ORDER[type.kind] + domain.depth / (MAX_DEPTH + 1);
  if (side === 'desired') return { slot: domain.callsPlanned ? SLOT.createRoutine + 0.5 : SLOT.createType, sub: rank };
  return { slot: domain.callsPlanned && dropSlot === SLOT.dropType ? SLOT.dropRoutine - 0.5 : dropSlot, sub: -rank };
}

/** The spellings of a type name in a deparsed type (`"My Schema"."T"`, `s.t`). */
function spellings(schema: string, name: string): string[] {
  return [quoteQualified(schema, name), `${schema}.${name}`];
}

function domainsOf(ctx: PostgresPlanContext, side: Side): Map<string, DomainType> {
  const out = new Map<string, DomainType>();
  for (const t of ctx.options[side]?.schemas.flatMap((s) => s.types) ?? []) {
    if (t.kind === 'domain') for (const s of spellings(t.schema, t.name)) out.set(s, t);
  }
  return out;
}

/** True when the domain's checks or default call a routine that the plan creates (desired) or drops (current). */
function callsPlannedRoutine(ctx: PostgresPlanContext, domain: DomainType, side: Side): boolean {
  const action = side === 'desired' ? 'missing' : 'extra';
  const texts = [...domain.checks.map((c) => c.definition), domain.default ?? ''];
  return ctx.changes.some(
    (c) => c.type === 'routine' && c.action === action && spellings(c.schema, c.name).some((s) => texts.some((t) => t.includes(`${s}(`))),
  );
}

/** How many domains the domain is built on, and whether it or one of them calls a routine the plan creates or drops. */
function chain(ctx: PostgresPlanContext, domain: DomainType, side: Side): { depth: number; callsPlanned: boolean } {
  const domains = domainsOf(ctx, side);
  let depth = 0;
  let callsPlanned = callsPlannedRoutine(ctx, domain, side);
  for (let base = domains.get(domain.baseType.replace(/(\[\])+$/, '')); base && depth < MAX_DEPTH; base = domains.get(base.baseType.replace(/(\[\])+$/, ''))) {
    depth += 1;
    callsPlanned ||= callsPlannedRoutine(ctx, base, side);
  }
  return { depth, callsPlanned };
}
