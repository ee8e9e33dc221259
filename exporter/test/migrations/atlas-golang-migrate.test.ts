/**
 * Atlas's golang-migrate layout (`atlas migrate … --dir "file://migrations?format=golang-migrate"`): `atlas.sum`
 * beside `<version>_<title>.up.sql` / `.down.sql`.
 *
 * The expected sums are computed here from Atlas's algorithm, independently of `atlas-sum.ts`, and that computation
 * is itself pinned by an atlas.sum Atlas wrote for such a directory (quoted verbatim in ent/ent
 * `doc/website/blog/2022-05-09-versioned-migrations-sum-file.md`). The rules, from ariga/atlas:
 * - which files: every `*.sql` of the directory, down files included — `GolangMigrateDir.Checksum` delegates to
 *   `LocalDir.Checksum`, which hashes `LocalDir.Files()`, the `*.sql` glob (`sql/sqltool/tool.go`,
 *   `sql/migrate/dir.go`); `sql/sqltool/tool_test.go` `TestChecksum` expects
 *   `1_initial.down.sql, 1_initial.up.sql, 2_second_migration.down.sql, 2_second_migration.up.sql`;
 * - order: by name, byte order (so a version's `.down.sql` comes before its `.up.sql`);
 * - hash (`NewHashFile`, `HashFile.Sum`, `MarshalText`): one running sha256 fed name then bytes of each file, each
 *   file's hash the base64 of the digest so far; the total is base64(sha256(name1 hash1 name2 hash2 …)).
 */
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReplayError } from '../../src/core/errors.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { type TempDatabase, createTempPgDatabase } from '../support/servers.ts';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'migrations', 'atlas-golang-migrate');

/** atlas.sum text for `files`, written from Atlas's algorithm (see the header), not from our implementation. */
function atlasSumText(files: Record<string, string | Buffer>): string {
  const names = Object.keys(files)
    .filter((name) => name.endsWith('.sql'))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const running = createHash('sha256');
  const lines: [string, string][] = [];
  for (const name of names) {
    running.update(name);
    running.update(files[name] as string | Buffer);
    lines.push([name, running.copy().digest('base64')]);
  }
  const total = createHash('sha256');
  for (const [name, hash] of lines) total.update(name).update(hash);
  return `h1:${total.digest('base64')}\n${lines.map(([name, hash]) => `${name} h1:${hash}\n`).join('')}`;
}

// Written by Atlas (through ent's schema.WithSumFile with golang-migrate files), quoted verbatim from the ent blog post.
const ENT_BLOG = {
  '20220504114411_initial.up.sql':
    '-- create "users" table\nCREATE TABLE `users` (`id` bigint NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`)) CHARSET utf8mb4 COLLATE utf8mb4_bin;\n',
  '20220504114411_initial.down.sql': '-- reverse: create "users" table\nDROP TABLE `users`;\n',
};
const ENT_BLOG_SUM =
  'h1:SxbWjP6gufiBpBjOVtFXgXy7q3pq1X11XYUxvT4ErxM=\n' +
  '20220504114411_initial.down.sql h1:OllnelRaqecTrPbd2YpDbBEymCpY/l6ihbyd/tVDgeY=\n' +
  '20220504114411_initial.up.sql h1:o/6yOczGSNYQLlvALEU9lK2/L6/ws65FrHJkEk/tjBk=\n';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

async function writeDir(files: Record<string, string>, sum = atlasSumText(files)): Promise<string> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sd-atlas-gm-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  await writeFile(path.join(dir, 'atlas.sum'), sum);
  return dir;
}

async function copyFixture(): Promise<string> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sd-atlas-gm-'));
  await cp(FIXTURE, dir, { recursive: true });
  return dir;
}

async function readError(target: string): Promise<ReplayError> {
  const error = await readMigrationDirectory(target, { format: 'atlas' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReplayError);
  return error as ReplayError;
}

describe('atlas.sum of a golang-migrate layout', () => {
  it('the algorithm above reproduces an atlas.sum Atlas wrote for golang-migrate files', () => {
    expect(atlasSumText(ENT_BLOG)).toBe(ENT_BLOG_SUM);
  });

  it('accepts that Atlas-written directory and keeps only its up file', async () => {
    const result = await readMigrationDirectory(await writeDir(ENT_BLOG, ENT_BLOG_SUM), { format: 'atlas' });
    expect(result.files.map((f) => f.path)).toEqual(['20220504114411_initial.up.sql']);
    expect(result.ignored?.map((f) => f.path)).toEqual(['20220504114411_initial.down.sql']);
  });

  it('the fixture atlas.sum sums every .sql file, down files included', async () => {
    const names = (await readdir(FIXTURE)).filter((n) => n.endsWith('.sql'));
    const files = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(path.join(FIXTURE, n))] as const)));
    const sum = await readFile(path.join(FIXTURE, 'atlas.sum'), 'utf8');
    expect(sum).toBe(atlasSumText(files));
    expect(sum).toContain('20240101120000_init.down.sql h1:');
  });

  it('verifies the fixture and replays the up files only, in version order', async () => {
    const result = await readMigrationDirectory(FIXTURE, { format: 'atlas' });
    expect(result.format).toBe('atlas');
    expect(result.files.map((f) => [f.path, f.version, f.description])).toEqual([
      ['20240101120000_init.up.sql', '20240101120000', 'init'],
      ['20240102090000_orders.up.sql', '20240102090000', 'orders'],
      ['20240103080000_order_summary.up.sql', '20240103080000', 'order_summary'],
    ]);
    expect(result.ignored).toEqual([
      { path: '20240101120000_init.down.sql', reason: 'down migration (summed in atlas.sum, not replayed)' },
      { path: '20240102090000_orders.down.sql', reason: 'down migration (summed in atlas.sum, not replayed)' },
      { path: '20240103080000_order_summary.down.sql', reason: 'down migration (summed in atlas.sum, not replayed)' },
    ]);
  });

  it('orders by version as golang-migrate does (9 before 10), not by name', async () => {
    const result = await readMigrationDirectory(
      await writeDir({
        '10_b.up.sql': 'CREATE TABLE b (id int);\n',
        '10_b.down.sql': 'DROP TABLE b;\n',
        '9_a.up.sql': 'CREATE TABLE a (id int);\n',
        '9_a.down.sql': 'DROP TABLE a;\n',
      }),
      { format: 'atlas' },
    );
    expect(result.files.map((f) => f.path)).toEqual(['9_a.up.sql', '10_b.up.sql']);
  });

  it.each([
    ['an edited up file', '20240102090000_orders.up.sql', /checksum of 20240102090000_orders\.up\.sql does not match atlas\.sum/],
    ['an edited down file', '20240102090000_orders.down.sql', /checksum of 20240102090000_orders\.down\.sql does not match atlas\.sum/],
  ])('refuses %s, naming it', async (_case, name, message) => {
    const target = await copyFixture();
    await writeFile(path.join(target, name), `${await readFile(path.join(target, name), 'utf8')}-- edited\n`);
    const error = await readError(target);
    expect(error.message).toMatch(message);
    expect(error.reason).toBe('replay');
  });

  it('refuses a sum over the up files only: Atlas sums the down files too', async () => {
    const files = { '1_a.up.sql': 'CREATE TABLE a (id int);\n', '1_a.down.sql': 'DROP TABLE a;\n' };
    const error = await readError(await writeDir(files, atlasSumText({ '1_a.up.sql': files['1_a.up.sql'] })));
    expect(error.message).toMatch(/1_a\.down\.sql is not listed in atlas\.sum/);
  });

  it('refuses golang-migrate files mixed with Atlas-named files, naming them', async () => {
    const error = await readError(
      await writeDir({ '1_a.up.sql': 'CREATE TABLE a (id int);\n', '1_a.down.sql': 'DROP TABLE a;\n', '2_b.sql': 'SELECT 1;\n' }),
    );
    expect(error.message).toMatch(/mixes golang-migrate files \(1_a\.down\.sql\) with other \.sql files \(2_b\.sql\)/);
  });
});

describe('detecting the layout', () => {
  it('atlas.sum listing the .up/.down files: Atlas, verified, without naming the format', async () => {
    const result = await readMigrationDirectory(FIXTURE);
    expect(result.format).toBe('atlas');
    expect(result.files.map((f) => f.path)).toEqual([
      '20240101120000_init.up.sql',
      '20240102090000_orders.up.sql',
      '20240103080000_order_summary.up.sql',
    ]);
  });

  it('an edited file of a detected directory fails the atlas.sum check', async () => {
    const target = await copyFixture();
    const name = '20240101120000_init.up.sql';
    await writeFile(path.join(target, name), `${await readFile(path.join(target, name), 'utf8')}-- edited\n`);
    await expect(readMigrationDirectory(target)).rejects.toThrow(/checksum of 20240101120000_init\.up\.sql does not match atlas\.sum/);
  });

  it('atlas.sum listing other files beside golang-migrate files stays ambiguous', async () => {
    const files = { '1_a.up.sql': 'CREATE TABLE a (id int);\n', '1_a.down.sql': 'DROP TABLE a;\n' };
    const target = await writeDir(files, atlasSumText({ ...files, '2_b.sql': 'SELECT 1;\n' }));
    await expect(readMigrationDirectory(target)).rejects.toThrow(/^ambiguous migration layout: found atlas \(atlas\.sum\), golang-migrate/);
  });

  it('a malformed atlas.sum beside golang-migrate files stays ambiguous', async () => {
    const target = await writeDir({ '1_a.up.sql': 'CREATE TABLE a (id int);\n' }, 'not a sum\n');
    await expect(readMigrationDirectory(target)).rejects.toThrow(/^ambiguous migration layout/);
  });
});

describe('the atlas golang-migrate fixture replays on PostgreSQL', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await createTempPgDatabase('sdatlasgm');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('applies the up files and none of the down files', async () => {
    const result = await readMigrationDirectory(FIXTURE, { format: 'atlas' });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      for (const file of result.files) await client.query(file.sql);
      const { rows } = await client.query<{ name: string }>(
        "SELECT c.relname AS name FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v') ORDER BY 1",
      );
      // A replayed init.down.sql would have dropped users.
      expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['orders', 'users']));
    } finally {
      await client.end();
    }
  });
});
