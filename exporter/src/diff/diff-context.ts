/**
 * The state one `diffSchemas` call threads through the per-kind differs: options, memoised dialect hooks and the
 * output list.
 */
import type { Change } from '../model/change.ts';
import type { DiffHooks, DiffOptions } from './options.ts';

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
  /** Normalised collation (the dialect's "default" spelled out reads as `null`). */
  collation(name: string | null | undefined): string | null;
}

/**
 * Builds a context whose expression and type normalisers are memoised: large schemas repeat the same defaults and
 * types thousands of times, and the hooks work with regular expressions.
 */
export function createDiffContext(hooks: DiffHooks, options: DiffOptions | undefined): DiffContext {
  const exprCache = new Map<string, string>();
  const typeCache = new Map<string, string>();
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
    collation: (name) => (hooks.normalizeCollation ? hooks.normalizeCollation(name ?? null) : (name ?? null)),
  };
}
