/**
 * The issue's failover test: three real `schema-drift serve` processes on loopback share one PostgreSQL store and 30
 * targets checked every 20 s (6-field cron); one replica is SIGKILLed while it runs a check. Then:
 * - every target gets a report in the next round (the killed replica's claim is freed with its connection);
 * - no two checks of a target overlap (each report starts after the previous one of the target finished), also two
 *   manual checks of one target fired at two replicas at once;
 * - no report is lost or duplicated: each round has exactly one report per target, except the one or two checks the
 *   killed replica was running (claimed in the store), which produced none;
 * - each survivor's API lists all 30 targets, and its gauges show every target's last round (read from the store).
 *
 * Cheap targets: 30 small databases cloned from one template, one migration, the replay on the test server (devUrl)
 * and shared by all replicas through the store's desired cache.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_URL, pgUrlFor, withPgClient } from '../support/servers.ts';
import { eventually, http, metric, startBin, tempDir, type BinProcess } from './support.ts';

const TARGETS = 30;
const REPLICAS = 3;
const INTERVAL_MS = 20_000;
const RUN = `sdfleet_${randomBytes(3).toString('hex')}`;
const STORE_SCHEMA = 'fleet_store';
const names = Array.from({ length: TARGETS }, (_, i) => `tenant${String(i + 1).padStart(2, '0')}`);
const databases = names.map((name) => `${RUN}_${name}`);

type Temp = Awaited<ReturnType<typeof tempDir>>;

/** `fn` on a connection to the test server's `test` database, or to `url`. */
const admin = <T>(fn: (client: pg.Client) => Promise<T>, url = PG_URL): Promise<T> => withPgClient({ url }, fn);

interface StoredRow {
  readonly target: string;
  readonly started: number;
  readonly finished: number;
}

async function storedReports(): Promise<StoredRow[]> {
  const rows = await admin(
    (c) => c.query<{ target: string; started_at: string; finished_at: string }>(`SELECT target, started_at, finished_at FROM ${STORE_SCHEMA}.reports ORDER BY id`),
    pgUrlFor(`${RUN}_store`),
  );
  return rows.rows.map((r) => ({ target: r.target, started: Date.parse(r.started_at), finished: Date.parse(r.finished_at) }));
}

/** Reports of each target whose check started in the round beginning at `slot`. */
function round(rows: readonly StoredRow[], slot: number): Map<string, number> {
  const counts = new Map(names.map((n) => [n, 0]));
  for (const row of rows) if (row.started >= slot && row.started < slot + INTERVAL_MS) counts.set(row.target, (counts.get(row.target) ?? 0) + 1);
  return counts;
}

const slotOf = (time: number): number => Math.floor(time / INTERVAL_MS) * INTERVAL_MS;

describe('three agents sharing a PostgreSQL store', () => {
  let temp: Temp;
  const replicas: BinProcess[] = [];

  beforeAll(async () => {
    temp = await tempDir('sd-fleet-');
    await admin(async (c) => {
      await c.query(`CREATE DATABASE ${RUN}_template`);
      await c.query(`CREATE DATABASE ${RUN}_store`);
    });
    await admin(
      (c) =>
        c.query(`CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);
                 CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
                 INSERT INTO schema_migrations VALUES (1, false);`),
      pgUrlFor(`${RUN}_template`),
    );
    await admin(async (c) => {
      for (const db of databases) await c.query(`CREATE DATABASE ${db} TEMPLATE ${RUN}_template`);
    });
  }, 120_000);

  afterAll(async () => {
    for (const replica of replicas) replica.kill();
    await Promise.all(replicas.map((r) => r.exited));
    await admin(async (c) => {
      for (const db of [...databases, `${RUN}_template`, `${RUN}_store`]) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    });
    await temp?.remove();
  }, 120_000);

  it('keeps checking every target once per round when one of them is SIGKILLed mid-round', async () => {
    const migrations = path.join(temp.dir, 'migrations');
    await mkdir(migrations);
    await writeFile(path.join(migrations, '000001_items.up.sql'), 'CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);\n');
    await writeFile(path.join(migrations, '000001_items.down.sql'), 'DROP TABLE items;\n');
    const server = new URL(PG_URL);
    const targetUrl = (db: string) => `postgres://${server.username}@${server.host}/${db}`;
    const config = await temp.write(
      'schema-drift.yaml',
      `listen: 127.0.0.1:9772
dataDir: \${SD_FLEET_DATA_DIR}
concurrency: 2
store:
  url: \${SD_FLEET_STORE_URL}
  schema: ${STORE_SCHEMA}
x-target: &target
  desired: { dir: ${JSON.stringify(migrations)}, devUrl: ${JSON.stringify(PG_URL)} }
  schedule: '*/20 * * * * *'
  watch: 0
targets:
${names.map((name, i) => `  - { <<: *target, name: ${name}, url: ${JSON.stringify(targetUrl(databases[i]!))} }`).join('\n')}
`,
    );
    for (let i = 0; i < REPLICAS; i++) {
      replicas.push(
        startBin(['serve', '--config', config, '--port', '0'], {
          SD_FLEET_DATA_DIR: path.join(temp.dir, `data-${i}`),
          SD_FLEET_STORE_URL: pgUrlFor(`${RUN}_store`),
        }),
      );
    }
    const addresses = await Promise.all(
      replicas.map(async (r) => (JSON.parse(await r.waitForLine(/"msg":"listening"/, 60_000)) as { address: string }).address),
    );
    // The first round (at start) is done when every target has a report.
    await eventually(async () => ((await storedReports().catch(() => [])).length >= TARGETS ? true : undefined), 90_000, 'a first report of every target');
    const firstFullRound = slotOf(Date.now()) + INTERVAL_MS;

    // Kill a replica the moment it starts a check of a scheduled round that follows at least one full round: the
    // check is then running (it has not even connected yet).
    const victim = replicas[0]!;
    const killedAt = await new Promise<number>((resolve) => {
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString();
        if (Date.now() < firstFullRound + INTERVAL_MS || !/"trigger":"schedule"[^\n]*"msg":"check started"/.test(text)) return;
        victim.child.kill('SIGKILL');
        victim.child.stdout.off('data', onData);
        resolve(Date.now());
      };
      victim.child.stdout.on('data', onData);
    });
    await victim.exited;
    const killRound = slotOf(killedAt);
    expect(killRound).toBeGreaterThanOrEqual(firstFullRound + INTERVAL_MS);
    // The victim's claims of that round, read from the store before the next round overwrites them (its log cannot
    // tell: lines still buffered when it was killed are lost).
    const victimClaims = await admin(
      async (c) =>
        (await c.query<{ target: string; next_due: Date }>(`SELECT target, next_due FROM ${STORE_SCHEMA}.schedule WHERE claimed_by LIKE $1`, [`%:${victim.child.pid}`])).rows
          .filter((r) => r.next_due.getTime() === killRound + INTERVAL_MS)
          .map((r) => r.target),
      pgUrlFor(`${RUN}_store`),
    );
    // Read before the next round's claims replace them (the kill came at the first check the victim started).
    expect(Date.now(), 'the victim\'s claims were read within the round').toBeLessThan(killRound + INTERVAL_MS);

    // Two more rounds on the survivors: the next one must hold every target.
    const lastRound = killRound + 2 * INTERVAL_MS;
    const rows = await eventually(
      async () => {
        const all = await storedReports();
        return [...round(all, lastRound).values()].every((n) => n >= 1) ? all : undefined;
      },
      4 * INTERVAL_MS,
      'every target checked two rounds after the kill',
    );

    // Every round holds one report per target; in the kill round a target the victim claimed may have none (it was
    // checking it), and such targets are one or two (its concurrency).
    const wrong: { slot: string; target: string; reports: number }[] = [];
    for (let slot = firstFullRound; slot <= lastRound; slot += INTERVAL_MS) {
      for (const [target, reports] of round(rows, slot)) {
        const lost = slot === killRound && victimClaims.includes(target) && reports === 0;
        if (reports !== 1 && !lost) wrong.push({ slot: new Date(slot).toISOString(), target, reports });
      }
    }
    expect(wrong).toEqual([]);
    const cut = [...round(rows, killRound)].filter(([, reports]) => reports === 0);
    expect(cut.length).toBeGreaterThanOrEqual(1);
    expect(cut.length).toBeLessThanOrEqual(2);
    // The last round's claims are the survivors', both of them (a replica is named `<host>:<pid>`).
    const claimedBy = await admin(
      async (c) => (await c.query<{ claimed_by: string }>(`SELECT claimed_by FROM ${STORE_SCHEMA}.schedule`)).rows.map((r) => r.claimed_by.split(':').at(-1)),
      pgUrlFor(`${RUN}_store`),
    );
    expect(claimedBy).toHaveLength(TARGETS);
    expect(new Set(claimedBy)).toEqual(new Set(replicas.slice(1).map((r) => String(r.child.pid))));
    // No two checks of a target overlap.
    for (const name of names) {
      const mine = rows.filter((r) => r.target === name).sort((a, b) => a.started - b.started);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.started).toBeGreaterThanOrEqual(mine[i - 1]!.finished);
    }
    // Each survivor's gauges follow the store, not only its own checks: every target's last check is from the last
    // round on both, though each ran about half of them.
    for (const address of addresses.slice(1)) {
      await eventually(
        async () => {
          const text = (await http(address, '/metrics')).text;
          return names.every((name) => metric(text, 'schema_drift_last_check_timestamp_seconds', { target: name }) * 1000 >= lastRound) ? true : undefined;
        },
        3 * INTERVAL_MS,
        `${address}/metrics showing the last round of every target`,
      );
    }
    // Each survivor answers for all 30, each with a stored report (most of them checked by another replica).
    for (const address of addresses.slice(1)) {
      const listed = (await http(address, '/api/v1/targets')).json<{ target: string; status: string | null }[]>();
      expect(listed.filter((t) => t.status !== null).map((t) => t.target).sort()).toEqual(names);
    }
    // The rounds above are 20 s apart and a check takes well under 1 s, so they could not overlap anyway. Two manual
    // checks of one target fired at both survivors at the same moment could: the second must wait for the first.
    const target = names[0]!;
    const seen = (await storedReports()).length;
    const answers = await Promise.all(addresses.slice(1).map((address) => http(address, `/api/v1/targets/${target}/check`, { method: 'POST' })));
    for (const answer of answers) expect(answer.status, answer.text).toBe(200);
    const manual = (await storedReports())
      .slice(seen)
      .filter((r) => r.target === target)
      .sort((a, b) => a.started - b.started);
    expect(manual.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < manual.length; i++) expect(manual[i]!.started).toBeGreaterThanOrEqual(manual[i - 1]!.finished);
  }, 300_000);
});
