/**
 * Draws one generated table: 5–15 columns of varied types with defaults and NOT NULLs, a primary key (identity,
 * serial, uuid or a standalone sequence), some unique and check constraints, 1–3 secondary indexes (some partial or
 * on an expression) and 0–2 foreign keys to tables generated earlier.
 */
import type { Prng } from './prng.ts';
import type {
  BenchSchema,
  ColumnKind,
  GenColumn,
  GenConstraint,
  GenForeignKey,
  GenIndex,
  GenTable,
  KeyStyle,
} from './schema-model.ts';

const NOUNS = [
  'accounts', 'orders', 'invoices', 'customers', 'products', 'payments', 'shipments', 'events', 'sessions', 'notes',
  'tickets', 'users', 'teams', 'projects', 'tasks', 'reviews', 'prices', 'stocks', 'refunds', 'coupons',
] as const;

const COLUMN_NAMES: Record<ColumnKind, readonly string[]> = {
  int: ['quantity', 'sort_order', 'attempts', 'rank', 'level'],
  bigint: ['total_views', 'bytes_used', 'external_ref', 'counter'],
  text: ['name', 'description', 'title', 'body', 'email'],
  varchar: ['code', 'slug', 'label', 'country', 'currency'],
  numeric: ['amount', 'price', 'ratio', 'weight', 'balance'],
  timestamptz: ['created_at', 'updated_at', 'deleted_at', 'seen_at', 'due_at'],
  jsonb: ['payload', 'settings', 'metadata', 'attributes'],
  bool: ['active', 'archived', 'verified', 'visible'],
  uuid: ['token', 'correlation_id', 'request_id'],
  int_array: ['scores', 'slots'],
  text_array: ['tags', 'aliases'],
  enum: ['status', 'state', 'kind'],
};

const KINDS = Object.keys(COLUMN_NAMES) as ColumnKind[];
const KEY_STYLES: readonly KeyStyle[] = [
  'identity_always', 'identity_default', 'identity_default', 'serial', 'bigserial', 'uuid', 'sequence',
];

/** Where a table goes and what it may reference. */
export interface TableSlot {
  index: number;
  schema: string;
  /** The schema generated so far: enums and sequences to use, earlier tables to reference. */
  context: BenchSchema;
  /** Fixed table name instead of a drawn one (tables added by drift). */
  name?: string;
}

/** Name of the `index`-th generated table, unique across schemas. */
export function tableName(index: number, prng: Prng): string {
  return `t${String(index).padStart(5, '0')}_${prng.pick(NOUNS)}`;
}

/** Draws a complete table for `slot`. */
export function generateTable(slot: TableSlot, prng: Prng): GenTable {
  const name = slot.name ?? tableName(slot.index, prng);
  const keyStyle = prng.pick(KEY_STYLES);
  const columns: GenColumn[] = [keyColumn(keyStyle, slot, prng)];
  const references = drawForeignKeys(slot, name, prng);
  const foreignKeys = references.map((r) => r.fk);
  for (const { fk, ref } of references) columns.push(fkColumn(fk, ref, prng));
  const total = prng.int(5, 15);
  const used = new Set(columns.map((c) => c.name));
  while (columns.length < total) columns.push(drawColumn(slot, used, prng));
  return {
    schema: slot.schema,
    name,
    keyStyle,
    columns,
    uniques: drawUniques(name, columns, prng),
    checks: drawChecks(name, columns, prng),
    indexes: drawIndexes(name, columns, foreignKeys, prng),
    foreignKeys,
    comment: prng.chance(0.1) ? `Generated table number ${slot.index}` : null,
  };
}

function keyColumn(style: KeyStyle, slot: TableSlot, prng: Prng): GenColumn {
  switch (style) {
    case 'identity_always':
      return { name: 'id', kind: 'int', type: 'integer', notNull: true, default: null, identity: 'ALWAYS' };
    case 'identity_default':
      return { name: 'id', kind: 'bigint', type: 'bigint', notNull: true, default: null, identity: 'BY DEFAULT' };
    case 'serial':
      return { name: 'id', kind: 'int', type: 'serial', notNull: true, default: null };
    case 'bigserial':
      return { name: 'id', kind: 'bigint', type: 'bigserial', notNull: true, default: null };
    case 'uuid':
      return { name: 'id', kind: 'uuid', type: 'uuid', notNull: true, default: 'gen_random_uuid()' };
    case 'sequence': {
      const seq = prng.pick(slot.context.sequences);
      const fallback = `nextval('${seq.schema}.${seq.name}'::regclass)`;
      return { name: 'id', kind: 'bigint', type: 'bigint', notNull: true, default: fallback };
    }
  }
}

/** The SQL type a column needs to reference a table with this key style. */
export function referencingType(style: KeyStyle): { kind: ColumnKind; type: string } {
  if (style === 'uuid') return { kind: 'uuid', type: 'uuid' };
  if (style === 'identity_always' || style === 'serial') return { kind: 'int', type: 'integer' };
  return { kind: 'bigint', type: 'bigint' };
}

function drawForeignKeys(slot: TableSlot, name: string, prng: Prng): { fk: GenForeignKey; ref: GenTable }[] {
  const earlier = slot.context.tables;
  if (earlier.length === 0) return [];
  const count = prng.pick([0, 1, 1, 2]);
  const fks: { fk: GenForeignKey; ref: GenTable }[] = [];
  for (let i = 0; i < count; i++) {
    // Mostly recent tables, like real schemas where new tables point at their neighbours.
    const back = Math.min(earlier.length, prng.chance(0.7) ? 50 : earlier.length);
    const ref = earlier[earlier.length - prng.int(1, back)];
    if (!ref || fks.some(({ fk }) => fk.refTable === ref.name)) continue;
    const column = `${ref.name}_id`;
    const onDelete = prng.pick(['NO ACTION', 'NO ACTION', 'CASCADE', 'SET NULL'] as const);
    fks.push({ fk: { name: `${name}_${column}_fkey`, column, refSchema: ref.schema, refTable: ref.name, onDelete }, ref });
  }
  return fks;
}

function fkColumn(fk: GenForeignKey, ref: GenTable, prng: Prng): GenColumn {
  const { kind, type } = referencingType(ref.keyStyle);
  return { name: fk.column, kind, type, notNull: fk.onDelete !== 'SET NULL' && prng.chance(0.5), default: null };
}

function drawColumn(slot: TableSlot, used: Set<string>, prng: Prng): GenColumn {
  const kind = prng.pick(KINDS);
  let name = prng.pick(COLUMN_NAMES[kind]);
  for (let n = 2; used.has(name); n++) name = `${prng.pick(COLUMN_NAMES[kind])}_${n}`;
  used.add(name);
  const { type, value } = typeAndDefault(kind, slot, prng);
  return { name, kind, type, notNull: prng.chance(0.5), default: prng.chance(0.4) ? value : null };
}

function typeAndDefault(kind: ColumnKind, slot: TableSlot, prng: Prng): { type: string; value: string } {
  switch (kind) {
    case 'int':
      return { type: 'integer', value: '0' };
    case 'bigint':
      return { type: 'bigint', value: '0' };
    case 'text':
      return { type: 'text', value: "''" };
    case 'varchar':
      return { type: `varchar(${prng.pick([3, 16, 64, 255])})`, value: "'n/a'" };
    case 'numeric':
      return { type: `numeric(${prng.int(10, 18)},${prng.int(0, 4)})`, value: '0' };
    case 'timestamptz':
      return { type: 'timestamptz', value: 'now()' };
    case 'jsonb':
      return { type: 'jsonb', value: "'{}'::jsonb" };
    case 'bool':
      return { type: 'boolean', value: prng.pick(['true', 'false']) };
    case 'uuid':
      return { type: 'uuid', value: 'gen_random_uuid()' };
    case 'int_array':
      return { type: 'integer[]', value: "'{}'::integer[]" };
    case 'text_array':
      return { type: 'text[]', value: 'ARRAY[]::text[]' };
    case 'enum': {
      const own = slot.context.enums.filter((e) => e.schema === slot.schema);
      const e = prng.pick(own.length > 0 ? own : slot.context.enums);
      const type = `${e.schema}.${e.name}`;
      return { type, value: `'${e.values[0] ?? ''}'::${type}` };
    }
  }
}

/** Neither the key nor a foreign-key column (those are named after the table they reference). */
export function isPlainColumn(c: GenColumn): boolean {
  return c.name !== 'id' && !/^t\d+_/.test(c.name);
}

function drawUniques(table: string, columns: GenColumn[], prng: Prng): GenConstraint[] {
  if (!prng.chance(0.3)) return [];
  const candidates = columns.filter((c) => ['text', 'varchar', 'int', 'uuid'].includes(c.kind) && isPlainColumn(c));
  const first = candidates[0];
  if (!first) return [];
  const second = candidates[1];
  const cols = second && prng.chance(0.4) ? [first.name, second.name] : [first.name];
  return [{ name: `${table}_${cols.join('_')}_key`, columns: cols }];
}

function drawChecks(table: string, columns: GenColumn[], prng: Prng): GenConstraint[] {
  const checks: GenConstraint[] = [];
  for (const c of columns) {
    if (!isPlainColumn(c) || !prng.chance(0.15)) continue;
    const expression = checkExpression(c);
    if (expression) checks.push({ name: `${table}_${c.name}_check`, expression });
  }
  return checks;
}

function checkExpression(c: GenColumn): string | null {
  if (c.kind === 'int' || c.kind === 'numeric') return `${c.name} >= 0`;
  if (c.kind === 'bigint') return `${c.name} > -1`;
  if (c.kind === 'text') return `char_length(${c.name}) <= 500`;
  return null;
}

function drawIndexes(table: string, columns: GenColumn[], fks: GenForeignKey[], prng: Prng): GenIndex[] {
  const count = prng.int(1, 3);
  const indexes: GenIndex[] = [];
  const plain = columns.filter((c) => c.name !== 'id' && c.kind !== 'jsonb' && !c.kind.endsWith('array'));
  for (let i = 0; i < count; i++) {
    const name = `${table}_idx${i + 1}`;
    const fk = fks[i];
    const text = columns.find((c) => c.kind === 'text' || c.kind === 'varchar');
    const json = columns.find((c) => c.kind === 'jsonb');
    const flag = columns.find((c) => c.kind === 'bool');
    const col = prng.pick(plain.length > 0 ? plain : columns);
    const shape = prng.int(0, 5);
    if (fk) indexes.push(btree(name, fk.column, null));
    else if (shape === 0 && text) indexes.push(btree(name, `lower(${text.name})`, null));
    else if (shape === 1 && json) indexes.push({ name, method: 'gin', keys: json.name, where: null, unique: false });
    else if (shape === 2 && flag) indexes.push(btree(name, col.name, flag.name));
    else if (shape === 3) indexes.push(btree(name, col.name, `${col.name} IS NOT NULL`));
    else if (shape === 4 && plain.length > 1) indexes.push(btree(name, `${col.name}, id`, null));
    else indexes.push(btree(name, col.name, null));
  }
  return indexes;
}

function btree(name: string, keys: string, where: string | null): GenIndex {
  return { name, method: 'btree', keys, where, unique: false };
}
