/**
 * The fleet view: a discovering entry's targets grouped by the fingerprint of their live schema (`Report.fingerprint`,
 * tenant names normalised), so "940 tenants in sync, 57 on the previous version, 3 with hot-fixes" reads at a glance.
 * Pure: the agent keeps each target's latest fingerprint and status in memory (`agent/fleet-view.ts`) and asks here.
 */
import { CHECK_STATUSES, type CheckStatus } from '../model/report.ts';

/** A target's status in the fleet view: its latest report's, or `unchecked` before its first. */
export type MemberStatus = CheckStatus | 'unchecked';

/** Every member status, for series that must exist from the start. */
export const MEMBER_STATUSES: readonly MemberStatus[] = [...CHECK_STATUSES, 'unchecked'];

/** One target of a fleet as the view sees it. */
export interface FleetMember {
  readonly target: string;
  /** From its latest report that inspected the live schema; absent before one did. */
  readonly fingerprint?: string;
  readonly status: MemberStatus;
}

/** One variant: the targets whose live schemas are alike. */
export interface Variant {
  /** 1 for the variant with the most targets; ties by fingerprint. */
  readonly rank: number;
  /** `null`: the targets with no fingerprint yet (never inspected, or every check failed). */
  readonly fingerprint: string | null;
  readonly targets: number;
  /** The first status in precedence order among its targets (`error` before `drift` before `in_sync`). */
  readonly status: MemberStatus;
  /** Targets per status, zeros left out. */
  readonly statuses: Partial<Record<MemberStatus, number>>;
  /** A few target names, sorted: bounded by the caller's `sampleSize`. */
  readonly sample: string[];
}

/** Groups `members` into variants, most targets first; the members without a fingerprint come last, as one group. */
export function fleetVariants(members: Iterable<FleetMember>, sampleSize = 5): Variant[] {
  const groups = new Map<string | null, FleetMember[]>();
  for (const member of members) {
    const key = member.fingerprint ?? null;
    const group = groups.get(key);
    if (group) group.push(member);
    else groups.set(key, [member]);
  }
  const known = [...groups.entries()].filter(([key]) => key !== null) as [string, FleetMember[]][];
  known.sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : a > b ? 1 : 0));
  const ordered: [string | null, FleetMember[]][] = [...known, ...(groups.has(null) ? [[null, groups.get(null) ?? []] as [null, FleetMember[]]] : [])];
  return ordered.map(([fingerprint, group], i) => variant(i + 1, fingerprint, group, sampleSize));
}

function variant(rank: number, fingerprint: string | null, group: readonly FleetMember[], sampleSize: number): Variant {
  const statuses: Partial<Record<MemberStatus, number>> = {};
  for (const member of group) statuses[member.status] = (statuses[member.status] ?? 0) + 1;
  const status = MEMBER_STATUSES.find((s) => statuses[s] !== undefined) ?? 'unchecked';
  const sample = group.map((m) => m.target).sort().slice(0, sampleSize);
  return { rank, fingerprint, targets: group.length, status, statuses, sample };
}

/** `variant_rank` of a variant in `schema_drift_fleet_targets`: its rank up to `top`, else `other`; `unknown` without a fingerprint. */
export function variantRankLabel(variant: Variant, top: number): string {
  if (variant.fingerprint === null) return 'unknown';
  return variant.rank <= top ? String(variant.rank) : 'other';
}

/** Every `variant_rank` value, for series that must exist from the start. */
export function variantRankLabels(top: number): string[] {
  return [...Array.from({ length: top }, (_, i) => String(i + 1)), 'other', 'unknown'];
}
