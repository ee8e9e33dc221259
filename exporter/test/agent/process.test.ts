/**
 * The real `schema-drift` command as a child process (Node 24, first on PATH): `serve --config F` stops cleanly on
 * SIGTERM with exit code 0 and never logs a target's password; `serve` without a configuration runs the labelled
 * demo whose drift shows in `/metrics` and the API; `npm start`, the README's first command, passes SIGTERM on to the
 * agent, which frees its port.
 */
import { spawn } from 'node:child_process';
import { type AddressInfo, connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TempDatabase } from '../support/servers.ts';
import { eventually, http, metric, MIGRATIONS, migratedDatabase, pgAddress, startBin, tempDir, type BinProcess } from './support.ts';

type Temp = Awaited<ReturnType<typeof tempDir>>;
type Row = Record<string, unknown>;

const PASSWORD = 'Child-pw-s3cret-0426';
const FILE_PASSWORD = 'File-pw-s3cret-9911';

const children: BinProcess[] = [];
function spawnBin(args: string[], env?: NodeJS.ProcessEnv): BinProcess {
  const child = startBin(args, env);
  children.push(child);
  return child;
}

/** JSON log lines of a child's stdout. */
function logRecords(child: BinProcess): Record<string, unknown>[] {
  return child.stdout.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterAll(() => {
  for (const child of children) child.kill();
});

describe('serve --config: SIGTERM', () => {
  let temp: Temp;
  let db: TempDatabase;

  beforeAll(async () => {
    temp = await tempDir('sd-agent-proc-');
    db = await migratedDatabase('sdagent_proc', 4);
  });
  afterAll(async () => {
    await db?.drop();
    await temp?.remove();
  });

  it('answers /readyz, then exits 0 with a "stopped" line, never logging a password', async () => {
    const { host, port } = pgAddress();
    const passwordFile = await temp.write('staging-password', `${FILE_PASSWORD}\n`);
    const file = await temp.write(
      'schema-drift.yaml',
      `listen: 127.0.0.1:9772
dataDir: ./data
logLevel: debug
targets:
  - name: production
    url: postgres://postgres@${host}:${port}/${db.name}
    password: \${SD_PROC_TEST_PASSWORD}
    desired: { dir: ${JSON.stringify(MIGRATIONS)} }
  - name: staging
    url: postgres://postgres@${host}:${port}/${db.name}
    passwordFile: ${passwordFile}
    desired: { dir: ${JSON.stringify(MIGRATIONS)} }
`,
    );
    const child = spawnBin(['serve', '--config', file, '--port', '0'], { SD_PROC_TEST_PASSWORD: PASSWORD });
    const listening = JSON.parse(await child.waitForLine(/"msg":"listening"/, 30_000)) as { address: string };
    expect(listening.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ready = await eventually(async () => {
      const res = await http(listening.address, '/readyz');
      return res.status === 200 ? res.text : undefined;
    }, 15_000, '/readyz');
    expect(ready).toBe('ok\n');
    // Both first checks done, so the logs include everything a check logs (sessions, replay, inspection).
    await eventually(async () => {
      const rows = (await http(listening.address, '/api/v1/targets')).json<Row[]>();
      return rows.every((r) => r.status === 'in_sync') ? rows : undefined;
    }, 60_000, 'both targets checked in sync');

    child.child.kill('SIGTERM');
    const code = await Promise.race([child.exited, new Promise((r) => setTimeout(() => r('still running after 20 s'), 20_000))]);
    expect(code).toBe(0);
    const records = logRecords(child);
    expect(records.find((r) => r.msg === 'signal received')).toMatchObject({ signal: 'SIGTERM' });
    expect(records.at(-1)).toMatchObject({ level: 'info', msg: 'stopped', service: 'schema-drift' });
    expect(child.stderr.filter(Boolean)).toEqual([]);
    // Every stdout line is one JSON object (structured logs, nothing else).
    expect(child.stdout.filter(Boolean).every((line) => line.startsWith('{'))).toBe(true);
    const output = [...child.stdout, ...child.stderr].join('\n');
    expect(output).toContain(db.name);
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain(FILE_PASSWORD);
  });

  it('SIGTERM during a check: the check finishes and is stored, then the agent exits 0', async () => {
    const { host, port } = pgAddress();
    // Running checks get 5 s after SIGTERM (a longer one is stopped: shutdown-bound.test.ts). A first agent on this
    // data directory replays and caches the desired schema, so the second one's check (read the target, take the
    // cache, diff) is short whatever the machine's load, yet still running when the signal arrives.
    const file = await temp.write(
      'mid-check.yaml',
      `dataDir: ./mid-check-data
targets:
  - name: production
    url: postgres://postgres@${host}:${port}/${db.name}
    desired: { dir: ${JSON.stringify(MIGRATIONS)} }
`,
    );
    const first = spawnBin(['serve', '--config', file, '--port', '0']);
    await first.waitForLine(/"msg":"report stored"/, 180_000);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const child = spawnBin(['serve', '--config', file, '--port', '0']);
    await child.waitForLine(/"msg":"check started"/, 30_000);
    child.child.kill('SIGTERM');
    const code = await Promise.race([child.exited, new Promise((r) => setTimeout(() => r('still running after 40 s'), 40_000))]);
    expect(code).toBe(0);
    const messages = logRecords(child)
      .map((r) => r.msg)
      .filter((msg) => ['signal received', 'check finished', 'report stored', 'stopped'].includes(msg as string));
    expect(messages).toEqual(['signal received', 'check finished', 'report stored', 'stopped']);
  }, 300_000);
});

describe('serve without a configuration: the demo', () => {
  let child: BinProcess;
  let base: string;

  beforeAll(async () => {
    child = spawnBin(['serve', '--port', '0']);
    const line = await child.waitForLine(/^ {2}landing page {2}http:/, 90_000);
    base = line.trim().split(/\s+/).at(-1)!.replace(/\/$/, '');
    await eventually(async () => {
      const rows = (await http(base, '/api/v1/targets')).json<Row[]>();
      return rows.every((r) => r.status !== null) ? rows : undefined;
    }, 90_000, 'the demo targets checked');
  });

  afterAll(async () => {
    if (child && child.child.exitCode === null) {
      child.child.kill('SIGTERM');
      await Promise.race([child.exited, new Promise((r) => setTimeout(r, 15_000))]);
    }
  });

  it('prints where everything is, labelled DEMO', () => {
    const banner = child.stderr.join('\n');
    expect(banner).toContain('schema-drift DEMO');
    for (const path of ['/metrics', '/api/v1/targets', '/api/v1/targets/production/reports/latest/reconcile.sql']) {
      expect(banner).toContain(`${base}${path}`);
    }
  });

  it('the landing page says DEMO', async () => {
    const landing = await http(base, '/');
    expect(landing.status).toBe(200);
    expect(landing.text).toContain('<title>schema-drift exporter (DEMO)</title>');
    expect(landing.text).toContain('<span class="demo">DEMO</span>');
  });

  it('/metrics shows production drifted by hand and staging in sync', async () => {
    const text = (await http(base, '/metrics')).text;
    const production = { target: 'production', environment: 'production' };
    const staging = { target: 'staging', environment: 'staging' };
    expect(metric(text, 'schema_drift_target_up', production)).toBe(1);
    expect(metric(text, 'schema_drift_detected', production)).toBe(1);
    expect(metric(text, 'schema_drift_detected', staging)).toBe(0);
    for (const [kind, action] of [['column', 'changed'], ['index', 'extra'], ['constraint', 'missing']] as const) {
      expect(metric(text, 'schema_drift_changes', { ...production, kind, action })).toBe(1);
    }
  });

  it('the API serves the drift: targets, changes and the reconcile script', async () => {
    const targets = (await http(base, '/api/v1/targets')).json<Row[]>();
    expect(targets.map((t) => [t.target, t.status, t.changes_total, t.display_url])).toEqual([
      ['production', 'drift', 3, 'pglite://demo/production'],
      ['staging', 'in_sync', 0, 'pglite://demo/staging'],
    ]);
    const changes = (await http(base, '/api/v1/targets/production/reports/latest/changes')).json<Row[]>();
    expect(changes.map((c) => c.subject).sort()).toEqual([
      'column public.users.email',
      'constraint public.invoices.invoices_amount_positive',
      'index public.invoices.invoices_issued_at_idx',
    ]);
    const sql = await http(base, '/api/v1/targets/production/reports/latest/reconcile.sql');
    expect(sql.text).toContain('ALTER TABLE public.invoices ADD CONSTRAINT invoices_amount_positive');
  });

  it('stops on SIGTERM with exit code 0', async () => {
    child.child.kill('SIGTERM');
    const code = await Promise.race([child.exited, new Promise((r) => setTimeout(() => r('still running after 20 s'), 20_000))]);
    expect(code).toBe(0);
    expect(logRecords(child).at(-1)).toMatchObject({ msg: 'stopped' });
  });
});

describe('serve: an address already in use', () => {
  it('is said before the demo deploys its databases: exit 2, naming the address and what to change', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const child = spawnBin(['serve', '--port', String(port)]);
      expect(await child.exited).toBe(2);
      expect(child.stderr.join('\n')).toContain(`schema-drift: listen 127.0.0.1:${port}: the address is already in use (another schema-drift agent?); choose another with --port or the configuration's listen`);
      // Nothing was set up: no demo banner, no agent log line.
      expect(child.stderr.join('\n')).not.toContain('DEMO');
      expect(child.stdout.filter((line) => line.startsWith('{'))).toEqual([]);
    } finally {
      blocker.close();
    }
  });
});

describe('npm start (the README\'s command): SIGTERM to npm reaches the agent', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const refused = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });

  it('npm exits, the agent logs "stopped" and its port is free afterwards', async () => {
    // `npm` as the test runs it: the npm that started vitest, else the one on PATH.
    const npm = process.env.npm_execpath;
    const [command, args] = npm?.endsWith('.js') ? [process.execPath, [npm]] : ['npm', []];
    const child = spawn(command, [...args, 'start', '--', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => void (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (output += d.toString()));
    // 'close', not 'exit': npm can exit before the agent's last lines have been read from the pipe they share.
    const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
    try {
      const base = await eventually(async () => /landing page {2}(http:\/\/[^\s]+?)\/?\s/.exec(output)?.[1], 90_000, 'the demo banner');
      const port = Number(new URL(base).port);
      expect(await refused(port)).toBe(false);
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('npm still running after 30 s'), 30_000))]);
      expect(code).not.toBe('npm still running after 30 s');
      expect(output).toMatch(/"msg":"stopped"/);
      await eventually(async () => ((await refused(port)) ? true : undefined), 30_000, `port ${port} freed`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 180_000);
});
