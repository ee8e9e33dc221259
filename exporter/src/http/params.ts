/**
 * Request parameters of the HTTP API, parsed once into numbers or rejected with a 400 that names the parameter.
 */

/** An error with an HTTP status whose message is safe to show to the client (it names only request input). */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Ceiling of `?limit=` on history endpoints (the store's default applies when it is absent). */
export const MAX_LIMIT = 1000;

// Ids and limits are plain decimal integers: no sign, no exponent, no leading zeros (so "1e3" or "012" is a 400).
const POSITIVE_INTEGER = /^[1-9][0-9]{0,15}$/;

/** Parses a positive integer given as a single string; `undefined` when it is absent. */
function positiveInteger(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !POSITIVE_INTEGER.test(value) || Number(value) > max) {
    throw new HttpError(400, `invalid "${name}": expected an integer from 1 to ${max}`);
  }
  return Number(value);
}

/** `?limit=`: 1..MAX_LIMIT; `undefined` when absent (the store's default). */
export function parseLimit(value: unknown): number | undefined {
  return positiveInteger(value, 'limit', MAX_LIMIT);
}

/** `?before=`: a report id; only reports with a smaller id are listed (keyset paging, newest first). */
export function parseBefore(value: unknown): number | undefined {
  return positiveInteger(value, 'before', Number.MAX_SAFE_INTEGER);
}

/** A report reference in a path: `latest` or a report id. */
export type ReportRef = 'latest' | number;

/** Parses the `:id` path segment of `/reports/:id`. */
export function parseReportRef(value: string): ReportRef {
  if (value === 'latest') return 'latest';
  const id = positiveInteger(value, 'id', Number.MAX_SAFE_INTEGER);
  if (id === undefined) throw new HttpError(400, 'invalid "id": expected "latest" or a report id');
  return id;
}

/** `?wait=`: `true` (default) or `false`; anything else is a 400. */
export function parseWait(value: unknown): boolean {
  if (value === undefined || value === 'true') return true;
  if (value === 'false') return false;
  throw new HttpError(400, 'invalid "wait": expected true or false');
}
