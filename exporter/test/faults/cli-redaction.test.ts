/**
 * The real `schema-drift` command never echoes a password it was given on the command line, whatever form the
 * connection string takes (with or without a scheme, as an unknown option, as libpq keywords, as a query parameter).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { maskUrlCredentials } from '../../src/core/mask.ts';
import { BIN } from '../agent/support.ts';

const SECRET = 'S3cret-pw_9q';

describe('maskUrlCredentials', () => {
  it.each([
    [`postgres://app:${SECRET}@db:5432/x`, 'postgres://app:***@db:5432/x'],
    [`app:${SECRET}@db.example:5432/app`, 'app:***@db.example:5432/app'],
    [`see app:${SECRET}@db/x: no such file`, 'see app:***@db/x: no such file'],
    [`'--frm=app:${SECRET}@db'`, "'--frm=app:***@db'"],
    [`host=db password=${SECRET} user=app`, 'host=db password=*** user=app'],
    [`db/app?sslmode=require&PASSWORD=${SECRET}`, 'db/app?sslmode=require&PASSWORD=***'],
    [`mysql://root:p@ss:w@rd@db/x`, 'mysql://root:***@db/x'],
    ['user@example.com and /srv/migrations and 12:30', 'user@example.com and /srv/migrations and 12:30'],
  ])('%s', (input, expected) => {
    expect(maskUrlCredentials(input)).toBe(expected);
  });
});

describe('the CLI echoes no password from its arguments', () => {
  it.each([
    ['a URL without a scheme', ['inspect', `app:${SECRET}@db.example:5432/app`], 'app:***@db.example:5432/app: no such file or directory'],
    ['the same as --from', ['diff', '--from', `app:${SECRET}@db.example/x`, '--to', '/nonexistent'], 'app:***@db.example/x: no such file'],
    ['an unknown option', ['inspect', `--frm=app:${SECRET}@db`, 'x'], "unknown option '--frm=app:***@db'"],
    ['libpq keywords as extra arguments', ['inspect', 'host=db', `password=${SECRET}`], 'password=***'],
    ['a password query parameter', ['inspect', `db.example/app?password=${SECRET}`], 'password=***'],
  ])('%s', (_name, args, expected) => {
    const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(2);
    const said = result.stdout + result.stderr;
    expect(said).toContain(expected);
    expect(said).not.toContain(SECRET);
  });
});
