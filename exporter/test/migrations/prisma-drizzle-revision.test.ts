/**
 * What `_prisma_migrations` and `__drizzle_migrations` rows mean (dialect-free), and where a database stands against
 * a directory because of it: the applied set (not a maximum), failed and rolled-back attempts, drizzle's
 * `created_at` against the journal's `when`, and files edited after they were deployed (checksums).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import type { MigrationDirectory } from '../../src/migrations/types.ts';
import { matchesChecksum } from '../../src/revision/checksums.ts';
import { deployedState } from '../../src/revision/deployed.ts';
import { drizzleState, type DrizzleRow } from '../../src/revision/drizzle-state.ts';
import { prismaState, type PrismaRow } from '../../src/revision/prisma-state.ts';
import { revisionExcludeFilter } from '../../src/revision/revision-state.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'migrations');
const [INIT, ORDERS, STATUS] = ['20240101120000_init', '20240102090000_orders', '20240103080000_order_status'];

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const done = (name: string, checksum = 'c'): PrismaRow => ({ name, checksum, finished: true, rolledBack: false, logs: null });

async function fixture(format: string): Promise<MigrationDirectory> {
  return readMigrationDirectory(path.join(FIXTURES, format));
}

/** Rows `migrate deploy` writes for `names` of `dir`: finished, with each file's real checksum. */
function deployedRows(dir: MigrationDirectory, names: string[]): PrismaRow[] {
  return names.map((name) => done(name, dir.files.find((f) => f.version === name)?.sha256));
}

describe('prismaState', () => {
  it('every finished row is applied; the version is the highest', () => {
    expect(prismaState('public._prisma_migrations', [done(INIT), done(ORDERS)])).toEqual({
      tool: 'prisma',
      table: 'public._prisma_migrations',
      version: ORDERS,
      dirty: false,
      appliedVersions: [INIT, ORDERS],
      checksums: [
        { version: INIT, checksum: 'c' },
        { version: ORDERS, checksum: 'c' },
      ],
    });
  });

  it('finished_at and rolled_back_at null: failed, dirty, with the logged error', () => {
    const failed: PrismaRow = { name: ORDERS, checksum: 'c', finished: false, rolledBack: false, logs: 'Database error code: 42P07\n\nrelation "orders" already exists\n' };
    const state = prismaState('t', [done(INIT), failed]);
    expect(state).toMatchObject({ version: ORDERS, dirty: true, failedVersion: ORDERS, appliedVersions: [INIT] });
    expect(state.error).toBe('Database error code: 42P07\n\nrelation "orders" already exists');
  });

  it('rolled_back_at set (migrate resolve --rolled-back): the row is ignored, neither applied nor dirty', () => {
    const rolledBack: PrismaRow = { name: ORDERS, checksum: 'c', finished: false, rolledBack: true, logs: 'boom' };
    expect(prismaState('t', [done(INIT), rolledBack])).toMatchObject({ version: INIT, dirty: false, appliedVersions: [INIT] });
  });

  it('migrate resolve --applied: the failed row rolled back and a finished one added, so applied and clean', () => {
    const rows: PrismaRow[] = [done(INIT), { name: ORDERS, checksum: 'old', finished: false, rolledBack: true, logs: 'x' }, done(ORDERS, 'new')];
    const state = prismaState('t', rows);
    expect(state).toMatchObject({ version: ORDERS, dirty: false, appliedVersions: [INIT, ORDERS] });
    expect(state.checksums).toContainEqual({ version: ORDERS, checksum: 'new' });
  });

  it('no rows: nothing deployed', () => {
    expect(prismaState('t', [])).toMatchObject({ version: null, dirty: false, appliedVersions: [] });
  });
});

describe('drizzleState', () => {
  const row = (createdAt: string | null, name: string | null = null, hash = 'h'): DrizzleRow => ({ hash, createdAt, name });

  it('0.x: created_at values are the versions (the journal `when`s)', () => {
    expect(drizzleState('drizzle.__drizzle_migrations', [row('1704110400000'), row('1704186000000')], { byName: false })).toEqual({
      tool: 'drizzle',
      table: 'drizzle.__drizzle_migrations',
      version: '1704186000000',
      dirty: false,
      appliedVersions: ['1704110400000', '1704186000000'],
      checksums: [
        { version: '1704110400000', checksum: 'h' },
        { version: '1704186000000', checksum: 'h' },
      ],
    });
  });

  it('1.x: the names are the versions; rows the upgrade could not name count for nothing', () => {
    const state = drizzleState('t', [row('1', INIT), row('2', null), row('3', ORDERS)], { byName: true });
    expect(state).toMatchObject({ version: ORDERS, appliedVersions: [INIT, ORDERS], dirty: false });
  });

  it('never dirty, and an empty table deploys nothing', () => {
    expect(drizzleState('t', [], { byName: false })).toMatchObject({ version: null, dirty: false, appliedVersions: [] });
  });
});

describe('deployedState with the new tools', () => {
  it('Prisma: the last folder not deployed is pending', async () => {
    const dir = await fixture('prisma');
    const deployed = deployedState(dir, prismaState('t', deployedRows(dir, [INIT, ORDERS])));
    expect(deployed.upToVersion).toBe(ORDERS);
    expect(deployed.pending.map((f) => f.version)).toEqual([STATUS]);
    expect(deployed.warnings).toEqual([]);
  });

  it('Prisma: a folder not applied while a later one is: replayed as desired, with the "not listed" warning', async () => {
    const dir = await fixture('prisma');
    const deployed = deployedState(dir, prismaState('t', deployedRows(dir, [INIT, STATUS])));
    expect(deployed.upToVersion).toBe(STATUS);
    expect(deployed.pending).toEqual([]);
    expect(deployed.warnings).toEqual([
      'files at or below the deployed version that the revision table does not list (replayed as desired): 20240102090000_orders/migration.sql',
    ]);
  });

  it('drizzle journal: files with `when` <= the highest created_at are deployed, later ones pending', async () => {
    const dir = await fixture('drizzle');
    const deployed = deployedState(dir, drizzleState('t', [{ hash: 'h', createdAt: '1704110400000', name: null }, { hash: 'h', createdAt: '1704186000000', name: null }], { byName: false }));
    expect(deployed.upToVersion).toBe('1704186000000');
    expect(deployed.pending.map((f) => f.path)).toEqual(['0002_order_status.sql']);
  });

  it('names files edited after they were deployed (checksum differs), and only those', async () => {
    const dir = await fixture('prisma');
    const [init, orders] = dir.files;
    const rows = [done(INIT, init?.sha256), done(ORDERS, sha('CREATE TABLE something_else ();'))];
    expect(orders).toBeDefined();
    expect(deployedState(dir, prismaState('public._prisma_migrations', rows)).warnings).toEqual([
      'migrations edited after they were deployed (their checksum differs from the one in public._prisma_migrations): 20240102090000_orders/migration.sql',
    ]);
  });
});

describe('matchesChecksum (Prisma\'s script_matches_checksum)', () => {
  const file = (text: string) => ({ sha256: sha(text), sql: text });

  it.each([
    ['the same text', 'a;\nb;\n', sha('a;\nb;\n'), true],
    ['CRLF checked out, LF deployed', 'a;\r\nb;\r\n', sha('a;\nb;\n'), true],
    ['LF checked out, CRLF deployed', 'a;\nb;\n', sha('a;\r\nb;\r\n'), true],
    ['an edit', 'a;\nb;\nc;\n', sha('a;\nb;\n'), false],
    ['upper-case hex', 'x', sha('x').toUpperCase(), true],
  ])('%s', (_name, text, checksum, expected) => {
    expect(matchesChecksum(file(text), checksum)).toBe(expected);
  });

  it('an early Prisma checksum written without zero padding', () => {
    const digest = createHash('sha256').update('hello').digest();
    const unpadded = [...digest].map((b) => b.toString(16)).join('');
    expect(unpadded.length).toBeLessThan(64);
    expect(matchesChecksum(file('hello'), unpadded)).toBe(true);
  });
});

describe('tool-owned objects never diffed', () => {
  it('excludes drizzle\'s schema, table and sequence, and Prisma\'s table', () => {
    const filter = revisionExcludeFilter();
    expect(filter.table).toEqual(expect.arrayContaining(['*._prisma_migrations', '*.__drizzle_migrations']));
    expect(filter.schema).toContain('drizzle');
    expect(filter.sequence).toContain('*.__drizzle_migrations_id_seq');
  });
});
