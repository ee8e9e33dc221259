/**
 * Bearer token: the API and `/metrics` need it when one is configured; `/`, `/healthz` and `/readyz` stay open;
 * no secret ever appears in a response.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, tokenMatches } from '../../src/http/auth.ts';
import { createApp } from '../../src/http/app.ts';
import type { Report } from '../../src/core/model/report.ts';
import { ReportStore } from '../../src/store/report-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { agentConfig, makeReport, SECRETS, targetConfig } from './fixtures.ts';
import { serve, type TestServer } from './serve.ts';

describe('bearerToken / tokenMatches', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['Bearer  abc ', 'abc'],
    ['Bearer a.b-c_d~e+f/g==', 'a.b-c_d~e+f/g=='],
    ['Basic abc', null],
    ['Bearer', null],
    ['Bearer a b', null],
    ['', null],
    [undefined, null],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    ['same', 'same', true],
    ['same', 'samf', false],
    ['short', 'a-much-longer-token', false],
    ['', 'x', false],
  ])('%j vs %j → %s', (presented, expected, match) => {
    expect(tokenMatches(presented, expected)).toBe(match);
  });
});

describe('with a bearer token configured', () => {
  const config = agentConfig([targetConfig('prod')], { bearerToken: SECRETS.token });
  let dir: string;
  let store: ReportStore;
  let server: TestServer;
  let runs = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sd-http-auth-'));
    store = ReportStore.open(dir);
    store.save(makeReport('prod', 'drift'));
    const app = createApp({
      config,
      store: new SqliteStore(store),
      scheduler: {
        // A check double: this file tests the gate in front of the scheduler, not the check.
        runNow: async (name: string): Promise<Report> => {
          runs++;
          const report = makeReport(name, 'in_sync', new Date().toISOString());
          return { ...report, id: store.save(report) };
        },
      },
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

  const protectedPaths = [
    '/metrics',
    '/api/v1/targets',
    '/api/v1/targets/prod/reports',
    '/api/v1/targets/prod/reports/latest',
    '/api/v1/targets/prod/reports/latest/erd/tables',
    '/api/v1/targets/prod/reports/latest/reconcile.sql',
    '/api/v1/targets/nope/reports',
  ];

  it.each(protectedPaths)('GET %s without a token is 401 with a Bearer challenge', async (path) => {
    const res = await server.request(path);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="schema-drift"');
    expect(res.json()).toEqual({ error: 'bearer token required' });
  });

  it.each(protectedPaths)('GET %s with a wrong token is 401 invalid_token', async (path) => {
    const res = await server.request(path, { headers: { Authorization: 'Bearer wrong-token' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="schema-drift", error="invalid_token"');
  });

  it.each(protectedPaths.slice(0, -1))('GET %s with the token is 200', async (path) => {
    const res = await server.request(path, { headers: { Authorization: `Bearer ${SECRETS.token}` } });
    expect(res.status).toBe(200);
  });

  it('the token does not reveal unknown targets before authentication, and 404s them after', async () => {
    const res = await server.request('/api/v1/targets/nope/reports', { headers: { Authorization: `Bearer ${SECRETS.token}` } });
    expect(res.status).toBe(404);
  });

  it('POST check needs the token', async () => {
    const denied = await server.request('/api/v1/targets/prod/check', { method: 'POST' });
    expect(denied.status).toBe(401);
    expect(runs).toBe(0);
    const ok = await server.request('/api/v1/targets/prod/check', { method: 'POST', headers: { Authorization: `Bearer ${SECRETS.token}` } });
    expect(ok.status).toBe(200);
    expect(runs).toBe(1);
  });

  it.each(['/', '/healthz', '/readyz'])('GET %s stays open', async (path) => {
    expect((await server.request(path)).status).toBe(200);
  });

  it('the landing page lists no target names or URLs when the API is protected', async () => {
    const res = await server.request('/');
    expect(res.text).toContain('require a bearer token');
    expect(res.text).not.toContain('db.internal');
    expect(res.text).not.toContain('/api/v1/targets/prod');
  });

  it('no response contained the token or a password', () => {
    expect(server.transcript.length).toBeGreaterThan(20);
    for (const text of server.transcript) {
      for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    }
  });
});
