/**
 * The real agent (`schema-drift serve`, a child process) with migration-command targets: a Knex project deployed on
 * the live database is `in_sync`, while a failing, a hung and a missing command each give their target an `error`
 * report naming the command; the agent keeps serving and its next checks run (`POST .../check`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, startBin, tempDir, type BinProcess } from '../agent/support.ts';
import { deploy, KNEX } from '../support/command-projects.ts';
import { createTempPgDatabase, PG_URL, type TempDatabase } from '../support/servers.ts';

type Row = Record<string, unknown>;

describe('serve with desired.command targets', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let db: TempDatabase;
  let child: BinProcess | undefined;

  beforeAll(async () => {
    temp = await tempDir('sd-cmd-agent-');
    db = await createTempPgDatabase('sdtest_cmdagent');
    await deploy(KNEX, db.url);
  }, 60_000);

  afterAll(async () => {
    child?.kill();
    await db?.drop();
    await temp?.remove();
  });

  it('checks each target, reports the broken commands as errors, and keeps running', async () => {
    const argv = JSON.stringify(KNEX.command);
    const file = await temp.write(
      'schema-drift.yaml',
      `listen: 127.0.0.1:9772
dataDir: ./data
concurrency: 4
x-live: &live
  url: ${db.url}
  schedule: '0 0 1 1 *'
targets:
  - name: knex
    <<: *live
    desired: { command: ${argv}, cwd: ${KNEX.dir} }
  - name: knex-dev
    <<: *live
    desired: { command: ${argv}, cwd: ${KNEX.dir}, devUrl: ${PG_URL} }
  - name: failing
    <<: *live
    desired: { command: 'echo "boom: migration 7 failed" >&2; exit 4', devUrl: ${PG_URL} }
  - name: hanging
    <<: *live
    desired: { command: 'sleep 120', timeout: 2s, devUrl: ${PG_URL} }
  - name: missing
    <<: *live
    desired: { command: [no-such-migrator-7f3a, up], devUrl: ${PG_URL} }
`,
    );
    child = startBin(['serve', '--config', file, '--port', '0']);
    const listening = JSON.parse(await child.waitForLine(/"msg":"listening"/, 60_000)) as { address: string };
    const rows = await eventually(
      async () => {
        const list = (await http(listening.address, '/api/v1/targets')).json<Row[]>();
        return list.length === 5 && list.every((r) => r.status !== null) ? list : undefined;
      },
      120_000,
      'a first report of every target',
    );
    const byName = Object.fromEntries(rows.map((r) => [r.target, r]));
    expect(byName.knex).toMatchObject({ status: 'in_sync', error_reason: null });
    expect(byName['knex-dev']).toMatchObject({ status: 'in_sync', error_reason: null });
    expect(byName.failing).toMatchObject({ status: 'error', error_reason: 'replay' });
    expect(String(byName.failing?.error_message)).toMatch(/migration command "echo .*" exited with code 4; last lines of its output:\s+boom: migration 7 failed/);
    expect(byName.hanging).toMatchObject({ status: 'error', error_reason: 'timeout' });
    expect(String(byName.hanging?.error_message)).toMatch(/migration command "sleep 120" ran past its time limit of 2000ms and was killed/);
    expect(byName.missing).toMatchObject({ status: 'error', error_reason: 'replay' });
    expect(String(byName.missing?.error_message)).toMatch(/migration command "no-such-migrator-7f3a up" could not start: no-such-migrator-7f3a not found/);

    // Still up: a new check of a good target runs and stores another in-sync report.
    const before = (await http(listening.address, '/api/v1/targets/knex/reports')).json<Row[]>().length;
    const post = await http(listening.address, '/api/v1/targets/knex/check', { method: 'POST' });
    expect(post.status).toBeLessThan(300);
    await eventually(
      async () => {
        const reports = (await http(listening.address, '/api/v1/targets/knex/reports')).json<Row[]>();
        return reports.length > before ? reports : undefined;
      },
      60_000,
      'a second report of target knex',
    );
    expect((await http(listening.address, '/api/v1/targets/knex/reports/latest')).json<{ status: string }>().status).toBe('in_sync');
    expect(child.child.exitCode).toBeNull();
  }, 240_000);
});
