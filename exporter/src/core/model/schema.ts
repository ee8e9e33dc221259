/**
 * The driver-neutral schema model.
 *
 * Every inspector (PostgreSQL, MySQL/MariaDB) produces a {@link SchemaSnapshot}; the differ compares two of them and
 * the planners render SQL from them. The core types hold what every dialect shares; a fact that only one dialect has
 * lives in the open `attrs` record of the object (for example `unlogged` on a PostgreSQL table, `engine` on a MySQL
 * one), so the core stays small. Everything is plain JSON: a snapshot saved with `inspect --format json` loads back
 * unchanged and can be used as a diff source.
 *
 * Conventions:
 * - Names are as the server stores them (no quoting). A table is identified by `schema` + `name`.
 * - Arrays are sorted by name by the inspector, so two inspections of the same database serialise identically.
 * - SQL fragments (defaults, expressions, definitions) are as the server deparses them; dialect hooks normalise the
 *   differences that are noise (see `dialects/postgres/hooks.ts`).
 * - `null` means "the server says there is none"; an absent optional field means "not applicable".
 */

/** Name of a snapshot's dialect (`dialects/registry.ts` maps it to its `Dialect` implementation). */
export type DialectName = 'postgres' | 'mysql';

/** Open record of dialect-only facts. Values must be JSON. */
export type Attrs = Record<string, JsonValue>;

/** A JSON value (what `attrs` may hold). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Where a snapshot came from and which server normalised it. */
export interface SnapshotSource {
  /** `postgres://host/db` with credentials removed, a directory path, or a file path. */
  readonly description: string;
  /** Server version string as reported, e.g. `15.20` or `18.6 (PGlite 0.5.16)`. */
  readonly serverVersion?: string;
  /** Major version number, e.g. 15. */
  readonly serverMajor?: number;
  /** `postgresql`, `pglite`, `mysql`, `mariadb`. */
  readonly flavor?: string;
  /**
   * What the inspector was asked to read but could not, and left out of the snapshot (e.g. MySQL events without the
   * EVENT privilege): a check shows these as warnings; what was left out is compared on neither side.
   */
  readonly warnings?: readonly string[];
}

/** A whole inspected database (a "realm" in Atlas' words). */
export interface SchemaSnapshot {
  readonly formatVersion: 1;
  readonly dialect: DialectName;
  readonly source: SnapshotSource;
  /** Included schemas (PostgreSQL namespaces; for MySQL the one database). */
  readonly schemas: Schema[];
  /** Database-wide objects. */
  readonly extensions: Extension[];
}

/** One schema (PostgreSQL namespace; the MySQL database) and its objects. */
export interface Schema {
  readonly name: string;
  readonly comment: string | null;
  /** Sorted ACL items, only when privileges are inspected. */
  readonly acl?: string[];
  /** Owner role, only when privileges are inspected (ownership itself is not compared: see `dialects/postgres/hooks.ts`). */
  readonly owner?: string;
  readonly tables: Table[];
  readonly views: View[];
  readonly sequences: Sequence[];
  readonly types: TypeDef[];
  readonly routines: Routine[];
  /** DialectName facts of the schema. MySQL: the database's default `charset` and `collation`. */
  readonly attrs?: Attrs;
  /** PostgreSQL user-defined collations; absent in snapshots of other dialects (and of older saved snapshots). */
  readonly collations?: Collation[];
  /** MySQL/MariaDB scheduled events; present only when the inspector was asked to read them (`events: true`). */
  readonly events?: MysqlEvent[];
}

/** A user-defined collation (`CREATE COLLATION`, PostgreSQL). */
export interface Collation {
  readonly schema: string;
  readonly name: string;
  /** `libc`, `icu` or (PostgreSQL 17+) `builtin`. */
  readonly provider: string;
  /** The ICU or builtin locale; `null` for libc. */
  readonly locale: string | null;
  /** libc `LC_COLLATE`/`LC_CTYPE`; `null` for the other providers. */
  readonly lcCollate: string | null;
  readonly lcCtype: string | null;
  readonly deterministic: boolean;
  readonly comment: string | null;
}

/** A MySQL/MariaDB scheduled event (`CREATE EVENT`). */
export interface MysqlEvent {
  readonly schema: string;
  readonly name: string;
  /** The `CREATE EVENT` statement as the inspector composes it from `information_schema.EVENTS`. */
  readonly definition: string;
  readonly comment: string | null;
  /** Schedule, status, body and settings: see `mysql/inspect-routines.ts`. */
  readonly attrs: Attrs;
}

/** A column's type. `raw` is the server's rendering (`character varying(20)`, `integer[]`, `public.mood`). */
export interface ColumnType {
  readonly raw: string;
  /** Lower-case base name without modifiers or array suffix, when the inspector can tell (`varchar`, `int4`). */
  readonly base?: string;
  /** Array dimensions (PostgreSQL); 0 or absent for scalars. */
  readonly arrayDims?: number;
  /** `builtin`, `enum`, `domain`, `composite`, `range`, `base` (user base type), `unknown`. */
  readonly category?: string;
}

/** An identity (or MySQL auto-increment) column's generation. */
export interface Identity {
  /** `always` or `by default` (PostgreSQL), `auto_increment` (MySQL). */
  readonly generation: 'always' | 'by default' | 'auto_increment';
  /** Sequence options of an identity column, as in {@link Sequence}; omitted for MySQL. */
  readonly sequence?: SequenceOptions;
}

/** A generated column's expression and storage. */
export interface Generated {
  readonly expression: string;
  /** PostgreSQL: `stored` or (18+) `virtual`; MySQL: `stored` or `virtual`. */
  readonly kind: 'stored' | 'virtual';
}

/** A column of a table. */
export interface Column {
  readonly name: string;
  /** 1-based ordinal among the table's live columns (only compared with `checkColumnOrder`). */
  readonly position: number;
  readonly type: ColumnType;
  readonly nullable: boolean;
  /** Default expression as deparsed by the server, `null` if none. */
  readonly default: string | null;
  /** Collation when it differs from the type's default, else `null`. */
  readonly collation: string | null;
  readonly identity: Identity | null;
  readonly generated: Generated | null;
  readonly comment: string | null;
  readonly attrs?: Attrs;
  /**
   * PostgreSQL, when privileges are not inspected: the column's own grants (`acl` only), for a plan that drops and adds
   * the column again (see {@link KeptAccess}). Never compared.
   */
  readonly kept?: KeptAccess;
  /**
   * PostgreSQL, a column of an `INHERITS` child or a partition that a parent also has: `inherited` when it comes from
   * a parent only (dropping the parent's column drops it), `merged` when the child declares it too (it outlives the
   * parent's column, and the child cannot drop it while a parent has it). Absent for a column of the table's own.
   * Never compared: no DDL turns one into the other, a planner uses it to drop columns in the right place.
   */
  readonly inheritance?: 'inherited' | 'merged';
}

/** One key part of an index: a column or an expression. */
export interface IndexPart {
  readonly column?: string;
  readonly expression?: string;
  readonly descending?: boolean;
  /** PostgreSQL: explicit NULLS FIRST/LAST only when it differs from the order's default. */
  readonly nullsFirst?: boolean;
  readonly collation?: string | null;
  /** Operator class when it is not the default for the type. */
  readonly opclass?: string | null;
  /** MySQL prefix length. */
  readonly prefixLength?: number;
}

/** An index of a table or materialized view. */
export interface Index {
  readonly name: string;
  readonly unique: boolean;
  /** `btree`, `gin`, `gist`, `hash`, `brin`, `spgist`, `fulltext`, `spatial`, ... */
  readonly method: string;
  readonly parts: IndexPart[];
  /** Non-key columns (`INCLUDE`). */
  readonly include: string[];
  /** Partial index predicate, `null` if none. */
  readonly predicate: string | null;
  /** Unique index with NULLS NOT DISTINCT (PostgreSQL 15+). */
  readonly nullsNotDistinct?: boolean;
  /** Set when this index backs a constraint of the same table (the constraint is the diffed object). */
  readonly constraint?: string;
  /** The server's full definition (`CREATE INDEX ...`), used by planners for kinds they render verbatim. */
  readonly definition?: string;
  readonly comment: string | null;
  readonly attrs?: Attrs;
}

/** Kinds of {@link Constraint}. */
export type ConstraintKind = 'primary_key' | 'unique' | 'check' | 'exclusion';

/** Primary key, unique, check and exclusion constraints. Foreign keys are {@link ForeignKey}. */
export interface Constraint {
  readonly name: string;
  readonly kind: ConstraintKind;
  /** Key columns for primary key and unique. */
  readonly columns: string[];
  /** Check expression, or the exclusion constraint's body; `null` for keys. */
  readonly expression: string | null;
  /** The server's definition (`pg_get_constraintdef`), e.g. `CHECK ((price > 0))`. */
  readonly definition: string;
  readonly deferrable: boolean;
  readonly initiallyDeferred: boolean;
  /** PostgreSQL: the constraint was added NOT VALID and not validated yet. */
  readonly validated?: boolean;
  /** PostgreSQL 15+: UNIQUE NULLS NOT DISTINCT. */
  readonly nullsNotDistinct?: boolean;
  readonly comment: string | null;
  readonly attrs?: Attrs;
}

/** `ON UPDATE`/`ON DELETE` action of a foreign key. */
export type ReferentialAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

/** A foreign key constraint. */
export interface ForeignKey {
  readonly name: string;
  readonly columns: string[];
  readonly refSchema: string;
  readonly refTable: string;
  readonly refColumns: string[];
  readonly onUpdate: ReferentialAction;
  readonly onDelete: ReferentialAction;
  /** `simple`, `full`, `partial`. */
  readonly match: 'simple' | 'full' | 'partial';
  readonly deferrable: boolean;
  readonly initiallyDeferred: boolean;
  readonly validated?: boolean;
  readonly definition: string;
  readonly comment: string | null;
  readonly attrs?: Attrs;
}

/** A trigger of a table. */
export interface Trigger {
  readonly name: string;
  /** Full definition as the server renders it (`pg_get_triggerdef`, MySQL's CREATE TRIGGER). */
  readonly definition: string;
  /** `O` enabled, `D` disabled, `R` replica, `A` always (PostgreSQL); absent for MySQL. */
  readonly enabled?: string;
  readonly comment: string | null;
  readonly attrs?: Attrs;
}

/** A row-level security policy (PostgreSQL). */
export interface Policy {
  readonly name: string;
  readonly permissive: boolean;
  /** `all`, `select`, `insert`, `update`, `delete`. */
  readonly command: string;
  /** Sorted role names; `public` for PUBLIC. */
  readonly roles: string[];
  readonly using: string | null;
  readonly withCheck: string | null;
}

/** A table (partitioned tables and partitions included) with its columns and parts. */
export interface Table {
  readonly schema: string;
  readonly name: string;
  readonly columns: Column[];
  /** Primary key, unique, check and exclusion constraints, sorted by name. */
  readonly constraints: Constraint[];
  readonly foreignKeys: ForeignKey[];
  /** All indexes, including those backing constraints (marked by `constraint`). */
  readonly indexes: Index[];
  readonly triggers: Trigger[];
  readonly policies: Policy[];
  readonly comment: string | null;
  /** Sorted ACL items, only when privileges are inspected. Column ACLs are in the column's `attrs.acl`. */
  readonly acl?: string[];
  /** Owner role, only when privileges are inspected (ownership itself is not compared: see `dialects/postgres/hooks.ts`). */
  readonly owner?: string;
  /**
   * DialectName facts. PostgreSQL: `unlogged`, `partitionBy` (`RANGE (created_at)`), `partitionOf` (`schema.parent`),
   * `partitionBound` (`FOR VALUES ...`), `rowSecurity`, `forceRowSecurity`, `accessMethod`, `options`.
   * MySQL: `engine`, `charset`, `collation`, `rowFormat`, `partitioning`.
   */
  readonly attrs: Attrs;
}

/** A view or materialized view. */
export interface View {
  readonly schema: string;
  readonly name: string;
  readonly materialized: boolean;
  /** Normalised definition (the SELECT), as deparsed by the server. */
  readonly definition: string;
  /** Output columns, in order, with types (for the ERD and to detect `CREATE OR REPLACE` incompatibility). */
  readonly columns: { readonly name: string; readonly type: string }[];
  /** Tables and views this view reads, as `schema.name`, sorted (for dependency ordering). */
  readonly dependsOn: string[];
  /**
   * PostgreSQL: the columns this view reads, per relation of `dependsOn` (same keys), sorted, from the catalog's
   * dependency records (`pg_depend` of the view's rewrite rule). A relation of `dependsOn` without an entry is read as
   * a whole (a whole-row reference, `count(*)`): a change to any of its columns concerns the view. Absent in MySQL
   * snapshots and in snapshots saved before it existed; planners then assume every column is read. Not compared.
   */
  readonly readsColumns?: Record<string, string[]>;
  /**
   * PostgreSQL: user-defined types the view's definition names itself (a cast such as `'a'::mood`), as
   * `schema.name`, sorted; types reached only through the columns it reads are not listed. Not compared.
   */
  readonly dependsOnTypes?: string[];
  /**
   * PostgreSQL: user-defined routines the view's definition calls, as `schema.name(identity arguments)`, sorted.
   * Not compared.
   */
  readonly dependsOnRoutines?: string[];
  /**
   * PostgreSQL: what a plan that drops and recreates the view must put back although the differ does not compare
   * it (see {@link KeptAccess}). Never compared.
   */
  readonly kept?: KeptAccess;
  /** Indexes on a materialized view. */
  readonly indexes: Index[];
  readonly comment: string | null;
  readonly acl?: string[];
  /** Owner role, only when privileges are inspected (ownership itself is not compared: see `dialects/postgres/hooks.ts`). */
  readonly owner?: string;
  /** PostgreSQL: `checkOption`, `securityBarrier`, `securityInvoker`. */
  readonly attrs: Attrs;
}

/**
 * What the PostgreSQL inspector records about an object so that a plan rebuilding it (drop + create) leaves it as it
 * was, whatever the comparison covers: without privileges inspected, `acl` and `owner` of the object itself are not
 * in the snapshot, yet a rebuild that forgot them would silently remove access (and a later diff without privileges
 * would not notice). Never compared; a planner uses it only for objects it drops and creates again.
 */
export interface KeptAccess {
  /** Sorted ACL items (the default ACL expanded), when privileges are not inspected (else see the object's `acl`). */
  readonly acl?: string[];
  /** Owner role, when privileges are not inspected (else see the object's `owner`). */
  readonly owner?: string;
  /**
   * Triggers on a view (`INSTEAD OF`, statement-level), which the model's views do not otherwise hold: a rebuilt
   * view gets them back as they are on the live database. Sorted by name.
   */
  readonly triggers?: Trigger[];
}

/** Options a sequence and an identity column share. */
export interface SequenceOptions {
  /** Data type (`bigint`, `integer`, `smallint`). */
  readonly type: string;
  readonly start: string;
  readonly increment: string;
  readonly min: string;
  readonly max: string;
  readonly cache: string;
  readonly cycle: boolean;
}

/** A sequence. */
export interface Sequence extends SequenceOptions {
  readonly schema: string;
  readonly name: string;
  /** `schema.table.column` when the sequence is OWNED BY a column, else `null`. */
  readonly ownedBy: string | null;
  readonly comment: string | null;
  readonly acl?: string[];
  /** Owner role, only when privileges are inspected (ownership itself is not compared: see `dialects/postgres/hooks.ts`). */
  readonly owner?: string;
  readonly attrs?: Attrs;
}

/** A user-defined type, discriminated on `kind`. */
export type TypeDef = EnumType | DomainType | CompositeType | RangeType;

/** An enum type. */
export interface EnumType {
  readonly kind: 'enum';
  readonly schema: string;
  readonly name: string;
  /** Labels in their sort order. */
  readonly values: string[];
  readonly comment: string | null;
}

/** A domain over a base type. */
export interface DomainType {
  readonly kind: 'domain';
  readonly schema: string;
  readonly name: string;
  readonly baseType: string;
  readonly nullable: boolean;
  readonly default: string | null;
  readonly collation: string | null;
  /** Named CHECK constraints, sorted by name. */
  readonly checks: { readonly name: string; readonly definition: string }[];
  readonly comment: string | null;
}

/** A composite type (`CREATE TYPE ... AS (...)`). */
export interface CompositeType {
  readonly kind: 'composite';
  readonly schema: string;
  readonly name: string;
  readonly attributes: { readonly name: string; readonly type: string; readonly collation: string | null }[];
  readonly comment: string | null;
}

/** A range type (`CREATE TYPE ... AS RANGE`, PostgreSQL). Names of functions and types are as the server prints them. */
export interface RangeType {
  readonly kind: 'range';
  readonly schema: string;
  readonly name: string;
  /** Element type (`double precision`, `public.my_num`). */
  readonly subtype: string;
  /** B-tree operator class of the subtype (`schema.name`) when it is not the subtype's default, else `null`. */
  readonly subtypeOpclass: string | null;
  /** Collation when it differs from the subtype's default, else `null`. */
  readonly collation: string | null;
  /** Canonical function, `null` if none. */
  readonly canonical: string | null;
  /** Subtype difference function, `null` if none. */
  readonly subtypeDiff: string | null;
  /** The multirange type's qualified name (PostgreSQL 14+); absent on servers without multiranges. */
  readonly multirange?: string;
  readonly comment: string | null;
}

/** A function, procedure, aggregate or window function. */
export interface Routine {
  readonly schema: string;
  readonly name: string;
  /** `function`, `procedure`, `aggregate`, `window`. */
  readonly kind: 'function' | 'procedure' | 'aggregate' | 'window';
  /** Identity arguments (`integer, text`): with schema+name, the routine's identity (overloads differ here). */
  readonly identityArgs: string;
  /** Full argument list with names, modes and defaults. */
  readonly args: string;
  /** Return type (`integer`, `SETOF record`, `TABLE(...)`); `null` for procedures. */
  readonly returns: string | null;
  readonly language: string;
  /** Body as stored (`prosrc`), or the SQL-standard body as deparsed. */
  readonly body: string;
  /** `immutable`, `stable`, `volatile`. */
  readonly volatility: string;
  readonly strict: boolean;
  readonly securityDefiner: boolean;
  /** `safe`, `restricted`, `unsafe`. */
  readonly parallel?: string;
  /** `SET` options, e.g. `search_path=public`, sorted. */
  readonly config: string[];
  /** The server's full `CREATE OR REPLACE` definition, used by planners. */
  readonly definition: string;
  readonly comment: string | null;
  readonly acl?: string[];
  /** Owner role, only when privileges are inspected (ownership itself is not compared: see `dialects/postgres/hooks.ts`). */
  readonly owner?: string;
  /** PostgreSQL: ACL and owner a plan that drops and recreates the routine restores (see {@link KeptAccess}). */
  readonly kept?: KeptAccess;
  readonly attrs?: Attrs;
}

/** An installed extension. */
export interface Extension {
  readonly name: string;
  readonly schema: string;
  /** Installed version; compared unless the differ is told to ignore versions (`ignoreExtensionVersions`). */
  readonly version: string;
  /**
   * True on a replayed (desired) side when no migration named a version (`CREATE EXTENSION x` without `VERSION`, no
   * `ALTER EXTENSION x UPDATE TO`): the version is whatever the replay engine ships, not a wish, so it is not compared.
   */
  readonly versionUnpinned?: boolean;
  readonly comment?: string | null;
}

/**
 * `snapshot` with every extension's version marked unpinned (`Extension.versionUnpinned`): for a desired side built by
 * something whose statements are not read (a migration command), where a version is the scratch server's default.
 */
export function withUnpinnedExtensionVersions(snapshot: SchemaSnapshot): SchemaSnapshot {
  if (!snapshot.extensions.length) return snapshot;
  return { ...snapshot, extensions: snapshot.extensions.map((e) => ({ ...e, versionUnpinned: true })) };
}

/** The qualified key of a schema-level object: `schema.name` (names quoted when they hold a dot). */
export function qualifiedKey(schema: string, name: string): string {
  return `${schema.includes('.') ? JSON.stringify(schema) : schema}.${name.includes('.') ? JSON.stringify(name) : name}`;
}

/** An empty snapshot, for tests and as the start of a replay. */
export function emptySnapshot(dialect: DialectName, source: SnapshotSource): SchemaSnapshot {
  return { formatVersion: 1, dialect, source, schemas: [], extensions: [] };
}
