/**
 * Test support for the metrics: fixed reports (so the exposition never varies), a real express server to scrape, and
 * a small reader of the Prometheus text format.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { FailureReason } from '../../src/core/errors.ts';
import { METRIC_KINDS, type MetricKind } from '../../src/core/model/change.ts';
import type { ActionCounts, CheckStatus, Report } from '../../src/core/model/report.ts';
import type { Metrics } from '../../src/metrics/metrics.ts';

export interface ReportSpec {
  target: string;
  status: CheckStatus;
  finishedAt: string;
  durationMs: number;
  labels?: Record<string, string>;
  changes?: Partial<Record<MetricKind, Partial<ActionCounts>>>;
  reason?: FailureReason;
  pending?: number;
  dirty?: boolean;
  id?: number;
}

/** A stored-looking report with only what the metrics read filled in meaningfully. */
export function makeReport(spec: ReportSpec): Report {
  const byKind = {} as Record<MetricKind, ActionCounts>;
  let extra = 0;
  let missing = 0;
  let changed = 0;
  for (const kind of METRIC_KINDS) {
    const c = { extra: 0, missing: 0, changed: 0, ...spec.changes?.[kind] };
    byKind[kind] = c;
    extra += c.extra;
    missing += c.missing;
    changed += c.changed;
  }
  const failed = spec.status === 'error';
  return {
    formatVersion: 1,
    id: spec.id ?? 0,
    target: spec.target,
    labels: spec.labels ?? {},
    status: spec.status,
    startedAt: new Date(Date.parse(spec.finishedAt) - spec.durationMs).toISOString(),
    finishedAt: spec.finishedAt,
    durationMs: spec.durationMs,
    error: failed ? { reason: spec.reason ?? 'internal', message: 'test failure' } : null,
    revision: failed
      ? null
      : { tool: 'golang-migrate', table: 'public.schema_migrations', version: '3', dirty: spec.dirty ?? false },
    pending: Array.from({ length: spec.pending ?? 0 }, (_, i) => ({ version: String(4 + i), path: `${4 + i}_x.up.sql` })),
    counts: failed ? zeroCounts() : { extra, missing, changed, total: extra + missing + changed, byKind },
    changes: [],
    ddl: { desired: '', current: '' },
    reconcile: { sql: '', statements: [] },
    erd: { tables: [], relations: [] },
    engine: { dialect: 'postgres', replay: 'pglite', targetServerVersion: null, replayServerVersion: null, cached: false },
    warnings: [],
  };
}

function zeroCounts(): Report['counts'] {
  const byKind = {} as Record<MetricKind, ActionCounts>;
  for (const kind of METRIC_KINDS) byKind[kind] = { extra: 0, missing: 0, changed: 0 };
  return { extra: 0, missing: 0, changed: 0, total: 0, byKind };
}

/** Serves `metrics.handler` at `/metrics` on an ephemeral port, GETs it once, and closes the server. */
export async function scrape(metrics: Metrics): Promise<{ contentType: string | null; text: string }> {
  const app = express();
  app.get('/metrics', metrics.handler);
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    if (response.status !== 200) throw new Error(`GET /metrics: HTTP ${response.status}`);
    return { contentType: response.headers.get('content-type'), text: await response.text() };
  } finally {
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  }
}

/** Samples of an exposition: `name{a="1",b="2"}` (labels as printed) → value. */
export function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

/** The value of one sample, failing loudly when the series is absent. */
export function valueOf(text: string, series: string): number {
  const value = samples(text).get(series);
  if (value === undefined) throw new Error(`series not in the exposition: ${series}`);
  return value;
}
