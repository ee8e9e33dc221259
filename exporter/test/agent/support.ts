/**
 * Support for the agent's integration tests: databases deployed from the bundled example migrations the way
 * golang-migrate leaves them, configuration files in temp dirs, a TCP proxy that can be stopped like a database
 * going down, log capture, a small Prometheus text reader, promtool, and the real `schema-drift` bin as a child.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createTempPgDatabase, PG_URL, type TempDatabase } from '../support/servers.ts';

/** The bundled golang-migrate directory both targets of a test share. */
export const MIGRATIONS = fileURLToPath(new URL('../../examples/migrations', import.meta.url));
/** The hand-typed hot-fixes of "production": a retyped column, an extra index, a dropped check constraint. */
export const DRIFT_SQL = fileURLToPath(new URL('../../examples/drift/production.sql', import.meta.url));
/** The real command, run by Node 24 (first on PATH). */
export const BIN = fileURLToPath(new URL('../../bin/schema-drift.js', import.meta.url));
export const PROMTOOL = '/usr/bin/promtool';

/** A database the migrations ran on up to `version`, recorded in golang-migrate's `schema_migrations`, then `extra` SQL. */
export async function migratedDatabase(prefix: string, version = 4, extra = ''): Promise<TempDatabase> {
  const db = await createTempPgDatabase(prefix);
  try {
    const names = (await readdir(MIGRATIONS)).filter((n) => n.endsWith('.up.sql')).sort().slice(0, version);
    const files = await Promise.all(names.map((n) => readFile(path.join(MIGRATIONS, n), 'utf8')));
    await db.exec(files.join('\n'));
    await db.exec(
      `CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
       INSERT INTO schema_migrations VALUES (${version}, false);`,
    );
    if (extra) await db.exec(extra);
    return db;
  } catch (err) {
    await db.drop();
    throw err;
  }
}

/** `host:port` of the PostgreSQL test server. */
export function pgAddress(): { host: string; port: number } {
  const url = new URL(PG_URL);
  return { host: url.hostname, port: Number(url.port || 5432) };
}

/** A temp dir for config files, data dirs and secrets; `remove()` in `afterAll`. */
export async function tempDir(prefix = 'sd-agent-'): Promise<{ dir: string; write(name: string, text: string): Promise<string>; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return {
    dir,
    async write(name, text) {
      const file = path.join(dir, name);
      await writeFile(file, text);
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * A TCP proxy on 127.0.0.1 in front of the PostgreSQL server. `stop()` closes the listener and cuts every open
 * connection (the database is "down": connecting is refused); `start()` listens again on the same port.
 */
export class TcpProxy {
  #server: Server | null = null;
  #sockets = new Set<Socket>();
  #port = 0;

  get port(): number {
    return this.#port;
  }

  async start(): Promise<void> {
    if (this.#server) return;
    const upstream = pgAddress();
    const server = createServer((client) => {
      const backend = createConnection(upstream.port, upstream.host);
      for (const socket of [client, backend]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        // A cut connection is the point of the exercise, not a test failure.
        socket.on('error', () => {});
      }
      client.pipe(backend).pipe(client);
      client.on('close', () => backend.destroy());
      backend.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A stream for pino that keeps every JSON line, parsed. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  #partial = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    const text = this.#partial + chunk.toString();
    const parts = text.split('\n');
    this.#partial = parts.pop() ?? '';
    this.lines.push(...parts.filter(Boolean));
    callback();
  }

  /** Parsed records whose `msg` matches. */
  records(msg?: string | RegExp): Record<string, unknown>[] {
    const all = this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    if (msg === undefined) return all;
    return all.filter((r) => (typeof msg === 'string' ? r.msg === msg : msg.test(String(r.msg))));
  }
}

/** One sample of an exposition. */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses the Prometheus text format (the subset the exporter writes: no escaped quotes in our label values). */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) labels[pair[1]!] = pair[2]!;
    out.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return out;
}

/**
 * The value of the one sample named `name` whose labels include `labels`; throws when none or several match, so a
 * missing series fails the test instead of reading as undefined.
 */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  const found = parseExposition(text).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name}${JSON.stringify(labels)}`);
  return found[0]!.value;
}

/** Runs `promtool check metrics` on an exposition; fails when promtool is missing (a declared test dependency). */
export function promtoolCheck(exposition: string): { status: number | null; output: string } {
  if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} not found: install Debian's "prometheus" package`);
  const result = spawnSync(PROMTOOL, ['check', 'metrics'], { input: exposition, encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: result.stdout + result.stderr };
}

/** GET/POST against a running agent; reads the whole body. */
export async function http(
  base: string,
  pathname: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; text: string; json<T = unknown>(): T }> {
  const res = await fetch(base + pathname, { redirect: 'manual', signal: AbortSignal.timeout(60_000), ...init });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
}

/** The real `schema-drift` bin as a child process, with its output collected line by line. */
export interface BinProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the first stdout/stderr line matching, or rejects after `timeoutMs` (naming what was seen). */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** SIGKILLs the process if it still runs (cleanup). */
  kill(): void;
}

/** `detached`: the bin leads a process group of its own (and its children are in it), to be signalled as a group. */
export function startBin(args: string[], env: NodeJS.ProcessEnv = {}, options: { detached?: boolean } = {}): BinProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve(line: string): void }>();
  const collect = (into: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        into.push(line);
        for (const waiter of waiters) if (waiter.pattern.test(line)) waiter.resolve(line);
      }
    };
  };
  child.stdout.on('data', collect(stdout));
  child.stderr.on('data', collect(stderr));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    stdout,
    stderr,
    exited,
    waitForLine(pattern, timeoutMs) {
      const seen = [...stdout, ...stderr].find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`));
        }, timeoutMs);
        waiters.add(waiter);
        void exited.then((code) => {
          if (!waiters.has(waiter)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          reject(new Error(`exited (${code}) before a line matching ${pattern}; stderr:\n${stderr.join('\n')}`));
        });
      });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Polls `/metrics` of `url` every 250 ms until `ready` holds; returns the exposition and the time it took. */
export async function untilMetrics(url: string, ready: (text: string) => boolean, limitMs: number): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  for (;;) {
    const { text } = await http(url, '/metrics');
    if (ready(text)) return { text, ms: Date.now() - started };
    if (Date.now() - started > limitMs) throw new Error(`not within ${limitMs} ms; last exposition:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
