/**
 * The state one `diffSchemas` call threads through the per-kind differs: options, memoised dialect hooks and the
 * output list.
 */
import type { AttributeChange, Change } from '../model/change.ts';
import type { Column, SchemaSnapshot } from '../model/schema.ts';
import { deepEqual } from './compare.ts';
import type { DiffHooks, DiffOptions } from './options.ts';

/** An object's ACL with the owner it is relative to (columns: their table's owner). */
export interface AclSide {
  readonly acl?: readonly string[];
  readonly owner?: string;
}

/** What every per-kind differ receives. */
export interface DiffContext {
  readonly hooks: DiffHooks;
  readonly options: DiffOptions;
  /** Changes found so far (sorted once at the end). */
  readonly out: Change[];
  /** Normalised SQL expression; `null` stays `null`. */
  expr(sql: string | null | undefined): string | null;
  /** Normalised type name; `null` stays `null`. */
  type(raw: string | null | undefined): string | null;
  /**
   * The hooks' normalised default of a column of `schema`, memoised on schema, type and default text (the inputs a
   * default's normal form can depend on).
   */
  columnDefault(column: Column, schema: string): string | null;
  /**
   * The ACL attribute change (named `name`, default `acl`) of an object, or none: only with `checkPrivileges` and
   * when both sides carry ACLs (privileges are an opt-in of the inspector); compared through the hooks' ACL
   * normaliser, each side with its own owner. Raw ACLs are reported. `schema` is set for a schema's own ACL.
   */
  compareAcl(desired: AclSide, current: AclSide, name?: string, schema?: string): AttributeChange[];
  /** Normalised collation (the dialect's "default" spelled out reads as `null`). */
  collation(name: string | null | undefined): string | null;
}

/**
 * Builds a context whose expression and type normalisers are memoised: large schemas repeat the same defaults and
 * types thousands of times, and the hooks work with regular expressions.
 */
export function createDiffContext(
  hooks: DiffHooks,
  options: DiffOptions | undefined,
  snapshots: readonly SchemaSnapshot[] = [],
): DiffContext {
  const majors = snapshots.map((s) => s.source.serverMajor);
  const serverMajor = majors.every((m) => m !== undefined) && majors.length > 0 ? Math.min(...majors) : undefined;
  const normAcl = (acl: readonly string[], owner: string | undefined, schema: string | undefined) =>
    hooks.normalizeAcl ? hooks.normalizeAcl(acl, serverMajor, owner, schema) : acl;
  const exprCache = new Map<string, string>();
  const typeCache = new Map<string, string>();
  const defaultCache = new Map<string, string | null>();
  const memo = (cache: Map<string, string>, fn: (s: string) => string) => (value: string | null | undefined) => {
    if (value === null || value === undefined) return null;
    let result = cache.get(value);
    if (result === undefined) {
      result = fn(value);
      cache.set(value, result);
    }
    return result;
  };
  return {
    hooks,
    options: options ?? {},
    out: [],
    expr: memo(exprCache, (s) => hooks.normalizeExpression(s)),
    type: memo(typeCache, (s) => hooks.normalizeType(s)),
    columnDefault: (column, schema) => {
      if (column.default === null) return hooks.normalizeDefault(column, schema);
      const key = `${schema}\u0000${column.type.raw}\u0000${column.default}`;
      let result = defaultCache.get(key);
      if (result === undefined) {
        result = hooks.normalizeDefault(column, schema);
        defaultCache.set(key, result);
      }
      return result;
    },
    compareAcl: (desired, current, name = 'acl', schema) => {
      if (!options?.checkPrivileges || !desired.acl || !current.acl) return [];
      const same = deepEqual(normAcl(desired.acl, desired.owner, schema), normAcl(current.acl, current.owner, schema));
      return same ? [] : [{ name, expected: desired.acl, actual: current.acl }];
    },
    collation: (name) => (hooks.normalizeCollation ? hooks.normalizeCollation(name ?? null) : (name ?? null)),
  };
}
