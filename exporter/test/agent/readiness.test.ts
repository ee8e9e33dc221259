/**
 * `/readyz` follows the agent's state: ready while it runs, 503 "stopping" once a stop has begun (checks still
 * finishing), so a load balancer drains it. The demo's embedded databases stand in for targets; the session opener
 * is held back so a check is still running when the stop begins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/agent/agent.ts';
import type { TargetConfig } from '../../src/config/types.ts';
import { createDemoEnvironment, type DemoEnvironment } from '../../src/agent/demo.ts';
import { createLogger } from '../../src/log.ts';
import type { LiveSession } from '../../src/dialects/dialect.ts';
import { VERSION } from '../../src/version.ts';
import { http, LogCapture } from './support.ts';

let demo: DemoEnvironment;
let agent: RunningAgent;
let release: () => void = () => {};
let entered: Promise<void>;

beforeAll(async () => {
  demo = await createDemoEnvironment({ port: 0 });
  const gate = new Promise<void>((resolve) => (release = resolve));
  let signalEntered: () => void = () => {};
  entered = new Promise<void>((resolve) => (signalEntered = resolve));
  const openSession = async (target: TargetConfig): Promise<LiveSession> => {
    signalEntered();
    await gate;
    return demo.openSession(target);
  };
  const config = { ...demo.config, targets: demo.config.targets.slice(0, 1) };
  agent = await startAgent(config, { logger: createLogger('error', new LogCapture()), version: VERSION, demo: true, openSession, stopGraceMs: 20_000 });
});

afterAll(async () => {
  release();
  await agent?.stop();
  await demo?.close();
});

describe('/readyz', () => {
  it('is 200 while the agent runs, 503 "stopping" while a stop waits for a running check', async () => {
    await entered;
    const before = await http(agent.url, '/readyz');
    expect([before.status, before.text]).toEqual([200, 'ok\n']);

    const stopped = agent.stop();
    const during = await http(agent.url, '/readyz');
    expect([during.status, during.text]).toEqual([503, 'not ready: stopping\n']);

    release();
    await stopped;
    expect(agent.store.isOpen).toBe(false);
  });
});
