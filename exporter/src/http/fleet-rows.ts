/**
 * `/api/v1/fleets` and `/api/v1/fleets/:fleet/variants` as flat rows (Grafana's Infinity data source reads them as they
 * are): per fleet its target and variant counts, per variant its rank, fingerprint, targets, status and a sample.
 */
import { MEMBER_STATUSES, type MemberStatus, type Variant } from '../core/report/variants.ts';

/** One fleet: how many targets, variants, and targets per status across them. */
export function fleetRow(fleet: string, targets: number, variants: readonly Variant[]): Record<string, string | number> {
  const totals = Object.fromEntries(MEMBER_STATUSES.map((s) => [s, 0])) as Record<MemberStatus, number>;
  for (const variant of variants) for (const [status, n] of Object.entries(variant.statuses)) totals[status as MemberStatus] += n;
  return { fleet, targets, variants: variants.filter((v) => v.fingerprint !== null).length, ...totals };
}

/** One variant: `fingerprint` null for the targets not inspected yet; `sample` a few names, sorted. */
export function variantRow(variant: Variant): Record<string, string | number | null | string[]> {
  const counts = Object.fromEntries(MEMBER_STATUSES.map((s) => [s, variant.statuses[s] ?? 0]));
  return { rank: variant.rank, fingerprint: variant.fingerprint, targets: variant.targets, status: variant.status, ...counts, sample: variant.sample };
}
