/**
 * The exact `/metrics` exposition, pinned by a golden file (`UPDATE_GOLDEN=1` regenerates it), and linted by
 * `promtool check metrics` from Debian's `prometheus` package. The reports are fixed, so nothing in the exposition
 * varies and nothing needs normalising; the process and Node.js runtime series, which do vary, are checked apart.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.ts';
import { makeReport, scrape } from './support.ts';

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../golden/metrics/exposition.txt');
const PROMTOOL = '/usr/bin/promtool';

/** Two targets with an `environment` label: production drifts, then fails to connect; staging is in sync. */
function goldenMetrics(): Metrics {
  const metrics = createMetrics({
    targets: [
      { name: 'production', labels: { environment: 'production' } },
      { name: 'staging', labels: { environment: 'staging' } },
    ],
    labelNames: ['environment'],
    version: '0.1.0',
    // The process and runtime series vary from scrape to scrape: 'process and runtime series' below checks them.
    runtime: false,
  });
  metrics.observe(
    makeReport({
      target: 'production',
      status: 'drift',
      finishedAt: '2025-06-01T06:00:04.250Z',
      durationMs: 4250,
      changes: { column: { changed: 1 }, index: { extra: 1 }, constraint: { missing: 1 } },
    }),
  );
  metrics.observe(
    makeReport({ target: 'staging', status: 'in_sync', finishedAt: '2025-06-01T06:00:01.500Z', durationMs: 1500 }),
  );
  metrics.observe(
    makeReport({
      target: 'production',
      status: 'error',
      reason: 'connect',
      finishedAt: '2025-06-01T18:00:30.000Z',
      durationMs: 30000,
    }),
  );
  return metrics;
}

/**
 * A test that needs promtool: skipped locally when it is missing, but FAILS when CI=true (promtool is a declared CI
 * need: Debian package `prometheus`).
 */
function withPromtool(name: string, test: () => void): void {
  it.skipIf(!existsSync(PROMTOOL) && process.env.CI !== 'true')(name, () => {
    if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} not found: install Debian's "prometheus" package`);
    test();
  });
}

describe('metrics exposition', () => {
  let metrics: Metrics;
  let exposition: { contentType: string | null; text: string };

  beforeAll(async () => {
    metrics = goldenMetrics();
    exposition = await scrape(metrics);
  });
  afterAll(async () => {
    await metrics.shutdown();
  });

  it('matches the golden file exactly', () => {
    // Written only on request: a missing golden fails instead of being recreated from whatever is exported now.
    if (process.env.UPDATE_GOLDEN === '1') {
      mkdirSync(path.dirname(GOLDEN), { recursive: true });
      writeFileSync(GOLDEN, exposition.text);
    }
    expect(existsSync(GOLDEN), `${GOLDEN} is missing (UPDATE_GOLDEN=1 writes it)`).toBe(true);
    expect(exposition.text).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('is Prometheus text format, without target_info or OpenTelemetry scope labels', () => {
    expect(exposition.contentType).toMatch(/^text\/plain/);
    expect(exposition.text).not.toMatch(/target_info|otel_scope/);
    // Every metric name carries the exporter's prefix.
    for (const line of exposition.text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^schema_drift_/);
    }
  });

  it('never scrapes differently twice (observable gauges are stable)', async () => {
    expect((await scrape(metrics)).text).toBe(exposition.text);
  });

  withPromtool('passes promtool check metrics', () => {
    const result = spawnSync(PROMTOOL, ['check', 'metrics'], { input: exposition.text, encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
  });

  withPromtool('promtool rejects a broken exposition (the lint is real)', () => {
    // The name the counter instrument has before the exporter appends `_total`: promtool's naming lint must object.
    const broken = exposition.text.replaceAll('schema_drift_checks_total', 'schema_drift_checks');
    const result = spawnSync(PROMTOOL, ['check', 'metrics'], { input: broken, encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/schema_drift_checks counter metrics should have "_total" suffix/);
  });
});

describe('process and runtime series (process_*, nodejs_*)', () => {
  let metrics: Metrics;
  let text: string;

  beforeAll(async () => {
    metrics = createMetrics({ targets: [{ name: 'production', labels: {} }], labelNames: [], version: '0.1.0' });
    text = (await scrape(metrics)).text;
  });
  afterAll(async () => {
    await metrics.shutdown();
  });

  it('are exported under the names Prometheus dashboards expect, with plausible values', () => {
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `) || l.startsWith(`${series}{`));
      expect(line, series).toBeDefined();
      return Number(line?.split(' ').at(-1));
    };
    expect(value('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(value('process_cpu_seconds_total')).toBeGreaterThanOrEqual(value('process_cpu_user_seconds_total'));
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(value('process_virtual_memory_bytes')).toBeGreaterThan(value('process_resident_memory_bytes'));
    expect(value('process_open_fds')).toBeGreaterThan(2);
    expect(value('process_max_fds')).toBeGreaterThanOrEqual(value('process_open_fds'));
    const start = value('process_start_time_seconds');
    expect(Math.abs(start - (Date.now() - process.uptime() * 1000) / 1000)).toBeLessThan(5);
    expect(value('nodejs_heap_size_used_bytes')).toBeLessThanOrEqual(value('nodejs_heap_size_total_bytes'));
    expect(Number.isFinite(value('nodejs_eventloop_lag_p99_seconds'))).toBe(true);
    expect(text).toContain(`nodejs_version_info{version="${process.version}",major="${process.versions.node.split('.')[0]}"`);
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
  });

  withPromtool('pass promtool check metrics', () => {
    const result = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});
