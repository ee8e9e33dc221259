/**
 * `schema_drift_check_duration_seconds` as an SDK `MetricProducer`. The SDK's own histogram exports a label set only
 * after its first recording, so after every restart a target's series would be missing until its next check (up to
 * 12 hours on the default schedule). Prometheus client libraries let a histogram be pre-initialised with zero counts;
 * the OpenTelemetry API cannot, so this producer keeps explicit-bucket cumulative histograms itself and hands them to
 * the Prometheus exporter alongside the SDK's instruments.
 */
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type DataPoint,
  type Histogram,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';

/** Upper bounds in seconds, for checks that take from half a second (small schema, cached replay) to ten minutes. */
export const DURATION_BUCKETS: readonly number[] = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

interface Series {
  readonly attributes: Attributes;
  readonly counts: number[];
  sum: number;
  count: number;
}

/** Cumulative duration histograms, one per configured target, all present from the start. */
export class DurationHistogramProducer implements MetricProducer {
  readonly #name: string;
  readonly #description: string;
  readonly #resource: Resource;
  readonly #series = new Map<string, Series>();
  readonly #startTime: HrTime = hrTime(Date.now());

  /** `series`: target name → the attributes of its series (target and static labels). */
  constructor(options: { name: string; description: string; resource: Resource; series: Map<string, Attributes> }) {
    this.#name = options.name;
    this.#description = options.description;
    this.#resource = options.resource;
    for (const [target, attributes] of options.series) {
      this.#series.set(target, { attributes, counts: DURATION_BUCKETS.map(() => 0).concat(0), sum: 0, count: 0 });
    }
  }

  /** Exports a series for a target discovered after the start (zeros until its first check). */
  add(target: string, attributes: Attributes): void {
    if (!this.#series.has(target)) this.#series.set(target, { attributes, counts: DURATION_BUCKETS.map(() => 0).concat(0), sum: 0, count: 0 });
  }

  /** Drops the series of a target no longer discovered. */
  remove(target: string): void {
    this.#series.delete(target);
  }

  /** Counts one check of `target` that took `seconds`. Unknown targets are a programming error. */
  record(target: string, seconds: number): void {
    const series = this.#series.get(target);
    if (!series) throw new Error(`metrics: target ${JSON.stringify(target)} is not configured`);
    const bucket = DURATION_BUCKETS.findIndex((bound) => seconds <= bound);
    const index = bucket === -1 ? DURATION_BUCKETS.length : bucket;
    series.counts[index] = (series.counts[index] ?? 0) + 1;
    series.sum += seconds;
    series.count += 1;
  }

  /** Called by the exporter's reader on every scrape. */
  async collect(): Promise<CollectionResult> {
    const endTime = hrTime(Date.now());
    const dataPoints: DataPoint<Histogram>[] = [...this.#series.values()].map((series) => ({
      startTime: this.#startTime,
      endTime,
      attributes: series.attributes,
      value: {
        buckets: { boundaries: [...DURATION_BUCKETS], counts: [...series.counts] },
        sum: series.sum,
        count: series.count,
      },
    }));
    return {
      resourceMetrics: {
        resource: this.#resource,
        scopeMetrics: [
          {
            scope: { name: 'schema-drift' },
            metrics: [
              {
                descriptor: { name: this.#name, description: this.#description, unit: '', valueType: ValueType.DOUBLE },
                aggregationTemporality: AggregationTemporality.CUMULATIVE,
                dataPointType: DataPointType.HISTOGRAM,
                dataPoints,
              },
            ],
          },
        ],
      },
      errors: [],
    };
  }
}

function hrTime(ms: number): HrTime {
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}
