/**
 * `passwordCommand`: the command's trimmed output is the password, run once and cached, run again after the server
 * rejected the password (one retry); a failing, silent or slow command is an `AuthError` naming the target and the
 * exit status, never the output. Real servers: a MariaDB user with a password the test creates and rotates, and a
 * PostgreSQL role (the machine's PostgreSQL trusts 127.0.0.1, so there the rejection is the role's `NOLOGIN`, SQLSTATE
 * 28000, lifted by the command's second run as a secret manager would hand out working credentials).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type PasswordSource, runPasswordCommand, sourcedPassword } from '../../src/connection/password-source.ts';
import { AuthError } from '../../src/core/errors.ts';
import { openMysqlSession } from '../../src/dialects/mysql/connect.ts';
import { openPostgresSession } from '../../src/dialects/postgres/connect.ts';
import { MYSQL_URL, PG_URL, execMysql } from '../support/servers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'sd-pwcmd-'));
const suffix = randomBytes(4).toString('hex');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A script printing the file `secret` holds and counting its runs in `runs`; with `then`, a shell line run after. */
function passwordScript(name: string, then = ''): { command: string; secret: string; runs: () => number } {
  const secret = path.join(dir, `${name}.secret`);
  const runs = path.join(dir, `${name}.runs`);
  const script = path.join(dir, `${name}.sh`);
  writeFileSync(script, `#!/bin/sh\necho run >> '${runs}'\n${then}\ncat '${secret}'\n`, { mode: 0o755 });
  return {
    command: script,
    secret,
    runs: () => {
      try {
        return readFileSync(runs, 'utf8').split('\n').filter(Boolean).length;
      } catch {
        return 0;
      }
    },
  };
}

describe('runPasswordCommand', () => {
  it('prints the password: the output trimmed, through /bin/sh -c or as a program and arguments', async () => {
    expect(await runPasswordCommand("printf '  pw-one \\n\\n'", 10_000, 't')).toBe('pw-one');
    expect(await runPasswordCommand(['/bin/echo', 'pw-two'], 10_000, 't')).toBe('pw-two');
  });

  it.each([
    ['a failing command', 'echo leaked-secret; echo more >&2; exit 3', /passwordCommand \(echo\) failed with exit status 3/],
    ['a silent command', 'true', /printed no password/],
    ['a missing program', ['/nonexistent/vault', 'kv', 'get'], /passwordCommand \(\/nonexistent\/vault\) could not start \(ENOENT\)/],
  ])('%s: an AuthError naming the target and why, never the output', async (_label, command, pattern) => {
    const err = await runPasswordCommand(command, 10_000, 'prod').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).context.target).toBe('prod');
    expect((err as Error).message).toMatch(pattern);
    expect((err as Error).message).not.toContain('leaked-secret');
    expect((err as Error).message).not.toContain('kv get');
  });

  it('kills a command past its time limit, with what it started', async () => {
    const marker = path.join(dir, 'slow-done');
    const err = await runPasswordCommand(`sleep 2; touch '${marker}'; echo late`, 300, 'prod').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/did not finish within 300 ms and was killed/);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(() => readFileSync(marker)).toThrow();
  }, 15_000);

  it('caches the password per target and user: the command runs once for two connects', async () => {
    const script = passwordScript('cache');
    writeFileSync(script.secret, 'cached-pw\n');
    const source: PasswordSource = { kind: 'command', command: script.command, timeoutMs: 10_000 };
    const to = { target: 'cache', host: 'h', port: 1, user: 'u' };
    expect(await sourcedPassword(source, to)).toBe('cached-pw');
    expect(await sourcedPassword(source, to)).toBe('cached-pw');
    expect(script.runs()).toBe(1);
    expect(await sourcedPassword(source, { ...to, user: 'other' })).toBe('cached-pw');
    expect(script.runs()).toBe(2);
  });

  it('two connections at once share one run; a failed run is not cached', async () => {
    const script = passwordScript('together');
    writeFileSync(script.secret, 'together-pw\n');
    const source: PasswordSource = { kind: 'command', command: script.command, timeoutMs: 10_000 };
    const to = { target: 'together', host: 'h', port: 1, user: 'u' };
    expect(await Promise.all([sourcedPassword(source, to), sourcedPassword(source, to)])).toEqual(['together-pw', 'together-pw']);
    expect(script.runs()).toBe(1);

    const flaky = passwordScript('flaky');
    const flakySource: PasswordSource = { kind: 'command', command: flaky.command, timeoutMs: 10_000 };
    await expect(sourcedPassword(flakySource, to)).rejects.toThrow(/exit status 1/); // no secret file yet: cat fails
    writeFileSync(flaky.secret, 'now-there\n');
    expect(await sourcedPassword(flakySource, to)).toBe('now-there');
    expect(flaky.runs()).toBe(2);
  });
});

describe('passwordCommand on MariaDB: a real password, rotated', () => {
  const user = `k8s_pwcmd_${suffix}`;
  const admin = new URL(MYSQL_URL);
  const url = `mysql://${user}@${admin.host}/`;

  beforeAll(async () => {
    await execMysql(`CREATE USER '${user}'@'%' IDENTIFIED BY 'first-Pw-1'; CREATE USER '${user}'@'localhost' IDENTIFIED BY 'first-Pw-1'`);
  });
  afterAll(async () => {
    await execMysql(`DROP USER IF EXISTS '${user}'@'%'; DROP USER IF EXISTS '${user}'@'localhost'`);
  });

  it('connects with the command\'s password, reuses it, and runs the command again once the password was rotated', async () => {
    const script = passwordScript('mariadb');
    writeFileSync(script.secret, 'first-Pw-1\n');
    const source: PasswordSource = { kind: 'command', command: script.command, timeoutMs: 10_000 };
    const open = () => openMysqlSession(url, { target: 'maria', passwordSource: source });
    const first = await open();
    await first.close();
    const second = await open();
    await second.close();
    expect(script.runs()).toBe(1);

    await execMysql(`ALTER USER '${user}'@'%' IDENTIFIED BY 'second-Pw-2'; ALTER USER '${user}'@'localhost' IDENTIFIED BY 'second-Pw-2'`);
    writeFileSync(script.secret, 'second-Pw-2\n');
    const rotated = await open();
    const { rows } = await rotated.db.query<{ me: string }>('SELECT CURRENT_USER() AS me');
    expect(rows[0]?.me).toMatch(new RegExp(`^${user}@`));
    await rotated.close();
    // The cached first password was refused (1045), the command ran again, the second password worked.
    expect(script.runs()).toBe(2);
  });

  it('a command still printing a refused password: one retry, then the AuthError without the password', async () => {
    const script = passwordScript('mariadb-wrong');
    writeFileSync(script.secret, 'not-The-Pw-9\n');
    const source: PasswordSource = { kind: 'command', command: script.command, timeoutMs: 10_000 };
    const err = await openMysqlSession(url, { target: 'maria', passwordSource: source }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toContain('1045');
    expect((err as Error).message).not.toContain('not-The-Pw-9');
    expect(script.runs()).toBe(2);
  });
});

describe('passwordCommand on PostgreSQL: refused with 28000, the command run again', () => {
  const role = `k8s_pwcmd_${suffix}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const url = (() => {
    const u = new URL(PG_URL);
    u.username = role;
    u.password = '';
    return u.toString();
  })();

  beforeAll(() => admin(`CREATE ROLE ${role} LOGIN PASSWORD 'pg-first-1'`));
  afterAll(() => admin(`DROP ROLE IF EXISTS ${role}`));

  it('connects, reuses the password, and after a refusal runs the command again and connects', async () => {
    // The second run hands out working credentials again (here: the role may log in again).
    const script = passwordScript('pg', `[ "$(wc -l < '${path.join(dir, 'pg.runs')}')" -ge 2 ] && psql -q '${PG_URL}' -c 'ALTER ROLE ${role} LOGIN' >/dev/null`);
    writeFileSync(script.secret, 'pg-first-1\n');
    const source: PasswordSource = { kind: 'command', command: script.command, timeoutMs: 10_000 };
    const open = () => openPostgresSession(url, { target: 'pgt', passwordSource: source });
    await (await open()).close();
    await (await open()).close();
    expect(script.runs()).toBe(1);

    await admin(`ALTER ROLE ${role} NOLOGIN`);
    const session = await open();
    const { rows } = await session.db.query<{ me: string }>('SELECT current_user AS me');
    expect(rows[0]?.me).toBe(role);
    await session.close();
    expect(script.runs()).toBe(2);
  });

  it('a refusal that persists: one retry, then the AuthError', async () => {
    await admin(`ALTER ROLE ${role} NOLOGIN`);
    const script = passwordScript('pg-refused');
    writeFileSync(script.secret, 'pg-first-1\n');
    const source: PasswordSource = { kind: 'command', command: script.command, timeoutMs: 10_000 };
    const err = await openPostgresSession(url, { target: 'pgt', passwordSource: source }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).not.toContain('pg-first-1');
    expect(script.runs()).toBe(2);
  });
});
