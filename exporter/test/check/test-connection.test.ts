/**
 * "Test connection" against the real PostgreSQL server: a reachable database, revision tables, a closed port, a
 * missing database, a role lacking privileges, and a MySQL target that is down.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatConnectionTest, testConnection } from '../../src/agent/test-connection.ts';
import type { TargetConfig } from '../../src/config/types.ts';
import { redactUrl } from '../../src/dialects/postgres/connect.ts';
import { createTempPgDatabase, PG_URL, pgUrlFor, type TempDatabase } from '../support/servers.ts';

function target(url: string, extra: Partial<TargetConfig> = {}): TargetConfig {
  return {
    name: 'prod',
    dialect: 'postgres',
    url,
    displayUrl: redactUrl(url),
    desired: { dir: '/nonexistent' },
    exclude: {},
    schedule: '0 6,18 * * *',
    labels: {},
    connectTimeoutMs: 5000,
    statementTimeoutMs: 5000,
    checkTimeoutMs: 60_000,
    watchMs: 0,
    deployingRetryMs: 15_000,
    deployingLimitMs: 1_800_000,
    checkColumnOrder: false,
    ignoreExtensionVersions: false,
    privileges: false,
    ...extra,
  };
}

/** `url` with another user (and optionally a password). */
function asUser(url: string, user: string, password = ''): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  return parsed.toString();
}

let plain: TempDatabase;
let migrated: TempDatabase;
const role = `sd_ro_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  [plain, migrated] = await Promise.all([createTempPgDatabase('sdconn'), createTempPgDatabase('sdconn')]);
  // A new schema grants nothing to PUBLIC: the role below sees it in the catalogs but has no USAGE.
  await plain.exec('CREATE SCHEMA locked');
  await migrated.exec(`
    CREATE TABLE public.schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);
    INSERT INTO public.schema_migrations VALUES (3, false);
    CREATE SCHEMA app;
    CREATE ROLE ${role} LOGIN;
    GRANT USAGE ON SCHEMA app TO ${role};`);
});

afterAll(async () => {
  await Promise.all([plain?.drop(), migrated?.drop()]);
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
  } finally {
    await admin.end();
  }
});

describe('testConnection on PostgreSQL', () => {
  it('a reachable database without a revision table', async () => {
    const result = await testConnection(target(plain.url));
    expect(result).toEqual({
      target: 'prod',
      url: plain.url,
      ok: true,
      serverVersion: expect.stringMatching(/^\d+\.\d+/),
      flavor: 'postgresql',
      revision: null,
      warnings: [],
    });
    expect(formatConnectionTest(result)).toBe(
      `ok   prod (${plain.url}): PostgreSQL ${result.serverVersion}; catalogs readable; ` +
        'no migration revision table (every migration counts as deployed)',
    );
  });

  it('reads the revision table and warns about a configured schema that does not exist', async () => {
    const result = await testConnection(target(migrated.url, { schemas: ['app', 'gone'] }));
    expect(result.ok).toBe(true);
    expect(result.revision).toEqual({
      tool: 'golang-migrate',
      table: 'public.schema_migrations',
      version: '3',
      dirty: false,
      appliedVersions: ['3'],
    });
    expect(result.warnings).toEqual(['schema not found: gone (a check reports it as missing)']);
    expect(formatConnectionTest(result)).toBe(
      `ok   prod (${migrated.url}): PostgreSQL ${result.serverVersion}; catalogs readable; ` +
        'revision table public.schema_migrations (golang-migrate) at version 3; ' +
        'warning: schema not found: gone (a check reports it as missing)',
    );
  });

  it('a dirty revision is shown as such', async () => {
    const db = await createTempPgDatabase('sdconn');
    try {
      await db.exec(`CREATE TABLE schema_migrations (version bigint, dirty boolean); INSERT INTO schema_migrations VALUES (4, true);`);
      const result = await testConnection(target(db.url));
      expect(result.ok).toBe(true);
      expect(formatConnectionTest(result)).toContain(
        'revision table public.schema_migrations (golang-migrate) at version 4, DIRTY (failed at 4)',
      );
    } finally {
      await db.drop();
    }
  });

  it('a role that may not read the revision table fails with reason auth; schemas without USAGE are warnings', async () => {
    const result = await testConnection(target(asUser(migrated.url, role)));
    expect(result.ok).toBe(false);
    expect(result.serverVersion).toMatch(/^\d+\.\d+/);
    expect(result.error?.reason).toBe('auth');
    expect(result.error?.message).toBe(
      'postgres: reading revision table public.schema_migrations: insufficient privilege: permission denied for table schema_migrations',
    );
    const onlyPublic = await testConnection(target(asUser(plain.url, role), { schemas: ['public'] }));
    expect(onlyPublic).toMatchObject({ ok: true, revision: null, warnings: [] });
    const all = await testConnection(target(asUser(plain.url, role)));
    expect(all).toMatchObject({ ok: true, warnings: ['no USAGE privilege on schema locked'] });
    expect(formatConnectionTest(all)).toMatch(/; warning: no USAGE privilege on schema locked$/);
  });

  it('an unreachable port fails with reason connect and no password in the message', async () => {
    const url = 'postgres://postgres:Sup3rS3cret@127.0.0.1:1/test';
    const result = await testConnection(target(url));
    expect(result.ok).toBe(false);
    expect(result.error?.reason).toBe('connect');
    expect(result.error?.message).toMatch(/^postgres: connecting to postgres:\/\/postgres@127\.0\.0\.1:1\/test: .*ECONNREFUSED/);
    expect(result.serverVersion).toBeUndefined();
    const line = formatConnectionTest(result);
    expect(line).toMatch(/^FAIL prod \(postgres:\/\/postgres@127\.0\.0\.1:1\/test\): connect: postgres: connecting to /);
    expect(JSON.stringify(result) + line).not.toContain('Sup3rS3cret');
  });

  it('a missing database fails with reason connect', async () => {
    const result = await testConnection(target(pgUrlFor('sd_no_such_database')));
    expect(result.error).toEqual({
      reason: 'connect',
      message: expect.stringContaining('database does not exist: database "sd_no_such_database" does not exist'),
    });
  });

  it('reads the password from passwordFile at connect time; a vanished file is a config failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-conn-'));
    try {
      const result = await testConnection(target(plain.url, { passwordFile: join(dir, 'gone') }));
      expect(result.ok).toBe(false);
      expect(result.error).toEqual({ reason: 'config', message: 'cannot read password file (ENOENT)' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('testConnection on MySQL', () => {
  // Reachable MySQL/MariaDB targets are tested in test/mysql/run-check.test.ts.
  it('a closed port: ok=false, reason connect, the URL without its password', async () => {
    const result = await testConnection(
      target('mysql://root:pw@127.0.0.1:1/x', { dialect: 'mysql', displayUrl: 'mysql://root@127.0.0.1:1/x' }),
    );
    expect(result).toMatchObject({ target: 'prod', url: 'mysql://root@127.0.0.1:1/x', ok: false, warnings: [] });
    expect(result.error?.reason).toBe('connect');
    expect(formatConnectionTest(result)).toMatch(/^FAIL prod \(mysql:\/\/root@127\.0\.0\.1:1\/x\): connect: /);
    expect(formatConnectionTest(result)).not.toContain(':pw@');
  });
});
