/**
 * A network that stalls mid-check must not leave a transaction open on the monitored server. A TCP proxy of our own
 * sits between the engine and the real server and freezes right after forwarding the first catalog query; the
 * server's own session list then shows how long the frozen session lives there, and the client must give up by its
 * own deadline.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_GRACE_MS } from '../../src/connection/limits.ts';
import { TimeoutError } from '../../src/core/errors.ts';
import { dialectNamed } from '../../src/dialects/registry.ts';
import { readLive } from '../../src/engine/live.ts';
import { startFreezingProxy, type FreezingProxy } from '../support/freezing-proxy.ts';
import { createTempMysqlDatabase, createTempPgDatabase, MYSQL_URL, PG_URL, type TempDatabase } from '../support/servers.ts';

const STATEMENT_MS = 2_000;
/** Slack for polling (every 100 ms) and for the server's timer. */
const SLACK_MS = 1_500;

interface Sighting {
  state: string;
}

/** Polls `look` until it finds nothing after having found something; returns what it saw and when it went. */
async function watchUntilGone(look: () => Promise<Sighting | undefined>, limitMs: number): Promise<{ states: Set<string>; goneAt: number }> {
  const states = new Set<string>();
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    const seen = await look();
    if (seen) states.add(seen.state);
    else if (states.size) return { states, goneAt: performance.now() };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`session still on the server after ${limitMs} ms (states seen: ${[...states].join(', ')})`);
}

function upstreamOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

/** The check's session as the server's own session list shows it, watched over an admin connection. */
interface SessionWatcher {
  /** What tags the check's session so that `find` can tell it apart: PostgreSQL's application_name. */
  tag(label: string): { applicationName?: string };
  /**
   * Called once the proxy froze: how to look up the check's session (the tagged one, or the one behind the proxy's
   * connection), `undefined` once the server has ended it.
   */
  locate(proxy: FreezingProxy, tag: { applicationName?: string }): () => Promise<Sighting | undefined>;
  close(): Promise<void>;
}

/** One server under test; each runs the same two tests. */
interface StalledServer {
  /** The describe's title. */
  readonly title: string;
  readonly dialect: 'postgres' | 'mysql';
  /** Text of the first catalog query, at which the proxy freezes. */
  readonly catalog: string;
  /** The frozen session's state in the server's list: idle inside its open transaction. */
  readonly idleState: string;
  createDatabase(prefix: string): Promise<TempDatabase>;
  watch(): Promise<SessionWatcher>;
}

const SERVERS: readonly StalledServer[] = [
  {
    title: 'PostgreSQL: a stalled network mid-check',
    dialect: 'postgres',
    catalog: 'pg_catalog',
    // The server saw the transaction idle with nobody answering, and ended it by itself.
    idleState: 'idle in transaction',
    createDatabase: createTempPgDatabase,
    async watch() {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      return {
        tag: (label) => ({ applicationName: `schema-drift ${label} ${randomBytes(4).toString('hex')}` }),
        locate: (_proxy, { applicationName }) => async () => {
          const { rows } = await admin.query<{ state: string }>('SELECT state FROM pg_stat_activity WHERE application_name = $1', [
            applicationName,
          ]);
          return rows[0];
        },
        close: () => admin.end(),
      };
    },
  },
  {
    title: 'MariaDB/MySQL: a stalled network mid-check',
    dialect: 'mysql',
    catalog: 'information_schema',
    // Idle (`Sleep`) inside the open transaction, then ended by the server's wait_timeout.
    idleState: 'Sleep',
    createDatabase: createTempMysqlDatabase,
    async watch() {
      const u = new URL(MYSQL_URL);
      const admin = await mysql.createConnection({
        host: u.hostname,
        port: Number(u.port || 3306),
        user: decodeURIComponent(u.username) || 'root',
        password: decodeURIComponent(u.password),
      });
      return {
        tag: () => ({}),
        locate(proxy) {
          const hosts = proxy.upstreamPorts().map((port) => `127.0.0.1:${port}`);
          expect(hosts).toHaveLength(1);
          return async () => {
            const [rows] = await admin.query('SELECT COMMAND AS state FROM information_schema.PROCESSLIST WHERE HOST IN (?)', [hosts]);
            return (rows as Sighting[])[0];
          };
        },
        close: () => admin.end(),
      };
    },
  },
];

describe.each(SERVERS)('$title', (server: StalledServer) => {
  let temp: TempDatabase;
  let watcher: SessionWatcher | undefined;
  beforeAll(async () => {
    temp = await server.createDatabase('sdstall');
    await temp.exec('CREATE TABLE t (id int PRIMARY KEY, name text)');
    watcher = await server.watch();
  });
  afterAll(async () => {
    await watcher?.close();
    await temp?.drop();
  });

  it('ends the server session within the statement limit, and the client within its deadline', async () => {
    const proxy = await startFreezingProxy(upstreamOf(temp.url), (chunk) => chunk.includes(server.catalog));
    const sessions = watcher as SessionWatcher;
    const tag = sessions.tag('stall');
    try {
      const started = performance.now();
      const read = readLive(dialectNamed(server.dialect), {
        url: proxy.urlThrough(temp.url),
        description: 'stalled',
        target: 'stalled',
        statementTimeoutMs: STATEMENT_MS,
        ...tag,
      }).then(
        () => ({ error: undefined, at: performance.now() }),
        (error: unknown) => ({ error, at: performance.now() }),
      );
      const frozenAt = await proxy.frozen;
      const { states, goneAt } = await watchUntilGone(sessions.locate(proxy, tag), 30_000);
      expect(states).toContain(server.idleState);
      const livedMs = goneAt - frozenAt;
      expect(livedMs).toBeLessThan(STATEMENT_MS + SLACK_MS);
      const outcome = await read;
      expect(outcome.error).toBeInstanceOf(TimeoutError);
      expect(String((outcome.error as Error).message)).toMatch(/no answer from the server/);
      expect(outcome.at - started).toBeLessThan(STATEMENT_MS + CLIENT_GRACE_MS + SLACK_MS);
      console.info(`${server.dialect}: frozen session lived ${Math.round(livedMs)} ms on the server; client gave up after ${Math.round(outcome.at - started)} ms`);
    } finally {
      await proxy.close();
    }
  });

  it('drops the session at once when the check is aborted', async () => {
    const proxy = await startFreezingProxy(upstreamOf(temp.url), (chunk) => chunk.includes(server.catalog));
    const controller = new AbortController();
    try {
      const read = readLive(dialectNamed(server.dialect), {
        url: proxy.urlThrough(temp.url),
        description: 'stalled',
        statementTimeoutMs: 60_000,
        ...(watcher as SessionWatcher).tag('abort'),
        signal: controller.signal,
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      await proxy.frozen;
      const abortedAt = performance.now();
      controller.abort(new TimeoutError('check limit'));
      const error = await read;
      const endedMs = performance.now() - abortedAt;
      expect(error).toBeInstanceOf(Error);
      // Without the abort it would wait for the 65 s client deadline.
      expect(endedMs).toBeLessThan(1_000);
    } finally {
      await proxy.close();
    }
  });
});
