/**
 * Prisma Migrate and drizzle-kit directories: detection, apply order and identities, drizzle-kit's journal (which
 * decides what exists) and statement breakpoints, and the lock file's / journal's provider checked against the
 * target's dialect in the engine's desired step.
 */
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, ReplayError } from '../../src/core/errors.ts';
import { dialectNamed } from '../../src/dialects/registry.ts';
import { readDesired } from '../../src/engine/desired.ts';
import { breakpointStatements, type MigrationFormat, readMigrationDirectory } from '../../src/migrations/index.ts';
import { useTempDirs } from '../support/temp-dirs.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

const tempDir = useTempDirs('sd-tools-');

async function readError(dir: string, format?: MigrationFormat): Promise<ReplayError> {
  const error = await readMigrationDirectory(dir, format ? { format } : {}).then(
    () => new Error('expected readMigrationDirectory to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReplayError);
  return error as ReplayError;
}

const FOLDERS = ['20240101120000_init', '20240102090000_orders', '20240103080000_order_status'];
const WHENS = ['1704110400000', '1704186000000', '1704268800000'];

describe('fixture directories of both servers', () => {
  it.each([
    ['migrations', 'postgresql'],
    ['migrations-mysql', 'mysql'],
  ])('%s/prisma: folders in name order, the folder name as version, the lock file as provider', async (base, provider) => {
    const dir = path.join(FIXTURES, base, 'prisma');
    const result = await readMigrationDirectory(dir);
    expect(result.format).toBe('prisma');
    expect(result.files.map((f) => f.path)).toEqual(FOLDERS.map((f) => `${f}/migration.sql`));
    expect(result.files.map((f) => f.version)).toEqual(FOLDERS);
    expect(result.files.map((f) => f.description)).toEqual(['init', 'orders', 'order_status']);
    expect(result.provider).toEqual({ name: provider, file: 'migration_lock.toml' });
    expect(result.ignored).toEqual([]);
  });

  it.each([
    ['migrations', 'postgresql', [1, 3, 2]],
    ['migrations-mysql', 'mysql', [1, 3, 1]],
  ])('%s/drizzle: the journal decides files and order, `when` is the version', async (base, provider, parts) => {
    const dir = path.join(FIXTURES, base, 'drizzle');
    const result = await readMigrationDirectory(dir);
    expect(result.format).toBe('drizzle');
    expect(result.files.map((f) => f.path)).toEqual(['0000_init.sql', '0001_orders.sql', '0002_order_status.sql']);
    expect(result.files.map((f) => f.version)).toEqual(WHENS);
    expect(result.files.map((f) => f.statements?.length)).toEqual(parts);
    expect(result.provider).toEqual({ name: provider, file: 'meta/_journal.json' });
    expect(result.ignored).toEqual([
      { path: '0003_scratch.sql', reason: "not in meta/_journal.json (drizzle-orm's migrator never applies it)", warn: true },
    ]);
  });

  it.each(['migrations', 'migrations-mysql'])('%s/drizzle-folders: folders with snapshot.json, the folder name as version', async (base) => {
    const result = await readMigrationDirectory(path.join(FIXTURES, base, 'drizzle-folders'));
    expect(result.format).toBe('drizzle-folders');
    expect(result.files.map((f) => f.version)).toEqual(FOLDERS);
    expect(result.files.every((f) => f.statements !== undefined)).toBe(true);
    // snapshot.json is drizzle-kit's, not a stray file.
    expect(result.ignored).toEqual([]);
  });
});

describe('detection', () => {
  it('migration_lock.toml with migration folders is Prisma (it used to be an unknown layout)', async () => {
    const dir = await tempDir({
      'migration_lock.toml': 'provider = "postgresql"\n',
      '20240101000000_a/migration.sql': 'CREATE TABLE a (id int);\n',
    });
    expect((await readMigrationDirectory(dir)).format).toBe('prisma');
  });

  it('migration folders without a lock file (and without drizzle-kit\'s snapshot.json) are Prisma too', async () => {
    const dir = await tempDir({ '20240101000000_a/migration.sql': 'CREATE TABLE a (id int);\n' });
    const result = await readMigrationDirectory(dir);
    expect(result.format).toBe('prisma');
    expect(result.provider).toBeUndefined();
  });

  it('meta/_journal.json is drizzle, folders with snapshot.json are drizzle-folders', async () => {
    const journal = await tempDir({
      'meta/_journal.json': JSON.stringify({ dialect: 'postgresql', entries: [{ idx: 0, when: 1, tag: '0000_a', breakpoints: true }] }),
      '0000_a.sql': 'SELECT 1;',
    });
    expect((await readMigrationDirectory(journal)).format).toBe('drizzle');
    const folders = await tempDir({ '20240101000000_a/migration.sql': 'SELECT 1;', '20240101000000_a/snapshot.json': '{}' });
    expect((await readMigrationDirectory(folders)).format).toBe('drizzle-folders');
  });

  it('both drizzle layouts at once are ambiguous (a half-done drizzle-kit up)', async () => {
    const dir = await tempDir({
      'meta/_journal.json': JSON.stringify({ entries: [{ idx: 0, when: 1, tag: '0000_a', breakpoints: true }] }),
      '0000_a.sql': 'SELECT 1;',
      '20240101000000_a/migration.sql': 'SELECT 1;',
      '20240101000000_a/snapshot.json': '{}',
    });
    expect((await readError(dir)).message).toMatch(/^ambiguous migration layout: found drizzle \(meta\/_journal\.json\), drizzle-folders/);
  });

  it('a directory holding only folders is not "empty"', async () => {
    const dir = await tempDir({ 'notes/readme.txt': 'x' });
    expect((await readError(dir)).message).toMatch(/^unknown migration layout: found notes\/; expected atlas/);
  });
});

describe('drizzle-kit journal', () => {
  const journal = (entries: object[], extra: object = {}): string => JSON.stringify({ version: '7', dialect: 'postgresql', entries, ...extra });

  it('follows the journal order, not the file names, and lists unlisted .sql files as ignored with a warning', async () => {
    const dir = await tempDir({
      'meta/_journal.json': journal([
        { idx: 0, version: '7', when: 200, tag: '0001_b', breakpoints: true },
        { idx: 1, version: '7', when: 300, tag: '0000_a', breakpoints: true },
      ]),
      'meta/0000_snapshot.json': '{}',
      '0000_a.sql': 'SELECT 1;',
      '0001_b.sql': 'SELECT 2;',
      '0002_hand_written.sql': 'SELECT 3;',
      'README.md': 'notes',
    });
    const result = await readMigrationDirectory(dir);
    expect(result.files.map((f) => [f.path, f.version])).toEqual([
      ['0001_b.sql', '200'],
      ['0000_a.sql', '300'],
    ]);
    expect(result.ignored).toEqual([
      { path: '0002_hand_written.sql', reason: "not in meta/_journal.json (drizzle-orm's migrator never applies it)", warn: true },
      { path: 'README.md', reason: 'not a .sql file' },
    ]);
  });

  it('an entry whose file is missing is an error naming the journal', async () => {
    const dir = await tempDir({ 'meta/_journal.json': journal([{ idx: 0, when: 1, tag: '0000_gone', breakpoints: true }]) });
    const error = await readError(dir);
    expect(error.message).toBe(`journal entry "0000_gone" has no file 0000_gone.sql (drizzle-orm's migrator fails on it)`);
    expect(error.context.file).toBe(path.join(dir, 'meta/_journal.json'));
  });

  it.each([
    ['not JSON', '{ entries: ', /^meta\/_journal\.json is not valid JSON$/],
    ['a tag that is not a string', JSON.stringify({ entries: [{ idx: 0, when: 1, tag: 7 }] }), /^meta\/_journal\.json: unexpected content at entries\.0\.tag/],
    ['no entries', JSON.stringify({ dialect: 'postgresql' }), /^meta\/_journal\.json: unexpected content at entries/],
  ])('a malformed journal (%s) is an error naming it', async (_name, text, message) => {
    const dir = await tempDir({ 'meta/_journal.json': text, '0000_a.sql': 'SELECT 1;' });
    const error = await readError(dir, 'drizzle');
    expect(error.message).toMatch(message);
    expect(error.context.file).toBe(path.join(dir, 'meta/_journal.json'));
  });

  it('forced format without a journal names the missing file', async () => {
    const dir = await tempDir({ '0000_a.sql': 'SELECT 1;' });
    expect((await readError(dir, 'drizzle')).message).toBe('meta/_journal.json is missing (drizzle-kit generate writes it)');
  });
});

describe('statement breakpoints', () => {
  it('cuts where drizzle-orm cuts, with offsets and lines into the file', () => {
    const text = 'CREATE TABLE a (\n\tid int\n);\n--> statement-breakpoint\nALTER TABLE a ADD b int;--> statement-breakpoint\nCREATE INDEX i ON a (b);\n';
    const statements = breakpointStatements(text);
    expect(statements.map((s) => s.sql)).toEqual(['CREATE TABLE a (\n\tid int\n);', 'ALTER TABLE a ADD b int;', 'CREATE INDEX i ON a (b);']);
    expect(statements.map((s) => s.line)).toEqual([1, 5, 6]);
    for (const s of statements) expect(text.slice(s.offset, s.offset + s.sql.length)).toBe(s.sql);
  });

  it('keeps a body with semicolons in one part (no DELIMITER needed) and drops whitespace-only parts', () => {
    const text =
      'CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.b = 1; SET NEW.c = 2; END;\n--> statement-breakpoint\n\n';
    expect(breakpointStatements(text).map((s) => s.sql)).toEqual([
      'CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.b = 1; SET NEW.c = 2; END;',
    ]);
  });

  it('counts from after a byte order mark, as the file is replayed', () => {
    const [first] = breakpointStatements('\uFEFFSELECT 1;');
    expect(first).toEqual({ sql: 'SELECT 1;', offset: 0, line: 1 });
  });
});

describe('Prisma folders', () => {
  it('a folder without migration.sql is refused, as Prisma refuses it', async () => {
    const dir = await tempDir({
      'migration_lock.toml': 'provider = "postgresql"\n',
      '20240101000000_a/migration.sql': 'SELECT 1;',
      '20240102000000_b/notes.md': 'x',
    });
    const error = await readError(dir);
    expect(error.message).toMatch(/^migration folder 20240102000000_b has no migration\.sql \(Prisma Migrate refuses it/);
    expect(error.context.file).toBe(path.join(dir, '20240102000000_b'));
  });

  it('other files are listed as ignored; a lock file without provider declares nothing', async () => {
    const dir = await tempDir({
      'migration_lock.toml': '# Please do not edit this file manually\n',
      'README.md': 'x',
      '20240101000000_a/migration.sql': 'SELECT 1;',
      '20240101000000_a/notes.md': 'x',
    });
    const result = await readMigrationDirectory(dir);
    expect(result.provider).toBeUndefined();
    expect(result.ignored).toEqual([
      { path: '20240101000000_a/notes.md', reason: 'not read by Prisma Migrate' },
      { path: 'README.md', reason: 'not a Prisma Migrate migration folder' },
    ]);
  });

  it('a lock file that is not TOML names its line', async () => {
    const dir = await tempDir({ 'migration_lock.toml': '# x\nprovider = postgresql\n', '20240101000000_a/migration.sql': 'SELECT 1;' });
    const error = await readError(dir);
    expect(error.message).toMatch(/^migration_lock\.toml is not valid TOML/);
    expect(error.context).toMatchObject({ file: path.join(dir, 'migration_lock.toml'), line: 2 });
  });

  it('names whose text order (Prisma applies by it) and version order differ are refused', async () => {
    const dir = await tempDir({ 'migration_lock.toml': 'provider = "mysql"\n', '9_a/migration.sql': 'SELECT 1;', '10_b/migration.sql': 'SELECT 2;' });
    expect((await readError(dir)).message).toMatch(/^migration folders 10_b and 9_a sort one way as text/);
  });
});

describe('the declared provider must be the target dialect\'s (engine desired step)', () => {
  async function desiredError(base: string, format: string, dialect: 'postgres' | 'mysql'): Promise<ConfigError> {
    const directory = await readMigrationDirectory(path.join(FIXTURES, base, format));
    const error = await readDesired(dialectNamed(dialect), { directory, target: 'prod', inspect: {} }).then(
      () => new Error('expected readDesired to fail'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }

  it('a PostgreSQL lock file on a MySQL/MariaDB target: names migration_lock.toml, the provider and the dialect', async () => {
    const error = await desiredError('migrations', 'prisma', 'mysql');
    expect(error.message).toBe(
      'migration_lock.toml declares provider "postgresql", but the target\'s dialect is MySQL/MariaDB ("mysql"): these migrations are written for another database',
    );
    expect(error.reason).toBe('config');
    expect(error.context).toEqual({ target: 'prod', file: path.join(FIXTURES, 'migrations', 'prisma', 'migration_lock.toml') });
  });

  it('a MySQL lock file on a PostgreSQL target', async () => {
    const error = await desiredError('migrations-mysql', 'prisma', 'postgres');
    expect(error.message).toMatch(/^migration_lock\.toml declares provider "mysql", but the target's dialect is PostgreSQL \("postgresql" or "pg"\)/);
  });

  it('a drizzle-kit journal for another database', async () => {
    const error = await desiredError('migrations-mysql', 'drizzle', 'postgres');
    expect(error.message).toMatch(/^meta\/_journal\.json declares provider "mysql", but the target's dialect is PostgreSQL/);
  });

  it('an old drizzle-kit journal saying "pg" is PostgreSQL', async () => {
    const dir = await tempDir({});
    await cp(path.join(FIXTURES, 'migrations', 'drizzle'), dir, { recursive: true });
    await writeFile(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ version: '5', dialect: 'pg', entries: [{ idx: 0, when: 1, tag: '0000_init', breakpoints: true }] }));
    const directory = await readMigrationDirectory(dir);
    const error = await readDesired(dialectNamed('mysql'), { directory, inspect: {} }).then(() => undefined, (e: unknown) => e);
    expect((error as Error).message).toMatch(/declares provider "pg", but the target's dialect is MySQL/);
    expect(dialectNamed('postgres').migrationProviders).toContain('pg');
  });
});
