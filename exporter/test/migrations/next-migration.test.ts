/**
 * The next migration's file names and layout per format, from small in-memory directories and a fixed clock (pure:
 * `nextMigration`): the version follows the directory's (timestamps in the same shape, sequences with the same
 * width), the tool's markers are where the tool reads them, hazards head the file, and refused formats say why.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nextMigrationOf, writeNextMigration } from '../../src/migrations/write-migration.ts';
import type { MigrationFormat } from '../../src/migrations/types.ts';
import { nextMigration, type MigrationStatement, type NextMigrationRequest } from '../../src/migrations/next-migration.ts';
import { nextFlywayVersion, nextNumericVersion, slugName } from '../../src/migrations/next-version.ts';
import { parseGooseUp } from '../../src/migrations/format-goose.ts';
import { breakpointStatements } from '../../src/migrations/format-drizzle.ts';

const NOW = new Date('2026-12-07T17:30:05.123Z');

describe('nextNumericVersion', () => {
  it.each([
    ['20240103080000', '20261207173005'],
    ['20991231235959', '21000101000000'],
    ['1704272400000', String(NOW.getTime())],
    ['20240103080000123', '20261207173005123'],
    ['003', '004'],
    ['9', '10'],
    ['0099', '0100'],
    [undefined, '1'],
  ])('after %s: %s', (last, next) => {
    expect(nextNumericVersion(last, NOW)).toBe(next);
  });

  it.each([
    ['1_10', '1_11'],
    ['1.9', '1.10'],
    ['2', '3'],
    ['20240101120000', '20261207173005'],
  ])('Flyway after %s: %s', (last, next) => {
    expect(nextFlywayVersion(last, NOW)).toBe(next);
  });

  it('slugs names for file names', () => {
    expect(slugName('Add nickname!')).toBe('add_nickname');
    expect(slugName('---')).toBe('schema_drift');
  });
});

const UP: MigrationStatement[] = [
  { sql: 'ALTER TABLE users DROP COLUMN legacy;', comment: 'drop column users.legacy', hazards: ['data_loss'] },
  {
    sql: "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$;",
    comment: 'create function f',
    hazards: [],
  },
];
const DOWN: MigrationStatement[] = [{ sql: 'ALTER TABLE users ADD COLUMN legacy text;', comment: 'add column users.legacy', hazards: [] }];

function request(format: MigrationFormat, paths: string[], extra: Partial<NextMigrationRequest> = {}): NextMigrationRequest {
  const files = paths.map((p) => ({ path: p, version: /^V?(\d+)/.exec(p)?.[1] ?? null })) as unknown as NextMigrationRequest['directory']['files'];
  return { directory: { dir: '/m', format, files }, up: UP, down: DOWN, header: ['generated'], name: 'keep hotfix', now: NOW, ...extra };
}

describe('nextMigration', () => {
  it.each([
    ['plain', ['001-init.sql', '002-users.sql'], ['003-keep_hotfix.sql']],
    ['golang-migrate', ['1_init.up.sql', '1_init.down.sql'], ['2_keep_hotfix.up.sql', '2_keep_hotfix.down.sql']],
    ['dbmate', ['20240101120000_init.sql'], ['20261207173005_keep_hotfix.sql']],
    ['goose', ['00001_init.sql'], ['00002_keep_hotfix.sql']],
    ['node-pg-migrate', ['1704110400000_init.sql'], [`${NOW.getTime()}_keep_hotfix.sql`]],
    ['prisma', ['20240101120000_init/migration.sql'], ['20261207173005_keep_hotfix/migration.sql']],
  ] as const)('%s: %j → %j', (format, paths, expected) => {
    expect(nextMigration(request(format, [...paths])).files.map((f) => f.path)).toEqual(expected);
  });

  it('names the data loss at the top, before the first statement', () => {
    const [file] = nextMigration(request('plain', ['1_init.sql'])).files;
    const lines = file?.content.split('\n') ?? [];
    expect(lines.slice(0, 2)).toEqual(['-- generated', '-- HAZARD data_loss: drop column users.legacy']);
  });

  it('goose: a body with inner semicolons in one StatementBegin block, read back as goose reads it', () => {
    const [file] = nextMigration(request('goose', ['1_init.sql'])).files;
    const up = parseGooseUp(file?.content ?? '', (m) => new Error(m));
    expect(up.statements.map((s) => s.sql.split('\n')[0])).toEqual(['ALTER TABLE users DROP COLUMN legacy', 'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$']);
    expect(file?.content).toMatch(/-- \+goose Down\n-- add column users.legacy\nALTER TABLE users ADD COLUMN legacy text;/);
  });

  it('statements that cannot run in a transaction: each tool\'s own switch', () => {
    const up: MigrationStatement[] = [{ sql: "ALTER TYPE s ADD VALUE 'x';", comment: 'add value', hazards: [], noTransaction: true }];
    expect(nextMigration(request('goose', ['1_a.sql'], { up })).files[0]?.content).toMatch(/^-- \+goose NO TRANSACTION\n-- \+goose Up\n/);
    expect(nextMigration(request('dbmate', ['1_a.sql'], { up })).files[0]?.content).toMatch(/^-- migrate:up transaction:false\n/);
    expect(nextMigration(request('atlas', ['1_a.sql'], { up, atlasFiles: [] })).files[0]?.content).toMatch(/^-- atlas:txmode none\n/);
    expect(nextMigration(request('flyway', ['V1__a.sql'], { up })).files.map((f) => [f.path, f.content])).toContainEqual(['V2__keep_hotfix.sql.conf', 'executeInTransaction=false\n']);
  });

  it('transactions are decided per part: a down statement that cannot run in one switches the down part only where the tool can', () => {
    const plain: MigrationStatement[] = [{ sql: 'ALTER TABLE users ADD COLUMN x int;', comment: 'add column users.x', hazards: [] }];
    const down: MigrationStatement[] = [{ sql: "ALTER TYPE s ADD VALUE 'x';", comment: 'add value x to s', hazards: [], noTransaction: true }];
    const dbmate = nextMigration(request('dbmate', ['1_a.sql'], { up: plain, down })).files[0]?.content ?? '';
    expect(dbmate).toMatch(/^-- migrate:up\n/);
    expect(dbmate).toMatch(/\n-- migrate:down transaction:false\n/);
    expect(dbmate).not.toMatch(/Runs outside a transaction/);
    const goose = nextMigration(request('goose', ['1_a.sql'], { up: plain, down })).files[0]?.content ?? '';
    expect(goose).toMatch(/^-- \+goose NO TRANSACTION\n-- \+goose Up\n/);
    expect(goose).toMatch(/-- Runs outside a transaction, up and down alike \(the switch covers the whole file\): a statement in the down part cannot run inside one\./);
    expect(nextMigration(request('node-pg-migrate', ['1_a.sql'], { up: plain, down })).files[0]?.content).toMatch(/^-- no transaction\n-- Up Migration\n/);
    const planText = '%syntax-version=1.0.0\n%project=shop\n\ninit 2024-01-01T12:00:00Z Ada <ada@example.com> # Init.\n';
    const sqitch = { planFile: 'sqitch.plan', planText, deployDir: 'deploy', revertDir: 'revert', verifyDir: 'verify', engine: 'pg' };
    const [deploy, revert] = nextMigration(request('sqitch', ['deploy/init.sql'], { up: plain, down, sqitch })).files;
    expect(deploy?.content).toMatch(/\nBEGIN;\n[\s\S]*\nCOMMIT;\n$/);
    expect(revert?.content).toBe("-- Revert shop:keep_hotfix to pg\n\n-- add value x to s\nALTER TYPE s ADD VALUE 'x';\n");
    const [, atlasDown] = nextMigration(request('atlas', ['1_a.up.sql', '1_a.down.sql'], { up: plain, down, atlasFiles: [] })).files;
    expect(atlasDown?.content).toMatch(/^-- atlas:txmode none\n/);
    // The up part alone needs it: dbmate's down marker stays plain.
    const upOnly = nextMigration(request('dbmate', ['1_a.sql'], { up: down, down: plain })).files[0]?.content ?? '';
    expect(upOnly).toMatch(/^-- migrate:up transaction:false\n[\s\S]*\n-- migrate:down\n/);
  });

  it.each(['plain', 'golang-migrate', 'prisma', 'drizzle'] as const)('%s: no switch, so the header says what to do instead of claiming one', (format) => {
    const up: MigrationStatement[] = [{ sql: 'CREATE INDEX CONCURRENTLY i ON t (c);', comment: 'create index i', hazards: [], noTransaction: true }];
    const journal = JSON.stringify({ version: '7', dialect: 'postgresql', entries: [] });
    const [file] = nextMigration(request(format, ['1_a.sql'], { up, journal })).files;
    expect(file?.content).not.toMatch(/Runs outside a transaction/);
    expect(file?.content).toMatch(/-- NOTE: .* has no switch to run a file outside a transaction, and this cannot run inside one \(create index i\): keep such a statement alone in a migration file of its own/);
  });

  it('drizzle: breakpoints between statements, a journal entry after the last', () => {
    const journal = JSON.stringify({ version: '7', dialect: 'postgresql', entries: [{ idx: 0, version: '7', when: 1704110400000, tag: '0000_init', breakpoints: true }] }, null, 2);
    const next = nextMigration(request('drizzle', ['0000_init.sql'], { journal }));
    expect(next.files.map((f) => f.path)).toEqual(['0001_keep_hotfix.sql', 'meta/_journal.json']);
    expect(breakpointStatements(next.files[0]?.content ?? '')).toHaveLength(2);
    const written = JSON.parse(next.files[1]?.content ?? '') as { dialect: string; entries: unknown[] };
    expect(written.dialect).toBe('postgresql');
    expect(written.entries.at(-1)).toEqual({ idx: 1, version: '7', when: NOW.getTime(), tag: '0001_keep_hotfix', breakpoints: true });
  });

  it('sqitch: a plan line after the last change, by its planner; deploy and revert in BEGIN/COMMIT; a taken name refused', () => {
    const planText = '%syntax-version=1.0.0\n%project=shop\n\ninit 2024-01-01T12:00:00Z Ada <ada@example.com> # Init.\n';
    const sqitch = { planFile: 'sqitch.plan', planText, deployDir: 'deploy', revertDir: 'revert', verifyDir: 'verify', engine: 'pg' };
    const next = nextMigration(request('sqitch', ['deploy/init.sql'], { sqitch }));
    expect(next.files.map((f) => [f.path, f.replaces])).toEqual([
      ['deploy/keep_hotfix.sql', false],
      ['revert/keep_hotfix.sql', false],
      ['verify/keep_hotfix.sql', false],
      ['sqitch.plan', true],
    ]);
    expect(next.files[3]?.content).toBe(`${planText}keep_hotfix 2026-12-07T17:30:05Z Ada <ada@example.com> # Keeps a hot-fix as a change (schema-drift).\n`);
    expect(next.files[0]?.content).toMatch(/^-- Deploy shop:keep_hotfix to pg\n\nBEGIN;\n\n-- generated\n/);
    expect(next.files[1]?.content).toMatch(/^-- Revert shop:keep_hotfix to pg\n\nBEGIN;\n\n-- add column users.legacy\n/);
    expect(() => nextMigration(request('sqitch', ['deploy/init.sql'], { sqitch, name: 'init' }))).toThrow(/has a change named "init" already/);
  });

  it('a down part that could not be planned says so where the down part goes', () => {
    const next = nextMigration(request('dbmate', ['1_a.sql'], { down: { error: 'cannot undo a dropped column type' } }));
    expect(next.files[0]?.content).toMatch(/-- migrate:down\n-- no down migration: cannot undo a dropped column type\n$/);
  });

  it.each(['drizzle-folders', 'liquibase', 'schema'] as const)('%s: refused, naming the format', (format) => {
    expect(() => nextMigration(request(format, ['x.sql']))).toThrow(new RegExp(`cannot write a ${format} migration: `));
  });
});

describe('writing the next migration into a directory', () => {
  const temps: string[] = [];
  afterAll(async () => {
    await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
  });
  /** A fresh folder holding `proj/` (the migration directory) with `files`; returns both. */
  async function project(files: Record<string, string>): Promise<{ base: string; dir: string }> {
    const base = await mkdtemp(path.join(os.tmpdir(), 'sdnext-'));
    temps.push(base);
    const dir = path.join(base, 'proj');
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), text);
    }
    await mkdir(dir, { recursive: true });
    return { base, dir };
  }
  const PLAN = '%syntax-version=1.0.0\n%project=shop\n\ninit 2024-01-01T12:00:00Z Ada <ada@example.com> # Init.\n';
  const sqitchRequest = (dir: string) => ({ ...request('sqitch', ['deploy/init.sql']), directory: { dir, format: 'sqitch' as const, files: [] } });
  const listing = async (dir: string): Promise<string[]> => (await readdir(dir, { recursive: true })).map(String).sort();

  it('sqitch.conf moving deploy_dir out of the directory: refused naming the file, nothing written anywhere', async () => {
    const { base, dir } = await project({ 'sqitch.conf': '[core]\n\tengine = pg\n\tdeploy_dir = ../x/deploy\n', 'sqitch.plan': PLAN, 'deploy/init.sql': 'SELECT 1;\n' });
    const next = await nextMigrationOf(sqitchRequest(dir));
    await expect(writeNextMigration(dir, next)).rejects.toThrow(/^\.\.\/x\/deploy\/keep_hotfix\.sql resolves outside the migration directory: refused/);
    expect((await readdir(base)).sort()).toEqual(['proj']);
    expect(await listing(dir)).toEqual(['deploy', 'deploy/init.sql', 'sqitch.conf', 'sqitch.plan']);
  });

  it('a folder that is a link out of the directory: refused before anything is written', async () => {
    const { base, dir } = await project({ 'sqitch.plan': PLAN, 'deploy/init.sql': 'SELECT 1;\n' });
    await mkdir(path.join(base, 'elsewhere'));
    await symlink(path.join(base, 'elsewhere'), path.join(dir, 'revert'));
    const next = await nextMigrationOf(sqitchRequest(dir));
    await expect(writeNextMigration(dir, next)).rejects.toThrow(/^revert\/keep_hotfix\.sql resolves outside the migration directory/);
    expect(await readdir(path.join(base, 'elsewhere'))).toEqual([]);
    expect(await readdir(path.join(dir, 'deploy'))).toEqual(['init.sql']);
    expect(await readFile(path.join(dir, 'sqitch.plan'), 'utf8')).toBe(PLAN);
  });

  it('a plan that is a link out of the directory is not read; an unreadable sqitch.conf is an error, not the defaults', async () => {
    const { base, dir } = await project({ 'deploy/init.sql': 'SELECT 1;\n' });
    await writeFile(path.join(base, 'secret.plan'), PLAN);
    await symlink(path.join(base, 'secret.plan'), path.join(dir, 'sqitch.plan'));
    await expect(nextMigrationOf(sqitchRequest(dir))).rejects.toThrow(/sqitch\.plan resolves outside the migration directory: refused/);
    const other = await project({ 'sqitch.plan': PLAN, 'deploy/init.sql': 'SELECT 1;\n' });
    await mkdir(path.join(other.dir, 'sqitch.conf'));
    await expect(nextMigrationOf(sqitchRequest(other.dir))).rejects.toThrow(/sqitch\.conf is a directory, not a file/);
  });

  it('a new file that exists already: nothing of the migration is left behind', async () => {
    const { dir } = await project({ '1_init.up.sql': 'SELECT 1;\n', '1_init.down.sql': 'SELECT 1;\n', '2_keep_hotfix.down.sql': 'mine\n' });
    const base = request('golang-migrate', ['1_init.up.sql', '1_init.down.sql']);
    const next = nextMigration({ ...base, directory: { ...base.directory, dir } });
    await expect(writeNextMigration(dir, next)).rejects.toThrow(/^2_keep_hotfix\.down\.sql exists already: not overwritten/);
    expect(await listing(dir)).toEqual(['1_init.down.sql', '1_init.up.sql', '2_keep_hotfix.down.sql']);
    expect(await readFile(path.join(dir, '2_keep_hotfix.down.sql'), 'utf8')).toBe('mine\n');
  });

  it('a bookkeeping file that cannot be replaced: the new files and folders this run made are removed', async () => {
    const { dir } = await project({ '0000_init.sql': 'SELECT 1;\n', 'meta/_journal.json': '{"entries":[]}' });
    const next = {
      format: 'sqitch' as const,
      version: '2',
      files: [
        { path: 'deploy/x.sql', content: 'SELECT 1;\n', replaces: false },
        { path: 'revert/x.sql', content: 'SELECT 1;\n', replaces: false },
        { path: 'meta', content: 'not a folder\n', replaces: true },
      ],
    };
    await expect(writeNextMigration(dir, next)).rejects.toThrow(/^cannot write meta: .*\(nothing was written\)/);
    expect(await listing(dir)).toEqual(['0000_init.sql', 'meta', 'meta/_journal.json']);
  });
});
