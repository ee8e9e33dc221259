import type { DataFrame } from '@grafana/data';

import { findField, rowCount } from './frames.ts';

/**
 * Lenient value readers. Infinity types a field by the dashboard's `columns` (or infers it), so a number may
 * arrive as a string, a boolean as `"true"`, a timestamp as epoch milliseconds and a one-element list as a number.
 * Each reader accepts all of those and never throws.
 */

/** Text, or null for null/undefined. Empty strings are kept: in the views they mean "none", not "unknown". */
export function asText(value: unknown): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return JSON.stringify(value);
}

/** A finite number, or null. */
export function asNumber(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : null;
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/** A boolean from a boolean, `"true"`/`"false"`, or 1/0; null otherwise. */
export function asBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') {
    return value;
  }
  if (value === 'true' || value === 1 || value === '1') {
    return true;
  }
  if (value === 'false' || value === 0 || value === '0') {
    return false;
  }
  return null;
}

/** A comma-joined list (the views' convention) as an array; a bare number is a one-element list. */
export function asList(value: unknown): string[] {
  const text = asText(value);
  if (!text) {
    return [];
  }
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** A comma-joined list of indices; non-numeric parts are dropped. */
export function asIndexList(value: unknown): number[] {
  return asList(value)
    .map((part) => Number(part))
    .filter((n) => Number.isInteger(n) && n >= 0);
}

/** An ISO time from an ISO string or epoch milliseconds (a field typed `timestamp`/`time`). */
export function asIsoTime(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return new Date(value).toISOString();
  }
  if (value instanceof Date && !Number.isNaN(value.getTime())) {
    return value.toISOString();
  }
  const text = asText(value);
  return text === '' ? null : text;
}

/** Value of one string from a closed set, or the fallback. */
export function asEnum<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T;
export function asEnum<T extends string>(value: unknown, allowed: readonly T[], fallback: null): T | null;
export function asEnum<T extends string>(value: unknown, allowed: readonly T[], fallback: T | null): T | null {
  const text = asText(value);
  return text !== null && (allowed as readonly string[]).includes(text) ? (text as T) : fallback;
}

/** Reads a frame's rows as plain records keyed by the requested field names (missing fields read as undefined). */
export function readRows<K extends string>(frame: DataFrame, names: readonly K[]): Array<Record<K, unknown>> {
  const columns = names.map((name) => [name, findField(frame, name)?.values] as const);
  const count = rowCount(frame);
  const rows: Array<Record<K, unknown>> = [];
  for (let i = 0; i < count; i++) {
    const row = {} as Record<K, unknown>;
    for (const [name, values] of columns) {
      row[name] = values?.[i];
    }
    rows.push(row);
  }
  return rows;
}
