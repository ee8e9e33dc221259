/**
 * Comparing MySQL/MariaDB release numbers, for the inspector (which `information_schema` columns a release documents)
 * and the planner (which ALTERs a release runs INSTANT). Flavour detection stays in `connect.ts`.
 */

/** `[major, minor, patch]` of a version string (`8.0.39` → `[8, 0, 39]`, `10.11.19-MariaDB` → `[10, 11, 19]`); `[]` when it has none. */
export function versionParts(version: string): number[] {
  return (/^(\d+)\.(\d+)\.?(\d*)/.exec(version)?.slice(1) ?? []).map((n) => Number(n || 0));
}

/** True when release `have` is `want` or later (missing parts count as 0). */
export function versionAtLeast(have: readonly number[], want: readonly number[]): boolean {
  for (let i = 0; i < want.length; i += 1) {
    if ((have[i] ?? 0) !== (want[i] ?? 0)) return (have[i] ?? 0) > (want[i] ?? 0);
  }
  return true;
}
