/**
 * Schema files (format `schema`): a directory of un-numbered `.sql` files or one file is the whole desired schema,
 * read without versions, detected where nothing else fits, and never bounded by a database's revision table.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReplayError } from '../../src/core/errors.ts';
import { migrationFilePath } from '../../src/migrations/format-schema.ts';
import { detectFormat, readMigrationDirectory } from '../../src/migrations/index.ts';
import { deployedState } from '../../src/revision/deployed.ts';
import { golangMigrateState, type RevisionState } from '../../src/revision/revision-state.ts';
import { useTempDirs } from '../support/temp-dirs.ts';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'migrations', 'schema');

const tempDir = useTempDirs('sd-schema-');

describe('a directory of schema files', () => {
  it('is not guessed from un-numbered files (a misnamed migration would replay silently): unknown layout naming schema', async () => {
    const error = (await readMigrationDirectory(FIXTURE).catch((e: unknown) => e)) as ReplayError;
    expect(error).toBeInstanceOf(ReplayError);
    expect(error.message).toMatch(/^unknown migration layout: found README\.md, departments\.sql, staff\.sql, views\.sql; expected .*schema \(a single \.sql file, Supabase's supabase\/schemas\/, or with --dir-format schema/);
  });

  it('named as format schema: files apply in name order', async () => {
    const dir = await readMigrationDirectory(FIXTURE, { format: 'schema' });
    expect(dir.format).toBe('schema');
    expect(dir.files.map((f) => f.path)).toEqual(['departments.sql', 'staff.sql', 'views.sql']);
    expect(dir.ignored).toEqual([{ path: 'README.md', reason: 'not a .sql file' }]);
    for (const file of dir.files) {
      expect(file).toMatchObject({ version: null, repeatable: false, transaction: false, clientScript: true, startLine: 1 });
    }
    expect(dir.singleFile).toBeUndefined();
    expect(migrationFilePath(dir, dir.files[1]!)).toBe(path.join(FIXTURE, 'staff.sql'));
  });

  it('a numbered file makes it plain, as before (Supabase files named 00_x.sql need --dir-format schema)', async () => {
    const dir = await tempDir({ '00_extensions.sql': 'SELECT 1;', '01_tables.sql': 'SELECT 2;' });
    expect((await readMigrationDirectory(dir)).format).toBe('plain');
    const named = await readMigrationDirectory(dir, { format: 'schema' });
    expect(named.format).toBe('schema');
    expect(named.files.map((f) => [f.path, f.version])).toEqual([['00_extensions.sql', null], ['01_tables.sql', null]]);
  });

  it.each([
    ['dbmate', { 'a.sql': '-- migrate:up\nSELECT 1;\n' }],
    ['goose', { 'a.sql': '-- +goose Up\nSELECT 1;\n' }],
    ['plain', { '1_a.sql': 'SELECT 1;', 'b.sql': 'SELECT 2;' }],
  ] as const)('detection: %s', (format, files) => {
    const entries = Object.entries(files).map(([name, text]) => ({ name, text, bytes: Buffer.from(text) }));
    expect(detectFormat('/dir', entries)).toBe(format);
  });

  it('detection: a directory of un-numbered .sql files is not guessed to be a schema', () => {
    const entries = [{ name: 'a.sql', text: 'SELECT 1;', bytes: Buffer.from('SELECT 1;') }];
    expect(() => detectFormat('/dir', entries)).toThrow(/^unknown migration layout: found a\.sql;/);
  });

  it('hash changes when a file is edited', async () => {
    const dir = await tempDir({ 'a.sql': 'CREATE TABLE a (id int);', 'b.sql': 'CREATE TABLE b (id int);' });
    const before = await readMigrationDirectory(dir, { format: 'schema' });
    await writeFile(path.join(dir, 'b.sql'), 'CREATE TABLE b (id bigint);');
    const after = await readMigrationDirectory(dir, { format: 'schema' });
    expect(after.hash).not.toBe(before.hash);
  });
});

describe('a single schema file', () => {
  it('is read alone, as format schema, and its errors name the file itself', async () => {
    const dir = await tempDir({ 'structure.sql': 'CREATE TABLE a (id int);\n' });
    const file = path.join(dir, 'structure.sql');
    const read = await readMigrationDirectory(file);
    expect(read).toMatchObject({ dir: file, format: 'schema', singleFile: true, ignored: [] });
    expect(read.files).toHaveLength(1);
    expect(read.files[0]).toMatchObject({ path: 'structure.sql', version: null, transaction: false, clientScript: true });
    expect(migrationFilePath(read, read.files[0]!)).toBe(file);
    expect((await readMigrationDirectory(file, { format: 'schema' })).hash).toBe(read.hash);
  });

  it('with another format named, it is refused', async () => {
    const dir = await tempDir({ 'structure.sql': 'CREATE TABLE a (id int);\n' });
    const error = (await readMigrationDirectory(path.join(dir, 'structure.sql'), { format: 'golang-migrate' }).catch(
      (e: unknown) => e,
    )) as ReplayError;
    expect(error).toBeInstanceOf(ReplayError);
    expect(error.message).toBe('a single file is a schema file (format schema); format golang-migrate needs a migration directory');
  });
});

describe('no revision table applies to a schema file', () => {
  const dirty: RevisionState = golangMigrateState('public.schema_migrations', { version: '20240105', dirty: true });

  it('is never bounded nor pending, and warns of nothing', async () => {
    const dir = await readMigrationDirectory(FIXTURE, { format: 'schema' });
    const none = { upToVersion: undefined, pending: [], leaveOut: [], unchecked: {}, warnings: [] };
    expect(deployedState(dir, dirty)).toEqual(none);
    expect(deployedState(dir, { ...dirty, version: null, appliedVersions: [] })).toEqual(none);
  });

  it('while a migration directory is (the same revision state bounds it)', async () => {
    const dir = await tempDir({ '20240101_a.sql': 'SELECT 1;', '20240201_b.sql': 'SELECT 2;' });
    const state = deployedState(await readMigrationDirectory(dir), golangMigrateState('public.schema_migrations', { version: '20240101', dirty: false }));
    expect(state.upToVersion).toBe('20240101');
    expect(state.pending.map((f) => f.path)).toEqual(['20240201_b.sql']);
  });
});

describe("Supabase's supabase/schemas beside supabase/config.toml", () => {
  /** A `supabase/` folder with `config.toml` (`toml`) and `schemas/` holding `files`; returns the schemas folder. */
  async function supabase(toml: string, files: Record<string, string>): Promise<string> {
    const root = await tempDir({});
    const schemas = path.join(root, 'supabase', 'schemas');
    await mkdir(path.join(schemas, 'functions'), { recursive: true });
    await writeFile(path.join(root, 'supabase', 'config.toml'), toml);
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(schemas, name), content);
    return schemas;
  }

  it('is a schema directory even with numbered files, applied in name order without schema_paths', async () => {
    const dir = await supabase('project_id = "shop"\n[db.migrations]\nschema_paths = []\n', {
      '10_tables.sql': 'CREATE TABLE a (id int);',
      '00_extensions.sql': 'SELECT 1;',
    });
    const read = await readMigrationDirectory(dir);
    expect(read.format).toBe('schema');
    expect(read.files.map((f) => f.path)).toEqual(['00_extensions.sql', '10_tables.sql']);
  });

  it("a schemas folder beside another tool's config.toml is detected as usual", async () => {
    const dir = await supabase('[server]\nport = 8080\n', { '001_init.sql': 'SELECT 1;' });
    expect((await readMigrationDirectory(dir)).format).toBe('plain');
  });

  it('schema_paths: each pattern in its order, matches sorted, first place kept; unlisted files named, never applied', async () => {
    const dir = await supabase(
      [
        'project_id = "shop"',
        '[db.migrations]',
        'enabled = true',
        'schema_paths = ["./schemas/employees.sql", "./schemas/functions/*.sql", "./schemas/m*.sql", "./schemas/employees.sql", "./schemas/none/*.sql"]',
        '',
      ].join('\n'),
      {
        'managers.sql': 'CREATE TABLE managers (id int);',
        'employees.sql': 'CREATE TABLE employees (id int);',
        'misc.sql': 'SELECT 1;',
        'unlisted.sql': 'SELECT 2;',
        'functions/b.sql': 'SELECT 3;',
        'functions/a.sql': 'SELECT 4;',
      },
    );
    const read = await readMigrationDirectory(dir);
    expect(read.format).toBe('schema');
    expect(read.files.map((f) => f.path)).toEqual(['employees.sql', 'functions/a.sql', 'functions/b.sql', 'managers.sql', 'misc.sql']);
    expect(migrationFilePath(read, read.files[1]!)).toBe(path.join(dir, 'functions', 'a.sql'));
    const config = path.join(path.dirname(dir), 'config.toml');
    expect(read.ignored).toEqual([
      { path: './schemas/none/*.sql', reason: `schema_paths pattern in ${config} matches no file`, warn: true },
      { path: 'unlisted.sql', reason: `not listed in schema_paths of ${config}`, warn: true },
    ]);
  });

  it('a schema_paths that is not a list of strings is an error naming config.toml', async () => {
    const dir = await supabase('[db.migrations]\nschema_paths = "./schemas/*.sql"\n', { 'a.sql': 'SELECT 1;' });
    const error = (await readMigrationDirectory(dir).catch((e: unknown) => e)) as ReplayError;
    expect(error).toBeInstanceOf(ReplayError);
    expect(error.message).toBe('[db.migrations] schema_paths must be a list of strings');
    expect(error.context.file).toBe(path.join(path.dirname(dir), 'config.toml'));
  });
});
