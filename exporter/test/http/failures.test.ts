/**
 * When the parts behind the API fail: a closed store gives a JSON 500 without details (they go to the log), a
 * stopped scheduler gives a 503, and neither leaks a stack trace or a file path.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/agent/scheduler.ts';
import { createApp } from '../../src/http/app.ts';
import { ReportStore } from '../../src/store/report-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { agentConfig, makeReport, targetConfig } from './fixtures.ts';
import { serve, type TestServer } from './serve.ts';

const targets = [targetConfig('prod')];
let dir: string;
let store: ReportStore;
let scheduler: Scheduler;
let server: TestServer;
const logged: { obj: object; msg: string }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-http-fail-'));
  store = ReportStore.open(dir);
  store.save(makeReport('prod'));
  scheduler = new Scheduler({
    targets,
    concurrency: 1,
    retry: { attempts: 0, initialDelayMs: 10, maxDelayMs: 10 },
    runCheck: async (target) => makeReport(target.name),
    onReport: () => undefined,
  });
  await scheduler.stop(0);
  server = await serve(
    createApp({
      config: agentConfig(targets),
      store: new SqliteStore(store),
      scheduler,
      metricsHandler: (_req, res) => {
        res.send('');
      },
      ready: () => ({ ready: false, reason: 'shutting down' }),
      version: '0.1.0-test',
      log: { error: (obj, msg) => logged.push({ obj, msg }) },
    }),
  );
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('failures behind the API', () => {
  it('a check requested from a stopped scheduler is a 503', async () => {
    const res = await server.request('/api/v1/targets/prod/check', { method: 'POST' });
    expect(res.status).toBe(503);
    expect(res.json()).toEqual({ error: 'the scheduler is stopping: check cancelled' });
  });

  it('a closed store is a JSON 500 with no details; the cause is logged', async () => {
    expect((await server.request('/api/v1/targets/prod/reports/latest')).status).toBe(200);
    store.close();
    for (const path of ['/api/v1/targets', '/api/v1/targets/prod/reports/latest', '/api/v1/targets/prod/reports', '/']) {
      const res = await server.request(path);
      expect(res.status, path).toBe(500);
      expect(res.json(), path).toEqual({ error: 'internal server error' });
      expect(res.text).not.toContain(dir);
    }
    expect(logged.length).toBe(4);
    expect(logged[0]).toMatchObject({ msg: 'http: request failed', obj: { method: 'GET', path: '/api/v1/targets' } });
    expect((logged[0]!.obj as { err: Error }).err).toBeInstanceOf(Error);
  });

  it('/readyz says why it is not ready', async () => {
    const res = await server.request('/readyz');
    expect([res.status, res.text]).toEqual([503, 'not ready: shutting down\n']);
  });
});
