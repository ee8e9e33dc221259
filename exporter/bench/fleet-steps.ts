/**
 * The fleet load benchmark: one agent process (`schema-drift serve`, default concurrency) discovering
 * `BENCH_FLEET_TENANTS` (default 500) tenant schemas of one PostgreSQL database, each a few tables with keys, an index
 * and a view; a handful hot-fixed so the fleet has variants. Measured over the first full round (every tenant
 * checked): its time from the agent's start and from its first check, the agent's peak RSS (with its replay child),
 * the most connections per server seen in `pg_stat_activity` (sampled every 100 ms, the agent's and ours apart), and
 * the p50/p99 latency of `/metrics`, `/api/v1/targets` and `/api/v1/fleets/<fleet>/variants` requested in a loop
 * during the round. The database is created here and dropped after, failures included.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createBenchDatabase, type BenchDatabase } from './databases.ts';
import { childrenOf, highWaterMark } from './measure.ts';
import { failedRecord, recordOf, type StepRecord } from './report.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'schema-drift.js');
const FLEET = 'tenants';
/** Tenants whose schema gets a hot-fix index (variant 2) and a dropped column (variant 3). */
const HOTFIX_EVERY = 50;
const OLD_EVERY = 20;

const TENANT_SQL = `CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE projects (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts (id), name text NOT NULL, archived boolean NOT NULL DEFAULT false);
CREATE INDEX projects_account ON projects (account_id);
CREATE TABLE tasks (id bigint PRIMARY KEY, project_id bigint NOT NULL REFERENCES projects (id), title text NOT NULL, due date);
CREATE VIEW open_projects AS SELECT id, name FROM projects WHERE NOT archived;
`;

function tenantName(i: number): string {
  return `tenant_${String(i).padStart(4, '0')}`;
}

/** Tenants created per round trip (and transaction): all 500 in one would exceed the server's lock table. */
const TENANTS_PER_BATCH = 20;

/** The tenants' DDL, one script per batch: every schema alike, except the hot-fixed and the not-yet-migrated ones. */
function fleetSql(tenants: number): string[] {
  const batches: string[] = [];
  for (let first = 0; first < tenants; first += TENANTS_PER_BATCH) {
    const parts: string[] = [];
    for (let i = first; i < Math.min(tenants, first + TENANTS_PER_BATCH); i++) {
      const schema = tenantName(i);
      parts.push(`CREATE SCHEMA ${schema}; SET search_path TO ${schema};`, TENANT_SQL);
      if (i % HOTFIX_EVERY === 1) parts.push('CREATE INDEX tasks_due ON tasks (due);');
      if (i % OLD_EVERY === 2) parts.push('DROP VIEW open_projects; ALTER TABLE projects DROP COLUMN archived;');
    }
    batches.push(parts.join('\n'));
  }
  return batches;
}

interface Latencies {
  readonly samples: number[];
  errors: number;
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function timed(url: string, into: Latencies): Promise<void> {
  const started = performance.now();
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    if (!res.ok) into.errors += 1;
  } catch {
    into.errors += 1;
  }
  into.samples.push(performance.now() - started);
}

/** `VmRSS` of a process in bytes, 0 once it has gone. */
async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

/** Waits until the agent prints the `listening` log line and returns its address. */
function listening(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        if (!line.includes('"msg":"listening"')) continue;
        const address = /"address":"([^"]+)"/.exec(line)?.[1];
        if (address) resolve(address.replace('0.0.0.0', '127.0.0.1'));
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the agent exited (${code}) before it listened`)));
  });
}

/** Runs the fleet bench; every figure is a row. */
export async function runFleetSteps(tenants: number, log: (line: string) => void): Promise<StepRecord[]> {
  const step = `fleet: ${tenants} discovered tenant schemas, 1 agent`;
  let db: BenchDatabase | undefined;
  const work = await mkdtemp(join(tmpdir(), 'sd-bench-fleet-'));
  let child: ReturnType<typeof spawn> | undefined;
  try {
    db = await createBenchDatabase('bench_fleet');
    const load = performance.now();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      for (const batch of fleetSql(tenants)) await client.query(batch);
    } finally {
      await client.end();
    }
    const loadMs = performance.now() - load;
    log(`fleet: ${tenants} schemas loaded in ${(loadMs / 1000).toFixed(1)} s`);
    await mkdir(join(work, 'migrations'));
    await writeFile(join(work, 'migrations', '001_init.sql'), TENANT_SQL);
    const port = 20000 + Math.floor(Math.random() * 20000);
    await writeFile(join(work, 'schema-drift.yaml'), `listen: 127.0.0.1:${port}
dataDir: ./data
logLevel: info
targets:
  - name: ${FLEET}
    url: ${db.url}
    desired: { dir: ./migrations }
    schedule: '0 0 1 1 *'
    discover:
      schemas: { pattern: 'tenant\\_%' }
`);

    const started = performance.now();
    child = spawn(process.execPath, [BIN, 'serve', '--config', join(work, 'schema-drift.yaml')], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = child.pid ?? 0;
    let own = 0;
    /** The largest sum of the agent's children's RSS seen at one poll (replays in PGlite run in a child). */
    let kidsPeak = 0;
    let firstCheckAt: number | null = null;
    child.stdout?.on('data', (chunk: Buffer) => {
      if (firstCheckAt === null && chunk.toString().includes('"msg":"check started"')) firstCheckAt = performance.now();
    });
    const base = await listening(child);
    const listenedAt = performance.now();

    const monitor = new pg.Client({ connectionString: db.url, application_name: 'schema-drift bench monitor' });
    await monitor.connect();
    let agentPeak = 0;
    let otherPeak = 0;
    const metrics: Latencies = { samples: [], errors: 0 };
    const targets: Latencies = { samples: [], errors: 0 };
    const variants: Latencies = { samples: [], errors: 0 };
    let done = false;
    let checked = 0;
    const sample = async (): Promise<void> => {
      while (!done) {
        own = Math.max(own, await highWaterMark(pid));
        let kids = 0;
        for (const kid of await childrenOf(pid)) kids += await residentBytes(kid);
        kidsPeak = Math.max(kidsPeak, kids);
        // The agent's sessions are those on the bench database other than this monitor; the server-wide count of
        // schema-drift sessions includes other agents and tests on a shared server, so it is only an upper bound.
        const { rows } = await monitor.query<{ agent: string; server: string }>(
          `SELECT count(*) FILTER (WHERE datname = current_database() AND pid <> pg_backend_pid()) AS agent,
                  count(*) FILTER (WHERE application_name LIKE 'schema-drift%') AS server
             FROM pg_stat_activity WHERE backend_type = 'client backend'`,
        );
        agentPeak = Math.max(agentPeak, Number(rows[0]?.agent ?? 0));
        otherPeak = Math.max(otherPeak, Number(rows[0]?.server ?? 0));
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const scrape = async (): Promise<void> => {
      while (!done) {
        await timed(`${base}/metrics`, metrics);
        await timed(`${base}/api/v1/targets`, targets);
        await timed(`${base}/api/v1/fleets/${FLEET}/variants`, variants);
        const res = await fetch(`${base}/api/v1/fleets`).catch(() => null);
        const row = res?.ok ? ((await res.json()) as { unchecked: number; targets: number }[])[0] : undefined;
        if (row && row.targets >= tenants) {
          checked = row.targets - row.unchecked;
          if (row.unchecked === 0) done = true;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const deadline = setTimeout(() => (done = true), 30 * 60_000);
    await Promise.all([sample(), scrape()]);
    clearTimeout(deadline);
    const roundEnd = performance.now();
    await monitor.end();
    const fleetRows = (await (await fetch(`${base}/api/v1/fleets/${FLEET}/variants`)).json()) as { targets: number; status: string }[];
    child.kill('SIGTERM');
    await new Promise((r) => child?.once('exit', r));
    child = undefined;
    if (checked < tenants) throw new Error(`only ${checked} of ${tenants} tenants were checked within 30 minutes`);

    const childBytes = kidsPeak;
    const fromFirst = firstCheckAt === null ? Number.NaN : roundEnd - firstCheckAt;
    const ms = (n: number) => `${n.toFixed(0)} ms`;
    return [
      recordOf(tenants, `${step}: load ${tenants} schemas (setup)`, { wallMs: loadMs, peakRssBytes: 0, baselineRssBytes: null }),
      recordOf(tenants, `${step}: first full round`, { wallMs: roundEnd - started, peakRssBytes: own + childBytes, baselineRssBytes: null }, {
        detail: `from spawn; ${(fromFirst / 1000).toFixed(1)} s from the first check, ${((roundEnd - listenedAt) / 1000).toFixed(1)} s from listening; peak RSS = agent ${(own / 1048576).toFixed(0)} MB (VmHWM) + its children ${(childBytes / 1048576).toFixed(0)} MB (largest sum at one 100 ms poll); variants ${fleetRows.map((v) => `${v.targets} ${v.status}`).join(', ')}`,
      }),
      recordOf(tenants, `${step}: connections per server`, { wallMs: 0, peakRssBytes: 0, baselineRssBytes: null }, {
        detail: `at most ${agentPeak} agent connections at once to the bench database in pg_stat_activity (sampled every 100 ms); schema-drift sessions server-wide (other helpers' tests included) at most ${otherPeak}`,
      }),
      recordOf(tenants, `${step}: /metrics during the round`, { wallMs: percentile(metrics.samples, 99), peakRssBytes: 0, baselineRssBytes: null }, {
        detail: `p99 ${ms(percentile(metrics.samples, 99))}, p50 ${ms(percentile(metrics.samples, 50))}, ${metrics.samples.length} requests, ${metrics.errors} failed`,
      }),
      recordOf(tenants, `${step}: /api/v1/targets during the round`, { wallMs: percentile(targets.samples, 99), peakRssBytes: 0, baselineRssBytes: null }, {
        detail: `p99 ${ms(percentile(targets.samples, 99))}, p50 ${ms(percentile(targets.samples, 50))}, ${targets.samples.length} requests, ${targets.errors} failed`,
      }),
      recordOf(tenants, `${step}: /api/v1/fleets/:fleet/variants during the round`, { wallMs: percentile(variants.samples, 99), peakRssBytes: 0, baselineRssBytes: null }, {
        detail: `p99 ${ms(percentile(variants.samples, 99))}, p50 ${ms(percentile(variants.samples, 50))}, ${variants.samples.length} requests, ${variants.errors} failed`,
      }),
    ];
  } catch (err) {
    return [failedRecord(tenants, step, err)];
  } finally {
    child?.kill('SIGKILL');
    await db?.drop().catch((err: unknown) => log(`could not drop ${db?.name}: ${String(err)}`));
    await rm(work, { recursive: true, force: true });
  }
}
