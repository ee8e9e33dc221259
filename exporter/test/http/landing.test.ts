/**
 * The landing page (links to everything, DEMO label, HTML escaping) and `/readyz` when not ready.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import type { AppDeps } from '../../src/http/deps.ts';
import { escapeHtml } from '../../src/http/landing.ts';
import { ReportStore } from '../../src/store/report-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { agentConfig, makeReport, SECRETS, targetConfig } from './fixtures.ts';
import { serve, type TestServer } from './serve.ts';

// Config validation would refuse this name; the HTTP layer must still be safe with it (defence in depth).
const HOSTILE = `<script>alert("x")</script>&'`;
const FIXTURES = fileURLToPath(new URL('../fixtures/migrations', import.meta.url));
/** Directory targets whose next migration is never written, and one whose directory does not exist. */
const NO_MIGRATION = {
  lb: { dir: join(FIXTURES, 'liquibase') },
  folders: { dir: join(FIXTURES, 'drizzle-folders') },
  schema: { dir: join(FIXTURES, 'schema'), format: 'schema' as const },
  gone: { dir: join(FIXTURES, 'no-such-directory') },
};

let dir: string;
let store: ReportStore;
const servers: TestServer[] = [];

function deps(overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    config: agentConfig([
      targetConfig('prod', { desired: { dir: join(FIXTURES, 'golang-migrate') } }),
      targetConfig(HOSTILE, { displayUrl: 'postgres://app@db.internal/<b>' }),
      ...Object.entries(NO_MIGRATION).map(([name, desired]) => targetConfig(name, { desired })),
    ]),
    store: new SqliteStore(store),
    scheduler: {
      runNow: () => Promise.reject(new Error('the landing page never runs checks')),
    },
    metricsHandler: (_req, res) => {
      res.send('');
    },
    ready: () => ({ ready: true }),
    version: '1.2.3<x>',
    ...overrides,
  };
}

async function start(overrides: Partial<AppDeps> = {}): Promise<TestServer> {
  const server = await serve(createApp(deps(overrides)));
  servers.push(server);
  return server;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-http-landing-'));
  store = ReportStore.open(dir);
  store.save(makeReport('prod', 'drift'));
});

afterAll(async () => {
  for (const server of servers) await server.close();
  store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('GET /', () => {
  let html: string;
  let server: TestServer;
  beforeAll(async () => {
    server = await start();
    const res = await server.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    html = res.text;
  });

  it.each([
    '/metrics',
    '/api/v1/targets',
    '/healthz',
    '/readyz',
    '/api/v1/targets/prod/reports/latest',
    '/api/v1/targets/prod/reports',
    '/api/v1/targets/prod/transitions',
    '/api/v1/targets/prod/reports/latest/changes',
    '/api/v1/targets/prod/reports/latest/erd/tables',
    '/api/v1/targets/prod/reports/latest/erd/columns',
    '/api/v1/targets/prod/reports/latest/erd/relations',
    '/api/v1/targets/prod/reports/latest/sql',
    '/api/v1/targets/prod/reports/latest/statements',
    '/api/v1/targets/prod/reports/latest/desired.sql',
    '/api/v1/targets/prod/reports/latest/current.sql',
    '/api/v1/targets/prod/reports/latest/reconcile.sql',
    '/api/v1/targets/prod/reports/latest/migration',
  ])('links to %s', (href) => {
    expect(html).toContain(`href="${href}"`);
  });

  it.each(Object.keys(NO_MIGRATION))('no "next migration" link for %s (a format never written, or no directory)', (name) => {
    expect(html).toContain(`href="/api/v1/targets/${name}/reports/latest"`);
    expect(html).not.toContain(`href="/api/v1/targets/${name}/reports/latest/migration"`);
  });

  it('every linked path of the "prod" target resolves on the same server', async () => {
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!).filter((h) => h.includes('/prod/') || !h.includes('/targets/'));
    expect(hrefs.length).toBeGreaterThan(15);
    for (const href of hrefs) {
      const res = await server.request(href);
      // The fixture report predates kept plans and its directory does not exist: the route answers why, with a 409.
      if (href.endsWith('/migration')) expect(res.json<{ error: string }>().error, href).toMatch(/report \d+ of target "prod": no migration: /);
      else expect(res.status, href).toBe(200);
    }
  });

  it('shows the version, the status of the latest report, the display URL and the format doc', () => {
    expect(html).toContain('Version 1.2.3&lt;x&gt;');
    expect(html).toContain('drift, checked 2025-01-02T06:00:02.500Z');
    expect(html).toContain('postgres://app@db.internal:5432/prod');
    expect(html).toContain('docs/report-format.md');
    expect(html).not.toContain('DEMO');
  });

  it('escapes a hostile target name and display URL everywhere it prints them', () => {
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).toContain(`href="/api/v1/targets/${encodeURIComponent(HOSTILE).replace(/'/g, '&#39;')}/reports/latest"`);
    expect(html).toContain('not checked yet');
  });

  it('never prints a password', () => {
    expect(html).not.toContain(SECRETS.password);
    expect(html).not.toContain(SECRETS.devPassword);
  });
});

describe('escapeHtml', () => {
  it.each([
    ['a&b', 'a&amp;b'],
    ['<i>', '&lt;i&gt;'],
    [`"'`, '&quot;&#39;'],
    ['plain', 'plain'],
  ])('%j → %j', (input, output) => {
    expect(escapeHtml(input)).toBe(output);
  });
});

describe('demo and readiness', () => {
  it('labels the demo', async () => {
    const server = await start({ demo: true });
    const html = (await server.request('/')).text;
    expect(html).toContain('<title>schema-drift exporter (DEMO)</title>');
    expect(html).toContain('<span class="demo">DEMO</span>');
  });

  it('/readyz is 503 with the reason when not ready, and /healthz still 200', async () => {
    const server = await start({ ready: () => ({ ready: false, reason: 'report store is closed' }) });
    const res = await server.request('/readyz');
    expect([res.status, res.text]).toEqual([503, 'not ready: report store is closed\n']);
    expect((await server.request('/healthz')).status).toBe(200);
  });
});
