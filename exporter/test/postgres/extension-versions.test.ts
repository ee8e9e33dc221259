/**
 * Extension versions are compared by default, but only where the desired side names one: a migration directory that
 * says `CREATE EXTENSION x` replays at whatever version the replay server ships, which says nothing about production.
 * The pins are read from the statements (table-driven), then the whole path runs on the real PostgreSQL 15 (whose
 * contrib ships citext 1.4, 1.5 and 1.6): a directory replayed on it as dev server, diffed against a live database.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import type { DiffOptions } from '../../src/core/diff/options.ts';
import { changeSubject } from '../../src/core/model/change.ts';
import type { SchemaSnapshot } from '../../src/core/model/schema.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { inspectPostgres } from '../../src/dialects/postgres/inspect.ts';
import { pinnedExtensionVersions } from '../../src/dialects/postgres/replay-extension-pins.ts';
import { replayPostgres } from '../../src/dialects/postgres/replay.ts';
import { splitPostgresStatements } from '../../src/dialects/postgres/split.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { createTempPgDatabase, PG_URL } from '../support/servers.ts';

const pins = (sql: string): string[] => [...pinnedExtensionVersions(splitPostgresStatements(sql))].sort();

describe('pinnedExtensionVersions', () => {
  it.each([
    ['CREATE EXTENSION citext;', []],
    ['CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;', []],
    ["CREATE EXTENSION citext VERSION '1.5';", ['citext']],
    ["create extension if not exists \"uuid-ossp\" with schema public version '1.1' cascade;", ['uuid-ossp']],
    ["CREATE EXTENSION Citext SCHEMA \"version\";", []],
    ["CREATE EXTENSION citext;\nALTER EXTENSION citext UPDATE TO '1.6';", ['citext']],
    ['CREATE EXTENSION citext;\nALTER EXTENSION citext UPDATE;', []],
    ["CREATE EXTENSION citext VERSION '1.5';\nDROP EXTENSION citext;\nCREATE EXTENSION citext;", []],
    ["CREATE EXTENSION citext VERSION '1.5';\nCREATE EXTENSION hstore VERSION '1.7';\nDROP EXTENSION IF EXISTS citext, seg CASCADE;", ['hstore']],
    ["-- a comment first\nCREATE EXTENSION citext VERSION '1.5';", ['citext']],
  ])('%s → %j', (sql, expected) => {
    expect(pins(sql)).toEqual(expected);
  });
});

const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function replayed(sql: string): Promise<SchemaSnapshot> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sd-extver-'));
  tempDirs.push(dir);
  await writeFile(path.join(dir, '001_init.sql'), sql);
  return (await replayPostgres(await readMigrationDirectory(dir, {}), { devUrl: PG_URL })).snapshot;
}

async function live(sql: string): Promise<SchemaSnapshot> {
  const db = await createTempPgDatabase('sdextver');
  try {
    await db.exec(sql);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return await inspectPostgres(client);
    } finally {
      await client.end();
    }
  } finally {
    await db.drop();
  }
}

function extensionChanges(current: SchemaSnapshot, desired: SchemaSnapshot, options?: DiffOptions): string[] {
  return diffSchemas({ current, desired, hooks: postgresHooks, options })
    .filter((c) => c.type === 'extension')
    .map((c) => `${c.action} ${changeSubject(c)} [${c.attributes.map((a) => a.name).join()}]`);
}

describe('extension versions, replayed on PostgreSQL 15 against a live database', () => {
  it('a version the migrations write is compared by default, and ignored on request', async () => {
    const target = await live("CREATE EXTENSION citext VERSION '1.5';");
    const desired = await replayed("CREATE EXTENSION citext VERSION '1.6';");
    expect(extensionChanges(target, desired)).toEqual(['changed extension citext [version]']);
    expect(extensionChanges(target, desired, { ignoreExtensionVersions: true })).toEqual([]);
  });

  it('ALTER EXTENSION … UPDATE TO pins the version too', async () => {
    const target = await live("CREATE EXTENSION citext VERSION '1.5';");
    const desired = await replayed("CREATE EXTENSION citext VERSION '1.4';\nALTER EXTENSION citext UPDATE TO '1.6';");
    expect(extensionChanges(target, desired)).toEqual(['changed extension citext [version]']);
  });

  it('CREATE EXTENSION without a version is no drift, whatever the replay server installed', async () => {
    const target = await live("CREATE EXTENSION citext VERSION '1.4';");
    const desired = await replayed('CREATE EXTENSION citext;');
    expect(desired.extensions.find((e) => e.name === 'citext')).toMatchObject({ version: '1.6', versionUnpinned: true });
    expect(extensionChanges(target, desired)).toEqual([]);
  });

  it('two live databases are compared as they are', async () => {
    const [a, b] = [await live("CREATE EXTENSION citext VERSION '1.5';"), await live('CREATE EXTENSION citext;')];
    expect(extensionChanges(a, b)).toEqual(['changed extension citext [version]']);
  });
});
