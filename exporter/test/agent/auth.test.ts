/**
 * A configuration with `bearerToken`: `/metrics` and the API answer 401 without the token (or with a wrong one) and
 * 200 with it; the probes and the landing page stay open, and the landing page lists no target data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentEnvironment, type AgentEnvironment } from './environment.ts';
import { http } from './support.ts';

const TOKEN = 'agent-test-token-5Yq8';

let env: AgentEnvironment;

beforeAll(async () => {
  env = await createAgentEnvironment({ extraYaml: `bearerToken: ${TOKEN}\n` });
  await env.agent.firstChecks;
});

afterAll(async () => {
  await env?.close();
});

const protectedPaths = [
  '/metrics',
  '/api/v1/targets',
  '/api/v1/targets/production/reports',
  '/api/v1/targets/production/reports/latest',
  '/api/v1/targets/production/reports/latest/reconcile.sql',
  '/api/v1/targets/nope/reports/latest',
];

describe('bearer token', () => {
  it.each(protectedPaths)('%s: 401 without a token, with a challenge', async (path) => {
    const res = await http(env.agent.url, path);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="schema-drift"');
    expect(res.json()).toEqual({ error: 'bearer token required' });
  });

  it.each(protectedPaths)('%s: 401 with a wrong token', async (path) => {
    const res = await http(env.agent.url, path, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="schema-drift", error="invalid_token"');
  });

  it('POST /check: 401 without a token, and no check runs', async () => {
    const before = await http(env.agent.url, '/api/v1/targets/staging/reports', { headers: { authorization: `Bearer ${TOKEN}` } });
    const res = await http(env.agent.url, '/api/v1/targets/staging/check', { method: 'POST' });
    expect(res.status).toBe(401);
    const after = await http(env.agent.url, '/api/v1/targets/staging/reports', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(after.json()).toEqual(before.json());
  });

  it('200 with the token, with the real contents', async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    const metrics = await http(env.agent.url, '/metrics', { headers });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('schema_drift_detected{target="production",environment="production"} 1');
    const targets = await http(env.agent.url, '/api/v1/targets', { headers });
    expect(targets.status).toBe(200);
    expect(targets.json<{ target: string; status: string }[]>().map((t) => [t.target, t.status])).toEqual([
      ['production', 'drift'],
      ['staging', 'in_sync'],
    ]);
    const sql = await http(env.agent.url, '/api/v1/targets/production/reports/latest/reconcile.sql', { headers });
    expect(sql.status).toBe(200);
    expect(sql.text).toContain('DROP INDEX public.invoices_issued_at_idx;');
    const check = await http(env.agent.url, '/api/v1/targets/staging/check', { method: 'POST', headers });
    expect(check.status).toBe(200);
    expect(check.json()).toMatchObject({ target: 'staging', status: 'in_sync' });
  });

  it('probes and the landing page stay open; the page shows no target names', async () => {
    expect((await http(env.agent.url, '/healthz')).status).toBe(200);
    expect((await http(env.agent.url, '/readyz')).status).toBe(200);
    const landing = await http(env.agent.url, '/');
    expect(landing.status).toBe(200);
    expect(landing.text).toContain('2 target(s) configured. The API and <code>/metrics</code> require a bearer token.');
    expect(landing.text).not.toContain('production');
    expect(landing.text).not.toContain(env.production.name);
  });

  it('never logs the token', () => {
    expect(env.logs.lines.length).toBeGreaterThan(3);
    for (const line of env.logs.lines) expect(line).not.toContain(TOKEN);
  });
});
