/**
 * The per-target gauges and counters as one SDK `MetricProducer` that reads the agent's own per-target state at each
 * scrape. The SDK's instruments cannot forget a label set (its cumulative processor merges every series it ever saw),
 * but a discovered target that disappears must take its series with it; a producer exports exactly the targets that
 * are there. Values are the same the instruments gave: gauges from the last stored check, counters since the start.
 */
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { FailureReason } from '../core/errors.ts';
import { CHANGE_ACTIONS, METRIC_KINDS } from '../core/model/change.ts';
import { SERIES } from './names.ts';
import { FAILURE_REASONS, type TargetState } from './state.ts';

/** What this process counted for one target since it started. */
export interface TargetCounts {
  checks: number;
  failures: Record<FailureReason, number>;
  watchQueries: number;
  /** Watch reads that ran the fingerprint query (the MySQL/MariaDB DDL-counter gate did not answer them). */
  watchFullQueries: number;
  watchSeconds: number;
  watchErrors: number;
}

/** Zero counts, every failure reason included. */
export function zeroCounts(): TargetCounts {
  const failures = Object.fromEntries(FAILURE_REASONS.map((r) => [r, 0])) as Record<FailureReason, number>;
  return { checks: 0, failures, watchQueries: 0, watchFullQueries: 0, watchSeconds: 0, watchErrors: 0 };
}

/** One target's series: its label set (target first, static labels last) and what they show. */
export interface TargetSeries {
  readonly attrs: Attributes;
  state: TargetState;
  /** Unix time the watch last saw the schema fingerprint change; 0 before that. */
  schemaChange: number;
  readonly counts: TargetCounts;
}

/** With `target` first and the static labels last, the series-specific labels read in between. */
export function withLabels(attrs: Attributes, extra: Attributes): Attributes {
  const { target, ...staticLabels } = attrs;
  return { target, ...extra, ...staticLabels };
}

type Point = readonly [value: number, attributes: Attributes];
type Series = { readonly name: string; readonly help: string };

/** The per-target series of the targets `series()` yields at scrape time, in exposition order. */
export class TargetSeriesProducer implements MetricProducer {
  readonly #resource: Resource;
  readonly #series: () => Iterable<TargetSeries>;
  readonly #startTime: HrTime = hrTime(Date.now());

  constructor(options: { resource: Resource; series: () => Iterable<TargetSeries> }) {
    this.#resource = options.resource;
    this.#series = options.series;
  }

  /** Called by the exporter's reader on every scrape. */
  async collect(): Promise<CollectionResult> {
    const endTime = hrTime(Date.now());
    const targets = [...this.#series()];
    const each = (value: (t: TargetSeries) => number): Point[] => targets.map((t) => [value(t), t.attrs]);
    const gauge = (series: Series, points: Point[]): MetricData => ({
      descriptor: { name: series.name, description: series.help, unit: '', valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints: points.map(([value, attributes]) => ({ startTime: endTime, endTime, attributes, value })),
    });
    const counter = (series: Series, points: Point[]): MetricData => ({
      descriptor: { name: series.name, description: series.help, unit: '', valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      dataPoints: points.map(([value, attributes]) => ({ startTime: this.#startTime, endTime, attributes, value })),
    });
    const changes: Point[] = targets.flatMap((t) =>
      METRIC_KINDS.flatMap((kind) => CHANGE_ACTIONS.map((action): Point => [t.state.changes[kind][action], withLabels(t.attrs, { kind, action })])),
    );
    const failures: Point[] = targets.flatMap((t) => FAILURE_REASONS.map((reason): Point => [t.counts.failures[reason], withLabels(t.attrs, { reason })]));
    const metrics = [
      gauge(SERIES.up, each((t) => t.state.up)),
      gauge(SERIES.detected, each((t) => t.state.detected)),
      gauge(SERIES.changes, changes),
      gauge(SERIES.pendingMigrations, each((t) => t.state.pendingMigrations)),
      gauge(SERIES.migrationDirty, each((t) => t.state.migrationDirty)),
      gauge(SERIES.deploying, each((t) => t.state.deploying)),
      gauge(SERIES.lastCheck, each((t) => t.state.lastCheck)),
      gauge(SERIES.lastSuccess, each((t) => t.state.lastSuccess)),
      gauge(SERIES.driftSince, each((t) => t.state.driftSince)),
      gauge(SERIES.schemaChange, each((t) => t.schemaChange)),
      counter(SERIES.checks, each((t) => t.counts.checks)),
      counter(SERIES.watchQueries, each((t) => t.counts.watchQueries)),
      counter(SERIES.watchFullQueries, each((t) => t.counts.watchFullQueries)),
      counter(SERIES.watchSeconds, each((t) => t.counts.watchSeconds)),
      counter(SERIES.watchErrors, each((t) => t.counts.watchErrors)),
      counter(SERIES.failures, failures),
    ];
    return {
      resourceMetrics: { resource: this.#resource, scopeMetrics: [{ scope: { name: 'schema-drift' }, metrics }] },
      errors: [],
    };
  }
}

function hrTime(ms: number): HrTime {
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}
