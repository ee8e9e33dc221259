/**
 * The version of the next migration of a directory, in the layout the directory already uses: a UTC timestamp of the
 * same shape when its versions are timestamps (14 digits `YYYYMMDDhhmmss` as Atlas, dbmate, goose, Prisma and
 * golang-migrate's `-format` write them; 13 digits of milliseconds or 17 digits `YYYYMMDDhhmmssSSS` as node-pg-migrate
 * writes them), else the next number with the width of the last one (`003` → `004`, `9` → `10`).
 */
import { compareVersions } from './versions.ts';

/** The shapes a numeric version can have. */
type VersionShape = 'seconds' | 'millis' | 'utc-millis' | 'sequence';

/** 14 digits starting with 19 or 20 and a valid month/day: `YYYYMMDDhhmmss`. */
const SECONDS = /^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])[0-5]\d[0-5]\d$/;
/** 17 digits: `YYYYMMDDhhmmssSSS` (node-pg-migrate's `utc` format). */
const UTC_MILLIS = /^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])[0-5]\d[0-5]\d\d{3}$/;
/** 13 digits of milliseconds since the epoch, after 2001 (node-pg-migrate's `timestamp` format, drizzle's `when`). */
const MILLIS = /^1\d{12}$/;

function shapeOf(version: string): VersionShape {
  if (SECONDS.test(version)) return 'seconds';
  if (UTC_MILLIS.test(version)) return 'utc-millis';
  if (MILLIS.test(version)) return 'millis';
  return 'sequence';
}

/** `YYYYMMDDhhmmss` (or with milliseconds) of `date` in UTC. */
function utcStamp(date: Date, millis: boolean): string {
  const iso = date.toISOString(); // 2024-01-02T09:00:00.000Z
  const stamp = iso.slice(0, 19).replace(/[-T:]/g, '');
  return millis ? `${stamp}${iso.slice(20, 23)}` : stamp;
}

function dateOfStamp(stamp: string): Date {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) => Number(stamp.slice(at, at + (i === 0 ? 4 : 2))));
  const ms = stamp.length === 17 ? Number(stamp.slice(14, 17)) : 0;
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s, ms));
}

/**
 * The next version after `last` (the highest version of the directory, a string of digits), in its shape; a timestamp
 * shape takes `now`, or one step after `last` when `now` is not later (a clock behind the newest migration).
 * `undefined` `last` (an empty directory) gives `1`.
 */
export function nextNumericVersion(last: string | undefined, now: Date): string {
  if (last === undefined) return '1';
  const shape = shapeOf(last);
  if (shape === 'sequence') {
    const next = (BigInt(last) + 1n).toString();
    return next.padStart(last.length, '0');
  }
  const candidate =
    shape === 'millis' ? String(now.getTime()) : utcStamp(now, shape === 'utc-millis');
  if (compareVersions(candidate, last) > 0) return candidate;
  if (shape === 'millis') return (BigInt(last) + 1n).toString();
  const step = shape === 'seconds' ? 1000 : 1;
  return utcStamp(new Date(dateOfStamp(last).getTime() + step), shape === 'utc-millis');
}

/**
 * Flyway's next version after `last` as written in its file name (`1`, `1.1`, `1_10`, `2024.01.02`): a one-part
 * version steps as {@link nextNumericVersion}; a dotted one steps its last part (`1_10` → `1_11`), keeping the
 * separators as written.
 */
export function nextFlywayVersion(last: string | undefined, now: Date): string {
  if (last === undefined) return '1';
  const cut = Math.max(last.lastIndexOf('.'), last.lastIndexOf('_'));
  if (cut < 0) return nextNumericVersion(last, now);
  const tail = last.slice(cut + 1);
  return `${last.slice(0, cut + 1)}${(BigInt(tail) + 1n).toString().padStart(tail.length, '0')}`;
}

/** The migration's name as file names carry it: lower case, runs of other characters as one `_`. */
export function slugName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return slug === '' ? 'schema_drift' : slug;
}
