/**
 * `POST /api/v1/targets/:name/check` against the real agent process: a burst gets one check running and one queued,
 * the rest 429 with `Retry-After`; a client looping on `?wait=true` gets at most one check per `manualCheckInterval`.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, MIGRATIONS, migratedDatabase, pgAddress, startBin, tempDir, type BinProcess } from '../agent/support.ts';
import type { TempDatabase } from '../support/servers.ts';

type Temp = Awaited<ReturnType<typeof tempDir>>;
const INTERVAL_S = 3;

let temp: Temp;
let db: TempDatabase;
let agent: BinProcess | undefined;
let base: string;

beforeAll(async () => {
  temp = await tempDir('sd-fault-manual-');
  db = await migratedDatabase('sdfault_manual', 4);
  const { host, port } = pgAddress();
  const config = await temp.write(
    'schema-drift.yaml',
    `listen: 127.0.0.1:9772
dataDir: ${JSON.stringify(path.join(temp.dir, 'data'))}
manualCheckInterval: ${INTERVAL_S}s
targets:
  - name: production
    url: postgres://postgres@${host}:${port}/${db.name}
    desired: { dir: ${JSON.stringify(MIGRATIONS)} }
`,
  );
  agent = startBin(['serve', '--config', config, '--port', '0']);
  base = (JSON.parse(await agent.waitForLine(/"msg":"listening"/, 30_000)) as { address: string }).address;
  await agent.waitForLine(/"msg":"report stored"/, 60_000);
});
afterAll(async () => {
  agent?.kill();
  await db?.drop();
  await temp?.remove();
});

const reportCount = async (): Promise<number> =>
  (await http(base, '/api/v1/targets/production/reports?limit=500')).json<unknown[]>().length;

describe('manual checks are rate-limited per target', () => {
  it('a burst of 8: one runs, one is queued, six get 429 with Retry-After', async () => {
    // Past the interval since the start-up check, so the first request starts at once.
    await new Promise((r) => setTimeout(r, INTERVAL_S * 1000));
    const before = await reportCount();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => http(base, '/api/v1/targets/production/check?wait=false', { method: 'POST' })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([202, 202, 429, 429, 429, 429, 429, 429]);
    for (const refused of answers.filter((a) => a.status === 429)) {
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(2 * INTERVAL_S);
      expect(refused.json<{ error: string }>().error).toMatch(/already queued/);
    }
    // Exactly the two accepted checks are stored.
    await eventually(async () => ((await reportCount()) === before + 2 ? true : undefined), 60_000, 'two reports stored');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await reportCount()).toBe(before + 2);
  }, 90_000);

  it('a client looping on ?wait=true gets one check per interval', async () => {
    const before = await reportCount();
    const started = performance.now();
    // When each check started, as its report says: the limit is on starts (a check's own duration varies under load).
    const startedAt: number[] = [];
    while (performance.now() - started < 3 * INTERVAL_S * 1000) {
      const res = await http(base, '/api/v1/targets/production/check?wait=true', { method: 'POST' });
      expect(res.status).toBe(200);
      const row = res.json<{ report_id: number; started_at: string }>();
      expect(row.report_id).toBeGreaterThan(0);
      startedAt.push(Date.parse(row.started_at));
    }
    const elapsedS = (performance.now() - started) / 1000;
    const made = (await reportCount()) - before;
    expect(made).toBe(startedAt.length);
    // The first may start at once (or wait out the burst's interval); each later one an interval after the previous.
    expect(made).toBeLessThanOrEqual(Math.floor(elapsedS / INTERVAL_S) + 1);
    // The report's start time is taken a moment after the limiter's, so two of them may differ by a little (the event loop's lag under load).
    for (let i = 1; i < startedAt.length; i += 1) expect(startedAt[i]! - startedAt[i - 1]!).toBeGreaterThan(INTERVAL_S * 1000 - 250);
    console.info(`manual checks: ${made} checks in ${elapsedS.toFixed(1)} s of a sequential loop (interval ${INTERVAL_S} s)`);
  }, 90_000);
});
