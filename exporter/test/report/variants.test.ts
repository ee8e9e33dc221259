/**
 * The fleet view's grouping: variants ordered by size, statuses counted, samples bounded, targets without a
 * fingerprint last; and the `/metrics` series built from it stay bounded however many variants a fleet has.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type FleetMember, fleetVariants, MEMBER_STATUSES, variantRankLabel } from '../../src/core/report/variants.ts';
import { FleetView } from '../../src/agent/fleet-view.ts';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.ts';
import { FLEET_TOP_VARIANTS } from '../../src/metrics/names.ts';
import { makeReport, samples, scrape } from '../metrics/support.ts';

const member = (target: string, fingerprint: string | undefined, status: FleetMember['status']): FleetMember => ({
  target,
  status,
  ...(fingerprint ? { fingerprint } : {}),
});

describe('fleetVariants', () => {
  it('groups by fingerprint, largest first, ties by fingerprint, unknown last', () => {
    const variants = fleetVariants([
      member('t3', 'bbb', 'in_sync'),
      member('t1', 'bbb', 'drift'),
      member('t2', 'bbb', 'in_sync'),
      member('t4', 'aaa', 'drift'),
      member('t5', 'ccc', 'pending'),
      member('t6', undefined, 'unchecked'),
      member('t7', undefined, 'error'),
    ]);
    expect(variants).toEqual([
      { rank: 1, fingerprint: 'bbb', targets: 3, status: 'drift', statuses: { in_sync: 2, drift: 1 }, sample: ['t1', 't2', 't3'] },
      { rank: 2, fingerprint: 'aaa', targets: 1, status: 'drift', statuses: { drift: 1 }, sample: ['t4'] },
      { rank: 3, fingerprint: 'ccc', targets: 1, status: 'pending', statuses: { pending: 1 }, sample: ['t5'] },
      { rank: 4, fingerprint: null, targets: 2, status: 'error', statuses: { unchecked: 1, error: 1 }, sample: ['t6', 't7'] },
    ]);
  });

  it('bounds the sample', () => {
    const members = Array.from({ length: 50 }, (_, i) => member(`t${String(i).padStart(2, '0')}`, 'x', 'in_sync'));
    expect(fleetVariants(members, 3)[0]?.sample).toEqual(['t00', 't01', 't02']);
  });

  it.each([
    [1, 'aaa', '1'],
    [FLEET_TOP_VARIANTS, 'aaa', String(FLEET_TOP_VARIANTS)],
    [FLEET_TOP_VARIANTS + 1, 'aaa', 'other'],
    [2, null, 'unknown'],
  ])('rank %i of fingerprint %s is labelled %s', (rank, fingerprint, label) => {
    expect(variantRankLabel({ rank, fingerprint, targets: 1, status: 'in_sync', statuses: {}, sample: [] }, FLEET_TOP_VARIANTS)).toBe(label);
  });
});

describe('FleetView', () => {
  it('keeps the last fingerprint across a failed check and forgets removed targets', () => {
    const view = new FleetView();
    view.add('f', 'f.a');
    view.add('f', 'f.b');
    view.add('g', 'g.a');
    view.observe({ ...makeReport({ target: 'f.a', status: 'in_sync', finishedAt: '2026-01-01T00:00:00Z', durationMs: 1 }), fingerprint: 'x' });
    view.observe(makeReport({ target: 'f.a', status: 'error', reason: 'connect', finishedAt: '2026-01-01T00:01:00Z', durationMs: 1 }));
    expect(view.variants('f').map((v) => [v.fingerprint, v.statuses])).toEqual([['x', { error: 1 }], [null, { unchecked: 1 }]]);
    view.remove('f.b');
    expect(view.size('f')).toBe(1);
    expect(view.size('g')).toBe(1);
  });
});

describe('fleet metrics', () => {
  let metrics: Metrics | undefined;
  afterEach(async () => {
    await metrics?.shutdown();
    metrics = undefined;
  });

  it('export a bounded set of series whatever the number of variants and targets', async () => {
    // 400 targets in 200 variants.
    const view = new FleetView();
    for (let i = 0; i < 400; i++) {
      view.add('tenants', `tenants.t${i}`);
      view.observe({ ...makeReport({ target: `tenants.t${i}`, status: i % 2 ? 'drift' : 'in_sync', finishedAt: '2026-01-01T00:00:00Z', durationMs: 1 }), fingerprint: `v${i % 200}` });
    }
    metrics = createMetrics({ targets: [], labelNames: [], version: 't', runtime: false, fleets: ['tenants', 'empty'], fleetVariants: (f) => view.variants(f) });
    metrics.recordDiscovery('tenants', { targets: 400, unmapped: 2 });
    metrics.recordDiscovery('empty', { failed: true });
    const series = samples((await scrape(metrics)).text);
    const fleetTargets = [...series.keys()].filter((k) => k.startsWith('schema_drift_fleet_targets{'));
    // Per fleet: the top ranks, other and unknown, times every status.
    expect(fleetTargets).toHaveLength(2 * (FLEET_TOP_VARIANTS + 2) * MEMBER_STATUSES.length);
    expect(series.get('schema_drift_fleet_variants{fleet="tenants"}')).toBe(200);
    const sum = (fleet: string) => fleetTargets.filter((k) => k.includes(`fleet="${fleet}"`)).reduce((n, k) => n + (series.get(k) ?? 0), 0);
    expect(sum('tenants')).toBe(400);
    // Every variant has 2 targets, so ties rank by fingerprint: v0, v1, v10, v100, v101 lead, three of them in sync.
    expect(series.get('schema_drift_fleet_targets{fleet="tenants",variant_rank="1",status="in_sync"}')).toBe(2);
    expect(series.get('schema_drift_fleet_targets{fleet="tenants",variant_rank="2",status="drift"}')).toBe(2);
    expect(series.get('schema_drift_fleet_targets{fleet="tenants",variant_rank="other",status="in_sync"}')).toBe(200 - 6);
    expect(series.get('schema_drift_discovered_targets{fleet="tenants"}')).toBe(400);
    expect(series.get('schema_drift_discovery_unmapped{fleet="tenants"}')).toBe(2);
    expect(series.get('schema_drift_discovery_errors_total{fleet="empty"}')).toBe(1);
    expect(series.get('schema_drift_discovery_errors_total{fleet="tenants"}')).toBe(0);
  });

  it('drop every per-target series of a removed target', async () => {
    metrics = createMetrics({ targets: [{ name: 'static', labels: {} }], labelNames: [], version: 't', runtime: false });
    metrics.addTarget({ name: 'fleet.a', labels: {} });
    metrics.observe(makeReport({ target: 'fleet.a', status: 'drift', finishedAt: '2026-01-01T00:00:00Z', durationMs: 1, changes: { table: { extra: 1 } } }));
    const before = [...samples((await scrape(metrics)).text).keys()].filter((k) => k.includes('target="fleet.a"'));
    expect(before).toContain('schema_drift_detected{target="fleet.a"}');
    expect(before).toContain('schema_drift_checks_total{target="fleet.a"}');
    metrics.removeTarget('fleet.a');
    const after = [...samples((await scrape(metrics)).text).keys()];
    expect(after.filter((k) => k.includes('target="fleet.a"'))).toEqual([]);
    expect(after).toContain('schema_drift_detected{target="static"}');
  });
});
