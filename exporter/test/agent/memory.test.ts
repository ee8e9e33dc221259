/**
 * The agent's idle memory release (`agent/memory.ts`): the real collection shrinks V8's young generation after a burst
 * of short-lived objects like a check's, without leaving a global `gc` behind; `IdleMemoryRelease` releases once after
 * the last of overlapping checks, never while one runs, and not after `stop()`; a started agent (the demo's embedded
 * databases) releases once its first checks are done and logs it.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { startAgent } from '../../src/agent/agent.ts';
import { createDemoEnvironment } from '../../src/agent/demo.ts';
import { IdleMemoryRelease, releaseMemory } from '../../src/agent/memory.ts';
import { createLogger } from '../../src/log.ts';
import { VERSION } from '../../src/version.ts';
import { eventually, LogCapture } from './support.ts';

function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

/** Allocates like a catalog read: millions of short-lived rows, a tenth of them kept until the end. */
function burst(): number {
  let kept: Array<{ name: string; columns: number[] }> = [];
  for (let i = 0; i < 3_000_000; i++) {
    const row = { name: `table_${i}`, columns: [i, i + 1, i + 2] };
    if (i % 10 === 0) kept.push(row);
  }
  const count = kept.length;
  kept = [];
  return count;
}

describe('releaseMemory', () => {
  it('shrinks the young generation the burst grew, and exposes no global gc', () => {
    const hadGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
    expect(burst()).toBe(300_000);
    const grown = youngGenerationBytes();
    expect(releaseMemory()).toBe(true);
    expect(youngGenerationBytes()).toBeLessThan(grown);
    expect(typeof (globalThis as { gc?: unknown }).gc === 'function').toBe(hadGc);
  });
});

describe('IdleMemoryRelease', () => {
  it('releases once after the last of overlapping checks, never while one runs', async () => {
    const events: string[] = [];
    let released!: () => void;
    const done = new Promise<void>((resolve) => (released = resolve));
    const idle = new IdleMemoryRelease({ delayMs: 0, release: () => (events.push('release'), released()) });
    let finishFirst!: () => void;
    const first = idle.run(() => new Promise<void>((resolve) => (finishFirst = resolve)).then(() => events.push('first')));
    const second = idle.run(async () => {
      events.push('second');
      // Past the zero delay: a release scheduled by this check's end alone would fire here, with `first` running.
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    await second;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual(['second']);
    finishFirst();
    await first;
    await done;
    expect(events).toEqual(['second', 'first', 'release']);
  });

  it('passes on the result and the error of the check', async () => {
    const idle = new IdleMemoryRelease({ delayMs: 60_000, release: () => undefined });
    await expect(idle.run(async () => 42)).resolves.toBe(42);
    await expect(idle.run(async () => Promise.reject(new Error('check broke')))).rejects.toThrow('check broke');
    idle.stop();
  });

  it('releases nothing after stop()', async () => {
    let releases = 0;
    const idle = new IdleMemoryRelease({ delayMs: 0, release: () => releases++ });
    await idle.run(async () => undefined);
    idle.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(releases).toBe(0);
  });
});

describe('the agent', () => {
  it('releases memory once its checks are done, and logs it at debug level', async () => {
    const demo = await createDemoEnvironment({ port: 0 });
    const logs = new LogCapture();
    try {
      const config = { ...demo.config, targets: demo.config.targets.slice(0, 1) };
      const agent = await startAgent(config, { logger: createLogger('debug', logs), version: VERSION, demo: true, openSession: (t) => demo.openSession(t) });
      try {
        await agent.firstChecks;
        const released = await eventually(async () => logs.records('idle: memory released')[0], 30_000, 'the idle memory release');
        expect(released).toMatchObject({ rssBeforeMb: expect.any(Number), rssAfterMb: expect.any(Number), ms: expect.any(Number) });
        expect(logs.records('report stored').length).toBeGreaterThan(0);
      } finally {
        await agent.stop();
      }
    } finally {
      await demo.close();
    }
  }, 120_000);
});
