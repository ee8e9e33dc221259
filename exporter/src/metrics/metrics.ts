/**
 * The exporter's Prometheus metrics, built with the OpenTelemetry SDK and served by our own express app through
 * `PrometheusExporter.getMetricsRequestHandler`. Gauges read an in-memory state per target that `observe` (after
 * each check) and `restore` (at startup, from the store) update: a scrape never touches a monitored database.
 *
 * Every series of every configured target is exported from the start, zeros included, so none appears or vanishes;
 * a discovered target's series appear when discovery lists it and go when it no longer does (`agent/discovery.ts`).
 * The per-target series come from producers reading that state (`target-series.ts`, `duration-histogram.ts`); the
 * SDK's instruments carry only what is not per target (build info, save failures, the fleets, the runtime).
 * Departures from the exporter's defaults, on purpose: no `target_info` (postgres_exporter and mysqld_exporter have
 * none, it is outside our `schema_drift_` prefix, and `schema_drift_build_info` carries the version) and no
 * `otel_scope_*` labels.
 */
import type { Attributes, Meter, ObservableResult } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { RequestHandler } from 'express';
import { ConfigError } from '../core/errors.ts';
import type { Report } from '../core/model/report.ts';
import { SAVE_FAILURE_REASONS, type SaveFailureReason } from '../store/save-failure.ts';
import { DurationHistogramProducer } from './duration-histogram.ts';
import { registerRuntimeMetrics } from './runtime.ts';
import { FLEET_TOP_VARIANTS, RESERVED_LABELS, SERIES } from './names.ts';
import { MEMBER_STATUSES, type Variant, variantRankLabel, variantRankLabels } from '../core/report/variants.ts';
import { applyReport, emptyState, restoreState, type StatusSince } from './state.ts';
import { type TargetSeries, TargetSeriesProducer, zeroCounts } from './target-series.ts';

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
  /** Discovering entries (`targets[].discover`): their discovery and variant series exist from the start. */
  readonly fleets?: readonly string[];
  /** The fleet's variants now (`agent/fleet-view.ts`), read at each scrape. */
  readonly fleetVariants?: (fleet: string) => readonly Variant[];
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
  /** Counts a check not run because the shared store could not be reached to claim it. */
  recordClaimFailure(reason: SaveFailureReason): void;
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
  /** Exports the series of a target discovered after the start, zeros until its first check. */
  addTarget(target: MetricsTarget): void;
  /**
   * Drops every series of a target no longer discovered (gauges, counters, duration histogram): they are exported by
   * producers that read the current targets (`target-series.ts`), not by SDK instruments, which never forget a label
   * set.
   */
  removeTarget(name: string): void;
  /** One listing of a fleet: how many targets and unmapped names it gave, or that it failed (the previous list kept). */
  recordDiscovery(fleet: string, listing: { readonly targets: number; readonly unmapped: number } | { readonly failed: true }): void;
  /** Stops the meter provider. */
  shutdown(): Promise<void>;
}

/** Builds the metrics of the configured targets. Throws `ConfigError` for a reserved static label or duplicate target. */
export function createMetrics(options: MetricsOptions): Metrics {
  validate(options);
  /** Per target: its label set, the gauges' state and this process's counts; a discovered target comes and goes. */
  const targets = new Map<string, TargetSeries>();
  const attributes = new Map<string, Attributes>();
  const add = (target: MetricsTarget): void => {
    const attrs = targetAttributes(target, options.labelNames);
    targets.set(target.name, { attrs, state: emptyState(), schemaChange: 0, counts: zeroCounts() });
    attributes.set(target.name, attrs);
  };
  for (const target of options.targets) add(target);

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
  const perTarget = new TargetSeriesProducer({ resource, series: () => targets.values() });
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    withoutScopeInfo: true,
    withoutTargetInfo: true,
    metricProducers: [perTarget, durations],
  });
  const provider = new MeterProvider({ resource, readers: [exporter] });
  const meter = provider.getMeter('schema-drift', options.version);

  gauge(meter, SERIES.buildInfo, (result) => result.observe(1, { version: options.version }));
  // Not per target: the store is one file, and a full disk fails every target's save alike.
  const saveFailures = meter.createCounter(SERIES.saveFailures.name, { description: SERIES.saveFailures.help });
  for (const reason of SAVE_FAILURE_REASONS) saveFailures.add(0, { reason });
  const claimFailures = meter.createCounter(SERIES.claimFailures.name, { description: SERIES.claimFailures.help });
  for (const reason of SAVE_FAILURE_REASONS) claimFailures.add(0, { reason });
  const fleets = registerFleetSeries(meter, options.fleets ?? [], options.fleetVariants ?? (() => []));
  const runtime = options.runtime === false ? undefined : registerRuntimeMetrics(meter);

  const known = (target: string): TargetSeries => {
    const series = targets.get(target);
    if (!series) throw new Error(`metrics: target ${JSON.stringify(target)} is not configured`);
    return series;
  };
  return {
    handler: (req, res) => exporter.getMetricsRequestHandler(req, res),
    observe(report) {
      const series = known(report.target);
      series.state = applyReport(series.state, report);
      series.counts.checks += 1;
      if (report.status === 'error') series.counts.failures[report.error?.reason ?? 'internal'] += 1;
      durations.record(report.target, report.durationMs / 1000);
    },
    recordSaveFailure(reason) {
      saveFailures.add(1, { reason });
    },
    recordClaimFailure(reason) {
      claimFailures.add(1, { reason });
    },
    recordWatch(target, read) {
      const series = known(target);
      series.counts.watchQueries += 1;
      series.counts.watchSeconds += read.seconds;
      if (read.failed) series.counts.watchErrors += 1;
      else if (read.queried !== false) series.counts.watchFullQueries += 1;
      if (read.changedAt !== undefined) series.schemaChange = read.changedAt;
    },
    restore(reports, since) {
      for (const [name, series] of targets) {
        const mine = reports.filter((r) => r.target === name);
        if (mine.length) series.state = restoreState(mine, since.get(name));
      }
    },
    addTarget(target) {
      if (targets.has(target.name)) return;
      add(target);
      durations.add(target.name, known(target.name).attrs);
    },
    removeTarget(name) {
      targets.delete(name);
      attributes.delete(name);
      durations.remove(name);
    },
    recordDiscovery(fleet, listing) {
      if ('failed' in listing) {
        fleets.errors.add(1, { fleet });
        return;
      }
      fleets.listed.set(fleet, listing);
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

function gauge(meter: Meter, series: { name: string; help: string }, callback: (result: ObservableResult) => void): void {
  meter.createObservableGauge(series.name, { description: series.help }).addCallback(callback);
}

/**
 * The discovery and variant series of the discovering entries, every label set from the start. Bounded: per fleet,
 * `FLEET_TOP_VARIANTS` ranks plus `other` and `unknown`, times the statuses — never one series per variant or target.
 */
function registerFleetSeries(meter: Meter, names: readonly string[], variantsOf: (fleet: string) => readonly Variant[]) {
  const listed = new Map<string, { readonly targets: number; readonly unmapped: number }>();
  const errors = meter.createCounter(SERIES.discoveryErrors.name, { description: SERIES.discoveryErrors.help });
  for (const fleet of names) errors.add(0, { fleet });
  gauge(meter, SERIES.discoveredTargets, (result) => {
    for (const fleet of names) result.observe(listed.get(fleet)?.targets ?? 0, { fleet });
  });
  gauge(meter, SERIES.discoveryUnmapped, (result) => {
    for (const fleet of names) result.observe(listed.get(fleet)?.unmapped ?? 0, { fleet });
  });
  const ranks = variantRankLabels(FLEET_TOP_VARIANTS);
  const variantsGauge = meter.createObservableGauge(SERIES.fleetVariants.name, { description: SERIES.fleetVariants.help });
  const targetsGauge = meter.createObservableGauge(SERIES.fleetTargets.name, { description: SERIES.fleetTargets.help });
  // One callback for both gauges: each fleet is grouped once per scrape.
  meter.addBatchObservableCallback(
    (observer) => {
      for (const fleet of names) {
        const variants = variantsOf(fleet);
        observer.observe(variantsGauge, variants.filter((v) => v.fingerprint !== null).length, { fleet });
        const counts = new Map<string, number>();
        for (const variant of variants) {
          const rank = variantRankLabel(variant, FLEET_TOP_VARIANTS);
          for (const [status, n] of Object.entries(variant.statuses)) counts.set(`${rank} ${status}`, (counts.get(`${rank} ${status}`) ?? 0) + n);
        }
        for (const rank of ranks) {
          for (const status of MEMBER_STATUSES) {
            observer.observe(targetsGauge, counts.get(`${rank} ${status}`) ?? 0, { fleet, variant_rank: rank, status });
          }
        }
      }
    },
    [variantsGauge, targetsGauge],
  );
  return { listed, errors };
}
