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

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type PasswordSource, runPasswordCommand, sourcedPassword, withSourcedPassword } from '../../src/connection/password-source.ts';
import { AuthError } from '../../src/core/errors.ts';
import { openMysqlSession } from '../../src/dialects/mysql/connect.ts';
import { openPostgresSession } from '../../src/dialects/postgres/connect.ts';
import { MYSQL_URL, PG_URL, execMysql, withPgClient } from '../support/servers.ts';

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

/** A password command as the configuration builds it, with PATH only in its environment. */
function commandSource(command: string, extra: { cacheForMs?: number } = {}): PasswordSource {
  return { kind: 'command', command, timeoutMs: 10_000, env: { PATH: process.env.PATH ?? '' }, ...extra };
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

  it('kills a command past its time limit, with what it started (its process group)', async () => {
    const marker = path.join(dir, 'slow-done');
    // Killing sh alone would leave the subshell to touch the marker a second later.
    const err = await runPasswordCommand(`(sleep 1; touch '${marker}') & sleep 5; echo late`, 300, 'prod').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/did not finish within 300 ms and was killed/);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(() => readFileSync(marker)).toThrow();
  }, 15_000);

  it('never names a NAME=value word before the program (it may be a token)', async () => {
    const err = await runPasswordCommand('VAULT_TOKEN=hvs.SECRET123 OTHER=x false', 10_000, 'prod').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/passwordCommand \(false\) failed with exit status 1/);
    expect((err as Error).message).not.toContain('SECRET123');
  });

  it('a spawn failure carries only its code as the cause, not the command line (spawnargs)', async () => {
    const err = await runPasswordCommand(['/nonexistent/vault', 'kv', 'get', 'token=s3cr3t'], 10_000, 'prod').catch((e: unknown) => e);
    expect((err as Error).cause).toEqual({ code: 'ENOENT' });
    expect(JSON.stringify((err as Error).cause)).not.toContain('s3cr3t');
  });

  it('gets the environment it is given, not the agent\'s', async () => {
    process.env.SD_TEST_AGENT_SECRET = 'agent-secret';
    try {
      const out = await runPasswordCommand('printf "%s/%s" "${SD_TEST_AGENT_SECRET:-none}" "$VAULT_ADDR"', 10_000, 't', {
        env: { PATH: process.env.PATH ?? '', VAULT_ADDR: 'https://vault:8200' },
      });
      expect(out).toBe('none/https://vault:8200');
    } finally {
      delete process.env.SD_TEST_AGENT_SECRET;
    }
  });

  it('returns once the command exited, though a background process it left still holds its output', async () => {
    // Without the group killed at exit, `close` waits for the sleep and the run ends at its time limit instead.
    expect(await runPasswordCommand('sleep 30 & echo bg-pw', 20_000, 't')).toBe('bg-pw');
  }, 30_000);

  it('is killed when its signal aborts (shutdown, a cancelled check)', async () => {
    const controller = new AbortController();
    const running = runPasswordCommand('sleep 30; echo late', 60_000, 't', { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 200);
    const err = await running;
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/was stopped: the check was cancelled/);
  }, 15_000);

  it('caches the password per target and user: the command runs once for two connects', async () => {
    const script = passwordScript('cache');
    writeFileSync(script.secret, 'cached-pw\n');
    const source: PasswordSource = commandSource(script.command);
    const to = { target: 'cache', host: 'h', port: 1, user: 'u' };
    expect(await sourcedPassword(source, to)).toBe('cached-pw');
    expect(await sourcedPassword(source, to)).toBe('cached-pw');
    expect(script.runs()).toBe(1);
    expect(await sourcedPassword(source, { ...to, user: 'other' })).toBe('cached-pw');
    expect(script.runs()).toBe(2);
  });

  it('passwordCommandCacheFor: an output older than it is fetched again', async () => {
    const script = passwordScript('cache-for');
    writeFileSync(script.secret, 'short-lived\n');
    const to = { target: 'cache-for', host: 'h', port: 1, user: 'u' };
    const source = commandSource(script.command, { cacheForMs: 0 });
    expect(await sourcedPassword(source, to)).toBe('short-lived');
    expect(await sourcedPassword(source, to)).toBe('short-lived');
    expect(script.runs()).toBe(2);
  });

  it('two connections at once share one run; a failed run is not cached', async () => {
    const script = passwordScript('together');
    writeFileSync(script.secret, 'together-pw\n');
    const source: PasswordSource = commandSource(script.command);
    const to = { target: 'together', host: 'h', port: 1, user: 'u' };
    expect(await Promise.all([sourcedPassword(source, to), sourcedPassword(source, to)])).toEqual(['together-pw', 'together-pw']);
    expect(script.runs()).toBe(1);

    const flaky = passwordScript('flaky');
    const flakySource: PasswordSource = commandSource(flaky.command);
    await expect(sourcedPassword(flakySource, to)).rejects.toThrow(/exit status 1/); // no secret file yet: cat fails
    writeFileSync(flaky.secret, 'now-there\n');
    expect(await sourcedPassword(flakySource, to)).toBe('now-there');
    expect(flaky.runs()).toBe(2);
  });
});

describe('withSourcedPassword', () => {
  /** A login as the server does it: `current` is the one password it takes. */
  class Refused extends Error {}
  const login = (current: () => string) => async (password: string) => {
    if (password !== current()) throw new Refused('refused');
    return password;
  };
  const refused = (err: unknown) => err instanceof Refused;

  it('a refused cached password drops only its own entry: a fresher one another connection fetched meanwhile stays', async () => {
    const script = passwordScript('fresher');
    writeFileSync(script.secret, 'old-pw\n');
    const source = commandSource(script.command);
    const to = { target: 'fresher', host: 'h', port: 1, user: 'u' };
    expect(await sourcedPassword(source, to)).toBe('old-pw');
    writeFileSync(script.secret, 'new-pw\n'); // rotated
    const server = login(() => 'new-pw');
    // Both connections hold the cached old password; the second learns of its refusal only after the first has
    // fetched the new one.
    const first = withSourcedPassword(source, to, server, refused);
    const second = withSourcedPassword(source, to, async (pw) => { await first; return server(pw); }, refused);
    expect(await Promise.all([first, second])).toEqual(['new-pw', 'new-pw']);
    expect(script.runs()).toBe(2);
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
    const source: PasswordSource = commandSource(script.command);
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

  it('a freshly run command\'s password refused: no second run, and a backoff before the next', async () => {
    const script = passwordScript('mariadb-wrong');
    writeFileSync(script.secret, 'not-The-Pw-9\n');
    const source: PasswordSource = commandSource(script.command);
    const err = await openMysqlSession(url, { target: 'maria', passwordSource: source }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toContain('1045');
    expect((err as Error).message).not.toContain('not-The-Pw-9');
    expect(script.runs()).toBe(1);
    // The next connection (the watch's next tick) neither runs the command nor tries a login.
    const again = await openMysqlSession(url, { target: 'maria', passwordSource: source }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AuthError);
    expect((again as Error).message).toMatch(/refused the password it last gave; not tried again before .* \(backoff 60 s\)/);
    expect(script.runs()).toBe(1);
  });
});

describe('passwordCommand on PostgreSQL: refused with 28000, the command run again', () => {
  const role = `k8s_pwcmd_${suffix}`;
  const admin = (sql: string) => withPgClient({ url: PG_URL }, (client) => client.query(sql));
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
    const source: PasswordSource = commandSource(script.command);
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

  it('a fresh password refused: no retry, the AuthError', async () => {
    await admin(`ALTER ROLE ${role} NOLOGIN`);
    const script = passwordScript('pg-refused');
    writeFileSync(script.secret, 'pg-first-1\n');
    const source: PasswordSource = commandSource(script.command);
    const err = await openPostgresSession(url, { target: 'pgt', passwordSource: source }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).not.toContain('pg-first-1');
    expect(script.runs()).toBe(1);
  });
});
