/**
 * `store: { url, passwordFile, schema }`: the shared PostgreSQL store. Its URL may come from the environment and holds a
 * secret: problems name the field and line, never the URL's text.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createConfigFixture } from './config-fixture.ts';

const fx = createConfigFixture();
afterAll(() => fx.remove());

const F = 'schema-drift.yaml';
const withStore = (store: string) => `store:
${store}
targets:
  - name: prod
    url: postgres://app@db:5432/prod
    desired: { dir: ./migrations }
`;

describe('store', () => {
  it('is absent by default: the embedded SQLite store in dataDir', async () => {
    const config = await fx.parse(`targets:\n  - name: prod\n    url: postgres://app@db/prod\n    desired: { dir: ./migrations }\n`);
    expect(config.store).toBeUndefined();
  });

  it('takes its URL from the environment, a password file and a schema; the display URL has no password', async () => {
    const config = await fx.parse(
      withStore('  url: ${SCHEMA_DRIFT_STORE_URL}\n  passwordFile: secrets/db-password\n  schema: drift_store'),
      { SCHEMA_DRIFT_STORE_URL: 'postgres://drift:s3cret@store.internal:5432/drift' },
    );
    expect(config.store).toEqual({
      url: 'postgres://drift:s3cret@store.internal:5432/drift',
      displayUrl: 'postgres://drift@store.internal:5432/drift',
      passwordFile: join(fx.dir, 'secrets/db-password'),
      schema: 'drift_store',
    });
  });

  it.each([
    ['a MySQL URL', '  url: mysql://drift:s3cret@db/drift', `${F}:2: store.url: unsupported URL scheme "mysql" (the store is PostgreSQL: postgres:// or postgresql://)`],
    ['text that is not a URL', '  url: drift:s3cret@@db', `${F}:2: store.url: unsupported URL scheme "drift" (the store is PostgreSQL: postgres:// or postgresql://)`],
    ['no URL', '  schema: drift', `${F}:1: store.url: required`],
    ['a missing password file', '  url: postgres://drift@db/drift\n  passwordFile: secrets/nope', `${F}:3: store.passwordFile: cannot read secrets/nope (ENOENT)`],
    ['a schema name that needs quoting', '  url: postgres://drift@db/drift\n  schema: Drift-Store', `${F}:3: store.schema: must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters)`],
    ['an unknown key', '  url: postgres://drift@db/drift\n  pool: 5', `${F}:3: store.pool: unknown option`],
  ])('refuses %s, naming the line and never the URL', async (_name, store, problem) => {
    const problems = await fx.problems(withStore(store));
    expect(problems).toEqual([problem]);
    expect(problems.join('\n')).not.toContain('s3cret');
  });

  it('names an unset environment variable', async () => {
    expect(await fx.problems(withStore('  url: ${SCHEMA_DRIFT_STORE_URL}'))).toEqual([
      `${F}:2: store.url: environment variable SCHEMA_DRIFT_STORE_URL is not set`,
    ]);
  });
});
