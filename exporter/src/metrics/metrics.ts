/**
 * The exporter's Prometheus metrics, built with the OpenTelemetry SDK and served by our own express app through
 * `PrometheusExporter.getMetricsRequestHandler`. Gauges read an in-memory state per target that `observe` (after
 * each check) and `restore` (at startup, from the store) update: a scrape never touches a monitored database.
 *
 * Every series of every configured target is exported from the start, zeros included, so none appears or vanishes.
 * Departures from the exporter's defaults, on purpose: no `target_info` (postgres_exporter and mysqld_exporter have
 * none, it is outside our `schema_drift_` prefix, and `schema_drift_build_info` carries the version) and no
 * `otel_scope_*` labels.
 */
import type { Attributes, Counter, Meter, ObservableResult } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { RequestHandler } from 'express';
import { ConfigError } from '../core/errors.ts';
import { CHANGE_ACTIONS, METRIC_KINDS } from '../core/model/change.ts';
import type { Report } from '../core/model/report.ts';
import { SAVE_FAILURE_REASONS, type SaveFailureReason } from '../store/save-failure.ts';
import { DurationHistogramProducer } from './duration-histogram.ts';
import { registerRuntimeMetrics } from './runtime.ts';
import { RESERVED_LABELS, SERIES } from './names.ts';
import {
  FAILURE_REASONS,
  applyReport,
  emptyState,
  restoreState,
  type StatusSince,
  type TargetState,
} from './state.ts';

export { DURATION_BUCKETS } from './duration-histogram.ts';
export { FAILURE_REASONS, UP_AFTER_FAILURE, type StatusSince } from './state.ts';

/** A configured target as the metrics see it: its name and static labels. */
export interface MetricsTarget {
  readonly name: string;
  readonly labels: Record<string, string>;
}

/** What `createMetrics` needs: the configured targets (their series exist from the start), label names, version. */
export interface MetricsOptions {
  readonly targets: readonly MetricsTarget[];
  /** Static label names, the same for every target (`AgentConfig.labelNames`); a target lacking one gets "". */
  readonly labelNames: readonly string[];
  /** The exporter's version: `schema_drift_build_info{version}` and the resource's `service.version`. */
  readonly version: string;
  /** Export the process and Node.js runtime series (`process_*`, `nodejs_*`, see `runtime.ts`); default true. */
  readonly runtime?: boolean;
}

/** The exporter's metrics: the `/metrics` handler and the ways stored reports reach it. */
export interface Metrics {
  /** Serves the exposition (Prometheus text format); mount it at `/metrics`. */
  readonly handler: RequestHandler;
  /** Records a finished check: gauges, `checks_total`, `check_failures_total`, the duration histogram. */
  observe(report: Report): void;
  /** Counts a finished check whose report could not be stored (its gauges are left as they were). */
  recordSaveFailure(reason: SaveFailureReason): void;
  /**
   * Records one read of the target's schema fingerprint by the watch (`agent/watch.ts`): its time in seconds, whether
   * it failed, whether the full query ran (`queried`, absent: it did unless it failed), and when it saw the
   * fingerprint change (Unix seconds).
   */
  recordWatch(
    target: string,
    read: { readonly seconds: number; readonly failed: boolean; readonly queried?: boolean; readonly changedAt?: number },
  ): void;
  /**
   * Rebuilds the gauges at startup from stored reports: any order, several per target allowed; pass each target's
   * latest report and, when that one failed, its latest successful one (else drift and changes read 0). `since` per
   * target: `ReportStore.statusSince` plus, best, `driftSince: ReportStore.driftSince(target)`, which keeps
   * `drift_since` right when the reports passed begin after the drift did. Counters and the histogram are left
   * alone: they count what this process did and start at 0, as counters do after a restart. Reports of targets no
   * longer configured are ignored.
   */
  restore(reports: readonly Report[], since: ReadonlyMap<string, StatusSince>): void;
  /** Stops the meter provider. */
  shutdown(): Promise<void>;
}

/** Builds the metrics of the configured targets. Throws `ConfigError` for a reserved static label or duplicate target. */
export function createMetrics(options: MetricsOptions): Metrics {
  validate(options);
  const attributes = new Map(options.targets.map((t) => [t.name, targetAttributes(t, options.labelNames)]));
  const states = new Map(options.targets.map((t) => [t.name, emptyState()]));
  /** Per target: Unix time the watch last saw the schema fingerprint change; 0 before that. */
  const schemaChanges = new Map(options.targets.map((t) => [t.name, 0]));

  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: 'schema-drift',
    [ATTR_SERVICE_VERSION]: options.version,
  });
  const durations = new DurationHistogramProducer({
    name: SERIES.duration.name,
    description: SERIES.duration.help,
    resource,
    series: attributes,
  });
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    withoutScopeInfo: true,
    withoutTargetInfo: true,
    metricProducers: [durations],
  });
  const provider = new MeterProvider({ resource, readers: [exporter] });
  const meter = provider.getMeter('schema-drift', options.version);

  registerGauges(meter, options.version, () => eachTarget(attributes, states));
  gauge(meter, SERIES.schemaChange, (result) => {
    for (const [name, attrs] of attributes) result.observe(schemaChanges.get(name) ?? 0, attrs);
  });
  const counters = createCounters(meter, attributes);
  const runtime = options.runtime === false ? undefined : registerRuntimeMetrics(meter);

  return {
    handler: (req, res) => exporter.getMetricsRequestHandler(req, res),
    observe(report) {
      const state = states.get(report.target);
      const attrs = attributes.get(report.target);
      if (!state || !attrs) throw new Error(`metrics: target ${JSON.stringify(report.target)} is not configured`);
      states.set(report.target, applyReport(state, report));
      counters.checks.add(1, attrs);
      if (report.status === 'error') counters.failures.add(1, withLabels(attrs, { reason: report.error?.reason ?? 'internal' }));
      durations.record(report.target, report.durationMs / 1000);
    },
    recordSaveFailure(reason) {
      counters.saveFailures.add(1, { reason });
    },
    recordWatch(target, read) {
      const attrs = attributes.get(target);
      if (!attrs) throw new Error(`metrics: target ${JSON.stringify(target)} is not configured`);
      counters.watchQueries.add(1, attrs);
      counters.watchSeconds.add(read.seconds, attrs);
      if (read.failed) counters.watchErrors.add(1, attrs);
      else if (read.queried !== false) counters.watchFullQueries.add(1, attrs);
      if (read.changedAt !== undefined) schemaChanges.set(target, read.changedAt);
    },
    restore(reports, since) {
      for (const name of states.keys()) {
        const mine = reports.filter((r) => r.target === name);
        if (mine.length) states.set(name, restoreState(mine, since.get(name)));
      }
    },
    shutdown: () => {
      runtime?.stop();
      return provider.shutdown();
    },
  };
}

function validate(options: MetricsOptions): void {
  for (const label of options.labelNames) {
    if (RESERVED_LABELS.has(label) || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label) || label.startsWith('__')) {
      throw new ConfigError(`labels: "${label}" cannot be a static label name (reserved or not a Prometheus label name)`);
    }
  }
  const seen = new Set<string>();
  for (const target of options.targets) {
    if (seen.has(target.name)) throw new ConfigError(`targets: duplicate target name "${target.name}"`);
    seen.add(target.name);
  }
}

/** `target` first, then the static labels in `labelNames` order; per-series labels go in between. */
function targetAttributes(target: MetricsTarget, labelNames: readonly string[]): Attributes {
  const attrs: Attributes = { target: target.name };
  for (const name of labelNames) attrs[name] = target.labels[name] ?? '';
  return attrs;
}

interface TargetView {
  readonly attrs: Attributes;
  readonly state: TargetState;
}

function* eachTarget(attributes: Map<string, Attributes>, states: Map<string, TargetState>): Iterable<TargetView> {
  for (const [name, attrs] of attributes) yield { attrs, state: states.get(name) ?? emptyState() };
}

/** With `target` first and the static labels last, the series-specific labels read in between. */
function withLabels(attrs: Attributes, extra: Attributes): Attributes {
  const { target, ...staticLabels } = attrs;
  return { target, ...extra, ...staticLabels };
}

type Targets = () => Iterable<TargetView>;

function registerGauges(meter: Meter, version: string, targets: Targets): void {
  gauge(meter, SERIES.buildInfo, (result) => result.observe(1, { version }));
  perTarget(meter, SERIES.up, targets, (s) => s.up);
  perTarget(meter, SERIES.detected, targets, (s) => s.detected);
  gauge(meter, SERIES.changes, (result) => {
    for (const { attrs, state } of targets()) {
      for (const kind of METRIC_KINDS) {
        for (const action of CHANGE_ACTIONS) result.observe(state.changes[kind][action], withLabels(attrs, { kind, action }));
      }
    }
  });
  perTarget(meter, SERIES.pendingMigrations, targets, (s) => s.pendingMigrations);
  perTarget(meter, SERIES.migrationDirty, targets, (s) => s.migrationDirty);
  perTarget(meter, SERIES.deploying, targets, (s) => s.deploying);
  perTarget(meter, SERIES.lastCheck, targets, (s) => s.lastCheck);
  perTarget(meter, SERIES.lastSuccess, targets, (s) => s.lastSuccess);
  perTarget(meter, SERIES.driftSince, targets, (s) => s.driftSince);
}

function gauge(meter: Meter, series: { name: string; help: string }, callback: (result: ObservableResult) => void): void {
  meter.createObservableGauge(series.name, { description: series.help }).addCallback(callback);
}

function perTarget(meter: Meter, series: { name: string; help: string }, targets: Targets, value: (s: TargetState) => number) {
  gauge(meter, series, (result) => {
    for (const { attrs, state } of targets()) result.observe(value(state), attrs);
  });
}

/** Counters with every label set created at 0, so `rate()` and `increase()` see the first check and failure. */
function createCounters(meter: Meter, attributes: Map<string, Attributes>) {
  const checks = meter.createCounter(SERIES.checks.name, { description: SERIES.checks.help });
  const watchQueries = meter.createCounter(SERIES.watchQueries.name, { description: SERIES.watchQueries.help });
  const watchFullQueries = meter.createCounter(SERIES.watchFullQueries.name, { description: SERIES.watchFullQueries.help });
  const watchSeconds = meter.createCounter(SERIES.watchSeconds.name, { description: SERIES.watchSeconds.help });
  const watchErrors = meter.createCounter(SERIES.watchErrors.name, { description: SERIES.watchErrors.help });
  for (const attrs of attributes.values()) for (const counter of [watchQueries, watchFullQueries, watchSeconds, watchErrors]) counter.add(0, attrs);
  const failures = meter.createCounter(SERIES.failures.name, { description: SERIES.failures.help });
  // Not per target: the store is one file, and a full disk fails every target's save alike.
  const saveFailures = meter.createCounter(SERIES.saveFailures.name, { description: SERIES.saveFailures.help });
  for (const reason of SAVE_FAILURE_REASONS) saveFailures.add(0, { reason });
  for (const attrs of attributes.values()) checks.add(0, attrs);
  for (const attrs of attributes.values()) {
    for (const reason of FAILURE_REASONS) failures.add(0, withLabels(attrs, { reason }));
  }
  return { checks, failures, saveFailures, watchQueries, watchFullQueries, watchSeconds, watchErrors } satisfies Record<string, Counter>;
}
