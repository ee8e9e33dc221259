/**
 * The CLI on MariaDB, as a user runs it: `diff --from mysql://… --to mysql://… --format sql` applied with the
 * `mariadb` client converges; a live database with hand changes against the example migration directory
 * (golang-migrate layout, revision-aware); `inspect` as MySQL DDL; the errors a user meets (no --dev-url, mixed
 * dialects). Pending files and a saved schema's round trip read the same on every dialect: engine/cli-scenarios.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/cli.ts';
import { deployExample, EXAMPLE_MIGRATIONS } from '../support/example-migrations.ts';
import { MYSQL_URL, PG_URL, createTempMysqlDatabase, type TempDatabase } from '../support/servers.ts';

const run = promisify(execFile);
const EXAMPLE = EXAMPLE_MIGRATIONS.mysql;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** Runs a script with the mariadb client, as a person applying the reconcile SQL would. */
async function applyWithClient(db: TempDatabase, script: string): Promise<void> {
  const url = new URL(MYSQL_URL);
  const args = ['-h', url.hostname, '-P', url.port || '3306', '-u', decodeURIComponent(url.username) || 'root'];
  if (url.password) args.push(`-p${decodeURIComponent(url.password)}`);
  const child = execFile('mariadb', [...args, db.name]);
  const done = new Promise<void>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`mariadb failed (${code}): ${stderr}\n--- script ---\n${script}`))));
  });
  child.stdin?.end(script);
  await done;
}

describe('schema-drift CLI on MariaDB', () => {
  const databases: TempDatabase[] = [];
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'sd-mysql-cli-'));
  });
  afterAll(async () => {
    for (const db of databases) await db.drop();
    await rm(work, { recursive: true, force: true });
  });
  async function database(): Promise<TempDatabase> {
    const db = await createTempMysqlDatabase('sdcli');
    databases.push(db);
    return db;
  }

  it('diff sees an event drift by default and leaves it out with --no-events', async () => {
    const [current, desired] = [await database(), await database()];
    await current.exec('CREATE TABLE t (id int PRIMARY KEY);');
    await desired.exec('CREATE TABLE t (id int PRIMARY KEY); CREATE EVENT nightly_purge ON SCHEDULE EVERY 1 DAY DO DELETE FROM t;');
    const byDefault = await cli('diff', '--from', current.url, '--to', desired.url, '--format', 'sql');
    expect(byDefault.stderr).toBe('');
    expect(byDefault.code).toBe(1);
    expect(byDefault.stdout).toMatch(/CREATE EVENT `nightly_purge`/);
    const optedOut = await cli('diff', '--from', current.url, '--to', desired.url, '--no-events');
    expect(optedOut.stdout).toContain('No drift');
    expect(optedOut.code).toBe(0);
  });

  it('diff --from mysql:// --to mysql:// --format sql, applied with the mariadb client, converges', async () => {
    const [current, desired] = [await database(), await database()];
    await deployExample('mysql', desired, 4);
    await deployExample('mysql', current, 4);
    // Hand-made drift: every statement below is something the plan has to undo.
    await current.exec(`
      ALTER TABLE users DROP COLUMN last_login_at, ADD COLUMN nickname varchar(40) NULL;
      ALTER TABLE tasks MODIFY title varchar(200) NOT NULL;
      ALTER TABLE invoices DROP INDEX invoices_unpaid_idx, ADD INDEX invoices_unpaid_idx (account_id);
      CREATE INDEX projects_name_idx ON projects (name);
      DROP TRIGGER tasks_touch_updated_at;
      CREATE OR REPLACE VIEW open_tasks_by_project AS SELECT p.id AS project_id, p.name FROM projects p;
      CREATE TABLE scratch_notes (id int PRIMARY KEY, body text);`);
    const planned = await cli('diff', '--from', current.url, '--to', desired.url, '--format', 'sql');
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(1);
    expect(planned.stdout).toMatch(/ALTER TABLE `users`/);
    await applyWithClient(current, planned.stdout);
    const again = await cli('diff', '--from', current.url, '--to', desired.url);
    expect(again.stdout, `left after applying:\n${planned.stdout}`).toContain('No drift');
    expect(again.code).toBe(0);
  });

  it('a mariadb:// URL works like mysql://, and identical databases with different names are no drift', async () => {
    const [a, b] = [await database(), await database()];
    await deployExample('mysql', a, 2);
    await deployExample('mysql', b, 2);
    const result = await cli('diff', '--from', a.url.replace(/^mysql:/, 'mariadb:'), '--to', b.url);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('diff --from mysql://db --to the example directory --dev-url, after hand changes: JSON names revision, pending, changes', async () => {
    // Deployed up to 3, so file 4 is pending (the pending-only run: engine/cli-scenarios.test.ts).
    const db = await database();
    await deployExample('mysql', db, 3);
    await db.exec('ALTER TABLE accounts ADD COLUMN region char(2) NULL; DROP PROCEDURE archive_project;');
    const drifted = await cli('diff', '--from', db.url, '--to', EXAMPLE, '--dev-url', MYSQL_URL, '--format', 'json');
    expect(drifted.code).toBe(1);
    const json = JSON.parse(drifted.stdout) as {
      revision: { tool: string; version: string };
      pending: { version: string }[];
      changes: { type: string; action: string }[];
    };
    expect(json.revision).toMatchObject({ tool: 'golang-migrate', version: '3' });
    expect(json.pending.map((p) => p.version)).toEqual(['000004']);
    expect(json.changes.map((c) => `${c.action} ${c.type}`).sort()).toEqual(['extra column', 'missing routine']);
  }, 60_000);

  it('a MySQL database against a directory without --dev-url: exit 2, one line naming --dev-url', async () => {
    const db = await database();
    const result = await cli('diff', '--from', db.url, '--to', EXAMPLE);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^schema-drift: .*--dev-url.*no embedded MySQL/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a PostgreSQL dev server for a MySQL directory is refused', async () => {
    const db = await database();
    const result = await cli('diff', '--from', db.url, '--to', EXAMPLE, '--dev-url', PG_URL);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--dev-url .*must be a mysql:\/\/ or mariadb:\/\/ URL/);
  });

  it('inspect --format sql prints MySQL DDL; inspect of the directory with --dev-url prints the same tables', async () => {
    const db = await database();
    await deployExample('mysql', db, 4);
    const live = await cli('inspect', db.url, '--format', 'sql');
    expect(live.code).toBe(0);
    expect(live.stdout).toMatch(/CREATE TABLE `accounts`/);
    expect(live.stdout).toMatch(/CREATE TRIGGER `tasks_touch_updated_at`/);
    expect(live.stdout).not.toMatch(/"accounts"/);
    const replayed = await cli('inspect', EXAMPLE, '--format', 'sql', '--dev-url', MYSQL_URL);
    expect(replayed.code).toBe(0);
    const tables = (text: string) => [...text.matchAll(/CREATE TABLE `(\w+)`/g)].map((m) => m[1]).sort();
    expect(tables(replayed.stdout)).toEqual(tables(live.stdout).filter((t) => t !== 'schema_migrations'));
  }, 60_000);

  it('a saved MySQL schema against PostgreSQL is refused, as are two URLs of different dialects', async () => {
    // Its round trip against the database it came from: engine/cli-scenarios.test.ts.
    const db = await database();
    await deployExample('mysql', db, 2);
    const saved = await cli('inspect', db.url, '--format', 'json');
    expect(saved.code).toBe(0);
    const file = path.join(work, 'saved.json');
    await writeFile(file, saved.stdout);
    const mixed = await cli('diff', '--from', file, '--to', PG_URL);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/cannot compare .*\(mysql\) with .*\(postgres\): both sides must be the same dialect/);
    const urls = await cli('diff', '--from', db.url, '--to', PG_URL);
    expect(urls.code).toBe(2);
    expect(urls.stderr).toMatch(/both sides must be the same dialect/);
  });
});
