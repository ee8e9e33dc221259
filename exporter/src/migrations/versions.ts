/**
 * Version ordering shared by every format: versions are compared as numbers part by part, never as strings,
 * so `2` < `10`, `1.9` < `1.10` and 14-digit timestamps beyond 2^53 compare exactly.
 */

const SEPARATORS = /[._]/;
const DIGITS = /^[0-9]+$/;

/**
 * Compares two versions such as `"001"`, `"1.10"`, `"2_1"` or `"20240101120000"`.
 *
 * Parts are separated by `.` or `_` and compared numerically (leading zeros ignored, arbitrary length, compared
 * as digit strings so no precision is lost). A missing trailing part counts as 0, so `1` equals `1.0` (as in
 * Flyway). A part that is not all digits falls back to a string comparison after the numeric parts.
 *
 * @returns a negative number if `a` sorts before `b`, positive if after, 0 if they are the same version.
 */
export function compareVersions(a: string, b: string): number {
  const left = a.split(SEPARATORS);
  const right = b.split(SEPARATORS);
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const order = comparePart(left[i] ?? '0', right[i] ?? '0');
    if (order !== 0) return order;
  }
  return 0;
}

function comparePart(a: string, b: string): number {
  if (DIGITS.test(a) && DIGITS.test(b)) return compareDigits(a, b);
  // Numbers sort before words so `1` < `1a`; words compare by code unit for a total, stable order.
  if (DIGITS.test(a)) return -1;
  if (DIGITS.test(b)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}
