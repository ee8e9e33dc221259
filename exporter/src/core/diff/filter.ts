/**
 * Object filters: which schemas are monitored and which objects are ignored. Applied to both snapshots before the
 * diff, so an excluded object is neither extra nor missing.
 */
import picomatch from 'picomatch';
import type { Schema, SchemaSnapshot, Table, View } from '../model/schema.ts';

/** Object kinds an exclude pattern can name. */
export const FILTER_KINDS = [
  'schema', 'table', 'column', 'index', 'constraint', 'foreign_key', 'view', 'sequence', 'type', 'routine',
  'trigger', 'policy', 'extension', 'collation', 'event',
] as const;

/** One of {@link FILTER_KINDS}. */
export type FilterKind = (typeof FILTER_KINDS)[number];

/**
 * What to keep. `schemas` lists the monitored schemas (globs; absent = all). `exclude` holds picomatch globs per kind,
 * matched against `schema` for schemas, the name for extensions, `schema.name` for schema-level objects and
 * `schema.table.name` for the parts of a table (a materialized view's indexes: `schema.view.index`). A pattern
 * without a dot matches the bare name in any schema (`tmp_*`).
 */
export interface ObjectFilter {
  readonly schemas?: string[];
  readonly exclude?: Partial<Record<FilterKind, string[]>>;
}

type Matcher = (...path: string[]) => boolean;

/** Compiles one kind's patterns: dotted patterns match the qualified path, bare ones the last name. */
function compile(patterns: readonly string[] | undefined): Matcher {
  if (!patterns || patterns.length === 0) return () => false;
  const qualified = patterns.filter((p) => p.includes('.'));
  const bare = patterns.filter((p) => !p.includes('.'));
  // `dot: true`: object names may start with a dot; `/` has no meaning in database names, so no path semantics.
  const options = { dot: true };
  const matchQualified = qualified.length > 0 ? picomatch(qualified, options) : () => false;
  const matchBare = bare.length > 0 ? picomatch(bare, options) : () => false;
  return (...path) => matchBare(path.at(-1) ?? '') || matchQualified(path.join('.'));
}

interface Matchers {
  readonly keepSchema: (name: string) => boolean;
  readonly exclude: Record<FilterKind, Matcher>;
}

function compileFilter(filter: ObjectFilter): Matchers {
  const include = filter.schemas && filter.schemas.length > 0 ? picomatch(filter.schemas, { dot: true }) : null;
  const exclude = Object.fromEntries(FILTER_KINDS.map((k) => [k, compile(filter.exclude?.[k])])) as Record<FilterKind, Matcher>;
  return { keepSchema: (name) => (include === null || include(name)) && !exclude.schema(name), exclude };
}

function filterTable(m: Matchers, table: Table): Table {
  const keep = (kind: FilterKind) => (o: { readonly name: string }) => !m.exclude[kind](table.schema, table.name, o.name);
  return {
    ...table,
    columns: table.columns.filter(keep('column')),
    constraints: table.constraints.filter(keep('constraint')),
    foreignKeys: table.foreignKeys.filter(keep('foreign_key')),
    indexes: table.indexes.filter(keep('index')),
    triggers: table.triggers.filter(keep('trigger')),
    policies: table.policies.filter(keep('policy')),
  };
}

function filterView(m: Matchers, view: View): View {
  return { ...view, indexes: view.indexes.filter((i) => !m.exclude.index(view.schema, view.name, i.name)) };
}

function filterSchema(m: Matchers, schema: Schema): Schema {
  const keep = (kind: FilterKind) => (o: { readonly name: string }) => !m.exclude[kind](schema.name, o.name);
  return {
    ...schema,
    tables: schema.tables.filter(keep('table')).map((t) => filterTable(m, t)),
    views: schema.views.filter(keep('view')).map((v) => filterView(m, v)),
    sequences: schema.sequences.filter(keep('sequence')),
    types: schema.types.filter(keep('type')),
    routines: schema.routines.filter(keep('routine')),
    // Absent lists stay absent: the differ compares collations and events only when both sides carry them.
    ...(schema.collations ? { collations: schema.collations.filter(keep('collation')) } : {}),
    ...(schema.events ? { events: schema.events.filter(keep('event')) } : {}),
  };
}

/**
 * A copy of `snapshot` without the schemas not included and the objects excluded by `filter`. The input is not
 * modified. Excluding a table or view drops its parts with it.
 */
export function filterSnapshot(snapshot: SchemaSnapshot, filter: ObjectFilter): SchemaSnapshot {
  const m = compileFilter(filter);
  return {
    ...snapshot,
    schemas: snapshot.schemas.filter((s) => m.keepSchema(s.name)).map((s) => filterSchema(m, s)),
    extensions: snapshot.extensions.filter((e) => !m.exclude.extension(e.name)),
  };
}

/** Exclude globs of several sources, per kind, each glob once. */
export function mergeExcludes(parts: readonly Partial<Record<FilterKind, string[]>>[]): Partial<Record<FilterKind, string[]>> {
  const merged: Partial<Record<FilterKind, string[]>> = {};
  for (const part of parts) {
    for (const [kind, globs] of Object.entries(part) as [FilterKind, string[]][]) merged[kind] = [...new Set([...(merged[kind] ?? []), ...globs])];
  }
  return merged;
}
