/**
 * The process and Node.js runtime metrics every Prometheus exporter of a Node program has, under the names and
 * meanings prom-client's default metrics established (`process_*` as the Prometheus client guidelines define them,
 * `nodejs_*`), so the usual "process" dashboards and alerts work on the agent too. Read at scrape time; Linux's /proc
 * gives the file descriptor and virtual memory figures, which are left out where it does not exist.
 *
 * The OpenTelemetry Prometheus exporter appends `_total` to counters, so the counters are named without it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Meter, ObservableResult } from '@opentelemetry/api';

/** What {@link registerRuntimeMetrics} started and must stop. */
export interface RuntimeMetrics {
  stop(): void;
}

const NS_PER_SECOND = 1e9;

/** Registers the runtime series on `meter`. */
export function registerRuntimeMetrics(meter: Meter): RuntimeMetrics {
  const gauge = (name: string, help: string, read: (result: ObservableResult) => void): void => {
    meter.createObservableGauge(name, { description: help }).addCallback(read);
  };
  const counter = (name: string, help: string, read: () => number): void => {
    meter.createObservableCounter(name, { description: help }).addCallback((result) => result.observe(read()));
  };

  counter('process_cpu_user_seconds', 'Total user CPU time spent in seconds.', () => process.cpuUsage().user / 1e6);
  counter('process_cpu_system_seconds', 'Total system CPU time spent in seconds.', () => process.cpuUsage().system / 1e6);
  counter('process_cpu_seconds', 'Total user and system CPU time spent in seconds.', () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  });
  const started = Math.round((Date.now() - performance.now()) / 1000);
  gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', (r) => r.observe(started));
  gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', (r) => r.observe(process.memoryUsage.rss()));
  const linux = readProcStat() !== undefined;
  if (linux) {
    gauge('process_virtual_memory_bytes', 'Virtual memory size in bytes.', (r) => {
      const vsize = readProcStat()?.vsize;
      if (vsize !== undefined) r.observe(vsize);
    });
    gauge('process_open_fds', 'Number of open file descriptors.', (r) => r.observe(openFds()));
    const max = maxFds();
    if (max !== undefined) gauge('process_max_fds', 'Maximum number of open file descriptors.', (r) => r.observe(max));
  }

  gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', (r) => r.observe(process.memoryUsage().heapTotal));
  gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', (r) => r.observe(process.memoryUsage().heapUsed));
  gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', (r) => r.observe(process.memoryUsage().external));
  gauge('nodejs_active_resources', 'Number of active resources keeping the event loop alive (handles and requests).', (r) =>
    r.observe(process.getActiveResourcesInfo().length),
  );
  const [major, minor, patch] = process.versions.node.split('.');
  gauge('nodejs_version_info', 'Node.js version info; the value is always 1.', (r) =>
    r.observe(1, { version: process.version, major: major ?? '', minor: minor ?? '', patch: patch ?? '' }),
  );

  // Event loop delay since the previous scrape, as prom-client reports it: the histogram is reset after each read.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const delayGauge = (name: string, help: string, read: () => number): void =>
    gauge(name, help, (r) => {
      const value = read();
      if (Number.isFinite(value)) r.observe(value / NS_PER_SECOND);
    });
  delayGauge('nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay since the last scrape.', () => delay.min);
  delayGauge('nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay since the last scrape.', () => delay.max);
  delayGauge('nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays since the last scrape.', () => delay.mean);
  delayGauge('nodejs_eventloop_lag_p50_seconds', 'The 50th percentile of the recorded event loop delays since the last scrape.', () => delay.percentile(50));
  delayGauge('nodejs_eventloop_lag_p99_seconds', 'The 99th percentile of the recorded event loop delays since the last scrape.', () => {
    const p99 = delay.percentile(99);
    // The last gauge read in a scrape: start the next interval afresh.
    queueMicrotask(() => delay.reset());
    return p99;
  });
  return { stop: () => delay.disable() };
}

/** `vsize` from /proc/self/stat (field 23, after the parenthesised command name, which may contain spaces). */
function readProcStat(): { vsize: number } | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { vsize: Number(fields[20]) };
  } catch {
    return undefined;
  }
}

function openFds(): number {
  // The listing itself holds one descriptor while it reads.
  return readdirSync('/proc/self/fd').length - 1;
}

function maxFds(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
