/**
 * `{{version}}` in a migration command: single-quoted in a shell line (a version is data, never shell syntax), as is
 * in an argv list, and for the second run "to the latest" (empty version) an argv item that was only the placeholder
 * is dropped.
 */
import { describe, expect, it } from 'vitest';
import { withVersion } from '../../src/engine/command.ts';
import { commandEnvironment } from '../../src/engine/command-run.ts';

describe('withVersion', () => {
  it.each([
    ['a shell line', 'bin/rails db:migrate VERSION={{version}}', '20240101', "bin/rails db:migrate VERSION='20240101'"],
    ['a shell line, quotes in the version', 'migrate --to {{version}}', "v1'; rm -rf /", "migrate --to 'v1'\\''; rm -rf /'"],
    ['a shell line, to the latest', 'migrate --to {{version}}', '', 'migrate --to '],
    ['an argv list', ['alembic', 'upgrade', '{{version}}'], 'ae1027a6acf', ['alembic', 'upgrade', 'ae1027a6acf']],
    ['an argv list, inside an item', ['migrate', '--to={{version}}'], '7', ['migrate', '--to=7']],
    ['an argv list, to the latest', ['node-pg-migrate', 'up', '{{version}}'], '', ['node-pg-migrate', 'up']],
  ])('%s', (_name, command, version, expected) => {
    expect(withVersion(command, version)).toEqual(expected);
  });
});

describe('commandEnvironment', () => {
  it('is PATH and HOME, then the configured env, then the scratch variables, which win', () => {
    const env = commandEnvironment({ NODE_ENV: 'production', DATABASE_URL: 'postgres://prod' }, { DATABASE_URL: 'postgres://scratch' });
    expect(Object.keys(env).sort()).toEqual(['DATABASE_URL', 'HOME', 'NODE_ENV', 'PATH']);
    expect(env.DATABASE_URL).toBe('postgres://scratch');
    expect(env.NODE_ENV).toBe('production');
    expect(env.PATH).toBe(process.env.PATH);
    expect(env.SCHEMA_DRIFT_TEST_PG_URL).toBeUndefined();
  });
});
