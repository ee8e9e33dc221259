/**
 * Temporary databases a killed process left on a dev server are dropped by the next replay there, once older than the
 * bound (`connection/scratch-names.ts`); a young one (another replay's, still running) and one of an older version's
 * names (whose age cannot be told) are kept. On every dialect's real server, through the dialect's replay.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { isStaleScratch, SCRATCH_DATABASE_PREFIX, scratchDatabaseName, STALE_SCRATCH_MS } from '../../src/connection/scratch-names.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { DIALECT_HARNESSES } from '../support/dialects.ts';
import { MYSQL_URL, PG_URL } from '../support/servers.ts';

describe('scratch database names', () => {
  it('carry their creation time: stale after the bound, never for a name without it', () => {
    const now = Date.UTC(2026, 11, 7, 12);
    const name = scratchDatabaseName(now);
    expect(name).toMatch(/^schema_drift_tmp_[0-9a-z]+_[0-9a-f]{12}$/);
    expect(isStaleScratch(name, now + STALE_SCRATCH_MS - 1000)).toBe(false);
    expect(isStaleScratch(name, now + STALE_SCRATCH_MS + 1000)).toBe(true);
    expect(isStaleScratch('schema_drift_tmp_0123456789ab', now)).toBe(false);
    expect(isStaleScratch('other_db', now)).toBe(false);
  });
});

/** Runs SQL on the server's admin database of `dialect`, returning the names a query lists. */
async function onServer(dialect: string, sql: string): Promise<string[]> {
  if (dialect === 'postgres') {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      return (await client.query<{ name: string }>(sql)).rows.map((r) => r.name);
    } finally {
      await client.end();
    }
  }
  const conn = await mysql.createConnection({ uri: MYSQL_URL });
  try {
    const [rows] = await conn.query(sql);
    return Array.isArray(rows) ? (rows as { name: string }[]).map((r) => r.name) : [];
  } finally {
    await conn.end();
  }
}

describe.each(DIALECT_HARNESSES)('leftover temporary databases on $server ($name)', (harness) => {
  const hours = 3_600_000;
  const stale = scratchDatabaseName(Date.now() - 3 * hours);
  const young = scratchDatabaseName(Date.now() - 60_000);
  const legacy = `${SCRATCH_DATABASE_PREFIX}${'0123456789ab'}`;
  const created = [stale, young, legacy];
  const list = `SELECT ${harness.name === 'postgres' ? 'datname AS name FROM pg_database' : 'SCHEMA_NAME AS name FROM information_schema.SCHEMATA'}`;
  let dir = '';

  afterAll(async () => {
    for (const name of created) await onServer(harness.name, `DROP DATABASE IF EXISTS ${harness.name === 'postgres' ? `"${name}"` : `\`${name}\``}`);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the next replay on the server drops the stale one and keeps the young and the unknown-age ones', async () => {
    for (const name of created) await onServer(harness.name, `CREATE DATABASE ${harness.name === 'postgres' ? `"${name}"` : `\`${name}\``}`);
    dir = await mkdtemp(path.join(tmpdir(), 'sd-sweep-'));
    await writeFile(path.join(dir, '001_t.sql'), 'CREATE TABLE t (id int);\n');
    const devUrl = harness.name === 'postgres' ? PG_URL : MYSQL_URL;
    await harness.dialect.replay(await readMigrationDirectory(dir), { devUrl, target: 'sweep', inspect: {} });
    const names = await onServer(harness.name, list);
    expect(names).not.toContain(stale);
    expect(names).toContain(young);
    expect(names).toContain(legacy);
  }, 120_000);
});
