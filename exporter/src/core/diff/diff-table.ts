/**
 * Differ of tables: an extra or missing table is one change carrying the whole table; a table on both sides is
 * compared attribute by attribute, then column by column, then part by part.
 */
import type { AttributeChange, Change } from '../model/change.ts';
import type { Attrs, Column, Identity, Table } from '../model/schema.ts';
import { byName, compareAttrs, compareFields, deepEqual, matchBy, type Field } from './compare.ts';
import type { DiffContext } from './diff-context.ts';
import { createPartKinds, diffParts, standaloneIndexes, type PartKinds } from './diff-table-parts.ts';

const SEQUENCE_OPTIONS = ['type', 'start', 'increment', 'min', 'max', 'cache', 'cycle'] as const;

/** Identity columns carry their sequence's options: compared here, as part of the column. */
function compareIdentity(ctx: DiffContext, desired: Identity | null, current: Identity | null): AttributeChange[] {
  if (desired === null || current === null) {
    return desired === current ? [] : [{ name: 'identity', expected: desired, actual: current }];
  }
  const out: AttributeChange[] = [];
  if (desired.generation !== current.generation) {
    out.push({ name: 'identity.generation', expected: desired.generation, actual: current.generation });
  }
  const ds = desired.sequence;
  const cs = current.sequence;
  if (ds === undefined || cs === undefined) return out;
  for (const option of SEQUENCE_OPTIONS) {
    const same = option === 'type' ? ctx.type(ds.type) === ctx.type(cs.type) : deepEqual(ds[option], cs[option]);
    if (!same) out.push({ name: `identity.sequence.${option}`, expected: ds[option], actual: cs[option] });
  }
  return out;
}

function compareGenerated(ctx: DiffContext, desired: Column['generated'], current: Column['generated']) {
  if (desired === null || current === null) {
    return desired === current ? [] : [{ name: 'generated', expected: desired, actual: current }];
  }
  const out: AttributeChange[] = [];
  if (ctx.expr(desired.expression) !== ctx.expr(current.expression)) {
    out.push({ name: 'generated.expression', expected: desired.expression, actual: current.expression });
  }
  if (desired.kind !== current.kind) out.push({ name: 'generated.kind', expected: desired.kind, actual: current.kind });
  return out;
}

function columnFields(ctx: DiffContext, schema: string): Field<Column>[] {
  const fields: Field<Column>[] = [
    { name: 'type', get: (c) => c.type.raw, norm: (v) => ctx.type(v as string) },
    { name: 'nullable', get: (c) => c.nullable },
    { name: 'default', get: (c) => c.default, norm: (_v, c) => ctx.columnDefault(c, schema) },
    { name: 'collation', get: (c) => c.collation, norm: (v) => ctx.collation(v as string | null) },
    { name: 'comment', get: (c) => c.comment },
  ];
  if (ctx.options.checkColumnOrder) fields.push({ name: 'position', get: (c) => c.position });
  return fields;
}

function diffColumns(ctx: DiffContext, desired: Table, current: Table): void {
  const fields = columnFields(ctx, desired.schema);
  const owner = { type: 'column' as const, schema: desired.schema, table: desired.name };
  const matched = matchBy(desired.columns, current.columns, (c) => c.name);
  for (const [d, c] of matched.both) {
    const attributes = compareFields(fields, d, c);
    attributes.push(...compareIdentity(ctx, d.identity, c.identity));
    attributes.push(...compareGenerated(ctx, d.generated, c.generated));
    attributes.push(...compareAttrs(withoutAcl(d.attrs), withoutAcl(c.attrs)));
    attributes.push(...compareColumnAcl(ctx, desired, current, d, c));
    if (attributes.length > 0) {
      ctx.out.push({ ...owner, action: 'changed', name: d.name, desired: d, current: c, attributes });
    }
  }
  for (const d of matched.missing) ctx.out.push({ ...owner, action: 'missing', name: d.name, desired: d, attributes: [] });
  for (const c of matched.extra) ctx.out.push({ ...owner, action: 'extra', name: c.name, current: c, attributes: [] });
}

/** Column ACLs are privileges: compared only through {@link DiffContext.compareAcl}, never as a plain attribute. */
function withoutAcl(attrs: Attrs | undefined): Attrs | undefined {
  if (!attrs || !('acl' in attrs)) return attrs;
  const { acl: _acl, ...rest } = attrs;
  return rest;
}

/**
 * A column's `attrs.acl` change. The inspector sets it only for columns with grants of their own, so when both
 * tables carry an ACL (privileges were inspected on both sides) an absent column ACL is an empty one. Column grants
 * name the table's owner as grantor.
 */
function compareColumnAcl(ctx: DiffContext, dt: Table, ct: Table, d: Column, c: Column): AttributeChange[] {
  if (!dt.acl || !ct.acl) return [];
  const aclOf = (column: Column) => (Array.isArray(column.attrs?.acl) ? column.attrs.acl.filter((x) => typeof x === 'string') : []);
  return ctx.compareAcl({ acl: aclOf(d), owner: dt.owner }, { acl: aclOf(c), owner: ct.owner }, 'attrs.acl');
}

function tableAttributes(ctx: DiffContext, desired: Table, current: Table): AttributeChange[] {
  const out: AttributeChange[] = [];
  if (desired.comment !== current.comment) {
    out.push({ name: 'comment', expected: desired.comment, actual: current.comment });
  }
  out.push(...compareAttrs(desired.attrs, current.attrs));
  out.push(...ctx.compareAcl(desired, current));
  return out;
}

function diffTable(ctx: DiffContext, kinds: PartKinds, desired: Table, current: Table): void {
  const attributes = tableAttributes(ctx, desired, current);
  if (attributes.length > 0) {
    ctx.out.push({
      type: 'table',
      action: 'changed',
      schema: desired.schema,
      name: desired.name,
      desired,
      current,
      attributes,
    });
  }
  diffColumns(ctx, desired, current);
  const owner = { schema: desired.schema, table: desired.name };
  diffParts(ctx, kinds.constraint, owner, desired.constraints, current.constraints);
  diffParts(ctx, kinds.foreignKey, owner, desired.foreignKeys, current.foreignKeys);
  diffParts(ctx, kinds.index, owner, standaloneIndexes(desired.indexes), standaloneIndexes(current.indexes));
  diffParts(ctx, kinds.trigger, owner, desired.triggers, current.triggers);
  diffParts(ctx, kinds.policy, owner, desired.policies, current.policies);
}

/** Diffs the tables of one schema; an extra or missing table is one change (its parts are implied). */
export function diffTables(ctx: DiffContext, schema: string, desired: readonly Table[], current: readonly Table[]) {
  const kinds = createPartKinds(ctx);
  const matched = matchBy(desired, current, (t) => t.name);
  for (const [d, c] of matched.both) diffTable(ctx, kinds, d, c);
  const base = { type: 'table' as const, schema, attributes: [] };
  for (const d of [...matched.missing].sort(byName)) {
    ctx.out.push({ ...base, action: 'missing', name: d.name, desired: d } satisfies Change);
  }
  for (const c of [...matched.extra].sort(byName)) {
    ctx.out.push({ ...base, action: 'extra', name: c.name, current: c } satisfies Change);
  }
}
