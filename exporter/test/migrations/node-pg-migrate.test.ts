/**
 * node-pg-migrate SQL directories: detection from `-- Up Migration` in `<n>_<name>.sql` files, node-pg-migrate's order
 * (the timestamp before the first `_`, then the name), the up section cut as its `getActions` cuts it, `-- no
 * transaction` among the leading comments, code migrations refused, and what `pgmigrations` rows mean (the set of
 * names, never dirty).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/cli.ts';
import { loadConfig } from '../../src/config/load.ts';
import { ReplayError } from '../../src/core/errors.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { nodePgMigrateTimestamp, nodePgMigrateUp } from '../../src/migrations/format-node-pg-migrate.ts';
import { deployedState } from '../../src/revision/deployed.ts';
import { revisionExcludeFilter, versionSetState } from '../../src/revision/revision-state.ts';
import { useTempDirs } from '../support/temp-dirs.ts';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'migrations', 'node-pg-migrate');
const tempDir = useTempDirs('sd-npm-');

async function readError(dir: string, format?: 'node-pg-migrate'): Promise<ReplayError> {
  const error = await readMigrationDirectory(dir, format ? { format } : {}).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReplayError);
  return error as ReplayError;
}

describe('nodePgMigrateUp', () => {
  it('from the up marker to the down marker; the down section never replayed', () => {
    const text = '-- Up Migration\nCREATE TABLE a (id int);\n\n-- Down Migration\nDROP TABLE a;\n';
    const up = nodePgMigrateUp(text);
    // The down marker's match starts at the blank line before it (`^\s*--`).
    expect(up.sql).toBe('-- Up Migration\nCREATE TABLE a (id int);\n');
    expect(up.transaction).toBe(true);
  });

  it.each([
    ['lower case', '-- up migration\nSELECT 1;\n-- down migration\nSELECT 2;\n', '-- up migration\nSELECT 1;\n'],
    ['dashes and spaces', '---- Up   Migration\nSELECT 1;\n--  - Down Migration\nSELECT 2;\n', '---- Up   Migration\nSELECT 1;\n'],
    ['no up marker: the whole file, down section included, as node-pg-migrate runs it', 'SELECT 1;\n-- Down Migration\nSELECT 2;\n', 'SELECT 1;\n-- Down Migration\nSELECT 2;\n'],
    ['down before up: up runs to the end', '-- Down Migration\nSELECT 2;\n-- Up Migration\nSELECT 1;\n', '-- Up Migration\nSELECT 1;\n'],
  ])('%s', (_case, text, sql) => {
    expect(nodePgMigrateUp(text).sql).toBe(sql);
  });

  it.each([
    ['first line', '-- no transaction\n-- Up Migration\nSELECT 1;\n', false],
    ['after the up marker, still a leading comment', '-- Up Migration\n\n--No Transaction\nSELECT 1;\n', false],
    ['after a statement: not a directive', '-- Up Migration\nSELECT 1;\n-- no transaction\n', true],
    ['more words on the line: not a directive', '-- no transaction needed here\n-- Up Migration\nSELECT 1;\n', true],
  ])('"-- no transaction" %s', (_case, text, transaction) => {
    expect(nodePgMigrateUp(text).transaction).toBe(transaction);
  });
});

describe('nodePgMigrateTimestamp', () => {
  it.each([
    ['1704110400000_init', 1704110400000],
    ['20240101120000000_init', Date.UTC(2024, 0, 1, 12, 0, 0, 0)],
    ['0002_b', 2],
    ['init', 0],
  ])('%s → %d', (name, value) => {
    expect(nodePgMigrateTimestamp(name)).toBe(value);
  });
});

describe('reading a node-pg-migrate directory', () => {
  it('the fixture is detected; versions are file names without .sql; the no-transaction file is marked', async () => {
    const result = await readMigrationDirectory(FIXTURE);
    expect(result.format).toBe('node-pg-migrate');
    expect(result.files.map((f) => [f.path, f.version, f.description, f.transaction])).toEqual([
      ['1704110400000_init.sql', '1704110400000_init', 'init', true],
      ['1704186000000_orders.sql', '1704186000000_orders', 'orders', true],
      ['1704240000000_orders-user-index.sql', '1704240000000_orders-user-index', 'orders-user-index', false],
      ['1704272400000_order-status.sql', '1704272400000_order-status', 'order-status', true],
    ]);
    for (const file of result.files) expect(file.sql).not.toMatch(/DROP/);
    expect(result.provider).toMatchObject({ name: 'postgresql', tool: 'node-pg-migrate' });
  });

  it('the up section keeps its line in the file for error positions', async () => {
    const dir = await tempDir({ '1704110400000_a.sql': '-- a comment\n\n-- Up Migration\nCREATE TABLE a (id int);\n' });
    const [file] = (await readMigrationDirectory(dir)).files;
    // The marker's match starts at the blank line before it (`^\s*--`), line 2.
    expect(file?.sql).toBe('\n-- Up Migration\nCREATE TABLE a (id int);\n');
    expect(file?.startLine).toBe(2);
  });

  it('orders by timestamp then name, utc (17-digit) names as dates', async () => {
    const dir = await tempDir({
      '20240102000000000_c.sql': '-- Up Migration\nSELECT 3;\n',
      '20240101000000000_b.sql': '-- Up Migration\nSELECT 2;\n',
      '20240101000000000_a.sql': '-- Up Migration\nSELECT 1;\n',
    });
    expect((await readMigrationDirectory(dir)).files.map((f) => f.path)).toEqual([
      '20240101000000000_a.sql',
      '20240101000000000_b.sql',
      '20240102000000000_c.sql',
    ]);
  });

  it('refuses a directory whose names do not sort the way node-pg-migrate runs them', async () => {
    // utc 2024-01-01 runs before 1800000000000 (2027), but as versions the 17-digit number is the larger.
    const dir = await tempDir({
      '20240101000000000_a.sql': '-- Up Migration\nSELECT 1;\n',
      '1800000000000_b.sql': '-- Up Migration\nSELECT 2;\n',
    });
    expect((await readError(dir)).message).toMatch(/node-pg-migrate runs 20240101000000000_a\.sql before 1800000000000_b\.sql/);
  });

  it('refuses code migrations, naming them', async () => {
    const dir = await tempDir({
      '1704110400000_init.sql': '-- Up Migration\nCREATE TABLE a (id int);\n',
      '1704186000000_seed.js': 'exports.up = (pgm) => {};\n',
    });
    expect((await readError(dir, 'node-pg-migrate')).message).toMatch(/code migrations cannot be replayed .*1704186000000_seed\.js/);
  });

  it('lists another file as ignored with a warning (node-pg-migrate would load it)', async () => {
    const dir = await tempDir({ '1704110400000_init.sql': '-- Up Migration\nSELECT 1;\n', 'README.md': '# migrations\n' });
    const result = await readMigrationDirectory(dir);
    expect(result.ignored).toEqual([expect.objectContaining({ path: 'README.md', warn: true })]);
  });
});

describe('detection', () => {
  it('golang-migrate files mentioning "up migration" stay golang-migrate', async () => {
    const dir = await tempDir({ '1_a.up.sql': '-- Up Migration\nSELECT 1;\n', '1_a.down.sql': 'SELECT 2;\n' });
    expect((await readMigrationDirectory(dir)).format).toBe('golang-migrate');
  });

  it('a numbered directory without the marker is plain; the unknown-layout message names node-pg-migrate', async () => {
    expect((await readMigrationDirectory(await tempDir({ '1704110400000_a.sql': 'SELECT 1;\n' }))).format).toBe('plain');
    const error = await readError(await tempDir({ 'init.sql': '-- Up Migration\nSELECT 1;\n' }));
    expect(error.message).toMatch(/unknown migration layout.*node-pg-migrate \(<timestamp>_<name>\.sql files with "-- Up Migration"\)/);
  });

  it('beside goose markers it is ambiguous, naming both', async () => {
    const dir = await tempDir({ '1_a.sql': '-- +goose Up\nSELECT 1;\n', '2_b.sql': '-- Up Migration\nSELECT 2;\n' });
    expect((await readError(dir)).message).toMatch(/^ambiguous migration layout: found goose \(1_a\.sql\), node-pg-migrate \(2_b\.sql\)/);
  });
});

describe('pgmigrations', () => {
  it('the set of names decides; the last one is the deployed version; never dirty', () => {
    const state = versionSetState('node-pg-migrate', 'public.pgmigrations', ['1704186000000_orders', '1704110400000_init']);
    expect(state).toEqual({
      tool: 'node-pg-migrate',
      table: 'public.pgmigrations',
      version: '1704186000000_orders',
      dirty: false,
      appliedVersions: ['1704110400000_init', '1704186000000_orders'],
    });
    expect(versionSetState('node-pg-migrate', 'public.pgmigrations', [])).toMatchObject({ version: null, dirty: false });
  });

  it('later files are pending; a file before the last applied that has no row is named in a warning', async () => {
    const directory = await readMigrationDirectory(FIXTURE);
    const names = directory.files.map((f) => f.version as string);
    const pending = deployedState(directory, versionSetState('node-pg-migrate', 'public.pgmigrations', names.slice(0, 2)));
    expect(pending.upToVersion).toBe('1704186000000_orders');
    expect(pending.pending.map((f) => f.path)).toEqual(['1704240000000_orders-user-index.sql', '1704272400000_order-status.sql']);
    expect(pending.warnings).toEqual([]);
    // --no-check-order: the 3rd ran before the 2nd.
    const gap = deployedState(directory, versionSetState('node-pg-migrate', 'public.pgmigrations', [names[0], names[2]] as string[]));
    expect(gap.pending.map((f) => f.path)).toEqual(['1704272400000_order-status.sql']);
    expect(gap.warnings.join('\n')).toMatch(/1704186000000_orders\.sql/);
  });

  it('pgmigrations and its id sequence are excluded from every diff', () => {
    const filter = revisionExcludeFilter();
    expect(filter.table).toContain('*.pgmigrations');
    expect(filter.sequence).toContain('*.pgmigrations_id_seq');
  });
});

describe('naming the format', () => {
  it('desired.format: node-pg-migrate is accepted by the configuration', async () => {
    const dir = await tempDir({ '1704110400000_init.sql': '-- Up Migration\nSELECT 1;\n' });
    const file = path.join(dir, 'schema-drift.yaml');
    await writeFile(file, `targets:\n  - name: a\n    url: postgres://app@db/a\n    desired: { dir: ., format: node-pg-migrate }\n`);
    const config = await loadConfig(file, {});
    expect(config.targets[0]?.desired.format).toBe('node-pg-migrate');
  });

  it('--dir-format node-pg-migrate reads a directory without the marker as node-pg-migrate (whole files)', async () => {
    const dir = await tempDir({ '1704110400000_init.sql': 'CREATE TABLE npm_t (id int);\n' });
    let stdout = '';
    let stderr = '';
    const code = await main(['inspect', dir, '--format', 'sql', '--dir-format', 'node-pg-migrate'], {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/npm_t/);
  }, 60_000);
});
