/**
 * `GET /api/v1/targets/:name/reports/:id/migration` (and `/migration/files`) with nothing faked: the real Scheduler
 * runs the real runCheck against real PostgreSQL databases deployed from copies of the golang-migrate and Atlas
 * fixtures, then hot-fixed by hand. The downloaded files are added to the directory as a team would commit them, and
 * the next check over HTTP is in sync. A report without drift, a target whose migrations are pending, and a report
 * whose directory has changed since (or that does not record it) get a 409 that says why.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/model/report.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { ReportStore } from '../../src/store/report-store.ts';
import { createTempPgDatabase, PG_URL, type TempDatabase } from '../support/servers.ts';
import { targetConfig } from './fixtures.ts';
import { serveCheckingAgent, type CheckingAgent } from './checking-agent.ts';
import type { TestServer } from './serve.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/migrations', import.meta.url));
const HOT_FIX = 'ALTER TABLE users ADD COLUMN nickname text; CREATE INDEX users_nickname_idx ON users (nickname);';

let tmp: string;
let store: ReportStore;
let agent: CheckingAgent | undefined;
let server: TestServer;
const databases: TempDatabase[] = [];
const dirs: Record<string, string> & { sqitch: string } = { sqitch: '' };
const TOP_DIR = 'схема';

/** A database holding `dir`'s migrations (no revision table) and the hot-fix. */
async function hotFixed(dir: string, hotFix = HOT_FIX): Promise<TempDatabase> {
  const db = await createTempPgDatabase('sdhttpkeep');
  databases.push(db);
  for (const file of (await readMigrationDirectory(dir)).files) await db.exec(file.sql);
  await db.exec(hotFix);
  return db;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'sd-http-keep-'));
  for (const [name, fixture] of [['golang-migrate', 'golang-migrate'], ['atlas', 'atlas'], ['pending', 'golang-migrate'], ['changed', 'golang-migrate']] as const) {
    dirs[name] = path.join(tmp, name);
    await cp(path.join(FIXTURES, fixture), dirs[name] as string, { recursive: true });
  }
  // A Sqitch project whose files live under a folder named in Cyrillic (sqitch.conf top_dir): a path no header can carry raw.
  dirs.sqitch = path.join(tmp, 'sqitch');
  await cp(path.join(FIXTURES, 'sqitch'), path.join(dirs.sqitch, TOP_DIR), { recursive: true });
  await rm(path.join(dirs.sqitch, TOP_DIR, 'sqitch.conf'));
  await writeFile(path.join(dirs.sqitch, 'sqitch.conf'), `[core]\n\tengine = pg\n\ttop_dir = ${TOP_DIR}\n`);
  const gm = await hotFixed(dirs['golang-migrate'] as string);
  const atlas = await hotFixed(dirs.atlas as string);
  const pending = await hotFixed(dirs.pending as string);
  const changed = await hotFixed(dirs.changed as string);
  const sqitch = await hotFixed(dirs.sqitch, 'ALTER TABLE flipr.users ADD COLUMN email text;');
  await pending.exec('CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (20240102090000, false);');
  const target = (name: string, db: TempDatabase, dir: string): ReturnType<typeof targetConfig> =>
    targetConfig(name, { url: db.url, displayUrl: db.url, desired: { dir, devUrl: PG_URL }, checkTimeoutMs: 60_000 });
  const targets = [
    target('gm', gm, dirs['golang-migrate'] as string),
    target('atlas', atlas, dirs.atlas as string),
    target('pending', pending, dirs.pending as string),
    target('changed', changed, dirs.changed as string),
    target('sqitch', sqitch, dirs.sqitch),
  ];
  store = ReportStore.open(path.join(tmp, 'store'));
  agent = await serveCheckingAgent(targets, store, 1);
  server = agent.server;
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  store?.close();
  await Promise.all(databases.map((db) => db.drop()));
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

interface FileRow {
  format: string;
  version: string;
  path: string;
  replaces: boolean;
  content: string;
}

/** Checks `name` over HTTP, downloads the migration and its files, adds them to the directory, checks again. */
async function keepOverHttp(name: string, dir: string): Promise<{ main: { disposition: string | null; path: string | null; text: string }; files: FileRow[]; after: string }> {
  const first = await server.request(`/api/v1/targets/${name}/check`, { method: 'POST' });
  expect(first.json()).toMatchObject({ status: 'drift' });
  const main = await server.request(`/api/v1/targets/${name}/reports/latest/migration`);
  expect(main.status).toBe(200);
  const files = (await server.request(`/api/v1/targets/${name}/reports/latest/migration/files`)).json<FileRow[]>();
  for (const file of files) {
    await mkdir(path.dirname(path.join(dir, file.path)), { recursive: true });
    await writeFile(path.join(dir, file.path), file.content);
  }
  const after = (await server.request(`/api/v1/targets/${name}/check`, { method: 'POST' })).json<{ status: string }>().status;
  return { main: { disposition: main.headers.get('content-disposition'), path: main.headers.get('x-migration-path'), text: main.text }, files, after };
}

describe('the drift as the next migration, over HTTP', () => {
  it('golang-migrate: the up file downloaded with its name, the down file among the files; committed, in sync', async () => {
    const { main, files, after } = await keepOverHttp('gm', dirs['golang-migrate'] as string);
    expect(main.path).toMatch(/^\d{14}_keep_hotfix\.up\.sql$/);
    expect(main.disposition).toBe(`attachment; filename="${main.path}"`);
    expect(main.text).toMatch(/schema-drift: the drift of target gm \(report \d+\) kept as the next golang-migrate migration/);
    expect(main.text).toMatch(/ADD COLUMN .?nickname/);
    expect(files.map((f) => f.path)).toEqual([main.path, (main.path as string).replace('.up.sql', '.down.sql')]);
    expect(files[1]?.content).toMatch(/DROP COLUMN .?nickname/);
    expect(after).toBe('in_sync');
  }, 120_000);

  it('atlas: atlas.sum comes rewritten among the files; committed, the directory verifies and is in sync', async () => {
    const { files, after } = await keepOverHttp('atlas', dirs.atlas as string);
    expect(files.map((f) => [f.path.replace(/^\d{14}/, '<ts>'), f.replaces])).toEqual([
      ['<ts>_keep_hotfix.sql', false],
      ['atlas.sum', true],
    ]);
    expect(await readFile(path.join(dirs.atlas as string, 'atlas.sum'), 'utf8')).toBe(files[1]?.content);
    expect(after).toBe('in_sync');
  }, 120_000);

  it('a report without drift: 409 saying so', async () => {
    const res = await server.request('/api/v1/targets/gm/reports/latest/migration');
    expect(res.status).toBe(409);
    expect(res.json<{ error: string }>().error).toMatch(/target "gm": no migration: no drift/);
  }, 60_000);

  it('migrations pending on the database: 409 naming them', async () => {
    await server.request('/api/v1/targets/pending/check', { method: 'POST' });
    const res = await server.request('/api/v1/targets/pending/reports/latest/migration/files');
    expect(res.status).toBe(409);
    expect(res.json<{ error: string }>().error).toMatch(/1 migration\(s\) are not deployed .*20240103080000_order_summary\.up\.sql/);
  }, 120_000);

  it('the directory changed since the check, or a report that does not record it: 409, never an old plan against the new directory', async () => {
    await server.request('/api/v1/targets/changed/check', { method: 'POST' });
    expect((await server.request('/api/v1/targets/changed/reports/latest/migration')).status).toBe(200);
    const report = store.latest('changed') as Report;
    const { directoryHash, ...keep } = report.keep as NonNullable<Report['keep']>;
    expect(directoryHash).toMatch(/^[0-9a-f]{64}$/);
    const unrecorded = store.save({ ...report, keep });
    const old = await server.request(`/api/v1/targets/changed/reports/${unrecorded}/migration`);
    expect(old.status).toBe(409);
    expect(old.json<{ error: string }>().error).toMatch(/no migration: the report does not record which migration directory it was computed from; run a check/);
    // A teammate commits the hot-fix by hand (another name): the report's migration would now add it a second time.
    await writeFile(path.join(dirs.changed as string, '20300101000000_by_hand.up.sql'), 'ALTER TABLE users ADD COLUMN nickname text;\n');
    const res = await server.request(`/api/v1/targets/changed/reports/${report.id}/migration/files`);
    expect(res.status).toBe(409);
    expect(res.json<{ error: string }>().error).toMatch(/no migration: the migration directory changed since this check/);
  }, 120_000);

  it('a path outside Latin-1 (a Sqitch top_dir in Cyrillic): X-Migration-Path percent-encoded, not a 500', async () => {
    expect((await server.request('/api/v1/targets/sqitch/check', { method: 'POST' })).json()).toMatchObject({ status: 'drift' });
    const res = await server.request('/api/v1/targets/sqitch/reports/latest/migration');
    expect(res.status).toBe(200);
    const header = res.headers.get('x-migration-path') as string;
    expect(header).toBe(`${encodeURIComponent(TOP_DIR)}/deploy/keep_hotfix.sql`);
    expect(decodeURIComponent(header)).toBe(`${TOP_DIR}/deploy/keep_hotfix.sql`);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="______deploy_keep_hotfix.sql"');
    expect(res.text).toMatch(/ADD COLUMN .?email/);
  }, 120_000);
});
