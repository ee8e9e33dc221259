/**
 * Basic auth from the web configuration file, beside the bearer token: either credential opens the API and
 * `/metrics`, a refusal carries both challenges, the landing page names both; the header parser; the rate limit of
 * the web configuration file (429 with Retry-After once the bucket is empty, refilled by the clock).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { requireCredentials } from '../../src/http/auth.ts';
import { BasicAuthBusyError, basicCredentials, BasicAuthVerifier, CACHE_SIZE } from '../../src/http/basic-auth.ts';
import { rateLimit } from '../../src/http/web-policy.ts';
import { ReportStore } from '../../src/store/report-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { agentConfig, makeReport, SECRETS, targetConfig } from './fixtures.ts';
import { serve, type TestServer } from './serve.ts';

const PASSWORD = 'pässword: with colon';
const HASH = bcrypt.hashSync(PASSWORD, 4);
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

describe('basicCredentials', () => {
  it.each([
    [basic('alice', 'a:b'), { user: 'alice', password: 'a:b' }],
    [`basic ${Buffer.from('u:').toString('base64')}`, { user: 'u', password: '' }],
    [basic('ünï', 'cödé'), { user: 'ünï', password: 'cödé' }],
    [`Basic ${Buffer.from('no-colon').toString('base64')}`, null],
    ['Bearer abc', null],
    ['Basic', null],
    [undefined, null],
  ])('%j → %j', (header, expected) => {
    expect(basicCredentials(header)).toEqual(expected);
  });
});

describe('BasicAuthVerifier', () => {
  it('accepts the password, refuses others and unknown users (real bcrypt)', async () => {
    const verifier = new BasicAuthVerifier({ alice: HASH });
    expect(await verifier.verify('alice', PASSWORD)).toBe(true);
    expect(await verifier.verify('alice', `${PASSWORD}x`)).toBe(false);
    // An unknown user presenting alice's password: compared with alice's hash (same time), refused all the same.
    expect(await verifier.verify('bob', PASSWORD)).toBe(false);
    expect(await verifier.verify('alice', PASSWORD)).toBe(true);
    expect(new BasicAuthVerifier({}).enabled).toBe(false);
  });

  /** A compare that counts its calls; a "hash" here is `h:` and the password. */
  function counting(): { compare: (password: string, hash: string) => Promise<boolean>; calls: () => number } {
    let calls = 0;
    return {
      compare: (password, hash) => {
        calls += 1;
        return Promise.resolve(hash === `h:${password}`);
      },
      calls: () => calls,
    };
  }

  it('runs bcrypt once for two identical successful checks', async () => {
    const { compare, calls } = counting();
    const verifier = new BasicAuthVerifier({ alice: 'h:pw' }, { compare });
    expect(await verifier.verify('alice', 'pw')).toBe(true);
    expect(await verifier.verify('alice', 'pw')).toBe(true);
    expect(calls()).toBe(1);
  });

  it('does not remember failures, and a flood of them does not evict a remembered login', async () => {
    const { compare, calls } = counting();
    const verifier = new BasicAuthVerifier({ alice: 'h:pw' }, { compare });
    expect(await verifier.verify('alice', 'wrong')).toBe(false);
    expect(await verifier.verify('alice', 'wrong')).toBe(false);
    expect(calls()).toBe(2);
    expect(await verifier.verify('alice', 'pw')).toBe(true);
    for (let i = 0; i < CACHE_SIZE + 10; i++) expect(await verifier.verify(i % 2 ? 'alice' : `mallory${i}`, `guess${i}`)).toBe(false);
    const before = calls();
    expect(await verifier.verify('alice', 'pw')).toBe(true);
    expect(calls()).toBe(before);
  });

  it(`forgets the least recently used of more than ${CACHE_SIZE} logins`, async () => {
    const { compare, calls } = counting();
    const users = Object.fromEntries(Array.from({ length: CACHE_SIZE + 1 }, (_, i) => [`u${i}`, `h:pw${i}`]));
    const verifier = new BasicAuthVerifier(users, { compare });
    for (let i = 0; i < CACHE_SIZE; i++) expect(await verifier.verify(`u${i}`, `pw${i}`)).toBe(true);
    expect(await verifier.verify('u0', 'pw0')).toBe(true); // remembered, and now the most recently used
    expect(calls()).toBe(CACHE_SIZE);
    expect(await verifier.verify(`u${CACHE_SIZE}`, `pw${CACHE_SIZE}`)).toBe(true); // one too many: u1 goes
    expect(calls()).toBe(CACHE_SIZE + 1);
    expect(await verifier.verify('u0', 'pw0')).toBe(true);
    expect(calls()).toBe(CACHE_SIZE + 1);
    expect(await verifier.verify('u1', 'pw1')).toBe(true);
    expect(calls()).toBe(CACHE_SIZE + 2);
  });

  it('bounds the queue for bcrypt: beyond maxWaiting, BasicAuthBusyError; a remembered login never waits', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let calls = 0;
    const verifier = new BasicAuthVerifier(
      { alice: 'h:pw' },
      {
        maxWaiting: 2,
        compare: async (password, hash) => {
          calls += 1;
          if (calls > 1) await gate;
          return hash === `h:${password}`;
        },
      },
    );
    expect(await verifier.verify('alice', 'pw')).toBe(true);
    const running = verifier.verify('alice', 'a'); // holds the slot until the gate opens
    const waiting = [verifier.verify('alice', 'b'), verifier.verify('alice', 'c')];
    await expect(verifier.verify('alice', 'd')).rejects.toBeInstanceOf(BasicAuthBusyError);
    expect(await verifier.verify('alice', 'pw')).toBe(true);
    open();
    expect(await Promise.all([running, ...waiting])).toEqual([false, false, false]);
    expect(await verifier.verify('alice', 'e')).toBe(false); // the queue drained: accepted again
  });

  it('requireCredentials answers 503 with Retry-After while the bcrypt queue is full', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let entered!: () => void;
    const reached = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const compare = async (password: string, hash: string): Promise<boolean> => {
      entered();
      await gate;
      return hash === `h:${password}`;
    };
    const app = express();
    app.get('/', requireCredentials({ basicAuthUsers: { alice: 'h:pw' } }, { maxWaiting: 0, compare }), (_req, res) => {
      res.send('ok');
    });
    const server = await serve(app);
    try {
      const first = server.request('/', { headers: { Authorization: basic('alice', 'pw') } });
      await reached; // the first request holds the slot before the second arrives
      const busy = await server.request('/', { headers: { Authorization: basic('alice', 'other') } });
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(busy.json()).toEqual({ error: 'too many basic auth checks waiting; retry shortly' });
      open();
      expect((await first).status).toBe(200);
    } finally {
      open();
      await server.close();
    }
  });
});

describe('bearer token and basic auth together', () => {
  let dir: string;
  let store: ReportStore;
  let server: TestServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sd-http-basic-'));
    store = ReportStore.open(dir);
    store.save(makeReport('prod', 'drift'));
    const config = agentConfig([targetConfig('prod')], {
      bearerToken: SECRETS.token,
      web: { file: '/etc/web.yml', headers: { 'X-Frame-Options': 'sameorigin' }, basicAuthUsers: { prometheus: HASH } },
    });
    const app = createApp({
      config,
      store: new SqliteStore(store),
      scheduler: { runNow: () => Promise.reject(new Error('not in this test')) },
      metricsHandler: (_req, res) => {
        res.type('text/plain').send('schema_drift_build_info{version="0.1.0"} 1\n');
      },
      ready: () => ({ ready: true }),
      version: '0.1.0-test',
    });
    server = await serve(app);
  });
  afterAll(async () => {
    await server?.close();
    store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['/metrics', '/api/v1/targets'])('%s: either credential is accepted', async (path) => {
    expect((await server.request(path, { headers: { Authorization: `Bearer ${SECRETS.token}` } })).status).toBe(200);
    expect((await server.request(path, { headers: { Authorization: basic('prometheus', PASSWORD) } })).status).toBe(200);
  });

  it('a refusal offers both schemes; wrong basic credentials are invalid credentials', async () => {
    const none = await server.request('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="schema-drift", Basic realm="schema-drift", charset="UTF-8"');
    expect(none.json()).toEqual({ error: 'credentials required' });
    const wrong = await server.request('/metrics', { headers: { Authorization: basic('prometheus', 'nope') } });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toEqual({ error: 'invalid credentials' });
    const badToken = await server.request('/metrics', { headers: { Authorization: 'Bearer wrong' } });
    expect(badToken.headers.get('www-authenticate')).toBe('Bearer realm="schema-drift", error="invalid_token", Basic realm="schema-drift", charset="UTF-8"');
  });

  it('the configured header is on every response; the landing page names both schemes and no target', async () => {
    const landing = await server.request('/');
    expect(landing.headers.get('x-frame-options')).toBe('sameorigin');
    expect(landing.text).toContain('require a bearer token or basic auth');
    expect(landing.text).not.toContain('db.internal');
    expect((await server.request('/healthz')).headers.get('x-frame-options')).toBe('sameorigin');
  });
});

describe('rateLimit', () => {
  it('lets a burst through, then 429 with Retry-After until the clock refills the bucket', async () => {
    let now = 1_000_000;
    const app = express();
    app.use(rateLimit({ intervalMs: 2_000, burst: 3 }, () => now));
    app.get('/', (_req, res) => {
      res.send('ok');
    });
    const server = await serve(app);
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await server.request('/')).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const limited = await server.request('/');
      expect(limited.headers.get('retry-after')).toBe('2');
      now += 2_000;
      expect((await server.request('/')).status).toBe(200);
      expect((await server.request('/')).status).toBe(429);
    } finally {
      await server.close();
    }
  });
});

describe('rate_limit in the app', () => {
  it('leaves /healthz and /readyz open, and the 429 carries the security and configured headers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sd-http-ratelimit-'));
    const store = ReportStore.open(dir);
    const config = agentConfig([targetConfig('prod')], {
      // One request per hour: the second is refused whatever the machine's speed.
      web: { file: '/etc/web.yml', headers: { 'X-Frame-Options': 'deny' }, basicAuthUsers: {}, rateLimit: { intervalMs: 3_600_000, burst: 1 } },
    });
    const app = createApp({
      config,
      store: new SqliteStore(store),
      scheduler: { runNow: () => Promise.reject(new Error('not in this test')) },
      metricsHandler: (_req, res) => {
        res.type('text/plain').send('schema_drift_build_info{version="0.1.0"} 1\n');
      },
      ready: () => ({ ready: true }),
      version: '0.1.0-test',
    });
    const server = await serve(app);
    try {
      expect((await server.request('/metrics')).status).toBe(200);
      const limited = await server.request('/metrics');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).not.toBeNull();
      expect(limited.headers.get('x-content-type-options')).toBe('nosniff');
      expect(limited.headers.get('x-frame-options')).toBe('deny');
      for (let i = 0; i < 5; i++) {
        expect((await server.request('/healthz')).status).toBe(200);
        expect((await server.request('/readyz')).status).toBe(200);
      }
      expect((await server.request('/')).status).toBe(429);
    } finally {
      await server.close();
      store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
