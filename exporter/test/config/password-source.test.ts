/**
 * `passwordCommand` and `awsIam` in the configuration: parsed into the target's password source, and refused with a
 * message naming the field when combined with another way of giving the password, or (`awsIam`) without TLS, on a
 * MySQL target, or without a region.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createConfigFixture } from './config-fixture.ts';

const fx = createConfigFixture();
afterAll(() => fx.remove());

const one = (fields: string) => `targets:
  - name: prod
    desired: { dir: migrations }
${fields}`;

describe('passwordCommand', () => {
  it.each([
    ['a shell line', '    passwordCommand: vault kv get -field=password secret/db\n', 'vault kv get -field=password secret/db'],
    ['a program and its arguments', '    passwordCommand: [vault, kv, get, -field=password, secret/db]\n', ['vault', 'kv', 'get', '-field=password', 'secret/db']],
  ])('%s', async (_label, field, command) => {
    const config = await fx.parse(one(`    url: postgres://app@db/prod\n${field}`));
    expect(config.targets[0]?.passwordSource).toEqual({ kind: 'command', command, timeoutMs: 10_000, env: {} });
  });

  it('takes a time limit and a cache duration', async () => {
    const config = await fx.parse(one('    url: postgres://app@db/prod\n    passwordCommand: get-pw\n    passwordCommandTimeout: 3s\n    passwordCommandCacheFor: 10m\n'));
    expect(config.targets[0]?.passwordSource).toEqual({ kind: 'command', command: 'get-pw', timeoutMs: 3_000, env: {}, cacheForMs: 600_000 });
  });

  it('its environment: PATH, HOME and the cloud tools\' variables, without those the file interpolated, then passwordCommandEnv', async () => {
    const env = {
      PATH: '/usr/bin',
      HOME: '/home/sd',
      AWS_PROFILE: 'ro',
      VAULT_ADDR: 'https://vault:8200',
      VAULT_TOKEN: 'hvs.token',
      GOOGLE_APPLICATION_CREDENTIALS: '/var/run/gcp.json',
      CLOUDSDK_CORE_PROJECT: 'p',
      SCHEMA_DRIFT_BEARER_TOKEN: 'bearer',
      OTHER_DB_PASSWORD: 'other-pw',
      AWS_SECRET_FOR_ANOTHER: 'interpolated',
    };
    const config = await fx.parse(
      `bearerToken: \${SCHEMA_DRIFT_BEARER_TOKEN}
targets:
  - name: prod
    url: postgres://app@db/prod
    desired: { dir: migrations }
    passwordCommand: get-pw
    passwordCommandEnv: { VAULT_NAMESPACE: team-a, SECRET_FOR_COMMAND: "\${AWS_SECRET_FOR_ANOTHER}" }
  - name: other
    url: postgres://app@db/other
    password: \${OTHER_DB_PASSWORD}
    desired: { dir: migrations }
`,
      env,
    );
    const source = config.targets[0]?.passwordSource;
    expect(source?.kind === 'command' ? source.env : undefined).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/sd',
      AWS_PROFILE: 'ro',
      VAULT_ADDR: 'https://vault:8200',
      VAULT_TOKEN: 'hvs.token',
      GOOGLE_APPLICATION_CREDENTIALS: '/var/run/gcp.json',
      CLOUDSDK_CORE_PROJECT: 'p',
      // Interpolated: withheld from the inherited part, given only where passwordCommandEnv names it.
      VAULT_NAMESPACE: 'team-a',
      SECRET_FOR_COMMAND: 'interpolated',
    });
  });

  it.each([
    ['a password in the url', '    url: postgres://app:pw@db/prod\n    passwordCommand: get-pw\n', 'schema-drift.yaml:5: targets[0].passwordCommand: give the password one way only: passwordCommand cannot go with a password in the url'],
    ['a ?password= in the url', '    url: postgres://app@db/prod?password=pw\n    passwordCommand: get-pw\n', 'schema-drift.yaml:5: targets[0].passwordCommand: give the password one way only: passwordCommand cannot go with a password in the url'],
    ['a ?password= in a MySQL url', '    url: mysql://app@db/prod?password=pw\n    passwordCommand: get-pw\n    desired: { dir: migrations, devUrl: "mysql://root@dev/" }\n', 'schema-drift.yaml:4: targets[0].passwordCommand: give the password one way only: passwordCommand cannot go with a password in the url'],
    ['no command for the environment', '    url: postgres://app@db/prod\n    passwordCommandEnv: { VAULT_NAMESPACE: a }\n', 'schema-drift.yaml:5: targets[0].passwordCommandEnv: only with passwordCommand'],
    ['no command for the cache duration', '    url: postgres://app@db/prod\n    passwordCommandCacheFor: 10m\n', 'schema-drift.yaml:5: targets[0].passwordCommandCacheFor: only with passwordCommand'],
    ['a bad variable name', '    url: postgres://app@db/prod\n    passwordCommand: get-pw\n    passwordCommandEnv: { "BAD-NAME": a }\n', 'schema-drift.yaml:6: targets[0].passwordCommandEnv[\"BAD-NAME\"]: not an environment variable name'],
    ['password', '    url: postgres://app@db/prod\n    password: pw\n    passwordCommand: get-pw\n', 'schema-drift.yaml:6: targets[0].passwordCommand: give the password one way only: passwordCommand cannot go with password'],
    ['passwordFile', '    url: postgres://app@db/prod\n    passwordFile: secrets/db-password\n    passwordCommand: get-pw\n', 'schema-drift.yaml:6: targets[0].passwordCommand: give the password one way only: passwordCommand cannot go with passwordFile'],
    ['awsIam', '    url: postgres://app@db/prod?sslmode=require\n    passwordCommand: get-pw\n    awsIam: { region: eu-west-1 }\n', 'schema-drift.yaml:6: targets[0].awsIam: give the password one way only: awsIam cannot go with passwordCommand'],
    ['no command for the time limit', '    url: postgres://app@db/prod\n    passwordCommandTimeout: 3s\n', 'schema-drift.yaml:5: targets[0].passwordCommandTimeout: only with passwordCommand'],
    ['an empty list', '    url: postgres://app@db/prod\n    passwordCommand: []\n', 'schema-drift.yaml:5: targets[0].passwordCommand: list the program and its arguments'],
  ])('refused with %s', async (_label, fields, problem) => {
    const text = fields.includes('desired:') ? `targets:\n  - name: prod\n${fields}` : one(fields);
    expect(await fx.problems(text)).toEqual([problem]);
  });
});

describe('awsIam', () => {
  it('the region given, or AWS_REGION', async () => {
    const given = await fx.parse(one('    url: postgres://app@db.rds.amazonaws.com:5432/prod?sslmode=verify-full\n    awsIam: { region: eu-west-1 }\n'));
    expect(given.targets[0]?.passwordSource).toEqual({ kind: 'awsIam', region: 'eu-west-1' });
    const fromEnv = await fx.parse(one('    url: postgres://app@db/prod?sslmode=require\n    awsIam: {}\n'), { AWS_REGION: 'us-east-2' });
    expect(fromEnv.targets[0]?.passwordSource).toEqual({ kind: 'awsIam', region: 'us-east-2' });
  });

  it.each([
    ['sslmode=disable', '    url: postgres://app@db/prod?sslmode=disable\n    awsIam: { region: eu-west-1 }\n', ['schema-drift.yaml:4: targets[0].url: awsIam sends its token over TLS only: the url needs sslmode=require, verify-ca or verify-full (not disable)']],
    ['no sslmode', '    url: postgres://app@db/prod\n    awsIam: { region: eu-west-1 }\n', ['schema-drift.yaml:4: targets[0].url: awsIam sends its token over TLS only: the url needs sslmode=require, verify-ca or verify-full (none given)']],
    ['no user', '    url: postgres://db/prod?sslmode=require\n    awsIam: { region: eu-west-1 }\n', ['schema-drift.yaml:4: targets[0].url: awsIam signs its token for one database user: name it in the url (postgres://user@host:5432/db)']],
    ['no region', '    url: postgres://app@db/prod?sslmode=require\n    awsIam: {}\n', ['schema-drift.yaml:5: targets[0].awsIam.region: required when the environment variable AWS_REGION is not set']],
    ['a MySQL target', '    url: mysql://app@db/prod\n    awsIam: { region: eu-west-1 }\n    desired: { dir: migrations, devUrl: "mysql://root@dev/" }\n', ['schema-drift.yaml:4: targets[0].awsIam: IAM authentication is supported on PostgreSQL targets only (this is MySQL/MariaDB)']],
    ['a password file', '    url: postgres://app@db/prod?sslmode=require\n    passwordFile: secrets/db-password\n    awsIam: { region: eu-west-1 }\n', ['schema-drift.yaml:6: targets[0].awsIam: give the password one way only: awsIam cannot go with passwordFile']],
    ['a ?password= in the url', '    url: postgres://app@db/prod?sslmode=require&password=pw\n    awsIam: { region: eu-west-1 }\n', ['schema-drift.yaml:5: targets[0].awsIam: give the password one way only: awsIam cannot go with a password in the url']],
    ['an unknown key', '    url: postgres://app@db/prod?sslmode=require\n    awsIam: { region: eu-west-1, role: x }\n', ['schema-drift.yaml:5: targets[0].awsIam.role: unknown option']],
  ])('refused with %s', async (_label, fields, problems) => {
    const text = fields.includes('desired:') ? `targets:\n  - name: prod\n${fields}` : one(fields);
    expect(await fx.problems(text)).toEqual(problems);
  });
});

describe('the README\'s examples', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('#### Passwords from a command, AWS IAM');
  const section = readme.slice(start, readme.indexOf('\n#### ', start + 5));
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => String(m[1]));

  it('are valid configurations', async () => {
    expect(start).toBeGreaterThan(0);
    expect(blocks).toHaveLength(2);
    mkdirSync(join(fx.dir, 'migrations-mysql'), { recursive: true });
    const [commands, iam] = await Promise.all(blocks.map((yaml) => fx.parse(yaml)));
    expect(commands?.targets.map((t) => t.passwordSource?.kind)).toEqual(['command', 'command', 'command']);
    expect(iam?.targets[0]?.passwordSource).toEqual({ kind: 'awsIam', region: 'eu-west-1' });
    expect(section).toContain('arn:aws:rds-db:<region>:<account>:dbuser:');
    expect(section).toContain('"Action": "rds-db:connect"');
  });
});
