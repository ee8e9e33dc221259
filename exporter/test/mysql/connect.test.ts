import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, ConfigError, ConnectError, InspectError, TimeoutError } from '../../src/core/errors.ts';
import {
  openMysqlSession,
  parseMysqlUrl,
  parseServerVersion,
  redactMysqlUrl,
  toMysqlError,
} from '../../src/dialects/mysql/connect.ts';
import { createTempMysqlDatabase, execMysql, MYSQL_URL, mysqlUrlFor, type TempDatabase } from '../support/servers.ts';

describe('redactMysqlUrl', () => {
  it.each([
    ['mysql://app:s3cret@db:3306/prod', 'mysql://app@db:3306/prod'],
    ['mariadb://app:s3cret@db/prod?password=other&ssl=1', 'mariadb://app@db/prod?ssl=1'],
    ['mysql://root@127.0.0.1:3306/test', 'mysql://root@127.0.0.1:3306/test'],
    ['not a url s3cret', '<unparseable connection string>'],
  ])('%s → %s', (url, expected) => {
    expect(redactMysqlUrl(url)).toBe(expected);
  });
});

describe('parseMysqlUrl', () => {
  it('reads every part, decoding escapes', () => {
    expect(parseMysqlUrl('mysql://a%40b:p%2Fw@db.example:3307/my%20db')).toEqual({
      host: 'db.example',
      port: 3307,
      user: 'a@b',
      password: 'p/w',
      database: 'my db',
    });
  });
  it('defaults port, user and database', () => {
    expect(parseMysqlUrl('mariadb://db')).toEqual({ host: 'db', port: 3306, user: 'root', password: undefined, database: null });
  });
  it.each(['postgres://db/x', 'nonsense'])('refuses %s with a ConfigError', (url) => {
    expect(() => parseMysqlUrl(url, 'prod')).toThrow(ConfigError);
  });
  it.each([
    ['password', 'mysql://app:s3cret%zz@db/x'],
    ['user name', 'mysql://us%er:s3cret@db/x'],
    ['database name', 'mysql://app:s3cret@db/my%db'],
  ])('a malformed escape in the %s is a ConfigError naming the part, not its text', (part, url) => {
    let error: unknown;
    try {
      parseMysqlUrl(url, 'prod');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`${part} is not valid percent-encoding`);
    expect((error as Error).message).not.toContain('s3cret');
  });
});

describe('parseServerVersion', () => {
  it.each([
    ['10.11.19-MariaDB-0+deb12u1', 'Debian 12', 'mariadb', 10, 11],
    ['11.4.2-MariaDB', 'mariadb.org binary distribution', 'mariadb', 11, 4],
    ['5.5.5-10.6.12-MariaDB', 'MariaDB Server', 'mariadb', 5, 5],
    ['8.0.39', 'MySQL Community Server - GPL', 'mysql', 8, 0],
    ['8.4.3-commercial', 'MySQL Enterprise Server - Commercial', 'mysql', 8, 4],
  ])('%s (%s) → %s %i.%i', (version, comment, flavor, major, minor) => {
    expect(parseServerVersion(version, comment)).toEqual({ flavor, serverVersion: version, major, minor });
  });
});

describe('toMysqlError', () => {
  it.each([
    [{ errno: 1045, code: 'ER_ACCESS_DENIED_ERROR', message: 'Access denied' }, AuthError],
    [{ errno: 1044, code: 'ER_DBACCESS_DENIED_ERROR', message: 'Access denied' }, AuthError],
    [{ errno: 1049, code: 'ER_BAD_DB_ERROR', message: "Unknown database 'x'" }, ConnectError],
    [{ errno: 1969, code: 'ER_STATEMENT_TIMEOUT', message: 'interrupted' }, TimeoutError],
    [{ errno: 3024, code: 'ER_QUERY_TIMEOUT', message: 'interrupted' }, TimeoutError],
    [{ code: 'ECONNREFUSED', errno: -111, message: 'connect ECONNREFUSED' }, ConnectError],
    [{ errno: 1146, code: 'ER_NO_SUCH_TABLE', message: 'no such table' }, InspectError],
  ])('%o → %o', (raw, cls) => {
    const err = Object.assign(new Error(raw.message), raw);
    expect(toMysqlError(err, { target: 't' })).toBeInstanceOf(cls);
  });
  it('scrubs secrets and prefixes the action', () => {
    const err = Object.assign(new Error("Access denied for user 'u' using password hunter2"), { errno: 1045 });
    const mapped = toMysqlError(err, { action: 'connecting', secrets: ['hunter2'] });
    expect(mapped.message).toBe("mysql: connecting: access denied: Access denied for user 'u' using password *** (errno 1045)");
  });
});

describe('openMysqlSession on the real server', () => {
  let temp: TempDatabase;
  const badUser = `sd_bad_${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    temp = await createTempMysqlDatabase();
    await temp.exec('CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1);');
    await execMysql(`CREATE USER '${badUser}'@'%' IDENTIFIED BY 'right-password'`);
  });
  afterAll(async () => {
    await execMysql(`DROP USER IF EXISTS '${badUser}'@'%'`);
    await temp?.drop();
  });

  it('detects flavour and version and names the database', async () => {
    const session = await openMysqlSession(temp.url);
    try {
      expect(session.flavor).toBe('mariadb');
      expect(session.serverVersion).toMatch(/^\d+\.\d+\.\d+-MariaDB/);
      expect(session.major).toBeGreaterThanOrEqual(10);
      expect(session.database).toBe(temp.name);
      const { rows } = await session.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM t WHERE id = ?', [1]);
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await session.close();
      await session.close();
    }
  });

  it.each([
    ['INSERT INTO t VALUES (2)'],
    ['UPDATE t SET id = 3'],
    ['CREATE TABLE t2 (x int)'],
    ['DROP TABLE t'],
  ])('refuses a write: %s', async (sql) => {
    const session = await openMysqlSession(temp.url);
    try {
      await expect(session.db.query(sql)).rejects.toMatchObject({ errno: 1792 });
    } finally {
      await session.close();
    }
    const check = await openMysqlSession(temp.url);
    try {
      expect((await check.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM t')).rows).toEqual([{ n: 1 }]);
    } finally {
      await check.close();
    }
  });

  it('runs under lock, idle and network limits derived from the statement limit', async () => {
    const session = await openMysqlSession(temp.url, { statementTimeoutMs: 4_500 });
    try {
      const { rows } = await session.db.query<Record<string, number | string>>(
        'SELECT @@session.lock_wait_timeout AS l, @@session.innodb_lock_wait_timeout AS il, @@session.wait_timeout AS w, @@session.net_read_timeout AS nr, @@session.net_write_timeout AS nw',
      );
      expect(Object.values(rows[0] ?? {}).map(Number)).toEqual([5, 5, 5, 5, 5]);
    } finally {
      await session.close();
    }
  });

  it('sees one snapshot: a row committed elsewhere after the start is invisible', async () => {
    const session = await openMysqlSession(temp.url);
    try {
      await temp.exec('INSERT INTO t VALUES (10)');
      expect((await session.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM t')).rows).toEqual([{ n: 1 }]);
    } finally {
      await session.close();
      await temp.exec('DELETE FROM t WHERE id = 10');
    }
  });

  it('stops a statement at the time limit with a TimeoutError', async () => {
    const session = await openMysqlSession(temp.url, { statementTimeoutMs: 300 });
    try {
      const err = await session.db
        .query('SELECT COUNT(*) FROM information_schema.COLUMNS a, information_schema.COLUMNS b, information_schema.COLUMNS c')
        .catch((e: unknown) => e);
      expect(toMysqlError(err)).toBeInstanceOf(TimeoutError);
    } finally {
      await session.close();
    }
  });

  it('maps a refused port to ConnectError', async () => {
    const err = await openMysqlSession('mysql://root@127.0.0.1:1/test', { target: 'down' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).context.target).toBe('down');
    expect((err as Error).message).toContain('ECONNREFUSED');
  });

  it('maps a missing database (1049) to ConnectError', async () => {
    const err = await openMysqlSession(mysqlUrlFor('sd_no_such_db_x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as Error).message).toMatch(/database does not exist.*1049/);
  });

  it('maps a wrong password (1045) to AuthError without the password', async () => {
    const url = new URL(MYSQL_URL);
    url.username = badUser;
    url.password = 'wrong-pass-XYZ';
    const err = await openMysqlSession(url.toString()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toContain('1045');
    expect((err as Error).message).not.toContain('wrong-pass-XYZ');
    expect((err as Error).message).not.toContain('right-password');
  });

  it('reads the password from passwordFile, then MYSQL_PWD', async () => {
    const url = new URL(MYSQL_URL);
    url.username = badUser;
    url.password = '';
    url.pathname = '/';
    const dir = await mkdtemp(join(tmpdir(), 'sd-mysql-'));
    const file = join(dir, 'pw');
    await writeFile(file, 'right-password\n');
    const saved = process.env.MYSQL_PWD;
    try {
      const viaFile = await openMysqlSession(url.toString(), { passwordFile: file });
      await viaFile.close();
      process.env.MYSQL_PWD = 'right-password';
      const viaEnv = await openMysqlSession(url.toString());
      expect(viaEnv.database).toBeNull();
      await viaEnv.close();
      process.env.MYSQL_PWD = 'nope';
      await expect(openMysqlSession(url.toString())).rejects.toBeInstanceOf(AuthError);
      await expect(openMysqlSession(url.toString(), { passwordFile: join(dir, 'missing') })).rejects.toBeInstanceOf(ConfigError);
    } finally {
      if (saved === undefined) delete process.env.MYSQL_PWD;
      else process.env.MYSQL_PWD = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
