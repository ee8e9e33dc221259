/**
 * A migration command that fails, hangs past its limit or does not exist gives a check report with status `error`
 * whose message names the command (and the CLI's line names the target too), with the exit code and the last lines of
 * its output; the check after it runs as usual (runCheck never throws, the agent keeps running). The command's
 * environment holds the scratch database's variables, the configured `env`, PATH and HOME, and nothing of this
 * process's own (the target's credentials cannot reach it). A hung command's whole process group is killed.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import { main } from '../../src/cli/cli.ts';
import type { DesiredCommandConfig } from '../../src/config/types.ts';
import type { Report } from '../../src/core/model/report.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { createTempPgDatabase, PG_URL, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

let db: TempDatabase;
let work: string;

beforeAll(async () => {
  db = await createTempPgDatabase('sdtest_cmderr');
  work = await mkdtemp(path.join(tmpdir(), 'sdtest-command-'));
});

afterAll(async () => {
  await db?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** `devUrl` undefined: the embedded PGlite scratch. */
function target(command: string | readonly string[], fields: Partial<DesiredCommandConfig>, devUrl: string | undefined) {
  const config: DesiredCommandConfig = { command, cwd: work, timeoutMs: 30_000, inputs: [], env: {}, ...fields };
  return testTarget('cmd-errors', db.url, { desired: { dir: work, command: config, ...(devUrl ? { devUrl } : {}) } });
}

/** On the dev server's scratch unless `scratch` is `'pglite'`. */
function check(command: string | readonly string[], fields: Partial<DesiredCommandConfig> = {}, scratch?: 'pglite'): Promise<Report> {
  return runCheck(target(command, fields, scratch === 'pglite' ? undefined : PG_URL), { cache: new DesiredCache<DesiredSchema>() });
}

async function cli(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await main(argv, { stdout: () => {}, stderr: (t) => void (stderr += t) });
  return { code, stderr };
}

/** Running, not gone nor a zombie waiting to be reaped (a container's init may reap late). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return false;
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

describe('a migration command that goes wrong', () => {
  it('a failing command: replay error with the command, its exit code and its last lines; the next check runs', async () => {
    const report = await check('echo "applying 001_users"; echo "error: relation users already exists" >&2; exit 3');
    expect(report.status).toBe('error');
    expect(report.target).toBe('cmd-errors');
    expect(report.error?.reason).toBe('replay');
    expect(report.error?.message).toMatch(/^migration command "echo .*exit 3" exited with code 3; last lines of its output:/);
    expect(report.error?.message).toContain('error: relation users already exists');
    expect(report.error?.message).toContain('applying 001_users');

    // The agent keeps going: the next check of the same target (an empty project: nothing to build) is in sync.
    const next = await check('true');
    expect(next.error).toBeNull();
    expect(next.status).toBe('in_sync');
  }, 60_000);

  it('a value of the command\'s env that the command prints never reaches the report', async () => {
    const token = 'tok-3f9a2c71e5';
    const report = await check('echo "connecting with $MIGRATOR_TOKEN"; exit 1', { env: { MIGRATOR_TOKEN: token } });
    expect(report.status).toBe('error');
    expect(report.error?.message).toContain('connecting with');
    expect(JSON.stringify(report)).not.toContain(token);
  }, 60_000);

  it('a command that hangs: killed with its process group at the limit, a timeout error naming it', async () => {
    const pids = path.join(work, 'hang.pid');
    const started = Date.now();
    const report = await check(`sleep 60 & echo $! > ${pids}; echo waiting; wait`, { timeoutMs: 1_500 });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(report.status).toBe('error');
    expect(report.error?.reason).toBe('timeout');
    expect(report.error?.message).toMatch(/^migration command "sleep 60 & .*" ran past its time limit of 1500ms and was killed; last lines of its output:\s+waiting$/);
    const child = Number((await readFile(pids, 'utf8')).trim());
    expect(child).toBeGreaterThan(0);
    expect(child).not.toBe(process.pid);
    // The background `sleep` was in the command's process group: it is gone too.
    await new Promise((r) => setTimeout(r, 300));
    expect(await alive(child)).toBe(false);
  }, 60_000);

  it('a hung command on the embedded PGlite scratch: the same timeout, and the scratch server goes away', async () => {
    const report = await check(['sleep', '60'], { timeoutMs: 1_500 }, 'pglite');
    expect(report.status).toBe('error');
    expect(report.error?.reason).toBe('timeout');
    expect(report.error?.message).toMatch(/^migration command "sleep 60" ran past its time limit of 1500ms and was killed; it printed nothing$/);
  }, 90_000);

  it('a command that is not found: as an argv list it cannot start; as a shell line it exits 127', async () => {
    const argv = await check(['no-such-migrator-7f3a', 'migrate']);
    expect(argv.status).toBe('error');
    expect(argv.error?.reason).toBe('replay');
    expect(argv.error?.message).toMatch(/^migration command "no-such-migrator-7f3a migrate" could not start: no-such-migrator-7f3a not found \(PATH=/);

    const shell = await check('no-such-migrator-7f3a migrate');
    expect(shell.error?.message).toMatch(/^migration command "no-such-migrator-7f3a migrate" exited with code 127 \(command not found\); last lines of its output:\s+.*no-such-migrator-7f3a.*not found/);
  }, 60_000);

  it('the CLI prints one error naming the target and the command, exit 2', async () => {
    const result = await cli(['diff', '--from', db.url, '--to-command', 'exit 9', '--dev-url', PG_URL]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^schema-drift: target "command \\"exit 9\\"": migration command "exit 9" exited with code 9; it printed nothing/);
  }, 60_000);

  it('{{version}} with a target that records no deployed version is a config error naming the command', async () => {
    const report = await check('migrate --to {{version}}');
    expect(report.error?.reason).toBe('config');
    expect(report.error?.message).toMatch(/the migration command "migrate --to \{\{version\}\}" takes \{\{version\}\}, but the target's database records no deployed version/);
  });
});

describe("the command's environment", () => {
  it('holds the scratch database, PATH, HOME and the configured env, and nothing else of this process', async () => {
    process.env.SCHEMA_DRIFT_TEST_SECRET = 'must-not-leak';
    const out = path.join(work, 'env.txt');
    try {
      const report = await check(['/usr/bin/env'], { env: { APP_ENV: 'schema-drift' } });
      expect(report.status).toBe('in_sync');
      await writeFile(out, '');
      const report2 = await check(`env > ${out}`, { env: { APP_ENV: 'schema-drift' } }, 'pglite');
      expect(report2.error?.message ?? null).toBeNull();
    } finally {
      delete process.env.SCHEMA_DRIFT_TEST_SECRET;
    }
    const env = Object.fromEntries(
      (await readFile(out, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    // sh itself adds PWD (and may add SHLVL, _): the rest is ours.
    const ours = Object.keys(env).filter((k) => !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(k)).sort();
    expect(ours).toEqual(['APP_ENV', 'DATABASE_URL', 'HOME', 'PATH', 'PGDATABASE', 'PGHOST', 'PGPASSWORD', 'PGPORT', 'PGUSER']);
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/postgres:postgres@127\.0\.0\.1:\d+\/postgres$/);
    expect(env.PGHOST).toBe('127.0.0.1');
    expect(env.DATABASE_URL).toContain(`:${env.PGPORT}/`);
    expect(JSON.stringify(env)).not.toContain(db.name);
    expect(JSON.stringify(env)).not.toContain('must-not-leak');
  }, 90_000);
});
