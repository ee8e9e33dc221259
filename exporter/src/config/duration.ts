/**
 * Prometheus-style durations (`500ms`, `10s`, `1h30m`), for the configuration and the command line. A file of its own
 * so the command line parses a duration without loading the configuration schema (zod, node-cron, every dialect).
 */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+(?:ms|s|m|h|d))+$/;

/** Milliseconds of a Prometheus-style duration (`500ms`, `10s`, `1h30m`), or null when it is not one. */
export function parseDuration(text: string): number | null {
  if (!DURATION.test(text)) return null;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(amount) * (UNITS[unit ?? ''] ?? 0);
  return total;
}
