/**
 * Keeping a hot-fix (`diff --from <dir> --to <db> --format migration --write`), for every format it writes, on the
 * real servers: a copy of the format's fixture directory is deployed into a fresh database, a hot-fix is made by hand,
 * the drift is written as the directory's next migration, and the agent's check (`runCheck`, the path every check
 * takes: read the directory, replay it, inspect, diff) of the directory with the new file finds the database in sync.
 * Atlas's sum is verified with the atlas-sum code, drizzle-kit's journal entry read back; the refused formats and the
 * refused states (pending migrations) fail with a message that names them.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type DesiredSchema, runCheck } from '../../src/agent/run-check.ts';
import type { TargetConfig } from '../../src/config/types.ts';
import type { Report } from '../../src/core/model/report.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { ATLAS_SUM_FILE, verifyAtlasSum } from '../../src/migrations/atlas-sum.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import type { DialectName } from '../../src/core/model/schema.ts';
import { cli, dialectHarness } from '../support/format-scenarios.ts';
import { MYSQL_URL, PG_URL, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** What is changed by hand on the live database after the deploy. */
const HOT_FIX: Record<DialectName, string> = {
  // A function whose body has lines ending in ";" (goose must keep it in one StatementBegin block).
  postgres: `ALTER TABLE users ADD COLUMN nickname text;
CREATE INDEX users_nickname_idx ON users (nickname);
CREATE FUNCTION nickname_or_email(u users) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  IF u.nickname IS NULL THEN
    RETURN u.email;
  END IF;
  RETURN u.nickname;
END;
$$;`,
  mysql: 'ALTER TABLE users ADD COLUMN nickname varchar(50) NULL; CREATE INDEX users_nickname_idx ON users (nickname);',
};

interface Case {
  readonly format: string;
  readonly fixture: string;
  readonly dialect: DialectName;
  /** Files the migration writes, as patterns of their paths relative to the directory. */
  readonly files: RegExp[];
  /** A hot-fix of this fixture's own (default: {@link HOT_FIX}), and the column it adds. */
  readonly hotFix?: { readonly sql: string; readonly column: string };
}

const CASES: Case[] = [
  { format: 'plain', fixture: 'migrations/plain', dialect: 'postgres', files: [/^11_keep_hotfix\.sql$/] },
  { format: 'golang-migrate', fixture: 'migrations/golang-migrate', dialect: 'postgres', files: [/^\d{14}_keep_hotfix\.up\.sql$/, /^\d{14}_keep_hotfix\.down\.sql$/] },
  { format: 'flyway', fixture: 'migrations/flyway', dialect: 'postgres', files: [/^V1_11__keep_hotfix\.sql$/] },
  { format: 'atlas', fixture: 'migrations/atlas', dialect: 'postgres', files: [/^\d{14}_keep_hotfix\.sql$/, /^atlas\.sum$/] },
  {
    format: 'atlas',
    fixture: 'migrations/atlas-golang-migrate',
    dialect: 'postgres',
    files: [/^\d{14}_keep_hotfix\.up\.sql$/, /^\d{14}_keep_hotfix\.down\.sql$/, /^atlas\.sum$/],
  },
  { format: 'dbmate', fixture: 'migrations/dbmate', dialect: 'postgres', files: [/^\d{14}_keep_hotfix\.sql$/] },
  { format: 'prisma', fixture: 'migrations/prisma', dialect: 'postgres', files: [/^\d{14}_keep_hotfix\/migration\.sql$/] },
  { format: 'drizzle', fixture: 'migrations/drizzle', dialect: 'postgres', files: [/^0003_keep_hotfix\.sql$/, /^meta\/_journal\.json$/] },
  { format: 'goose', fixture: 'migrations/goose', dialect: 'postgres', files: [/^\d{14}_keep_hotfix\.sql$/] },
  { format: 'node-pg-migrate', fixture: 'migrations/node-pg-migrate', dialect: 'postgres', files: [/^\d{13}_keep_hotfix\.sql$/] },
  {
    format: 'sqitch',
    fixture: 'migrations/sqitch',
    dialect: 'postgres',
    files: [/^deploy\/keep_hotfix\.sql$/, /^revert\/keep_hotfix\.sql$/, /^verify\/keep_hotfix\.sql$/, /^sqitch\.plan$/],
    hotFix: { sql: 'ALTER TABLE flipr.users ADD COLUMN email text; CREATE INDEX users_email_idx ON flipr.users (email);', column: 'email' },
  },
  { format: 'golang-migrate', fixture: 'migrations-mysql/golang-migrate', dialect: 'mysql', files: [/^\d{14}_keep_hotfix\.up\.sql$/, /^\d{14}_keep_hotfix\.down\.sql$/] },
  { format: 'flyway', fixture: 'migrations-mysql/flyway', dialect: 'mysql', files: [/^V1\.10__keep_hotfix\.sql$/] },
];

const temps: string[] = [];
const databases: TempDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

/** The agent's check, with a cache of its own (no desired schema is reused across directories or edits). */
function check(target: TargetConfig): Promise<Report> {
  return runCheck(target, { cache: new DesiredCache<DesiredSchema>({}) });
}

/** A writable copy of a fixture directory. */
async function copyFixture(fixture: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sdkeep-'));
  temps.push(dir);
  await cp(path.join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}

/** Applies every migration of `dir` to `db` (its tool's own statements where it has them), no revision table. */
async function deploy(db: TempDatabase, dir: string): Promise<void> {
  const directory = await readMigrationDirectory(dir);
  for (const file of directory.files) {
    if (file.statements) for (const statement of file.statements) await db.exec(statement.sql);
    else await db.exec(withoutDelimiters(file.sql));
  }
}

/**
 * A script's `DELIMITER` lines (the mysql client's, which Flyway honours too) removed and the custom terminators made
 * `;`: the test sends a file as one multi-statement query, and the server parses compound bodies itself.
 */
function withoutDelimiters(sql: string): string {
  let delimiter = ';';
  const lines: string[] = [];
  for (const line of sql.split('\n')) {
    const set = /^\s*DELIMITER\s+(\S+)\s*$/i.exec(line);
    if (set) delimiter = set[1] as string;
    else if (delimiter !== ';' && line.trimEnd().endsWith(delimiter)) lines.push(`${line.trimEnd().slice(0, -delimiter.length)};`);
    else lines.push(line);
  }
  return lines.join('\n');
}

/** A fresh database holding `dir`'s migrations and the hot-fix. */
async function liveWithHotFix(dialect: DialectName, dir: string, hotFix = HOT_FIX[dialect]): Promise<TempDatabase> {
  const db = await dialectHarness(dialect).createDatabase('sdkeep');
  databases.push(db);
  await deploy(db, dir);
  await db.exec(hotFix);
  return db;
}

/** Replays on the real servers (scratch databases), PostgreSQL included: same major version as the live side. */
const DEV_URL: Record<DialectName, string> = { postgres: PG_URL, mysql: MYSQL_URL };

function devArgs(dialect: DialectName): string[] {
  return ['--dev-url', DEV_URL[dialect]];
}

/** Paths of the directory's files, folders one level deep, relative to it. */
async function listing(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

describe.each(CASES)('keep a hot-fix: $format on $dialect ($fixture)', (c) => {
  it('writes the next migration in the directory\'s format; replayed, the directory is in sync with the database', async () => {
    const dir = await copyFixture(c.fixture);
    const before = await listing(dir);
    const column = c.hotFix?.column ?? 'nickname';
    const db = await liveWithHotFix(c.dialect, dir, c.hotFix?.sql);
    const target = testTarget(`keep-${c.format}`, db.url, { desired: { dir, devUrl: DEV_URL[c.dialect] } });
    const drift = await check(target);
    expect(drift.status).toBe('drift');

    const run = await cli(['diff', '--from', dir, '--to', db.url, '--format', 'migration', '--write', ...devArgs(c.dialect)]);
    // Warnings (a drizzle file the journal does not list) are fine; an error is not.
    expect(run.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('schema-drift: warning:'))).toEqual([]);
    expect(run.code).toBe(1);
    const added = (await listing(dir)).filter((f) => !before.includes(f));
    const rewritten = c.files.filter((p) => before.some((f) => p.test(f)));
    expect([...added, ...before.filter((f) => rewritten.some((p) => p.test(f)))].sort()).toHaveLength(c.files.length);
    for (const pattern of c.files) expect([...added, ...before].some((f) => pattern.test(f)), String(pattern)).toBe(true);
    expect(run.stdout.trim().split('\n')).toHaveLength(c.files.length);

    const main = added.find((f) => !f.endsWith('.down.sql') && f.endsWith('.sql') && !/^(revert|verify)\//.test(f)) as string;
    const text = await readFile(path.join(dir, main), 'utf8');
    expect(text).toMatch(new RegExp(column));
    expect(text).toMatch(/schema-drift: the drift of .* kept as the next/);

    const report = await check(target);
    expect(report.error).toBeNull();
    expect(report.changes).toEqual([]);
    expect(report.status).toBe('in_sync');
    // The CLI agrees: no drift left, nothing more to write.
    const again = await cli(['diff', '--from', dir, '--to', db.url, '--format', 'json', ...devArgs(c.dialect)]);
    expect(again.code).toBe(0);

    if (c.fixture.includes('atlas')) {
      const names = (await readdir(dir)).filter((n) => n.endsWith('.sql'));
      const files = await Promise.all(names.map(async (name) => ({ name, bytes: await readFile(path.join(dir, name)) })));
      const sum = await readFile(path.join(dir, ATLAS_SUM_FILE), 'utf8');
      expect(() => verifyAtlasSum(dir, files, sum)).not.toThrow();
      expect(sum.split('\n').filter((l) => l.includes('keep_hotfix'))).toHaveLength(main.endsWith('.up.sql') ? 2 : 1);
    }
    if (c.format === 'drizzle') {
      const journal = JSON.parse(await readFile(path.join(dir, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number; tag: string; when: number; version: string; breakpoints: boolean }[] };
      const last = journal.entries.at(-1);
      expect(last).toMatchObject({ idx: 3, tag: '0003_keep_hotfix', version: '7', breakpoints: true });
      expect(last?.when).toBeGreaterThan(journal.entries.at(-2)?.when ?? Infinity);
      expect(text).toMatch(/--> statement-breakpoint/);
    }
    if (c.format === 'goose' && c.dialect === 'postgres') {
      expect(text).toMatch(/-- \+goose StatementBegin\nCREATE OR REPLACE FUNCTION[^]*END;[^]*-- \+goose StatementEnd/);
    }
    if (c.format === 'sqitch') {
      const plan = await readFile(path.join(dir, 'sqitch.plan'), 'utf8');
      expect(plan.trimEnd().split('\n').at(-1)).toMatch(/^keep_hotfix \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ Ada Lovelace <ada@example\.com> # /);
      expect(text).toMatch(/^-- Deploy flipr:keep_hotfix to pg\n\nBEGIN;\n[^]*\nCOMMIT;\n$/);
    }
    const down = added.find((f) => f.endsWith('.down.sql') || f.startsWith('revert/'));
    const downText = down ? await readFile(path.join(dir, down), 'utf8') : text.split(/-- migrate:down|-- \+goose Down|-- Down Migration/)[1];
    if (down || ['dbmate', 'goose', 'node-pg-migrate'].includes(c.format)) {
      expect(downText).toMatch(/DROP INDEX/);
      expect(downText).toMatch(new RegExp(`DROP COLUMN .?${column}`));
    }
  }, 300_000);
});

describe('keep a hot-fix: what is refused or only printed', () => {
  it('without --write: prints each file under its name and writes nothing', async () => {
    const dir = await copyFixture('migrations/golang-migrate');
    const before = await listing(dir);
    const db = await liveWithHotFix('postgres', dir);
    const run = await cli(['diff', '--from', dir, '--to', db.url, '--format', 'migration', '--name', 'Add nickname!', ...devArgs('postgres')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^==> ${dir.replace(/[/\\]/g, '.')}.\\d{14}_add_nickname\\.up\\.sql <==\\n`));
    expect(run.stdout).toMatch(/_add_nickname\.down\.sql <==\n/);
    expect(run.stderr).toMatch(/nothing written; add --write to write 2 file\(s\)/);
    expect(await listing(dir)).toEqual(before);
  }, 120_000);

  it('a hot-fix that dropped a column: the data loss is named at the top of the file', async () => {
    const dir = await copyFixture('migrations/plain');
    const db = await liveWithHotFix('postgres', dir);
    await db.exec('ALTER TABLE users DROP COLUMN display_name');
    const run = await cli(['diff', '--from', dir, '--to', db.url, '--format', 'migration', ...devArgs('postgres')]);
    expect(run.code).toBe(1);
    const head = run.stdout.split('\n').slice(1, 8).join('\n');
    expect(head).toMatch(/^-- HAZARD data_loss: drop column users\.display_name$/m);
  }, 120_000);

  it('migrations pending on the database: refused, naming them', async () => {
    const dir = await copyFixture('migrations/golang-migrate');
    const db = await liveWithHotFix('postgres', dir);
    await db.exec('CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (20240102090000, false)');
    const run = await cli(['diff', '--from', dir, '--to', db.url, '--format', 'migration', '--write', ...devArgs('postgres')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/1 migration\(s\) are not deployed on .* \(20240103080000_order_summary\.up\.sql\): deploy them first/);
  }, 120_000);

  it('a revision table at the last version: after the tool records the new migration (migrate force), in sync', async () => {
    const dir = await copyFixture('migrations/golang-migrate');
    const db = await liveWithHotFix('postgres', dir);
    await db.exec('CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (20240103080000, false)');
    const run = await cli(['diff', '--from', dir, '--to', db.url, '--format', 'migration', '--write', ...devArgs('postgres')]);
    expect(run.code).toBe(1);
    const version = /(\d{14})_keep_hotfix\.up\.sql/.exec(run.stdout)?.[1] as string;
    const target = testTarget('keep-force', db.url, { desired: { dir, devUrl: PG_URL } });
    // Not recorded yet: the new file is pending and the hot-fix still drift.
    expect((await check(target)).status).toBe('drift');
    await db.exec(`UPDATE schema_migrations SET version = ${version}`);
    const report = await check(target);
    expect(report.changes).toEqual([]);
    expect(report.status).toBe('in_sync');
    // Nothing left to keep: exit 0, said on stderr, nothing written.
    const files = await listing(dir);
    const none = await cli(['diff', '--from', dir, '--to', db.url, '--format', 'migration', '--write', ...devArgs('postgres')]);
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(/no drift between .*: no migration to write/);
    expect(await listing(dir)).toEqual(files);
  }, 300_000);

  it.each([
    ['liquibase', 'migrations/liquibase', /cannot write a liquibase migration: .*changelog/],
    ['drizzle-folders', 'migrations/drizzle-folders', /cannot write a drizzle-folders migration: .*snapshot\.json/],
  ])('%s: refused with the reason', async (_format, fixture, message) => {
    const dir = await copyFixture(fixture);
    const db = await dialectHarness('postgres').createDatabase('sdkeep');
    databases.push(db);
    // Any drift will do: the format is refused before anything is written.
    await db.exec('CREATE TABLE hotfix_only (id int)');
    const run = await cli(['diff', '--from', dir, '--to', db.url, '--format', 'migration', '--write', ...devArgs('postgres')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  }, 120_000);

  it('--to a saved schema: refused before anything is replayed (it records no revision table, so pending migrations are unknown)', async () => {
    const dir = await copyFixture('migrations/golang-migrate');
    const db = await liveWithHotFix('postgres', dir);
    // The database lacks the last migration: with the URL this is refused as pending; a saved schema cannot tell.
    await db.exec('CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (20240102090000, false)');
    const saved = path.join(dir, '..', `${path.basename(dir)}-saved.json`);
    temps.push(saved);
    const inspect = await cli(['inspect', db.url, '--format', 'json']);
    expect(inspect.code).toBe(0);
    await writeFile(saved, inspect.stdout);
    const before = await listing(dir);
    const run = await cli(['diff', '--from', dir, '--to', saved, '--format', 'migration', '--write', ...devArgs('postgres')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--format migration: --to .*-saved\.json is a saved schema, which records no revision table, .*give the database's URL instead/);
    expect(await listing(dir)).toEqual(before);
  }, 120_000);

  it('--from a database: refused (the migration is written into the --from directory)', async () => {
    const dir = await copyFixture('migrations/plain');
    const db = await liveWithHotFix('postgres', dir);
    const run = await cli(['diff', '--from', db.url, '--to', dir, '--format', 'migration']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--from must be the migration directory and --to the database/);
  }, 120_000);
});
