/**
 * Secrets in the configuration: `${ENV}` interpolation, passwords, password and token files, and that no message
 * ever repeats a secret value.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigFileError } from '../../src/config/load.ts';
import { createConfigFixture } from './config-fixture.ts';

const fx = createConfigFixture();
afterAll(() => fx.remove());

const one = (fields: string) => `targets:
  - name: prod
    desired: { dir: migrations }
${fields}`;

describe('${ENV} interpolation', () => {
  it.each([
    ['a whole value', '    url: ${DB_URL}\n', { DB_URL: 'postgres://app@db/prod' }, 'postgres://app@db/prod'],
    ['inside a value', '    url: postgres://${DB_USER}@${DB_HOST}:5432/prod\n', { DB_USER: 'app', DB_HOST: 'db' }, 'postgres://app@db:5432/prod'],
    ['an empty variable is set', '    url: postgres://app@db/prod${SUFFIX}\n', { SUFFIX: '' }, 'postgres://app@db/prod'],
    ['$${ is a literal ${', '    url: postgres://app@db/prod?options=$${x}\n', {}, 'postgres://app@db/prod?options=${x}'],
    ['a bare $NAME stays as written', '    url: postgres://app@db/$HOME\n', { HOME: '/root' }, 'postgres://app@db/$HOME'],
  ])('%s', async (_name, fields, env, url) => {
    const config = await fx.parse(one(fields), env);
    expect(config.targets[0]?.url).toBe(url);
  });

  it('interpolates nested values and lists (quoted inside flow collections, where { is YAML syntax)', async () => {
    const config = await fx.parse(
      `targets:
  - name: \${NAME}
    url: postgres://db/x
    desired: { dir: "\${DIR}" }
    schemas: ["\${SCHEMA}", other]
    labels: { environment: "\${ENVIRONMENT}" }
`,
      { NAME: 'prod', DIR: 'migrations', SCHEMA: 'app', ENVIRONMENT: 'production' },
    );
    const target = config.targets[0];
    expect([target?.name, target?.desired.dir, target?.schemas, target?.labels]).toEqual([
      'prod',
      join(fx.dir, 'migrations'),
      ['app', 'other'],
      { environment: 'production' },
    ]);
  });

  it.each([
    ['an unset variable', '    url: postgres://app:${DB_PASSWORD}@db/prod\n', 'targets[0].url: environment variable DB_PASSWORD is not set'],
    ['an unterminated reference', '    url: postgres://app:${DB_PASSWORD@db/prod\n', 'targets[0].url: unterminated "${" (write "$${" for a literal "${")'],
    ['a bad variable name', '    url: postgres://app:${1PW}@db/prod\n', 'targets[0].url: "${1PW}" is not a valid environment variable reference'],
  ])('%s is an error naming field and variable, without follow-up noise', async (_name, fields, problem) => {
    expect(await fx.problems(one(fields))).toEqual([`schema-drift.yaml:4: ${problem}`]);
  });
});

describe('passwords', () => {
  it('password: puts an interpolated password into the URL, encoded; displayUrl has none', async () => {
    const config = await fx.parse(one('    url: postgres://app@db:5432/prod\n    password: ${DB_PASSWORD}\n'), {
      DB_PASSWORD: 'p@ss/w:rd',
    });
    const target = config.targets[0];
    expect(target?.url).toBe('postgres://app:p%40ss%2Fw%3Ard@db:5432/prod');
    expect(decodeURIComponent(new URL(target?.url ?? '').password)).toBe('p@ss/w:rd');
    expect(target?.displayUrl).toBe('postgres://app@db:5432/prod');
  });

  it.each(['100%', 'a%41b', '%zz', 'p@ss%2F'])('password %j survives the URL intact, percent signs included', async (password) => {
    const config = await fx.parse(one('    url: postgres://app@db:5432/prod\n    password: ${DB_PASSWORD}\n'), {
      DB_PASSWORD: password,
    });
    expect(decodeURIComponent(new URL(config.targets[0]?.url ?? '').password)).toBe(password);
  });

  it('a password in the URL is kept in url and removed from displayUrl', async () => {
    const config = await fx.parse(one('    url: postgres://app:s3cret@db:5432/prod?sslmode=require&password=other\n'));
    expect(config.targets[0]?.url).toContain('s3cret');
    expect(config.targets[0]?.displayUrl).toBe('postgres://app@db:5432/prod?sslmode=require');
  });

  it('passwordFile: checked at load, read at connect time (only its absolute path is kept)', async () => {
    const config = await fx.parse(one('    url: postgres://app@db/prod\n    passwordFile: secrets/db-password\n'));
    const target = config.targets[0];
    expect(target?.passwordFile).toBe(join(fx.dir, 'secrets', 'db-password'));
    expect(JSON.stringify(config)).not.toContain('hunter2');
  });

  it('no password at all is fine (PGPASSWORD, ~/.pgpass, trust)', async () => {
    const config = await fx.parse(one('    url: postgres://app@db/prod\n'));
    expect(config.targets[0]?.url).toBe('postgres://app@db/prod');
  });
});

describe('bearer token', () => {
  it.each([
    ['bearerToken with ${ENV}', 'bearerToken: ${TOKEN}\n', { TOKEN: 'abc' }, 'abc'],
    ['bearerTokenFile, trimmed', 'bearerTokenFile: secrets/token\n', {}, 'tok-123'],
    ['none', '', {}, undefined],
  ])('%s', async (_name, top, env, token) => {
    const config = await fx.parse(`${top}${one('    url: postgres://db/prod\n')}`, env);
    expect(config.bearerToken).toBe(token);
  });
});

describe('secrets never appear in messages', () => {
  const SECRET = 'Sup3rS3cret';
  it.each([
    ['unknown scheme', `    url: htp://app:${SECRET}@db/prod\n`],
    ['unparseable URL', `    url: postgres://app:${SECRET}@db:port/prod\n`],
    ['devUrl of the wrong dialect', `    url: postgres://db/prod\n    schedule: nope\n    desired: { dir: migrations, devUrl: "mysql://root:${SECRET}@dev/x" }\n`],
    ['password of the wrong type', `    url: postgres://db/prod\n    password: [${SECRET}]\n`],
    ['password twice', `    url: postgres://app:${SECRET}@db/prod\n    password: ${SECRET}\n`],
    ['secret in an unknown option', `    url: postgres://db/prod\n    pasword: ${SECRET}\n`],
    ['secret from the environment in a bad URL', '    url: ${DB_URL}\n'],
  ])('%s', async (_name, fields) => {
    const yaml = fields.includes('desired:') ? `targets:\n  - name: prod\n${fields}` : one(fields);
    const err = await fx.parse(yaml, { DB_URL: `htp://app:${SECRET}@db/prod` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigFileError);
    const error = err as ConfigFileError;
    expect(error.issues.length).toBeGreaterThan(0);
    for (const text of [error.message, error.describe(), JSON.stringify(error.issues), String(error.stack)]) {
      expect(text).not.toContain(SECRET);
    }
  });

  it.each([
    ['bearerToken', `bearerToken: "${SECRET} #1"\n`, 1],
    ['bearerTokenFile', 'bearerTokenFile: secrets/bad-token\n', 1],
  ])('%s with characters a Bearer header cannot carry is refused without echoing it', async (field, top, line) => {
    writeFileSync(join(fx.dir, 'secrets', 'bad-token'), `${SECRET} #1\n`);
    const err = (await fx.parse(`${top}${one('    url: postgres://db/prod\n')}`).catch((e: unknown) => e)) as ConfigFileError;
    expect(err).toBeInstanceOf(ConfigFileError);
    expect(err.describe()).toBe(`${fx.file}:${line}: ${field}: not usable as a bearer token: only letters, digits, - . _ ~ + / and trailing = (RFC 6750)`);
    expect(String(err.stack)).not.toContain(SECRET);
  });

  it('a bad bearer token type does not echo the token', async () => {
    const err = (await fx.parse(`bearerToken: { value: ${SECRET} }\n${one('    url: postgres://db/prod\n')}`).catch((e: unknown) => e)) as ConfigFileError;
    expect(err.describe()).toBe(`${fx.file}:1: bearerToken: expected a string, got a mapping`);
  });
});
