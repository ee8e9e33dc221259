/**
 * The benchmark's in-memory description of a generated schema. The generator builds one of these, the drift and the
 * migration-directory generators edit or slice it, and `render-sql.ts` turns it into SQL. Keeping a model (rather than
 * editing SQL text) is what makes the drifted copy and the migration files consistent with the base schema.
 */

/** Column kinds the generator draws from; they decide the SQL type, defaults, checks and drift edits. */
export type ColumnKind =
  | 'int'
  | 'bigint'
  | 'text'
  | 'varchar'
  | 'numeric'
  | 'timestamptz'
  | 'jsonb'
  | 'bool'
  | 'uuid'
  | 'int_array'
  | 'text_array'
  | 'enum';

/** How a table's `id` column gets its values. */
export type KeyStyle = 'identity_always' | 'identity_default' | 'serial' | 'bigserial' | 'uuid' | 'sequence';

/** One generated column. `type` is SQL as written in CREATE TABLE. */
export interface GenColumn {
  name: string;
  kind: ColumnKind;
  type: string;
  notNull: boolean;
  /** SQL default expression, or null. */
  default: string | null;
  /** `ALWAYS` or `BY DEFAULT` for identity columns. */
  identity?: 'ALWAYS' | 'BY DEFAULT';
}

/** A named constraint over columns (unique) or with an expression (check). */
export interface GenConstraint {
  name: string;
  columns?: string[];
  expression?: string;
}

/** A secondary index; `keys` is the rendered key list without parentheses. */
export interface GenIndex {
  name: string;
  method: 'btree' | 'gin';
  keys: string;
  where: string | null;
  unique: boolean;
}

/** A single-column foreign key to the `id` of an earlier table. */
export interface GenForeignKey {
  name: string;
  column: string;
  refSchema: string;
  refTable: string;
  onDelete: 'NO ACTION' | 'CASCADE' | 'SET NULL';
}

export interface GenTable {
  schema: string;
  name: string;
  keyStyle: KeyStyle;
  columns: GenColumn[];
  uniques: GenConstraint[];
  checks: GenConstraint[];
  indexes: GenIndex[];
  foreignKeys: GenForeignKey[];
  comment: string | null;
}

/** A view over one table, optionally joined to the target of one of its foreign keys. */
export interface GenView {
  schema: string;
  name: string;
  /** Full `SELECT ...` text. */
  query: string;
  /** `schema.table` names the view reads, so drift never drops them. */
  reads: string[];
}

export interface GenEnum {
  schema: string;
  name: string;
  values: string[];
}

export interface GenSequence {
  schema: string;
  name: string;
  start: number;
  increment: number;
}

/** A whole generated database schema. */
export interface BenchSchema {
  schemas: string[];
  enums: GenEnum[];
  sequences: GenSequence[];
  tables: GenTable[];
  views: GenView[];
}

/** `schema.table` key used to track references between generated objects. */
export function tableKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}
