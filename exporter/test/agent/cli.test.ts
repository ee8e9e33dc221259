/**
 * The real CLI (`main` from `exporter/src/cli.ts`, in-process) on configuration files: `serve` refuses bad files with
 * exit code 2 and `file:line: path: message` for every problem before starting anything; `test-connection` prints
 * one line per target (server version, revision table) and exits 0 when all pass, 1 when one is down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/cli.ts';
import type { TempDatabase } from '../support/servers.ts';
import { MIGRATIONS, migratedDatabase, pgAddress, TcpProxy, tempDir } from './support.ts';

type Temp = Awaited<ReturnType<typeof tempDir>>;

let temp: Temp;
let db: TempDatabase;
/** A port nothing listens on (a proxy started once, then stopped). */
let closedPort: number;

async function run(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const saved = { ...process.env };
  // `${VAR}` interpolation reads process.env; restore it afterwards.
  Object.assign(process.env, env);
  try {
    const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  } finally {
    for (const key of Object.keys(env ?? {})) if (!(key in saved)) delete process.env[key];
  }
}

beforeAll(async () => {
  temp = await tempDir('sd-agent-cli-');
  db = await migratedDatabase('sdagent_cli', 4);
  const proxy = new TcpProxy();
  await proxy.start();
  closedPort = proxy.port;
  await proxy.stop();
});

afterAll(async () => {
  await db?.drop();
  await temp?.remove();
});

describe('serve refuses a bad configuration file: exit 2, every problem with file:line and field path', () => {
  const target = (name: string, extra = '') => `  - name: ${name}
    url: postgres://app@db.internal:5432/${name}
    desired: { dir: ${JSON.stringify(MIGRATIONS)} }
${extra}`;

  it.each([
    {
      name: 'a missing migration directory and a typo',
      yaml: `targets:\n${target('production', '    shedule: "0 * * * *"\n')}  - name: staging
    url: postgres://app@db.internal:5432/staging
    desired:
      dir: ./migratoins
`,
      lines: [
        'F:5: targets[0].shedule: unknown option',
        `F:9: targets[1].desired.dir: directory does not exist: DIR/migratoins`,
      ],
    },
    {
      name: 'an unset ${VAR}, a bad cron expression, a label typo',
      yaml: `targets:
${target('production', '    labels: { environment: production }\n')}${target('staging', '    password: ${SD_CLI_TEST_UNSET}\n    schedule: "61 * * * *"\n    labels: { enviroment: staging }\n')}`,
      lines: [
        'F:9: targets[1].password: environment variable SD_CLI_TEST_UNSET is not set',
        'F:10: targets[1].schedule: invalid cron expression "61 * * * *": bad minute field "61" (node-cron syntax, 5 or 6 fields)',
        'F:11: targets[1].labels: every target needs the same label names as targets[0] (environment): missing environment; unexpected enviroment (use "" for no value)',
      ],
    },
    {
      name: 'a bad listen address and no targets',
      yaml: 'listen: 99999\ntargets: []\n',
      lines: [
        'F:1: listen: "99999" is not an address (write host:port, e.g. 0.0.0.0:9772 or :9772)',
        'F:2: targets: configure at least one target',
      ],
    },
    {
      name: 'a password in the URL next to passwordFile (the secret is not echoed)',
      yaml: `targets:
  - name: production
    url: postgres://app:Hunter2-CLI@db.internal/p
    passwordFile: ./nope
    desired: { dir: ${JSON.stringify(MIGRATIONS)} }
`,
      lines: [
        'F:4: targets[0].passwordFile: cannot read DIR/nope (ENOENT)',
        'F:4: targets[0].passwordFile: a password is already given (in the url or as password); give it in one place',
      ],
    },
    {
      name: 'broken YAML',
      yaml: 'targets:\n  - name: a\n  bad: [\n',
      lines: [
        'F:3: YAML: All mapping items must start at the same column',
        'F:4: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ],
    },
  ])('$name', async ({ name, yaml, lines }) => {
    const file = await temp.write(`${name.replace(/\W+/g, '-')}.yaml`, yaml);
    const result = await run(['serve', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^schema-drift: /);
    const got = result.stderr.replace(/^schema-drift: /, '').trimEnd().split('\n');
    const expected = lines.map((l) => l.replaceAll('F:', `${file}:`).replace('DIR/', `${temp.dir}/`));
    expect(got).toEqual(expected);
    expect(result.stderr).not.toContain('Hunter2-CLI');
  });

  it('a file that does not exist', async () => {
    const file = `${temp.dir}/nope.yaml`;
    expect(await run(['serve', '--config', file])).toEqual({
      code: 2,
      stdout: '',
      stderr: `schema-drift: ${file}: cannot read the configuration file (ENOENT)\n`,
    });
  });
});

describe('test-connection', () => {
  const config = (url: string, extra = '') => `targets:
  - name: production
    url: ${url}
    password: \${SD_CLI_TEST_PASSWORD}
    desired: { dir: ${JSON.stringify(MIGRATIONS)} }
    connectTimeout: 2s
${extra}`;
  const env = { SD_CLI_TEST_PASSWORD: 'cli-s3cret-pw' };

  it('a reachable target: exit 0, server version and revision table, no password', async () => {
    const { host, port } = pgAddress();
    const url = `postgres://postgres@${host}:${port}/${db.name}`;
    const file = await temp.write('good.yaml', config(url));
    const result = await run(['test-connection', '--config', file], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(
      new RegExp(
        `^ok {3}production \\(${url.replaceAll('.', '\\.')}\\): PostgreSQL 15\\.\\d+[^;]*; catalogs readable; revision table public\\.schema_migrations \\(golang-migrate\\) at version 4\\n$`,
      ),
    );
    expect(result.stdout).not.toContain(env.SD_CLI_TEST_PASSWORD);
  });

  it('a target that is down: exit 1, a FAIL line with the reason', async () => {
    const url = `postgres://postgres@127.0.0.1:${closedPort}/${db.name}`;
    const { host, port } = pgAddress();
    const staging = `  - name: staging
    url: postgres://postgres@${host}:${port}/${db.name}
    desired: { dir: ${JSON.stringify(MIGRATIONS)} }
`;
    const file = await temp.write('down.yaml', config(url, staging));
    const result = await run(['test-connection', '--config', file], env);
    expect(result.code).toBe(1);
    const [production, stagingLine, ...rest] = result.stdout.trimEnd().split('\n');
    expect(rest).toEqual([]);
    expect(production).toBe(
      `FAIL production (${url}): connect: postgres: connecting to ${url}: connect ECONNREFUSED 127.0.0.1:${closedPort} (ECONNREFUSED)`,
    );
    expect(stagingLine).toMatch(/^ok {3}staging /);
    expect(result.stdout).not.toContain(env.SD_CLI_TEST_PASSWORD);

    // --target picks one: the healthy one alone passes.
    const only = await run(['test-connection', '--config', file, '--target', 'staging'], env);
    expect(only.code).toBe(0);
    expect(only.stdout).toMatch(/^ok {3}staging [^\n]*\n$/);
    const unknown = await run(['test-connection', '--config', file, '--target', 'qa'], env);
    expect(unknown).toMatchObject({ code: 2, stdout: '', stderr: `schema-drift: ${file}: no target named "qa" in ${file}\n` });
  });
});
