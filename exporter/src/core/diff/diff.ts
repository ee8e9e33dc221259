/**
 * The pure differ: compares the current snapshot (live database) with the desired one (replayed migrations) and
 * returns typed change records. It never builds SQL and never imports a dialect; dialect noise is the hooks' job.
 *
 * Objects are matched by name with Maps, so two 5,000-table schemas diff in linear time. The output order is fixed:
 * by schema, then object kind ({@link KIND_ORDER}), then owning table, then name.
 */
import type { AttributeChange, Change, ChangeType } from '../model/change.ts';
import type { Extension, Schema } from '../model/schema.ts';
import { compareText, matchBy } from './compare.ts';
import { createDiffContext, type DiffContext } from './diff-context.ts';
import { diffCollations, diffEvents, diffRoutines, diffSequences, diffTypes, diffViews } from './diff-objects.ts';
import { diffTables } from './diff-table.ts';
import type { DiffInput } from './options.ts';

/** The fixed order of change kinds within a schema: roughly the order objects are created in. */
export const KIND_ORDER: readonly ChangeType[] = [
  'schema',
  'extension',
  'collation',
  'type',
  'sequence',
  'table',
  'column',
  'constraint',
  'index',
  'foreign_key',
  'trigger',
  'policy',
  'view',
  'routine',
  'event',
];

const KIND_RANK = new Map<ChangeType, number>(KIND_ORDER.map((kind, i) => [kind, i]));

/**
 * Diffs two snapshots of one dialect.
 *
 * - `extra` = only in `current`, `missing` = only in `desired`, `changed` lists each differing attribute with raw
 *   `expected` (desired) and `actual` (current) values; normalised forms are only used to decide equality.
 * - An extra or missing table, view or type is one change carrying the whole object. An extra or missing schema is
 *   reported itself and its objects are reported too (so a planner can create or drop them one by one).
 * - Indexes backing a constraint are covered by the constraint. A constraint, foreign key or index that differs only
 *   by name is one `changed` with a `name` attribute.
 *
 * @throws Error when the snapshots are of different dialects (a programming error, not drift).
 */
export function diffSchemas(input: DiffInput): Change[] {
  const { hooks } = input;
  if (input.current.dialect !== input.desired.dialect || hooks.dialect !== input.desired.dialect) {
    throw new Error(
      `diff: cannot compare a ${input.current.dialect} snapshot with a ${input.desired.dialect} one using ${hooks.dialect} hooks`,
    );
  }
  const { current, desired } = hooks.normalizeSnapshots
    ? hooks.normalizeSnapshots(input.current, input.desired)
    : { current: input.current, desired: input.desired };
  const ctx = createDiffContext(hooks, input.options, [current, desired]);
  diffExtensions(ctx, desired.extensions, current.extensions);
  const matched = matchBy(desired.schemas, current.schemas, (s) => s.name);
  for (const [d, c] of matched.both) diffSchema(ctx, d, c);
  for (const d of matched.missing) {
    ctx.out.push({ type: 'schema', action: 'missing', schema: d.name, name: d.name, desired: d, attributes: [] });
    diffSchemaContents(ctx, d, emptySchema(d.name));
  }
  for (const c of matched.extra) {
    ctx.out.push({ type: 'schema', action: 'extra', schema: c.name, name: c.name, current: c, attributes: [] });
    diffSchemaContents(ctx, emptySchema(c.name), c);
  }
  return ctx.out.sort(compareChanges);
}

function emptySchema(name: string): Schema {
  // A schema that does not exist has no collations (unlike a side whose inspector does not read them).
  return { name, comment: null, tables: [], views: [], sequences: [], types: [], routines: [], collations: [] };
}

function diffSchema(ctx: DiffContext, desired: Schema, current: Schema): void {
  const attributes: AttributeChange[] = [];
  if (desired.comment !== current.comment) {
    attributes.push({ name: 'comment', expected: desired.comment, actual: current.comment });
  }
  attributes.push(...ctx.compareAcl(desired, current, 'acl', desired.name));
  if (attributes.length > 0) {
    ctx.out.push({ type: 'schema', action: 'changed', schema: desired.name, name: desired.name, desired, current, attributes });
  }
  diffSchemaContents(ctx, desired, current);
}

function diffSchemaContents(ctx: DiffContext, desired: Schema, current: Schema): void {
  diffTables(ctx, desired.name, desired.tables, current.tables);
  diffViews(ctx, desired.views, current.views);
  diffSequences(ctx, desired.sequences, current.sequences);
  diffTypes(ctx, desired.types, current.types);
  diffRoutines(ctx, desired.routines, current.routines);
  // Collations are absent from other dialects' and older saved snapshots: compared only when both sides have them.
  if (desired.collations && current.collations) diffCollations(ctx, desired.collations, current.collations);
  // Events are an inspector opt-in: a side inspected without them says nothing about them, so it is not "none".
  if (desired.events && current.events) diffEvents(ctx, desired.events, current.events);
}

/**
 * Extensions are database-wide and matched by name; versions are compared unless `ignoreExtensionVersions`, and only
 * when neither side left its version unpinned (a replay of `CREATE EXTENSION x` says nothing about the version).
 */
function diffExtensions(ctx: DiffContext, desired: readonly Extension[], current: readonly Extension[]): void {
  const matched = matchBy(desired, current, (e) => e.name);
  for (const [d, c] of matched.both) {
    const attributes: AttributeChange[] = [];
    if (d.schema !== c.schema) attributes.push({ name: 'schema', expected: d.schema, actual: c.schema });
    const versioned = !ctx.options.ignoreExtensionVersions && !d.versionUnpinned && !c.versionUnpinned;
    if (versioned && d.version !== c.version) {
      attributes.push({ name: 'version', expected: d.version, actual: c.version });
    }
    if (attributes.length > 0) {
      ctx.out.push({ type: 'extension', action: 'changed', schema: d.schema, name: d.name, desired: d, current: c, attributes });
    }
  }
  for (const d of matched.missing) {
    ctx.out.push({ type: 'extension', action: 'missing', schema: d.schema, name: d.name, desired: d, attributes: [] });
  }
  for (const c of matched.extra) {
    ctx.out.push({ type: 'extension', action: 'extra', schema: c.schema, name: c.name, current: c, attributes: [] });
  }
}

/** Total order of changes: schema, kind, owning table, name, routine arguments, action. */
export function compareChanges(a: Change, b: Change): number {
  return (
    compareText(a.schema, b.schema) ||
    (KIND_RANK.get(a.type) ?? 99) - (KIND_RANK.get(b.type) ?? 99) ||
    compareText('table' in a ? a.table : '', 'table' in b ? b.table : '') ||
    compareText(a.name, b.name) ||
    compareText('identityArgs' in a ? a.identityArgs : '', 'identityArgs' in b ? b.identityArgs : '') ||
    compareText(a.action, b.action)
  );
}
