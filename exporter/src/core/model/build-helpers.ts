/**
 * Small helpers for building and ordering model values, shared by every dialect's inspector and by the differ.
 * Everything here is deterministic: no locale, no insertion-order surprises, so a snapshot reads the same on every
 * machine.
 */
import type { Attrs, JsonValue } from './schema.ts';

/** Locale-independent (code-unit) string order, so output is identical on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts objects by `name` in place with {@link compareText}, and returns them. */
export function sortByName<T extends { readonly name: string }>(items: T[]): T[] {
  return items.sort((a, b) => compareText(a.name, b.name));
}

/** Appends to the list under `key`, creating it. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Builds an attrs record, leaving out `undefined` values (absent = not applicable). */
export function attrsOf(entries: Record<string, JsonValue | undefined>): Attrs {
  const out: Attrs = {};
  for (const [key, value] of Object.entries(entries)) if (value !== undefined) out[key] = value;
  return out;
}
