/**
 * Options and dialect hooks of the pure differ.
 */
import type { Column, DialectName, SchemaSnapshot, View } from '../model/schema.ts';

/** What the differ compares beyond the defaults. */
export interface DiffOptions {
  /** Report a column whose ordinal position differs (off by default: order is noise for most users). */
  readonly checkColumnOrder?: boolean;
  /**
   * Leave extension versions out (compared by default; a side whose version is not pinned, see
   * `Extension.versionUnpinned`, is never compared).
   */
  readonly ignoreExtensionVersions?: boolean;
  /** Compare ACLs when both sides carry them (privileges are an opt-in of the inspector). */
  readonly checkPrivileges?: boolean;
}

/**
 * A dialect's answers to "is this difference noise?". Each hook returns the normalised form of a value; the differ
 * compares normalised forms and reports the raw values.
 */
export interface DiffHooks {
  readonly dialect: DialectName;
  /** Normalise a SQL expression (defaults, check bodies, predicates, view definitions). */
  normalizeExpression(sql: string): string;
  /** Normalise a type name (aliases such as `int4` and `integer`). */
  normalizeType(raw: string): string;
  /** Normalise a column's default, given the column (e.g. serial defaults, casts of literals). */
  normalizeDefault(column: Column, schemaOf: string): string | null;
  /** Normalise a view definition. */
  normalizeViewDefinition(view: View): string;
  /**
   * Normalise a collation name (optional; added by the differ): e.g. PostgreSQL's `"default"` reads as `null`.
   * Without it collations are compared as they are.
   */
  normalizeCollation?(collation: string | null): string | null;
  /**
   * Normalise an ACL (optional; added by the differ). `serverMajor` is the older of the two snapshots' server major
   * versions (absent when unknown), so privileges the older server cannot express (PostgreSQL 17's MAINTAIN) are not
   * reported as drift. `owner` is the object's owner on that side (absent when the snapshot does not say), so the
   * owner's own grants can be compared whoever owns the object (the replay database and production differ there).
   * `schema` names the schema when the ACL is a schema's own (a default the server gives one schema, such as
   * PostgreSQL's `public`, can depend on its version). Without the hook ACLs are compared as they are.
   */
  normalizeAcl?(acl: readonly string[], serverMajor: number | undefined, owner?: string, schema?: string): string[];
  /**
   * Normalise both snapshots before they are compared (optional; added for MySQL): noise that needs the owning table
   * or the other side, such as a column collation inherited from its table or a name the server generated. The
   * returned copies are what the differ compares and what its changes carry, so a rewrite must keep what a planner
   * needs. Without the hook the snapshots are compared as they are.
   */
  normalizeSnapshots?(current: SchemaSnapshot, desired: SchemaSnapshot): { current: SchemaSnapshot; desired: SchemaSnapshot };
}

/** What the differ needs: two snapshots of one dialect and the dialect's hooks. */
export interface DiffInput {
  readonly current: SchemaSnapshot;
  readonly desired: SchemaSnapshot;
  readonly hooks: DiffHooks;
  readonly options?: DiffOptions;
}
