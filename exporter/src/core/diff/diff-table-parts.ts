/**
 * Differs of the named parts of a table (and of a materialized view's indexes): constraints, foreign keys, indexes,
 * triggers and policies.
 */
import type { AttributeChange, Change } from '../model/change.ts';
import type { Attrs, Constraint, ForeignKey, Index, IndexPart, Policy, Trigger } from '../model/schema.ts';
import { byName, compareAttrs, compareFields, matchBy, pairRenames, signature, type Field } from './compare.ts';
import type { DiffContext } from './diff-context.ts';

type PartType = 'constraint' | 'foreign_key' | 'index' | 'trigger' | 'policy';

/** How one part kind is compared. */
interface PartKind<T> {
  readonly type: PartType;
  readonly fields: readonly Field<T>[];
  attrs?(object: T): Attrs | undefined;
  /** Pair an extra and a missing object that differ only by name into one `changed` (constraints, keys, indexes). */
  readonly detectRenames: boolean;
}

/** Where the parts live: the owning table (or materialized view). */
export interface PartOwner {
  readonly schema: string;
  readonly table: string;
}

function constraintFields(ctx: DiffContext): Field<Constraint>[] {
  const expr = (v: unknown) => ctx.expr(v as string | null);
  return [
    { name: 'kind', get: (c) => c.kind },
    { name: 'columns', get: (c) => c.columns },
    { name: 'expression', get: (c) => c.expression, norm: expr },
    { name: 'definition', get: (c) => c.definition, norm: expr },
    { name: 'deferrable', get: (c) => c.deferrable },
    { name: 'initiallyDeferred', get: (c) => c.initiallyDeferred },
    // Absent means "not applicable": a constraint the inspector cannot mark NOT VALID is valid.
    { name: 'validated', get: (c) => c.validated, norm: (v) => v ?? true },
    { name: 'nullsNotDistinct', get: (c) => c.nullsNotDistinct, norm: (v) => v ?? false },
    { name: 'comment', get: (c) => c.comment },
  ];
}

function foreignKeyFields(): Field<ForeignKey>[] {
  // The definition repeats these fields and may qualify the referenced table differently: not compared itself.
  return [
    { name: 'columns', get: (f) => f.columns },
    { name: 'refSchema', get: (f) => f.refSchema },
    { name: 'refTable', get: (f) => f.refTable },
    { name: 'refColumns', get: (f) => f.refColumns },
    { name: 'onUpdate', get: (f) => f.onUpdate },
    { name: 'onDelete', get: (f) => f.onDelete },
    { name: 'match', get: (f) => f.match },
    { name: 'deferrable', get: (f) => f.deferrable },
    { name: 'initiallyDeferred', get: (f) => f.initiallyDeferred },
    { name: 'validated', get: (f) => f.validated, norm: (v) => v ?? true },
    { name: 'comment', get: (f) => f.comment },
  ];
}

function normalizeParts(ctx: DiffContext, parts: readonly IndexPart[]): unknown[] {
  return parts.map((p) => ({
    column: p.column ?? null,
    expression: ctx.expr(p.expression),
    descending: p.descending ?? false,
    nullsFirst: p.nullsFirst ?? null,
    collation: ctx.collation(p.collation),
    opclass: p.opclass ?? null,
    prefixLength: p.prefixLength ?? null,
  }));
}

function indexFields(ctx: DiffContext): Field<Index>[] {
  // `definition` holds the index name and is the server's rendering of the fields below: not compared itself.
  return [
    { name: 'unique', get: (i) => i.unique },
    { name: 'method', get: (i) => i.method },
    { name: 'parts', get: (i) => i.parts, norm: (v) => normalizeParts(ctx, v as IndexPart[]) },
    { name: 'include', get: (i) => i.include },
    { name: 'predicate', get: (i) => i.predicate, norm: (v) => ctx.expr(v as string | null) },
    { name: 'nullsNotDistinct', get: (i) => i.nullsNotDistinct, norm: (v) => v ?? false },
    { name: 'comment', get: (i) => i.comment },
  ];
}

function triggerFields(ctx: DiffContext): Field<Trigger>[] {
  return [
    { name: 'definition', get: (t) => t.definition, norm: (v) => ctx.expr(v as string) },
    { name: 'enabled', get: (t) => t.enabled },
    { name: 'comment', get: (t) => t.comment },
  ];
}

function policyFields(ctx: DiffContext): Field<Policy>[] {
  const expr = (v: unknown) => ctx.expr(v as string | null);
  return [
    { name: 'permissive', get: (p) => p.permissive },
    { name: 'command', get: (p) => p.command },
    { name: 'roles', get: (p) => p.roles, norm: (v) => [...(v as string[])].sort() },
    { name: 'using', get: (p) => p.using, norm: expr },
    { name: 'withCheck', get: (p) => p.withCheck, norm: expr },
  ];
}

/** The part kinds of one diff call (field lists close over the context's normalisers). */
export interface PartKinds {
  readonly constraint: PartKind<Constraint>;
  readonly foreignKey: PartKind<ForeignKey>;
  readonly index: PartKind<Index>;
  readonly trigger: PartKind<Trigger>;
  readonly policy: PartKind<Policy>;
}

/** Builds the part kinds once per diff call. */
export function createPartKinds(ctx: DiffContext): PartKinds {
  return {
    constraint: { type: 'constraint', fields: constraintFields(ctx), attrs: (c) => c.attrs, detectRenames: true },
    foreignKey: { type: 'foreign_key', fields: foreignKeyFields(), attrs: (f) => f.attrs, detectRenames: true },
    index: { type: 'index', fields: indexFields(ctx), attrs: (i) => i.attrs, detectRenames: true },
    trigger: { type: 'trigger', fields: triggerFields(ctx), attrs: (t) => t.attrs, detectRenames: false },
    policy: { type: 'policy', fields: policyFields(ctx), detectRenames: false },
  };
}

function compareBoth<T>(kind: PartKind<T>, desired: T, current: T): AttributeChange[] {
  const attributes = compareFields(kind.fields, desired, current);
  if (kind.attrs) attributes.push(...compareAttrs(kind.attrs(desired), kind.attrs(current)));
  return attributes;
}

function partChange<T extends { readonly name: string }>(
  kind: PartKind<T>,
  owner: PartOwner,
  action: 'extra' | 'missing' | 'changed',
  desired: T | undefined,
  current: T | undefined,
  attributes: AttributeChange[],
): Change {
  const name = (desired ?? current)?.name ?? '';
  const change = { type: kind.type, action, schema: owner.schema, table: owner.table, name, attributes };
  return { ...change, ...(desired ? { desired } : {}), ...(current ? { current } : {}) } as Change;
}

/**
 * Diffs one part kind of a table: matched by name; objects identical but for the name are one `changed` with a
 * `name` attribute (a hand rename is drift, but one change).
 */
export function diffParts<T extends { readonly name: string }>(
  ctx: DiffContext,
  kind: PartKind<T>,
  owner: PartOwner,
  desired: readonly T[],
  current: readonly T[],
): void {
  const matched = matchBy(desired, current, (o) => o.name);
  for (const [d, c] of matched.both) {
    const attributes = compareBoth(kind, d, c);
    if (attributes.length > 0) ctx.out.push(partChange(kind, owner, 'changed', d, c, attributes));
  }
  let { missing, extra } = matched;
  if (kind.detectRenames) {
    const sign = (o: T) => signature(kind.fields, o, kind.attrs?.(o));
    const paired = pairRenames(missing, extra, sign);
    for (const [d, c] of paired.renamed) {
      ctx.out.push(partChange(kind, owner, 'changed', d, c, [{ name: 'name', expected: d.name, actual: c.name }]));
    }
    missing = paired.missing;
    extra = paired.extra;
  }
  for (const d of [...missing].sort(byName)) ctx.out.push(partChange(kind, owner, 'missing', d, undefined, []));
  for (const c of [...extra].sort(byName)) ctx.out.push(partChange(kind, owner, 'extra', undefined, c, []));
}

/** Indexes that back a constraint are covered by the constraint: they are not diffed as indexes. */
export function standaloneIndexes(indexes: readonly Index[]): Index[] {
  return indexes.filter((i) => i.constraint === undefined || i.constraint === null);
}
