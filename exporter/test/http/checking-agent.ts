/**
 * The agent's HTTP API over the real parts, nothing faked: the real Scheduler runs the real runCheck (one desired
 * cache for all targets) and saves into the real ReportStore the API reads. For the tests that check over HTTP.
 */
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import { Scheduler } from '../../src/agent/scheduler.ts';
import type { TargetConfig } from '../../src/config/types.ts';
import type { Report } from '../../src/core/model/report.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { createApp } from '../../src/http/app.ts';
import type { ReportStore } from '../../src/store/report-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { agentConfig } from './fixtures.ts';
import { serve, type TestServer } from './serve.ts';

export interface CheckingAgent {
  readonly scheduler: Scheduler;
  readonly server: TestServer;
  /** Closes the server, then stops the scheduler (running checks get a second). */
  stop(): Promise<void>;
}

export async function serveCheckingAgent(targets: TargetConfig[], store: ReportStore, concurrency: number): Promise<CheckingAgent> {
  const cache = new DesiredCache<DesiredSchema>();
  const scheduler = new Scheduler({
    targets,
    concurrency,
    retry: { attempts: 0, initialDelayMs: 10, maxDelayMs: 10 },
    runCheck: (target, signal) => runCheck(target, { cache, signal }),
    onReport: (report: Report) => ({ ...report, id: store.save(report) }),
  });
  const server = await serve(
    createApp({
      config: agentConfig(targets),
      store: new SqliteStore(store),
      scheduler,
      metricsHandler: (_req, res) => {
        res.send('');
      },
      ready: () => ({ ready: true }),
      version: '0.1.0-test',
    }),
  );
  return {
    scheduler,
    server,
    stop: async () => {
      await server.close();
      await scheduler.stop(1_000);
    },
  };
}
