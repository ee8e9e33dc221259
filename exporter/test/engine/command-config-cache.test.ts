/**
 * `desired.command` in the configuration (parsed once: argv or line, `cwd` relative to the config file, `timeout`,
 * `inputs`, `env`; every mistake as `file:line: path: message`), and the desired-schema cache of a command source: keyed
 * by the content of the files `inputs` match (+ the command, + the engine), so an unchanged project does not run the
 * migrator again, and an added migration does.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { createConfigFixture, type ConfigFixture } from '../config/config-fixture.ts';
import { deploy, KNEX } from '../support/command-projects.ts';
import { createTempPgDatabase, PG_URL, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('desired.command in the configuration', () => {
  let fx: ConfigFixture;
  beforeAll(() => {
    fx = createConfigFixture();
  });
  afterAll(() => fx.remove());

  const target = (desired: string) => `targets:\n  - name: app\n    url: postgres://u@db/app\n    desired:\n${desired}`;

  it('parses a command line with cwd, timeout, inputs and env', async () => {
    const config = await fx.parse(
      target(`      command: npx knex migrate:latest\n      cwd: ./other\n      timeout: 90s\n      inputs: ['migrations/**', knexfile.js]\n      env: { NODE_ENV: test, SHARD: 3 }\n`),
    );
    const desired = config.targets[0]?.desired;
    expect(desired?.command).toEqual({
      command: 'npx knex migrate:latest',
      cwd: path.join(fx.dir, 'other'),
      timeoutMs: 90_000,
      inputs: ['migrations/**', 'knexfile.js'],
      env: { NODE_ENV: 'test', SHARD: '3' },
    });
    expect(desired?.dir).toBe(path.join(fx.dir, 'other'));
  });

  it('parses an argv list with the defaults: the config file directory, 5 minutes, no inputs, no env', async () => {
    const config = await fx.parse(target(`      command: [node-pg-migrate, up]\n`));
    expect(config.targets[0]?.desired.command).toEqual({ command: ['node-pg-migrate', 'up'], cwd: fx.dir, timeoutMs: 300_000, inputs: [], env: {} });
  });

  it.each([
    ['dir and command', `      dir: ./migrations\n      command: x\n`, ['schema-drift.yaml:6: targets[0].desired.command: give either dir or command, not both']],
    ['command options without command', `      dir: ./migrations\n      timeout: 1m\n`, ['schema-drift.yaml:6: targets[0].desired.timeout: only with command']],
    ['format with command', `      command: x\n      format: flyway\n`, ['schema-drift.yaml:6: targets[0].desired.format: only with dir']],
    ['a missing cwd', `      command: x\n      cwd: ./nowhere\n`, [`schema-drift.yaml:6: targets[0].desired.cwd: directory does not exist: nowhere`]],
    ['an empty argv', `      command: []\n`, ['schema-drift.yaml:5: targets[0].desired.command: list the program and its arguments']],
    ['a bad env name', `      command: x\n      env: { 'BAD-NAME': 1 }\n`, ['schema-drift.yaml:6: targets[0].desired.env[\"BAD-NAME\"]: not an environment variable name']],
    ['a bad timeout', `      command: x\n      timeout: soon\n`, ['schema-drift.yaml:6: targets[0].desired.timeout: "soon" is not a duration (write e.g. 500ms, 10s, 5m, 1h30m)']],
  ])('refuses %s', async (_name, desired, problems) => {
    expect(await fx.problems(target(desired))).toEqual(problems);
  });
});

describe('the desired-schema cache of a command source', () => {
  let db: TempDatabase;
  let project: string;

  beforeAll(async () => {
    db = await createTempPgDatabase('sdtest_cmdcache');
    // Knex's CLI wants a knex it can require from the project: the copy lives under the repository's node_modules.
    const scratchRoot = path.join(REPO, 'node_modules', '.cache', 'schema-drift-tests');
    await mkdir(scratchRoot, { recursive: true });
    project = await mkdtemp(path.join(scratchRoot, 'knex-'));
    await cp(KNEX.dir, project, { recursive: true });
    await deploy({ ...KNEX, dir: project }, db.url);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('reuses the schema while the inputs are unchanged, and runs the migrator again when a migration is added', async () => {
    const cache = new DesiredCache<DesiredSchema>();
    const target = testTarget('cmd-cache', db.url, {
      desired: {
        dir: project,
        devUrl: PG_URL,
        command: { command: KNEX.command, cwd: project, timeoutMs: 120_000, inputs: ['knexfile.cjs', 'migrations/*.cjs'], env: {} },
      },
    });
    const first = await runCheck(target, { cache });
    expect(first.status).toBe('in_sync');
    expect(first.engine.cached).toBe(false);

    const second = await runCheck(target, { cache });
    expect(second.status).toBe('in_sync');
    expect(second.engine.cached).toBe(true);

    await writeFile(
      path.join(project, 'migrations', '20240104000000_user_name.cjs'),
      "exports.up = (knex) => knex.schema.alterTable('users', (t) => t.string('name', 100));\nexports.down = () => {};\n",
    );
    const third = await runCheck(target, { cache });
    expect(third.engine.cached).toBe(false);
    expect(third.status).toBe('drift');
    expect(JSON.stringify(third.changes)).toContain('"name"');
  }, 120_000);

  it('inputs that match no file are an error naming them', async () => {
    const target = testTarget('cmd-cache', db.url, {
      desired: { dir: project, devUrl: PG_URL, command: { command: 'true', cwd: project, timeoutMs: 10_000, inputs: ['db/**/*.sql'], env: {} } },
    });
    const report = await runCheck(target, { cache: new DesiredCache<DesiredSchema>() });
    expect(report.error?.reason).toBe('config');
    expect(report.error?.message).toContain('desired.inputs ["db/**/*.sql"] match no file under');
  });
});
