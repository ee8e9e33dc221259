/**
 * goose directories: detection from `-- +goose Up`, versions in numeric order, the up section cut as goose's parser
 * cuts it (StatementBegin/End blocks, NO TRANSACTION, the down section never replayed), and what `goose_db_version`
 * rows mean (the latest row per version, version 0 not a migration, no failure recorded).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReplayError } from '../../src/core/errors.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { parseGooseUp } from '../../src/migrations/format-goose.ts';
import { deployedState } from '../../src/revision/deployed.ts';
import { gooseState, type GooseRow } from '../../src/revision/goose-state.ts';
import { revisionExcludeFilter } from '../../src/revision/revision-state.ts';
import { useTempDirs } from '../support/temp-dirs.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const tempDir = useTempDirs('sd-goose-');

const fail = (message: string, line: number): Error => new Error(`${line}: ${message}`);
const sqlOf = (text: string): string[] => parseGooseUp(text, fail).statements.map((s) => s.sql);

describe('parseGooseUp', () => {
  it('one statement per line ending in ";", comments before a statement dropped, the down section ignored', () => {
    const text = '-- +goose Up\n-- a comment\nCREATE TABLE a (id int);\nCREATE TABLE b (\n  id int -- inline\n);\n\n-- +goose Down\nDROP TABLE b;\nDROP TABLE a;\n';
    const up = parseGooseUp(text, fail);
    expect(up.statements).toEqual([
      { sql: 'CREATE TABLE a (id int)', offset: text.indexOf('CREATE TABLE a'), line: 3 },
      { sql: 'CREATE TABLE b (\n  id int -- inline\n)', offset: text.indexOf('CREATE TABLE b'), line: 4 },
    ]);
    expect(up.transaction).toBe(true);
    expect(text.slice(0, up.end)).not.toMatch(/DROP/);
  });

  it('StatementBegin … StatementEnd is one statement, semicolons inside kept', () => {
    const body = 'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$';
    const text = `-- +goose Up\n-- +goose StatementBegin\n${body};\n-- +goose StatementEnd\nCREATE TABLE t (id int);\n-- +goose Down\n-- +goose StatementBegin\nDROP FUNCTION f();\n-- +goose StatementEnd\n`;
    expect(sqlOf(text)).toEqual([body, 'CREATE TABLE t (id int)']);
  });

  it('a MySQL trigger body in a block keeps its inner statements and its END', () => {
    const text = '-- +goose Up\n-- +goose StatementBegin\nCREATE TRIGGER t BEFORE INSERT ON u FOR EACH ROW\nBEGIN\n  SET NEW.a = 1;\nEND;\n-- +goose StatementEnd\n';
    expect(sqlOf(text)).toEqual(['CREATE TRIGGER t BEFORE INSERT ON u FOR EACH ROW\nBEGIN\n  SET NEW.a = 1;\nEND']);
  });

  it.each([
    ['before Up', '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (a);\n'],
    ['after Up', '-- +goose Up\n-- +goose NO TRANSACTION\nCREATE INDEX CONCURRENTLY i ON t (a);\n'],
    ['in the down section', '-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- +goose Down\n-- +goose NO TRANSACTION\nDROP INDEX CONCURRENTLY i;\n'],
  ])('NO TRANSACTION %s: the file runs outside a transaction', (_, text) => {
    const up = parseGooseUp(text, fail);
    expect(up.transaction).toBe(false);
    expect(up.statements.map((s) => s.sql)).toEqual(['CREATE INDEX CONCURRENTLY i ON t (a)']);
  });

  it.each([
    ['no Up annotation', 'CREATE TABLE t (id int);\n', /must start with "-- \+goose Up"/],
    ['Down before Up', '-- +goose Down\nDROP TABLE t;\n', /"-- \+goose Down" before "-- \+goose Up"/],
    ['two Up annotations', '-- +goose Up\n-- +goose Up\n', /duplicate/],
    ['an unclosed block', '-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n', /missing "-- \+goose StatementEnd"/],
    ['StatementEnd without Begin', '-- +goose Up\n-- +goose StatementEnd\n', /without "-- \+goose StatementBegin"/],
    ['a missing semicolon', '-- +goose Up\nCREATE TABLE t (id int)\n-- +goose Down\n', /missing semicolon/],
  ])('refuses %s, as goose does', (_, text, message) => {
    expect(() => parseGooseUp(text, fail)).toThrow(message);
  });
});

describe('goose directories', () => {
  it.each(['migrations', 'migrations-mysql'])('%s/goose: detected, numeric order, up section only, NO TRANSACTION honoured', async (base) => {
    const result = await readMigrationDirectory(path.join(FIXTURES, base, 'goose'));
    expect(result.format).toBe('goose');
    expect(result.files.map((f) => f.version)).toEqual(['20240101120000', '20240102090000', '20240103080000']);
    expect(result.files.map((f) => f.description)).toEqual(['init', 'orders', 'order_status']);
    expect(result.files.map((f) => f.transaction)).toEqual([true, true, false]);
    for (const file of result.files) expect(file.sql).not.toMatch(/\+goose Down|DROP/);
    // The StatementBegin block of the first file is one statement (a function on PostgreSQL, a trigger on MySQL).
    expect(result.files[0]?.statements?.some((s) => /BEGIN[\s\S]*;[\s\S]*END/.test(s.sql))).toBe(true);
  });

  it('sequential versions order as numbers (2 before 10); non-migration names are listed, not applied', async () => {
    const up = (sql: string): string => `-- +goose Up\n${sql}\n-- +goose Down\n`;
    const dir = await tempDir({
      '10_c.sql': up('CREATE TABLE c (id int);'),
      '2_b.sql': up('CREATE TABLE b (id int);'),
      '00001_a.sql': up('CREATE TABLE a (id int);'),
      '0_zero.sql': up('SELECT 1;'),
      '3_backfill.go': 'package migrations',
      'notes.txt': 'x',
    });
    const result = await readMigrationDirectory(dir);
    expect(result.format).toBe('goose');
    expect(result.files.map((f) => f.path)).toEqual(['00001_a.sql', '2_b.sql', '10_c.sql']);
    expect(result.ignored?.map((f) => f.path)).toEqual(['0_zero.sql', '3_backfill.go', 'notes.txt']);
    // goose applies Go migrations (from the application's binary), so no "never applies" warning; the reason says why.
    expect(result.ignored?.find((f) => f.path === '3_backfill.go')).toEqual({
      path: '3_backfill.go',
      reason: 'goose Go migration (compiled into the application, not replayed)',
    });
    expect(result.ignored?.find((f) => f.path === '0_zero.sql')?.warn).toBe(true);
  });

  it('a file goose cannot parse is an error naming the file and line', async () => {
    const dir = await tempDir({ '1_a.sql': '-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n' });
    const error = await readMigrationDirectory(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayError);
    expect((error as ReplayError).message).toMatch(/missing "-- \+goose StatementEnd"/);
    expect((error as ReplayError).context).toEqual({ file: path.join(dir, '1_a.sql'), line: 2 });
  });

  it('--dir-format goose reads a directory whose detection is ambiguous', async () => {
    const dir = await tempDir({ '1_a.sql': '-- +goose Up\n-- migrate:up\nCREATE TABLE a (id int);\n' });
    await expect(readMigrationDirectory(dir)).rejects.toThrow(/ambiguous.*dbmate.*goose/);
    expect((await readMigrationDirectory(dir, { format: 'goose' })).files).toHaveLength(1);
  });
});

const row = (versionId: string, isApplied = true): GooseRow => ({ versionId, isApplied });

describe('gooseState', () => {
  it('version 0 is goose\'s own row, not a migration; applied rows make the set and the version', () => {
    expect(gooseState('public.goose_db_version', [row('0'), row('1'), row('3')])).toEqual({
      tool: 'goose',
      table: 'public.goose_db_version',
      version: '3',
      dirty: false,
      appliedVersions: ['1', '3'],
    });
    expect(gooseState('t', [row('0')])).toMatchObject({ version: null, appliedVersions: [] });
  });

  it('the latest row per version decides (older goose inserted is_applied = false on down)', () => {
    expect(gooseState('t', [row('0'), row('1'), row('2'), row('2', false)])).toMatchObject({ version: '1', appliedVersions: ['1'] });
    expect(gooseState('t', [row('0'), row('1'), row('1', false), row('1')])).toMatchObject({ version: '1', appliedVersions: ['1'] });
  });

  it('never dirty: goose records no failure', () => {
    expect(gooseState('t', [row('0'), row('1', false)]).dirty).toBe(false);
  });

  it('against a directory: later files pending, an unrecorded lower file replayed with a warning', async () => {
    const dir = await readMigrationDirectory(path.join(FIXTURES, 'migrations', 'goose'));
    const pending = deployedState(dir, gooseState('t', [row('0'), row('20240101120000'), row('20240102090000')]));
    expect(pending).toEqual({ upToVersion: '20240102090000', pending: [dir.files[2]], leaveOut: [], unchecked: {}, warnings: [] });
    const gap = deployedState(dir, gooseState('t', [row('0'), row('20240101120000'), row('20240103080000')]));
    expect(gap.pending).toEqual([]);
    expect(gap.warnings).toEqual([expect.stringMatching(/does not list .*20240102090000_orders\.sql/)]);
  });

  it('goose_db_version and its id sequence are excluded from every diff', () => {
    const filter = revisionExcludeFilter();
    expect(filter.table).toContain('*.goose_db_version');
    expect(filter.sequence).toContain('*.goose_db_version_id_seq');
  });
});
