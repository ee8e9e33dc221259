/**
 * The report store under faults, with the real `schema-drift serve` as child processes: one agent per data directory
 * (a second one refuses, naming the first's pid; a SIGKILLed one's lock is taken over), owner-only files, and a full
 * disk that shows in `/readyz`, in a metric and in the API instead of a report id 0.
 *
 * The full disk is a real one: a 2 MiB tmpfs mounted for the test (the test runs as root, as CI does here; it fails
 * rather than skips otherwise).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, metric, MIGRATIONS, migratedDatabase, pgAddress, startBin, tempDir, type BinProcess } from '../agent/support.ts';
import type { TempDatabase } from '../support/servers.ts';

type Temp = Awaited<ReturnType<typeof tempDir>>;
type Row = Record<string, unknown>;

const children: BinProcess[] = [];
function spawnAgent(config: string): BinProcess {
  const child = startBin(['serve', '--config', config, '--port', '0']);
  children.push(child);
  return child;
}

async function listening(child: BinProcess): Promise<string> {
  return (JSON.parse(await child.waitForLine(/"msg":"listening"/, 30_000)) as { address: string }).address;
}

async function checkedOnce(base: string): Promise<void> {
  await eventually(async () => {
    const rows = (await http(base, '/api/v1/targets')).json<Row[]>();
    return rows.every((r) => r.status === 'in_sync') ? rows : undefined;
  }, 60_000, 'first check stored');
}

function stopped(child: BinProcess): Promise<number | string> {
  return Promise.race([child.exited, new Promise<string>((r) => setTimeout(() => r('still running after 20 s'), 20_000))]);
}

const mode = (file: string): string => (statSync(file).mode & 0o777).toString(8);

let temp: Temp;
let db: TempDatabase;

beforeAll(async () => {
  temp = await tempDir('sd-fault-store-');
  db = await migratedDatabase('sdfault_store', 4);
});
afterAll(async () => {
  for (const child of children) child.kill();
  await db?.drop();
  await temp?.remove();
});

function configText(dataDir: string): string {
  const { host, port } = pgAddress();
  return `listen: 127.0.0.1:9772
dataDir: ${JSON.stringify(dataDir)}
# Checks one after another over the API; the rate limit has its own test.
manualCheckInterval: 0s
targets:
  - name: production
    url: postgres://postgres@${host}:${port}/${db.name}
    desired: { dir: ${JSON.stringify(MIGRATIONS)} }
`;
}

describe('one agent per data directory', () => {
  it('refuses a second agent naming the first one\'s pid, creates owner-only files, and takes over a killed agent\'s lock', async () => {
    const dataDir = path.join(temp.dir, 'shared');
    const config = await temp.write('shared.yaml', configText(dataDir));
    const first = spawnAgent(config);
    const base = await listening(first);
    await checkedOnce(base);

    const second = spawnAgent(config);
    expect(await stopped(second)).not.toBe(0);
    const said = [...second.stdout, ...second.stderr].join('\n');
    expect(said).toContain(`pid ${first.child.pid}`);
    expect(said).toContain('data directory is in use by another schema-drift agent');
    expect(said).not.toMatch(/"msg":"listening"/);

    // Owner-only: the directory, the store with its WAL, the lock, the desired-schema cache.
    expect(mode(dataDir)).toBe('700');
    for (const name of ['reports.sqlite', 'reports.sqlite-wal', 'agent.lock']) expect([name, mode(path.join(dataDir, name))]).toEqual([name, '600']);
    const cacheDir = path.join(dataDir, 'desired-cache');
    expect(mode(cacheDir)).toBe('700');
    const cached = readdirSync(cacheDir);
    expect(cached.length).toBeGreaterThan(0);
    for (const name of cached) expect([name, mode(path.join(cacheDir, name))]).toEqual([name, '600']);

    // SIGKILL leaves the lock behind; the next agent sees its pid is gone and takes it over.
    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(path.join(dataDir, 'agent.lock'))).toBe(true);
    const third = spawnAgent(config);
    // Checked once, so its signal handlers are in place (they are installed once start-up is over).
    await listening(third);
    await third.waitForLine(/"msg":"report stored"/, 60_000);
    third.child.kill('SIGTERM');
    expect(await stopped(third)).toBe(0);
    // A clean stop removes the lock.
    expect(existsSync(path.join(dataDir, 'agent.lock'))).toBe(false);
  });
});

describe('a full disk', () => {
  let mountPoint: string;
  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('this test mounts a tmpfs and must run as root');
    mountPoint = path.join(temp.dir, 'small-disk');
    await mkdir(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint]);
  });
  afterAll(() => {
    if (mountPoint) execFileSync('umount', ['-l', mountPoint]);
  });

  it('makes /readyz 503, counts in a metric by reason, and answers 503 instead of a report id 0; a later save recovers', async () => {
    const config = await temp.write('small.yaml', configText(path.join(mountPoint, 'data')));
    const agent = spawnAgent(config);
    const base = await listening(agent);
    await checkedOnce(base);
    expect((await http(base, '/readyz')).status).toBe(200);

    // Fill the disk to the last block.
    const filler = path.join(mountPoint, 'filler');
    const handle = await open(filler, 'w');
    const block = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) await handle.write(block);
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    try {
      for (;;) await handle.write(Buffer.alloc(512, 1));
    } catch {
      // Full to the last small block too.
    }
    await handle.close();

    const refused = await http(base, '/api/v1/targets/production/check?wait=true', { method: 'POST' });
    expect(refused.status).toBe(503);
    expect(refused.text).not.toContain('report_id');
    expect(refused.json<{ error: string }>().error).toMatch(/could not be stored \(disk_full\)/);
    const ready = await http(base, '/readyz');
    expect([ready.status, ready.text]).toEqual([503, 'not ready: the last report could not be stored (disk_full)\n']);
    const exposition = (await http(base, '/metrics')).text;
    expect(metric(exposition, 'schema_drift_report_save_failures_total', { reason: 'disk_full' })).toBe(1);
    expect(metric(exposition, 'schema_drift_report_save_failures_total', { reason: 'other' })).toBe(0);

    await rm(filler);
    const stored = await http(base, '/api/v1/targets/production/check?wait=true', { method: 'POST' });
    expect(stored.status).toBe(200);
    expect(stored.json<{ report_id: number }>().report_id).toBeGreaterThan(0);
    expect((await http(base, '/readyz')).status).toBe(200);

    agent.child.kill('SIGTERM');
    expect(await stopped(agent)).toBe(0);
  }, 120_000);
});
