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
import { basicCredentials, BasicAuthVerifier } from '../../src/http/basic-auth.ts';
import { rateLimit } from '../../src/http/web-policy.ts';
import { ReportStore } from '../../src/store/report-store.ts';
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
  it('accepts the password, refuses others and unknown users, and remembers outcomes', async () => {
    const verifier = new BasicAuthVerifier({ alice: HASH });
    expect(await verifier.verify('alice', PASSWORD)).toBe(true);
    expect(await verifier.verify('alice', `${PASSWORD}x`)).toBe(false);
    // An unknown user presenting alice's password: compared with alice's hash (same time), refused all the same.
    expect(await verifier.verify('bob', PASSWORD)).toBe(false);
    expect(await verifier.verify('alice', PASSWORD)).toBe(true);
    expect(new BasicAuthVerifier({}).enabled).toBe(false);
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
      store,
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
