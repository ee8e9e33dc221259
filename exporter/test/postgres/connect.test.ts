import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, ConfigError, ConnectError, InspectError, TimeoutError } from '../../src/core/errors.ts';
import { openPostgresSession, redactUrl, toPostgresError } from '../../src/dialects/postgres/connect.ts';
import { createTempPgDatabase, PG_URL, pgUrlFor, type TempDatabase } from '../support/servers.ts';

function withUser(url: string, user: string, password?: string): string {
  const u = new URL(url);
  u.username = user;
  if (password !== undefined) u.password = password;
  return u.toString();
}

describe('redactUrl', () => {
  it.each([
    ['postgres://app:s3cret@db:5432/prod', 'postgres://app@db:5432/prod'],
    ['postgresql://app:s3cret@db/prod?sslmode=require&password=other', 'postgresql://app@db/prod?sslmode=require'],
    ['postgres://db/prod?PASSWORD=x', 'postgres://db/prod'],
    ['postgres://app@db/prod', 'postgres://app@db/prod'],
    ['not a url s3cret', '<unparseable connection string>'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
    expect(redactUrl(input)).not.toMatch(/s3cret|other/);
  });
});

describe('toPostgresError', () => {
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, ConnectError],
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND nohost' }, ConnectError],
    [{ code: 'EHOSTUNREACH', message: 'unreachable' }, ConnectError],
    [{ code: 'ETIMEDOUT', message: 'timed out' }, ConnectError],
    [{ message: 'Connection terminated unexpectedly' }, ConnectError],
    [{ code: '28P01', message: 'password authentication failed' }, AuthError],
    [{ code: '28000', message: 'role "x" does not exist' }, AuthError],
    [{ code: '3D000', message: 'database "x" does not exist' }, ConnectError],
    [{ code: '57014', message: 'canceling statement due to statement timeout' }, TimeoutError],
    [{ code: '55P03', message: 'canceling statement due to lock timeout' }, TimeoutError],
    [{ message: 'Query read timeout' }, TimeoutError],
    [{ code: '42501', message: 'permission denied for table t' }, AuthError],
    [{ code: '42P01', message: 'relation does not exist' }, InspectError],
  ])('%o → %s', (raw, cls) => {
    const err = Object.assign(new Error(raw.message), raw);
    const mapped = toPostgresError(err, { target: 'prod', action: 'doing' });
    expect(mapped).toBeInstanceOf(cls);
    expect(mapped.context.target).toBe('prod');
    expect(mapped.message.startsWith('postgres: doing: ')).toBe(true);
    expect(mapped.cause).toBe(err);
  });

  it('scrubs secrets from driver messages', () => {
    const mapped = toPostgresError(new Error('bad password hunter2 given'), { secrets: ['hunter2'] });
    expect(mapped.message).not.toContain('hunter2');
  });
});

describe('openPostgresSession', () => {
  let temp: TempDatabase;
  beforeAll(async () => {
    temp = await createTempPgDatabase('sdconn');
    await temp.exec('CREATE TABLE t (id int)');
  });
  afterAll(async () => {
    await temp?.drop();
  });

  it('opens a read-only repeatable-read snapshot and reports the server version', async () => {
    const session = await openPostgresSession(temp.url, { statementTimeoutMs: 5000 });
    try {
      expect(session.serverVersionNum).toBeGreaterThanOrEqual(130000);
      expect(session.serverVersion).toMatch(/^\d+\.\d+/);
      const { rows } = await session.db.query<{ ro: string; iso: string; st: string; app: string }>(
        `SELECT current_setting('transaction_read_only') AS ro, current_setting('transaction_isolation') AS iso,
                current_setting('statement_timeout') AS st, current_setting('application_name') AS app`,
      );
      expect(rows[0]).toEqual({ ro: 'on', iso: 'repeatable read', st: '5s', app: 'schema-drift' });
    } finally {
      await session.close();
    }
  });

  it('runs under lock, idle-in-transaction and TCP limits derived from the statement limit', async () => {
    const session = await openPostgresSession(temp.url, { statementTimeoutMs: 30_000 });
    try {
      const { rows } = await session.db.query(
        `SELECT current_setting('lock_timeout') AS lock, current_setting('idle_in_transaction_session_timeout') AS idle,
                current_setting('tcp_user_timeout') AS tcp`,
      );
      // tcp_user_timeout is shown in plain milliseconds.
      expect(rows[0]).toEqual({ lock: '10s', idle: '30s', tcp: '30000' });
    } finally {
      await session.close();
    }
  });

  it('refuses writes inside the session (25006)', async () => {
    const session = await openPostgresSession(temp.url);
    try {
      await expect(session.db.query('INSERT INTO t VALUES (1)')).rejects.toMatchObject({ code: '25006' });
    } finally {
      await session.close();
    }
  });

  it('maps a statement timeout to TimeoutError', async () => {
    const session = await openPostgresSession(temp.url, { statementTimeoutMs: 100, target: 'slow' });
    try {
      const err = await session.db.query('SELECT pg_sleep(2)').catch((e: unknown) => e);
      const mapped = toPostgresError(err, { target: 'slow' });
      expect(mapped).toBeInstanceOf(TimeoutError);
      expect(mapped.reason).toBe('timeout');
    } finally {
      await session.close();
    }
  });

  it('close() is idempotent', async () => {
    const session = await openPostgresSession(temp.url);
    await session.close();
    await expect(session.close()).resolves.toBeUndefined();
  });

  it('uses the password file when the URL has none (trust auth accepts it; the file is still read)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sdpw-'));
    try {
      const file = join(dir, 'pw');
      await writeFile(file, '  filepass\n');
      const session = await openPostgresSession(temp.url, { passwordFile: file, applicationName: 'probe' });
      const { rows } = await session.db.query<{ app: string }>(`SELECT current_setting('application_name') AS app`);
      expect(rows[0]?.app).toBe('probe');
      await session.close();
      const missing = await openPostgresSession(temp.url, { passwordFile: join(dir, 'nope') }).catch((e) => e);
      expect(missing).toBeInstanceOf(ConfigError);
      expect(missing.context.file).toBe(join(dir, 'nope'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['refused port', 'postgres://postgres:topsecret@127.0.0.1:1/test', ConnectError, /ECONNREFUSED/],
    ['missing database', withUser(pgUrlFor('sd_no_such_db'), 'postgres', 'topsecret'), ConnectError, /does not exist/],
    ['unknown role', withUser(PG_URL, 'no_such_role', 'topsecret'), AuthError, /no_such_role/],
    ['unknown scheme', 'mysql://root:topsecret@127.0.0.1/test', ConfigError, /unsupported URL scheme "mysql"/],
    ['bad % in the password', 'postgres://postgres:topsecret%zz@127.0.0.1/test', ConfigError, /password is not valid percent-encoding/],
    ['bad % in the user', 'postgres://us%er:topsecret@127.0.0.1/test', ConfigError, /user name is not valid percent-encoding/],
  ])('%s → %s', async (_label, url, cls, pattern) => {
    const err = await openPostgresSession(url, { target: 'prod', connectTimeoutMs: 3000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(cls);
    const message = (err as Error).message;
    expect(message).toMatch(pattern);
    expect(message).not.toContain('topsecret');
    expect((err as AuthError).context.target).toBe('prod');
  });
});
