/**
 * The Prometheus and Alertmanager servers of the end-to-end notification test: Debian's binaries started as child
 * processes on 127.0.0.1 with free ports, temp storage and the test's generated configuration, ready when their
 * `/-/ready` endpoint answers, stopped with SIGTERM (SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

/** A port of 127.0.0.1 free a moment ago (the server binds it itself; a lost race is retried by `startService`). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Children still running when the test process exits (a crash, a timeout, ^C) are killed rather than orphaned. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A running server: its base URL, its log lines, and `stop()`. */
export interface Service {
  readonly name: string;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** stdout and stderr lines (both log to stderr). */
  readonly log: string[];
  stop(): Promise<void>;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
    await res.text();
    return res.ok;
  } catch {
    return false;
  }
}

/** Spawns `bin` with the args for `port`, and waits until it is ready, it exits, or `timeoutMs` passes. */
async function spawnOnce(name: string, bin: string, args: string[], port: number, timeoutMs: number): Promise<Service> {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const log: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => log.push(...chunk.split('\n').filter(Boolean)));
  }
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 5_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log.join('\n')}`);
    }
    if (await isReady(url)) return { name, url, port, log, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${name} not ready on ${url} within ${timeoutMs} ms:\n${log.join('\n')}`);
}

/**
 * Starts a server on a free port; `args(port)` builds its command line. A bind failure (another process took the port
 * between `freePort` and the bind) is retried on a new port, twice.
 */
export async function startService(name: string, bin: string, args: (port: number) => string[], timeoutMs = 20_000): Promise<Service> {
  if (!existsSync(bin)) throw new Error(`${bin} not found: install Debian's "${name}" package`);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await spawnOnce(name, bin, args(port), port, timeoutMs);
    } catch (err) {
      lastError = err;
      if (!/address already in use/i.test(String(err))) throw err;
    }
  }
  throw lastError;
}

/** Prometheus with `configFile`, TSDB in `dataDir`, alerts re-sent to Alertmanager every second while firing. */
export function startPrometheus(configFile: string, dataDir: string): Promise<Service> {
  return startService('prometheus', PROMETHEUS_BIN, (port) => [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--web.external-url=http://127.0.0.1:${port}`,
    // Firing alerts are re-sent every minute by default; a second keeps Alertmanager's view fresh during the test.
    '--rules.alert.resend-delay=1s',
    '--log.level=info',
  ]);
}

/** Alertmanager with `configFile`, state in `dataDir`, clustering off (it would bind 0.0.0.0:9094). */
export function startAlertmanager(configFile: string, dataDir: string): Promise<Service> {
  return startService('prometheus-alertmanager', ALERTMANAGER_BIN, (port) => [
    `--config.file=${configFile}`,
    `--storage.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--web.external-url=http://127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=debug',
  ]);
}
