/**
 * Dialect-neutral comparison helpers of the differ: matching objects by key, field-by-field comparison that reports
 * raw values while comparing normalised ones, and pairing renamed objects.
 */
import { compareText } from '../model/build-helpers.ts';
import type { AttributeChange } from '../model/change.ts';
import type { Attrs } from '../model/schema.ts';

// Part of the differ's API (callers import it from here); the order is every module's.
export { compareText };

/**
 * One compared attribute of an object kind: `get` reads the raw value (reported), `norm` the comparable form.
 * Without `norm` the raw value is compared.
 */
export interface Field<T> {
  readonly name: string;
  get(object: T): unknown;
  norm?(value: unknown, object: T): unknown;
}

/** Objects of two sides matched by key: pairs present on both sides, and the leftovers of each side. */
export interface Matched<T> {
  readonly both: [desired: T, current: T][];
  /** Desired only. */
  readonly missing: T[];
  /** Current only. */
  readonly extra: T[];
}

/** Matches two lists by key in O(n) with a Map. Keys are unique per side (a later duplicate wins). */
export function matchBy<T>(desired: readonly T[], current: readonly T[], key: (object: T) => string): Matched<T> {
  const currentByKey = new Map<string, T>();
  for (const object of current) currentByKey.set(key(object), object);
  const both: [T, T][] = [];
  const missing: T[] = [];
  const seen = new Set<string>();
  for (const object of desired) {
    const k = key(object);
    seen.add(k);
    const other = currentByKey.get(k);
    if (other === undefined) missing.push(object);
    else both.push([object, other]);
  }
  const extra = current.filter((object) => !seen.has(key(object)));
  return { both, missing, extra };
}

/** Structural equality of JSON-like values; `undefined` equals `null` (absent and "none" read the same). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && !Array.isArray(b)) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
    for (const k of keys) if (!deepEqual(ra[k], rb[k])) return false;
    return true;
  }
  return false;
}

/**
 * Whether a dialect attribute is "not set". An absent key, `null`, `false` and an empty list or record all mean the
 * server has nothing to say, so inspectors of different server versions that omit or spell out a default agree.
 */
export function isUnset(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/** Compares every field and returns the differing ones with raw expected (desired) and actual (current) values. */
export function compareFields<T>(fields: readonly Field<T>[], desired: T, current: T): AttributeChange[] {
  const out: AttributeChange[] = [];
  for (const field of fields) {
    const expected = field.get(desired);
    const actual = field.get(current);
    const same = field.norm
      ? deepEqual(field.norm(expected, desired), field.norm(actual, current))
      : deepEqual(expected, actual);
    if (!same) out.push({ name: field.name, expected: expected ?? null, actual: actual ?? null });
  }
  return out;
}

/** Compares two open `attrs` records key by key, reporting `attrs.<key>`; unset values are equal. */
export function compareAttrs(desired: Attrs | undefined, current: Attrs | undefined): AttributeChange[] {
  const d = desired ?? {};
  const c = current ?? {};
  const keys = [...new Set([...Object.keys(d), ...Object.keys(c)])].sort();
  const out: AttributeChange[] = [];
  for (const key of keys) {
    const expected = d[key];
    const actual = c[key];
    if (isUnset(expected) && isUnset(actual)) continue;
    if (!deepEqual(expected, actual)) out.push({ name: `attrs.${key}`, expected: expected ?? null, actual: actual ?? null });
  }
  return out;
}

/** Canonical JSON of a value with sorted keys and unset attrs dropped, for signatures. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === undefined) return null;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const record = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k] ?? null]));
    }
    return v;
  });
}

/** The comparable signature of an object: every field's normalised value, the name excluded by the caller. */
export function signature<T>(fields: readonly Field<T>[], object: T, attrs: Attrs | undefined): string {
  const values = fields.map((f) => (f.norm ? f.norm(f.get(object), object) : f.get(object)));
  const setAttrs = Object.entries(attrs ?? {}).filter(([, v]) => !isUnset(v));
  return canonicalJson([values, Object.fromEntries(setAttrs)]);
}

/**
 * Pairs missing and extra objects whose signatures are equal: the same object under another name. Pairs are made in
 * name order so the result is deterministic; unpaired objects stay missing or extra.
 */
export function pairRenames<T extends { readonly name: string }>(
  missing: readonly T[],
  extra: readonly T[],
  sign: (object: T) => string,
): { renamed: [desired: T, current: T][]; missing: T[]; extra: T[] } {
  if (missing.length === 0 || extra.length === 0) return { renamed: [], missing: [...missing], extra: [...extra] };
  const bySignature = new Map<string, T[]>();
  for (const object of [...extra].sort(byName)) {
    const key = sign(object);
    const list = bySignature.get(key);
    if (list) list.push(object);
    else bySignature.set(key, [object]);
  }
  const renamed: [T, T][] = [];
  const stillMissing: T[] = [];
  const used = new Set<T>();
  for (const object of [...missing].sort(byName)) {
    const candidate = bySignature.get(sign(object))?.shift();
    if (candidate === undefined) stillMissing.push(object);
    else {
      renamed.push([object, candidate]);
      used.add(candidate);
    }
  }
  return { renamed, missing: stillMissing, extra: extra.filter((object) => !used.has(object)) };
}

/** Orders by `name` in code-unit order (locale-independent, so output is the same on every machine). */
export function byName(a: { readonly name: string }, b: { readonly name: string }): number {
  return compareText(a.name, b.name);
}
