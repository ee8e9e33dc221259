/**
 * Behaviour of the metrics, read back through a real `/metrics` scrape: stable series, counters, up-ness per failure
 * reason, drift kept across failed checks, drift-since episodes, histogram buckets, restore from stored reports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, type FailureReason } from '../../src/core/errors.ts';
import {
  createMetrics,
  DURATION_BUCKETS,
  FAILURE_REASONS,
  type Metrics,
  type MetricsOptions,
} from '../../src/metrics/metrics.ts';
import { SAVE_FAILURE_REASONS } from '../../src/store/save-failure.ts';
import { makeReport, samples, scrape, valueOf, type ReportSpec } from './support.ts';

const P = 'target="prod",environment="production"';
const S = 'target="stage",environment="staging"';
const T0 = '2025-06-01T06:00:00.000Z';
const T1 = '2025-06-01T18:00:00.000Z';
const T2 = '2025-06-02T06:00:00.000Z';
const T3 = '2025-06-02T18:00:00.000Z';
const secs = (iso: string) => Date.parse(iso) / 1000;

const opened: Metrics[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((m) => m.shutdown()));
});

function open(overrides: Partial<MetricsOptions> = {}): Metrics {
  const metrics = createMetrics({
    targets: [
      { name: 'prod', labels: { environment: 'production' } },
      { name: 'stage', labels: { environment: 'staging' } },
    ],
    labelNames: ['environment'],
    version: '1.2.3',
    // The exporter's own series only; the process and runtime series are checked in exposition.test.ts.
    runtime: false,
    ...overrides,
  });
  opened.push(metrics);
  return metrics;
}

const drift = (finishedAt: string, extra: Partial<ReportSpec> = {}) =>
  makeReport({ target: 'prod', status: 'drift', finishedAt, durationMs: 2000, changes: { column: { changed: 2 } }, ...extra });
const inSync = (finishedAt: string, extra: Partial<ReportSpec> = {}) =>
  makeReport({ target: 'prod', status: 'in_sync', finishedAt, durationMs: 2000, ...extra });
const failed = (finishedAt: string, reason: FailureReason = 'connect') =>
  makeReport({ target: 'prod', status: 'error', reason, finishedAt, durationMs: 5000 });

describe('series before any check', () => {
  it('exports every series of every target at zero, and the same series set after checks', async () => {
    const metrics = open();
    const before = samples((await scrape(metrics)).text);
    // 2 targets × (9 gauges + 13×3 changes + 5 counters (checks, watch queries, full queries, seconds, errors) + 7
    // failure reasons + 10+1 buckets + sum + count) + build_info + 6 save-failure reasons (not per target)
    expect(before.size).toBe(2 * (9 + 39 + 5 + 7 + DURATION_BUCKETS.length + 1 + 2) + 1 + 2 * SAVE_FAILURE_REASONS.length); // save and claim failures
    for (const [series, value] of before) expect([series, value]).toEqual([series, series.startsWith('schema_drift_build_info') ? 1 : 0]);
    metrics.observe(drift(T0));
    metrics.observe(failed(T1));
    metrics.recordSaveFailure('disk_full');
    const after = samples((await scrape(metrics)).text);
    expect([...after.keys()]).toEqual([...before.keys()]);
    expect(after.get('schema_drift_report_save_failures_total{reason="disk_full"}')).toBe(1);
  });

  it('gives a target lacking a static label an empty value, and build_info the version', async () => {
    const metrics = open({ targets: [{ name: 'prod', labels: {} }] });
    const text = (await scrape(metrics)).text;
    expect(valueOf(text, 'schema_drift_target_up{target="prod",environment=""}')).toBe(0);
    expect(valueOf(text, 'schema_drift_build_info{version="1.2.3"}')).toBe(1);
  });
});

describe('observe', () => {
  it('counts checks and failures by reason', async () => {
    const metrics = open();
    metrics.observe(drift(T0));
    metrics.observe(failed(T1, 'timeout'));
    metrics.observe(failed(T2, 'timeout'));
    metrics.observe(failed(T3, 'auth'));
    const text = (await scrape(metrics)).text;
    expect(valueOf(text, `schema_drift_checks_total{${P}}`)).toBe(4);
    expect(valueOf(text, `schema_drift_checks_total{${S}}`)).toBe(0);
    expect(valueOf(text, 'schema_drift_check_failures_total{target="prod",reason="timeout",environment="production"}')).toBe(2);
    expect(valueOf(text, 'schema_drift_check_failures_total{target="prod",reason="auth",environment="production"}')).toBe(1);
    expect(valueOf(text, 'schema_drift_check_failures_total{target="prod",reason="connect",environment="production"}')).toBe(0);
  });

  it('keeps detected, changes, pending and dirty across a failed check; up and last check follow it', async () => {
    const metrics = open();
    metrics.observe(drift(T0, { pending: 2, dirty: true }));
    metrics.observe(failed(T1));
    const text = (await scrape(metrics)).text;
    expect(valueOf(text, `schema_drift_target_up{${P}}`)).toBe(0);
    expect(valueOf(text, `schema_drift_detected{${P}}`)).toBe(1);
    expect(valueOf(text, 'schema_drift_changes{target="prod",kind="column",action="changed",environment="production"}')).toBe(2);
    expect(valueOf(text, `schema_drift_pending_migrations{${P}}`)).toBe(2);
    expect(valueOf(text, `schema_drift_migration_dirty{${P}}`)).toBe(1);
    expect(valueOf(text, `schema_drift_last_check_timestamp_seconds{${P}}`)).toBe(secs(T1));
    expect(valueOf(text, `schema_drift_last_success_timestamp_seconds{${P}}`)).toBe(secs(T0));
    expect(valueOf(text, `schema_drift_drift_since_timestamp_seconds{${P}}`)).toBe(secs(T0));
  });

  it('clears detected and changes after an in-sync check', async () => {
    const metrics = open();
    metrics.observe(drift(T0));
    metrics.observe(inSync(T1));
    const text = (await scrape(metrics)).text;
    expect(valueOf(text, `schema_drift_detected{${P}}`)).toBe(0);
    expect(valueOf(text, 'schema_drift_changes{target="prod",kind="column",action="changed",environment="production"}')).toBe(0);
    expect(valueOf(text, `schema_drift_drift_since_timestamp_seconds{${P}}`)).toBe(0);
    expect(valueOf(text, `schema_drift_target_up{${P}}`)).toBe(1);
  });

  it.each([
    ['a failed check does not end a drift', [drift(T0), failed(T1), drift(T2)], secs(T0)],
    ['an in-sync check ends it', [drift(T0), inSync(T1), drift(T2)], secs(T2)],
    ['a drift that goes on keeps its start', [drift(T0), drift(T1), drift(T2)], secs(T0)],
    ['no drift yet: a failure alone sets nothing', [failed(T0)], 0],
  ])('drift_since: %s', async (_name, reports, expected) => {
    const metrics = open();
    for (const report of reports) metrics.observe(report);
    expect(valueOf((await scrape(metrics)).text, `schema_drift_drift_since_timestamp_seconds{${P}}`)).toBe(expected);
  });

  it.each(FAILURE_REASONS.map((reason) => [reason, reason === 'replay' ? 1 : 0] as const))(
    'target_up after a %s failure is %i',
    async (reason, up) => {
      const metrics = open();
      metrics.observe(inSync(T0));
      metrics.observe(failed(T1, reason));
      expect(valueOf((await scrape(metrics)).text, `schema_drift_target_up{${P}}`)).toBe(up);
    },
  );

  it.each([
    // seconds → the smallest bucket that holds it (bounds are inclusive)
    [0.2, '0.5'],
    [0.5, '0.5'],
    [0.501, '1'],
    [5, '5'],
    [42, '60'],
    [600, '600'],
    [601, '+Inf'],
  ])('histogram: a %s s check lands in le="%s" and every bucket above', async (seconds, bucket) => {
    const metrics = open();
    metrics.observe(makeReport({ target: 'prod', status: 'in_sync', finishedAt: T0, durationMs: seconds * 1000 }));
    const text = (await scrape(metrics)).text;
    const bounds = [...DURATION_BUCKETS.map(String), '+Inf'];
    const at = bounds.indexOf(bucket);
    for (const [i, le] of bounds.entries()) {
      const series = `schema_drift_check_duration_seconds_bucket{${P},le="${le}"}`;
      expect([le, valueOf(text, series)]).toEqual([le, i >= at ? 1 : 0]);
    }
    expect(valueOf(text, `schema_drift_check_duration_seconds_count{${P}}`)).toBe(1);
    expect(valueOf(text, `schema_drift_check_duration_seconds_sum{${P}}`)).toBeCloseTo(seconds, 9);
  });

  it('rejects a report of a target that is not configured', () => {
    const metrics = open();
    expect(() => metrics.observe(makeReport({ target: 'ghost', status: 'in_sync', finishedAt: T0, durationMs: 1 }))).toThrow(
      /target "ghost" is not configured/,
    );
  });
});

describe('restore', () => {
  it('rebuilds the gauges from the latest and latest successful reports, drift_since from the store', async () => {
    const metrics = open();
    // Stored: drift first seen at T0 (older reports pruned), last success T2, latest check T3 failed.
    metrics.restore([failed(T3), drift(T2, { id: 7 })], new Map([['prod', { status: 'error', since: T3, driftSince: T0 }]]));
    const text = (await scrape(metrics)).text;
    expect(valueOf(text, `schema_drift_target_up{${P}}`)).toBe(0);
    expect(valueOf(text, `schema_drift_detected{${P}}`)).toBe(1);
    expect(valueOf(text, 'schema_drift_changes{target="prod",kind="column",action="changed",environment="production"}')).toBe(2);
    expect(valueOf(text, `schema_drift_last_check_timestamp_seconds{${P}}`)).toBe(secs(T3));
    expect(valueOf(text, `schema_drift_last_success_timestamp_seconds{${P}}`)).toBe(secs(T2));
    expect(valueOf(text, `schema_drift_drift_since_timestamp_seconds{${P}}`)).toBe(secs(T0));
    // Counters count this process's checks: a restore is not a check.
    expect(valueOf(text, `schema_drift_checks_total{${P}}`)).toBe(0);
    expect(valueOf(text, `schema_drift_check_duration_seconds_count{${P}}`)).toBe(0);
    // The target with nothing stored stays at zero.
    expect(valueOf(text, `schema_drift_last_check_timestamp_seconds{${S}}`)).toBe(0);
  });

  it.each([
    ['the drifted status began earlier than the reports passed', { status: 'drift', since: T0 }, secs(T0)],
    ['no store hint: the earliest drifted report passed', undefined, secs(T1)],
    ['the store says drift began at T1 even though the status began earlier', { status: 'drift', since: T0, driftSince: T1 }, secs(T1)],
  ] as const)('drift_since when %s', async (_name, since, expected) => {
    const metrics = open();
    metrics.restore([drift(T2), drift(T1)], new Map(since ? [['prod', since]] : []));
    expect(valueOf((await scrape(metrics)).text, `schema_drift_drift_since_timestamp_seconds{${P}}`)).toBe(expected);
  });

  it('continues from the restored state: a later failure keeps drift, a later drift keeps drift_since', async () => {
    const metrics = open();
    metrics.restore([drift(T1)], new Map([['prod', { status: 'drift', since: T0, driftSince: T0 }]]));
    metrics.observe(failed(T2));
    metrics.observe(drift(T3));
    const text = (await scrape(metrics)).text;
    expect(valueOf(text, `schema_drift_detected{${P}}`)).toBe(1);
    expect(valueOf(text, `schema_drift_drift_since_timestamp_seconds{${P}}`)).toBe(secs(T0));
    expect(valueOf(text, `schema_drift_checks_total{${P}}`)).toBe(2);
  });

  it('ignores stored reports of targets no longer configured', async () => {
    const metrics = open();
    const ghost = makeReport({ target: 'ghost', status: 'drift', finishedAt: T0, durationMs: 1, changes: { table: { extra: 1 } } });
    metrics.restore([ghost], new Map());
    expect((await scrape(metrics)).text).not.toContain('ghost');
  });
});

describe('configuration', () => {
  it.each(['target', 'kind', 'action', 'reason', 'le', 'instance', 'job', '__meta', 'bad-name', '1st'])(
    'rejects the static label name %j',
    (label) => {
      expect(() => open({ labelNames: [label] })).toThrow(ConfigError);
    },
  );

  it('rejects duplicate target names', () => {
    const targets = [
      { name: 'prod', labels: {} },
      { name: 'prod', labels: {} },
    ];
    expect(() => open({ targets, labelNames: [] })).toThrow(/duplicate target name "prod"/);
  });
});
