/**
 * Differs of the schema-level objects other than tables: views (plain and materialized), sequences, types,
 * routines and (MySQL) events. Each is matched by name (routines by name and identity arguments); an extra or missing object is one
 * change carrying the whole object.
 */
import type { AttributeChange } from '../model/change.ts';
import type { Attrs, Collation, MysqlEvent, Routine, Sequence, TypeDef, View } from '../model/schema.ts';
import { compareAttrs, compareFields, deepEqual, matchBy, type Field } from './compare.ts';
import type { DiffContext } from './diff-context.ts';
import { createPartKinds, diffParts, standaloneIndexes } from './diff-table-parts.ts';

type ObjectType = 'view' | 'sequence' | 'type' | 'routine' | 'event' | 'collation';

interface Named {
  readonly schema: string;
  readonly name: string;
  readonly acl?: string[];
  readonly owner?: string;
}

/** Shared skeleton: match, compare the pairs, emit extra/missing/changed. */
function diffNamed<T extends Named>(
  ctx: DiffContext,
  type: ObjectType,
  desired: readonly T[],
  current: readonly T[],
  key: (object: T) => string,
  compare: (desired: T, current: T) => AttributeChange[],
  extraFields: (object: T) => Record<string, unknown> = () => ({}),
): void {
  const matched = matchBy(desired, current, key);
  const push = (action: 'extra' | 'missing' | 'changed', d: T | undefined, c: T | undefined, attributes: AttributeChange[]) => {
    const object = (d ?? c) as T;
    ctx.out.push({
      type,
      action,
      schema: object.schema,
      name: object.name,
      ...extraFields(object),
      ...(d ? { desired: d } : {}),
      ...(c ? { current: c } : {}),
      attributes,
    } as never);
  };
  for (const [d, c] of matched.both) {
    const attributes = compare(d, c);
    attributes.push(...ctx.compareAcl(d, c));
    if (attributes.length > 0) push('changed', d, c, attributes);
  }
  for (const d of matched.missing) push('missing', d, undefined, []);
  for (const c of matched.extra) push('extra', undefined, c, []);
}

function withAttrs<T>(fields: readonly Field<T>[], attrs: (o: T) => Attrs | undefined) {
  return (d: T, c: T) => [...compareFields(fields, d, c), ...compareAttrs(attrs(d), attrs(c))];
}

/** Views and materialized views, with a materialized view's indexes diffed like a table's. */
export function diffViews(ctx: DiffContext, desired: readonly View[], current: readonly View[]): void {
  const normColumns = (v: unknown) =>
    (v as View['columns']).map((c) => ({ name: c.name, type: ctx.type(c.type) }));
  // dependsOn follows from the definition and is not compared itself.
  const fields: Field<View>[] = [
    { name: 'materialized', get: (v) => v.materialized },
    { name: 'definition', get: (v) => v.definition, norm: (_d, v) => ctx.hooks.normalizeViewDefinition(v) },
    { name: 'columns', get: (v) => v.columns, norm: normColumns },
    { name: 'comment', get: (v) => v.comment },
  ];
  diffNamed(ctx, 'view', desired, current, (v) => v.name, withAttrs(fields, (v) => v.attrs));
  const kinds = createPartKinds(ctx);
  for (const [d, c] of matchBy(desired, current, (v) => v.name).both) {
    if (!d.materialized && !c.materialized) continue;
    const owner = { schema: d.schema, table: d.name };
    diffParts(ctx, kinds.index, owner, standaloneIndexes(d.indexes), standaloneIndexes(c.indexes));
  }
}

/** Sequences (identity sequences are compared with their column). */
export function diffSequences(ctx: DiffContext, desired: readonly Sequence[], current: readonly Sequence[]): void {
  const fields: Field<Sequence>[] = [
    { name: 'type', get: (s) => s.type, norm: (v) => ctx.type(v as string) },
    { name: 'start', get: (s) => s.start },
    { name: 'increment', get: (s) => s.increment },
    { name: 'min', get: (s) => s.min },
    { name: 'max', get: (s) => s.max },
    { name: 'cache', get: (s) => s.cache },
    { name: 'cycle', get: (s) => s.cycle },
    { name: 'ownedBy', get: (s) => s.ownedBy },
    { name: 'comment', get: (s) => s.comment },
  ];
  diffNamed(ctx, 'sequence', desired, current, (s) => s.name, withAttrs(fields, (s) => s.attrs));
}

function compareType(ctx: DiffContext, d: TypeDef, c: TypeDef): AttributeChange[] {
  if (d.kind !== c.kind) return [{ name: 'kind', expected: d.kind, actual: c.kind }];
  const out: AttributeChange[] = [];
  const add = (name: string, expected: unknown, actual: unknown, same: boolean) => {
    if (!same) out.push({ name, expected, actual });
  };
  if (d.kind === 'enum' && c.kind === 'enum') add('values', d.values, c.values, deepEqual(d.values, c.values));
  if (d.kind === 'domain' && c.kind === 'domain') {
    add('baseType', d.baseType, c.baseType, ctx.type(d.baseType) === ctx.type(c.baseType));
    add('nullable', d.nullable, c.nullable, d.nullable === c.nullable);
    add('default', d.default, c.default, ctx.expr(d.default) === ctx.expr(c.default));
    add('collation', d.collation, c.collation, ctx.collation(d.collation) === ctx.collation(c.collation));
    const checks = (t: typeof d) => t.checks.map((k) => ({ name: k.name, definition: ctx.expr(k.definition) }));
    add('checks', d.checks, c.checks, deepEqual(checks(d), checks(c)));
  }
  if (d.kind === 'composite' && c.kind === 'composite') {
    const attrs = (t: typeof d) =>
      t.attributes.map((a) => ({ name: a.name, type: ctx.type(a.type), collation: ctx.collation(a.collation) }));
    add('attributes', d.attributes, c.attributes, deepEqual(attrs(d), attrs(c)));
  }
  if (d.kind === 'range' && c.kind === 'range') {
    add('subtype', d.subtype, c.subtype, ctx.type(d.subtype) === ctx.type(c.subtype));
    add('subtypeOpclass', d.subtypeOpclass, c.subtypeOpclass, d.subtypeOpclass === c.subtypeOpclass);
    add('collation', d.collation, c.collation, ctx.collation(d.collation) === ctx.collation(c.collation));
    add('canonical', d.canonical, c.canonical, d.canonical === c.canonical);
    add('subtypeDiff', d.subtypeDiff, c.subtypeDiff, d.subtypeDiff === c.subtypeDiff);
    // A PostgreSQL 13 server has no multiranges: the name is compared only when both sides report one.
    if (d.multirange !== undefined && c.multirange !== undefined) add('multirange', d.multirange, c.multirange, d.multirange === c.multirange);
  }
  add('comment', d.comment, c.comment, d.comment === c.comment);
  return out;
}

/** Enum, domain, range and composite types. */
export function diffTypes(ctx: DiffContext, desired: readonly TypeDef[], current: readonly TypeDef[]): void {
  diffNamed(ctx, 'type', desired, current, (t) => t.name, (d, c) => compareType(ctx, d, c));
}

/** Bodies are the user's text: only surrounding whitespace and line endings are noise. */
function normalizeBody(body: unknown): string {
  return String(body ?? '').replace(/\r\n?/g, '\n').trim();
}

/** Functions and procedures, identified by schema, name and identity arguments (overloads are distinct). */
export function diffRoutines(ctx: DiffContext, desired: readonly Routine[], current: readonly Routine[]): void {
  const fields: Field<Routine>[] = [
    { name: 'kind', get: (r) => r.kind },
    { name: 'args', get: (r) => r.args, norm: (v) => ctx.expr(v as string) },
    { name: 'returns', get: (r) => r.returns, norm: (v) => ctx.type(v as string | null) },
    { name: 'language', get: (r) => r.language },
    { name: 'body', get: (r) => r.body, norm: normalizeBody },
    { name: 'volatility', get: (r) => r.volatility },
    { name: 'strict', get: (r) => r.strict },
    { name: 'securityDefiner', get: (r) => r.securityDefiner },
    { name: 'parallel', get: (r) => r.parallel },
    { name: 'config', get: (r) => r.config, norm: (v) => [...(v as string[])].sort() },
    { name: 'comment', get: (r) => r.comment },
  ];
  const key = (r: Routine) => `${r.name}(${r.identityArgs.replace(/\s+/g, ' ').trim()})`;
  diffNamed(ctx, 'routine', desired, current, key, withAttrs(fields, (r) => r.attrs), (r) => ({
    identityArgs: r.identityArgs,
  }));
}

/**
 * Scheduled events, matched by name: the comment and every `attrs` key (schedule, completion, status, body). The
 * dialect hooks drop what is noise there (session echoes, a start time the server filled in); `definition` is the
 * planner's and is not compared itself.
 */
export function diffEvents(ctx: DiffContext, desired: readonly MysqlEvent[], current: readonly MysqlEvent[]): void {
  const fields: Field<MysqlEvent>[] = [{ name: 'comment', get: (e) => e.comment }];
  diffNamed(ctx, 'event', desired, current, (e) => e.name, withAttrs(fields, (e) => e.attrs));
}

/**
 * User-defined collations (PostgreSQL). Locale names are compared as the servers store them: ICU canonicalises
 * locale tags, so two servers with different ICU versions could store one tag differently (not normalised yet).
 */
export function diffCollations(ctx: DiffContext, desired: readonly Collation[], current: readonly Collation[]): void {
  const fields: Field<Collation>[] = [
    { name: 'provider', get: (c) => c.provider },
    { name: 'locale', get: (c) => c.locale },
    { name: 'lcCollate', get: (c) => c.lcCollate },
    { name: 'lcCtype', get: (c) => c.lcCtype },
    { name: 'deterministic', get: (c) => c.deterministic },
    { name: 'comment', get: (c) => c.comment },
  ];
  diffNamed(ctx, 'collation', desired, current, (c) => c.name, (d, c) => compareFields(fields, d, c));
}
