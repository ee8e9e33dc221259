/**
 * readMigrationDirectory over one fixture directory per format, plus bad layouts built in temp directories.
 */
import { cp, mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReplayError } from '../../src/core/errors.ts';
import { type MigrationFormat, filesUpTo, hashUpTo, readMigrationDirectory } from '../../src/migrations/index.ts';
import { useTempDirs } from '../support/temp-dirs.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'migrations');

const tempDir = useTempDirs('sd-migrations-');

async function copyFixture(name: string): Promise<string> {
  const dir = await tempDir({});
  await cp(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

async function readError(dir: string, format?: MigrationFormat): Promise<ReplayError> {
  const error = await readMigrationDirectory(dir, format ? { format } : {}).then(
    () => new Error('expected readMigrationDirectory to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReplayError);
  return error as ReplayError;
}

describe('fixture directories, one per format', () => {
  it.each([
    ['plain', ['1_init.sql', '2_orders.sql', '10_orders_index.sql'], ['1', '2', '10'], ['README.md']],
    ['golang-migrate',
      ['20240101120000_init.up.sql', '20240102090000_orders.up.sql', '20240103080000_order_summary.up.sql'],
      ['20240101120000', '20240102090000', '20240103080000'],
      ['20240101120000_init.down.sql', '20240102090000_orders.down.sql', '20240103080000_order_summary.down.sql']],
    ['flyway',
      ['V1__init.sql', 'V1.1__orders.sql', 'V1.9__orders_index.sql', 'V1_10__add_refunded_status.sql', 'R__order_totals.sql', 'R__user_view.sql'],
      ['1', '1.1', '1.9', '1.10', null, null], ['U1.1__orders.sql']],
    ['atlas', ['20240101120000_init.sql', '20240102090000_orders.sql', '20240103080000_orders_index.sql'],
      ['20240101120000', '20240102090000', '20240103080000'], []],
    ['dbmate', ['20240101120000_init.sql', '20240102090000_orders.sql', '20240103080000_orders_index.sql'],
      ['20240101120000', '20240102090000', '20240103080000'], []],
  ])('%s is detected and read in apply order', async (format, paths, versions, ignored) => {
    const dir = path.join(FIXTURES, format);
    const result = await readMigrationDirectory(dir);
    expect(result.format).toBe(format);
    expect(result.dir).toBe(dir);
    expect(result.files.map((f) => f.path)).toEqual(paths);
    expect(result.files.map((f) => f.version)).toEqual(versions);
    expect(result.ignored?.map((f) => f.path)).toEqual(ignored);
    expect(result.hash).toMatch(/^[0-9a-f]{64}$/);
    for (const file of result.files) expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('flyway: descriptions, repeatables after versioned ones', async () => {
    const result = await readMigrationDirectory(path.join(FIXTURES, 'flyway'));
    expect(result.files.map((f) => [f.description, f.repeatable])).toEqual([
      ['init', false], ['orders', false], ['orders index', false], ['add refunded status', false],
      ['order totals', true], ['user view', true],
    ]);
  });

  it('dbmate: only the up section, its start line and transaction option', async () => {
    const result = await readMigrationDirectory(path.join(FIXTURES, 'dbmate'));
    const [init, orders, index] = result.files;
    expect(init?.sql).toContain('CREATE TABLE users');
    expect(init?.sql).not.toContain('DROP TABLE');
    expect(init?.sql).not.toContain('migrate:');
    expect([init?.startLine, orders?.startLine, index?.startLine]).toEqual([2, 3, 2]);
    expect(result.files.map((f) => f.transaction)).toEqual([true, true, false]);
    // startLine maps the first line of sql back to the file.
    expect(orders?.sql.split('\n')[0]).toBe('CREATE TABLE orders (');
  });

  it('atlas: txmode none turns the transaction off only for that file', async () => {
    const result = await readMigrationDirectory(path.join(FIXTURES, 'atlas'));
    expect(result.files.map((f) => f.transaction)).toEqual([true, true, false]);
    expect(result.files.map((f) => f.description)).toEqual(['init', 'orders', 'orders_index']);
  });

  it('an explicit format overrides detection', async () => {
    const result = await readMigrationDirectory(path.join(FIXTURES, 'dbmate'), { format: 'plain' });
    expect(result.format).toBe('plain');
    expect(result.files[0]?.sql).toContain('-- migrate:down');
  });
});

describe('layouts and naming rules', () => {
  it('plain: orders versions numerically and strips a BOM', async () => {
    const dir = await tempDir({ '10_c.sql': 'SELECT 10;', '9_b.sql': '\uFEFFSELECT 9;', '0001_a.sql': 'SELECT 1;' });
    const result = await readMigrationDirectory(dir);
    expect(result.files.map((f) => f.path)).toEqual(['0001_a.sql', '9_b.sql', '10_c.sql']);
    expect(result.files[1]?.sql).toBe('SELECT 9;');
  });

  it('plain: files without a leading number are named in the error', async () => {
    const dir = await tempDir({ '1_a.sql': 'SELECT 1;', 'seed.sql': 'SELECT 2;', 'cleanup.sql': 'SELECT 3;' });
    const error = await readError(dir, 'plain');
    expect(error.message).toMatch(/without a leading version number: cleanup\.sql, seed\.sql/);
    expect(error.context.file).toBe(dir);
  });

  it('flyway: an invalid version names the file', async () => {
    const dir = await tempDir({ 'V1__a.sql': 'SELECT 1;', 'Vnext__b.sql': 'SELECT 2;' });
    const error = await readError(dir);
    expect(error.message).toMatch(/invalid Flyway version "next"/);
    expect(error.context.file).toBe(path.join(dir, 'Vnext__b.sql'));
  });

  it('flyway: a .sql.conf with executeInTransaction=false turns the transaction off', async () => {
    const dir = await tempDir({
      'V1__a.sql': 'SELECT 1;',
      'V2__index.sql': 'SELECT 2;',
      'V2__index.sql.conf': 'executeInTransaction=false\n',
    });
    const result = await readMigrationDirectory(dir);
    expect(result.files.map((f) => f.transaction)).toEqual([true, false]);
    expect(result.ignored).toEqual([]);
  });

  it('dbmate: statements before -- migrate:up are refused', async () => {
    const dir = await tempDir({ '1_a.sql': 'SELECT 0;\n-- migrate:up\nSELECT 1;\n-- migrate:down\n' });
    const error = await readError(dir, 'dbmate');
    expect(error.message).toMatch(/statements precede/);
  });

  it('dbmate: a file without -- migrate:down runs its up section to the end', async () => {
    const dir = await tempDir({ '1_a.sql': '-- migrate:up\nSELECT 1;\n' });
    const result = await readMigrationDirectory(dir);
    expect(result.files[0]?.sql).toBe('SELECT 1;\n');
  });

  it('ignores hidden files and lists subdirectories as not read', async () => {
    const dir = await tempDir({ '1_a.sql': 'SELECT 1;', '.2_hidden.sql': 'broken' });
    await mkdir(path.join(dir, 'archive'));
    await writeFile(path.join(dir, 'archive', '2_old.sql'), 'broken');
    const result = await readMigrationDirectory(dir);
    expect(result.files.map((f) => f.path)).toEqual(['1_a.sql']);
    expect(result.ignored).toEqual([{ path: 'archive', reason: 'subdirectory (not read)' }]);
  });
});

describe('subdirectories that cannot be read', () => {
  /** A folder whose listing fails: it holds a link to nothing, which cannot be stat-ed. */
  async function withBrokenFolder(fixture: string, folder: string): Promise<string> {
    const dir = await copyFixture(fixture);
    await mkdir(path.join(dir, folder));
    await symlink(path.join(dir, 'no-such-target'), path.join(dir, folder, 'broken.sql'));
    return dir;
  }

  it.each([undefined, 'flyway'] as const)('a flyway directory (format %s) lists it as not read instead of failing', async (format) => {
    const dir = await withBrokenFolder('flyway', 'archive');
    const result = await readMigrationDirectory(dir, format ? { format } : {});
    expect(result.format).toBe('flyway');
    expect(result.ignored).toContainEqual({ path: 'archive', reason: 'subdirectory (not read)' });
  });

  it('a format that reads folders fails on it, naming the file', async () => {
    const dir = await withBrokenFolder('prisma', '20240104000000_broken');
    const error = await readError(dir, 'prisma');
    expect(error.message).toMatch(/cannot read 20240104000000_broken\/broken\.sql/);
  });
});

describe('errors name what is wrong', () => {
  it.each([
    ['unknown layout', { 'notes.txt': 'x', 'schema.json': '{}' }, undefined,
      /unknown migration layout: found notes\.txt, schema\.json; expected atlas \(atlas\.sum\), golang-migrate/],
    ['ambiguous layout', { '1_a.up.sql': 'SELECT 1;', 'V2__b.sql': 'SELECT 2;' }, undefined,
      /^ambiguous migration layout: found golang-migrate \(1_a\.up\.sql\), flyway \(V2__b\.sql\); name the format/],
    ['duplicate plain version', { '1_a.sql': 'SELECT 1;', '001_b.sql': 'SELECT 2;' }, undefined,
      /^duplicate migration version 001 = 1: 001_b\.sql and 1_a\.sql$/],
    ['duplicate golang-migrate version', { '1_a.up.sql': 'SELECT 1;', '1_b.up.sql': 'SELECT 2;' }, undefined,
      /duplicate migration version 1: 1_a\.up\.sql and 1_b\.up\.sql/],
    ['duplicate flyway version 1.0 = 1', { 'V1__a.sql': 'SELECT 1;', 'V1.0__b.sql': 'SELECT 2;' }, undefined,
      /^duplicate migration version 1\.0 = 1: V1\.0__b\.sql and V1__a\.sql$/],
    ['duplicate flyway repeatable', { 'V1__a.sql': 'SELECT 1;', 'R__x_y.sql': 'SELECT 2;', 'R__x y.sql': 'SELECT 3;' },
      undefined, /^duplicate repeatable migration "x y": R__x y\.sql and R__x_y\.sql$/],
    ['dbmate file without -- migrate:up', { '1_a.sql': '-- migrate:up\nSELECT 1;\n', '2_b.sql': 'SELECT 2;\n' }, 'dbmate',
      /dbmate migration has no "-- migrate:up" section/],
    ['golang-migrate with only down files', { '1_a.down.sql': 'SELECT 1;' }, undefined, /no golang-migrate migrations found/],
  ] as const)('%s', async (_name, files, format, message) => {
    const dir = await tempDir(files);
    const error = await readError(dir, format);
    expect(error.message).toMatch(message);
    expect(error.reason).toBe('replay');
    expect(error.describe()).toContain(dir);
  });

  it('empty directory', async () => {
    const dir = await tempDir({});
    expect((await readError(dir)).message).toBe('migration directory is empty');
  });

  it('missing directory', async () => {
    const dir = path.join(os.tmpdir(), 'sd-no-such-dir-9f3a');
    const error = await readError(dir);
    expect(error.message).toBe('migration directory does not exist');
    expect(error.context.file).toBe(dir);
  });

  it('a file instead of a directory is a schema file; another format needs a directory', async () => {
    const dir = await tempDir({ '1_a.sql': 'SELECT 1;' });
    const error = await readError(path.join(dir, '1_a.sql'), 'plain');
    expect(error.message).toBe('a single file is a schema file (format schema); format plain needs a migration directory');
    expect(error.context.file).toBe(path.join(dir, '1_a.sql'));
  });
});

describe('hash', () => {
  it('is stable, and changes on an edit, a rename, an added file, or another format', async () => {
    const dir = await copyFixture('plain');
    const base = await readMigrationDirectory(dir);
    expect((await readMigrationDirectory(dir)).hash).toBe(base.hash);

    await writeFile(path.join(dir, 'README.md'), 'ignored files do not count');
    expect((await readMigrationDirectory(dir)).hash).toBe(base.hash);

    await writeFile(path.join(dir, '2_orders.sql'), 'CREATE TABLE orders (id int);\n');
    const edited = await readMigrationDirectory(dir);
    expect(edited.hash).not.toBe(base.hash);

    await rename(path.join(dir, '2_orders.sql'), path.join(dir, '3_orders.sql'));
    const renamed = await readMigrationDirectory(dir);
    expect(renamed.hash).not.toBe(edited.hash);

    await writeFile(path.join(dir, '20_more.sql'), 'SELECT 1;\n');
    expect((await readMigrationDirectory(dir)).hash).not.toBe(renamed.hash);

    const asDbmate = await tempDir({ '1_a.sql': '-- migrate:up\nSELECT 1;\n' });
    const plainHash = (await readMigrationDirectory(asDbmate, { format: 'plain' })).hash;
    expect((await readMigrationDirectory(asDbmate)).hash).not.toBe(plainHash);
  });

  it('hashUpTo hashes the deployed prefix and equals the full hash at the last version', async () => {
    const result = await readMigrationDirectory(path.join(FIXTURES, 'flyway'));
    expect(hashUpTo(result, '1.10')).toBe(result.hash);
    expect(hashUpTo(result, '1.9')).not.toBe(result.hash);
    // Repeatables are part of every deployed prefix (Flyway reapplies them after each migrate).
    expect(filesUpTo(result, '1.1').map((f) => f.path)).toEqual([
      'V1__init.sql', 'V1.1__orders.sql', 'R__order_totals.sql', 'R__user_view.sql',
    ]);
  });
});
