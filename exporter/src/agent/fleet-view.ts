/**
 * The fleet view's memory: per discovered target, its fleet, the fingerprint of its live schema and its status, from
 * its latest report (kept in memory: the API and `/metrics` group them without reading the store). Seeded from the
 * store's latest report when discovery adds a target, so a restart does not forget the variants.
 */
import type { Report } from '../core/model/report.ts';
import { type FleetMember, fleetVariants, type Variant } from '../core/report/variants.ts';

/** How many target names a variant lists in the API. */
export const VARIANT_SAMPLE_SIZE = 10;

/** Targets of each fleet and what their latest reports said. */
export class FleetView {
  readonly #members = new Map<string, { fleet: string; member: FleetMember }>();

  /** Adds a discovered target, with its latest stored report when there is one. */
  add(fleet: string, target: string, latest?: Report | null): void {
    this.#members.set(target, { fleet, member: { target, status: 'unchecked' } });
    if (latest) this.observe(latest);
  }

  remove(target: string): void {
    this.#members.delete(target);
  }

  /** A stored report: its status, and its fingerprint when it inspected the live schema (an error keeps the last one). */
  observe(report: Report): void {
    const known = this.#members.get(report.target);
    if (!known) return;
    const fingerprint = report.fingerprint ?? known.member.fingerprint;
    known.member = { target: report.target, status: report.status, ...(fingerprint !== undefined ? { fingerprint } : {}) };
  }

  /** The fleet's variants, most targets first. */
  variants(fleet: string): Variant[] {
    return fleetVariants(this.#membersOf(fleet), VARIANT_SAMPLE_SIZE);
  }

  /** How many targets the fleet has now. */
  size(fleet: string): number {
    let n = 0;
    for (const m of this.#members.values()) if (m.fleet === fleet) n += 1;
    return n;
  }

  *#membersOf(fleet: string): Iterable<FleetMember> {
    for (const m of this.#members.values()) if (m.fleet === fleet) yield m.member;
  }
}
