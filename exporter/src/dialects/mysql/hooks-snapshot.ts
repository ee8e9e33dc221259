/**
 * The MySQL snapshot pre-pass ({@link normalizeMysqlSnapshots}): noise that a per-value hook cannot see because it
 * needs the owning table or the other side. It returns relabelled copies; every rewrite keeps what a planner needs,
 * so the changes computed from them still plan to correct SQL:
 * - a column collation equal to its table's reads as `null` (inherited), a column charset with it;
 * - MariaDB's JSON (`longtext` + a column check `json_valid(col)` named after the column) reads as `json`, the check
 *   dropped (creating `json` on MariaDB brings both back);
 * - server counters and session echoes in `attrs` (AUTO_INCREMENT, definer, sql_mode, client charset, timestamps)
 *   are dropped: they are never drift. Where MariaDB keeps a check (`attrs.level`: with its column or on the table)
 *   is compared: a MODIFY of the column drops a column check but not a table one, so the two behave differently;
 * - routine bodies and trigger statements without comments (the `mysql` client strips them by default);
 * - foreign-key action `no action` reads as `restrict` (InnoDB checks both immediately; MySQL 8 and MariaDB print
 *   the unspecified action differently);
 * - names the server generated (`t_ibfk_1`, `t_chk_1`, `CONSTRAINT_1`, an index named after its first column or its
 *   foreign key) that differ only in their generated name from an identical part on the other side take the current
 *   side's name, so no rename is reported;
 * - events (opt-in): a start time the server filled in, session echoes, body comments (`hooks-events.ts`).
 */
import type { Attrs, Column, Constraint, ForeignKey, Index, JsonValue, MysqlEvent, Schema, SchemaSnapshot, Table, Trigger } from '../../core/model/schema.ts';
import { normalizeEventPair } from './hooks-events.ts';
import { normalizeExpression, normalizeRoutineBody } from './hooks-sql.ts';
import { normalizeType } from './hooks-types.ts';

/** Attribute keys that are counters, statistics or echoes of the creating session, in any spelling. */
const NOISE_ATTRS = new Set(
  [
    'autoIncrement', 'definer', 'sqlMode', 'characterSetClient', 'collationConnection', 'databaseCollation',
    'created', 'lastAltered', 'updateTime', 'createTime', 'checkTime', 'tableRows', 'dataLength', 'indexLength',
    'avgRowLength', 'dataFree', 'maxDataLength', 'cardinality', 'version',
  ].map((k) => k.toLowerCase()),
);

function isNoiseKey(key: string): boolean {
  return NOISE_ATTRS.has(key.replace(/_/g, '').toLowerCase());
}

/** `attrs` without noise keys (the same object when there is none). */
export function withoutNoise<T extends Attrs | undefined>(attrs: T): T {
  if (!attrs) return attrs;
  const keys = Object.keys(attrs);
  if (!keys.some(isNoiseKey)) return attrs;
  return Object.fromEntries(keys.filter((k) => !isNoiseKey(k)).map((k) => [k, attrs[k] as JsonValue])) as T;
}

/** `utf8_general_ci` and `utf8mb3_general_ci` are one collation (MySQL 8.0.30+ and MariaDB 10.6+ print the latter). */
export function normalizeCollationName(name: string | null): string | null {
  if (name === null) return null;
  const lower = name.toLowerCase();
  return lower === 'utf8' || lower.startsWith('utf8_') ? lower.replace(/^utf8/, 'utf8mb3') : lower;
}

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function checkText(c: Constraint): string {
  return normalizeExpression(c.expression ?? c.definition.replace(/^\s*check\s*/i, ''));
}

/** The column check MariaDB adds to a JSON column (`json_valid(`col`)`), if `c` is one for `column`. */
function isJsonValidCheck(c: Constraint, column: string): boolean {
  return c.kind === 'check' && c.name === column && checkText(c).toLowerCase() === `json_valid(${column.toLowerCase()})`;
}

function normalizeColumn(table: Table, column: Column, json: boolean): Column {
  const tableCollation = normalizeCollationName(text(table.attrs.collation));
  let attrs = withoutNoise(column.attrs);
  let collation = column.collation;
  if (json || (collation !== null && normalizeCollationName(collation) === tableCollation)) {
    collation = null;
    if (attrs && 'charset' in attrs) attrs = Object.fromEntries(Object.entries(attrs).filter(([k]) => k !== 'charset'));
  }
  const onUpdate = text(attrs?.onUpdate);
  if (attrs && onUpdate) attrs = { ...attrs, onUpdate: normalizeExpression(onUpdate) };
  const type = json ? { ...column.type, raw: 'json', base: 'json' } : column.type;
  return { ...column, type, collation, ...(attrs ? { attrs } : {}) };
}

function normalizeAction(action: ForeignKey['onUpdate']): ForeignKey['onUpdate'] {
  return action === 'no action' ? 'restrict' : action;
}

function normalizeTable(table: Table): Table {
  const jsonColumns = new Set(
    table.columns
      .filter((c) => normalizeType(c.type.raw) === 'longtext' && table.constraints.some((k) => isJsonValidCheck(k, c.name)))
      .map((c) => c.name),
  );
  return {
    ...table,
    attrs: withoutNoise(table.attrs),
    columns: table.columns.map((c) => normalizeColumn(table, c, jsonColumns.has(c.name))),
    constraints: table.constraints
      .filter((k) => !(jsonColumns.has(k.name) && isJsonValidCheck(k, k.name)))
      .map((k) => ({ ...k, attrs: withoutNoise(k.attrs) })),
    foreignKeys: table.foreignKeys.map((f) => ({ ...f, onUpdate: normalizeAction(f.onUpdate), onDelete: normalizeAction(f.onDelete), attrs: withoutNoise(f.attrs) })),
    indexes: table.indexes.map((i) => ({ ...i, attrs: withoutNoise(i.attrs) })),
    triggers: table.triggers.map(normalizeTrigger),
  };
}

/** A trigger's `attrs.statement` (the raw body) compared like its definition: comments and blanks are not drift. */
function normalizeTrigger(trigger: Trigger): Trigger {
  const attrs = withoutNoise(trigger.attrs);
  const statement = text(attrs?.statement);
  return { ...trigger, ...(attrs ? { attrs: statement ? { ...attrs, statement: normalizeExpression(statement) } : attrs } : {}) };
}

function normalizeSchema(schema: Schema): Schema {
  return {
    ...schema,
    tables: schema.tables.map(normalizeTable),
    views: schema.views.map((v) => ({ ...v, attrs: withoutNoise(v.attrs) })),
    routines: schema.routines.map((r) => ({ ...r, body: normalizeRoutineBody(r.body), attrs: withoutNoise(r.attrs) })),
  };
}

// ---- generated names -------------------------------------------------------------------------------------------

function fkGenerated(table: string, name: string): boolean {
  return name.startsWith(`${table}_ibfk_`) && /^\d+$/.test(name.slice(table.length + 6));
}

function checkGenerated(table: Table, name: string): boolean {
  return (
    (name.startsWith(`${table.name}_chk_`) && /^\d+$/.test(name.slice(table.name.length + 5))) ||
    /^CONSTRAINT_\d+$/.test(name) ||
    table.columns.some((c) => c.name === name)
  );
}

function indexGenerated(table: Table, index: Index): boolean {
  const first = index.parts[0]?.column;
  if (first !== undefined && (index.name === first || new RegExp(`^${escapeRegExp(first)}_\\d+$`).test(index.name))) return true;
  return table.foreignKeys.some((f) => f.name === index.name);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const fkContent = (f: ForeignKey) => JSON.stringify([f.columns, f.refSchema, f.refTable, f.refColumns, f.onUpdate, f.onDelete]);
const checkContent = (c: Constraint) => JSON.stringify([c.kind, checkText(c)]);
const indexContent = (i: Index) =>
  JSON.stringify([
    i.unique, i.method, i.constraint ? 'constraint' : '',
    i.parts.map((p) => [p.column ?? null, p.expression ? normalizeExpression(p.expression) : null, p.prefixLength ?? null, p.descending ?? false]),
  ]);

/**
 * Renames the desired side's generated-name parts to the current side's name when an identical part (same content)
 * with a generated name exists there and neither name exists on the other side. Returns the new names by old name.
 */
function pairGenerated<T extends { readonly name: string }>(
  desired: readonly T[],
  current: readonly T[],
  generatedD: (o: T) => boolean,
  generatedC: (o: T) => boolean,
  content: (o: T) => string,
): Map<string, string> {
  const desiredNames = new Set(desired.map((o) => o.name));
  const currentNames = new Set(current.map((o) => o.name));
  const pool = new Map<string, string[]>();
  for (const c of [...current].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (desiredNames.has(c.name) || !generatedC(c)) continue;
    const list = pool.get(content(c)) ?? [];
    list.push(c.name);
    pool.set(content(c), list);
  }
  const renames = new Map<string, string>();
  for (const d of [...desired].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (currentNames.has(d.name) || !generatedD(d)) continue;
    const name = pool.get(content(d))?.shift();
    if (name !== undefined) renames.set(d.name, name);
  }
  return renames;
}

function relabelTable(desired: Table, current: Table): Table {
  const fk = pairGenerated(desired.foreignKeys, current.foreignKeys, (f) => fkGenerated(desired.name, f.name), (f) => fkGenerated(current.name, f.name), fkContent);
  const checks = (t: Table) => t.constraints.filter((c) => c.kind === 'check');
  const ck = pairGenerated(checks(desired), checks(current), (c) => checkGenerated(desired, c.name), (c) => checkGenerated(current, c.name), checkContent);
  const ix = pairGenerated(desired.indexes, current.indexes, (i) => indexGenerated(desired, i), (i) => indexGenerated(current, i), indexContent);
  if (fk.size + ck.size + ix.size === 0) return desired;
  const rename = <T extends { readonly name: string }>(map: Map<string, string>) => (o: T): T => {
    const name = map.get(o.name);
    return name === undefined ? o : { ...o, name };
  };
  return {
    ...desired,
    foreignKeys: desired.foreignKeys.map(rename(fk)),
    // A unique key modelled as a constraint shares its name with its index: renamed together.
    constraints: desired.constraints.map((c) => (c.kind === 'check' ? rename<Constraint>(ck)(c) : rename<Constraint>(ix)(c))),
    indexes: desired.indexes.map((i) => {
      const renamed = rename<Index>(ix)(i);
      return renamed.constraint && ix.has(renamed.constraint) ? { ...renamed, constraint: ix.get(renamed.constraint) as string } : renamed;
    }),
  };
}

function relabelSchema(desired: Schema, current: Schema | undefined): Schema {
  if (!current) return desired;
  const byName = new Map(current.tables.map((t) => [t.name, t]));
  return { ...desired, tables: desired.tables.map((t) => (byName.has(t.name) ? relabelTable(t, byName.get(t.name) as Table) : t)) };
}

/**
 * Normalises both snapshots of a MySQL diff (see the file comment for the rules). Pure: the inputs are not modified.
 */
export function normalizeMysqlSnapshots(
  current: SchemaSnapshot,
  desired: SchemaSnapshot,
): { current: SchemaSnapshot; desired: SchemaSnapshot } {
  const c = { ...current, schemas: current.schemas.map(normalizeSchema) };
  const d = { ...desired, schemas: desired.schemas.map(normalizeSchema) };
  const currentByName = new Map(c.schemas.map((s) => [s.name, s]));
  const desiredByName = new Map(d.schemas.map((s) => [s.name, s]));
  const withEvents = (s: Schema, events: MysqlEvent[] | undefined): Schema => (events ? { ...s, events } : s);
  return {
    current: { ...c, schemas: c.schemas.map((s) => withEvents(s, normalizeEventPair(desiredByName.get(s.name)?.events, s.events).current)) },
    desired: {
      ...d,
      schemas: d.schemas.map((s) =>
        withEvents(relabelSchema(s, currentByName.get(s.name)), normalizeEventPair(s.events, currentByName.get(s.name)?.events).desired),
      ),
    },
  };
}
