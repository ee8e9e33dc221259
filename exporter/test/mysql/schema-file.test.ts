/**
 * A `mysqldump --no-data` file as the desired state on MariaDB: the machine's own mysqldump (MariaDB's, which starts
 * its output with the sandbox-mode comment and writes `/*!40101 ... *\/` comments and `DELIMITER ;;` blocks for
 * triggers and routines) is replayed on the dev server and compared with the database it was dumped from: in sync
 * through the CLI and runCheck, with `--databases` (CREATE DATABASE + USE) too; a hot-fix afterwards is drift.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import { main } from '../../src/cli/cli.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { createTempMysqlDatabase, MYSQL_URL, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';
import { withoutDevServerRisk } from '../support/dev-server-risk.ts';

const run = promisify(execFile);

const DATABASE = `
CREATE TABLE users (
  id bigint unsigned AUTO_INCREMENT PRIMARY KEY,
  email varchar(190) NOT NULL UNIQUE,
  status enum('active','banned') NOT NULL DEFAULT 'active',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY idx_status (status)
) COMMENT='people';
CREATE TABLE orders (
  id bigint unsigned AUTO_INCREMENT PRIMARY KEY,
  user_id bigint unsigned NOT NULL,
  total decimal(12,2) NOT NULL DEFAULT 0 COMMENT 'EUR',
  CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT chk_total CHECK (total >= 0)
);
CREATE VIEW big_orders AS SELECT o.id, u.email, o.total FROM orders o JOIN users u ON u.id = o.user_id WHERE o.total > 100;
CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW BEGIN IF NEW.total < 0 THEN SET NEW.total = 0; END IF; END;
CREATE PROCEDURE count_orders(IN uid bigint, OUT n int) BEGIN SELECT count(*) INTO n FROM orders WHERE user_id = uid; END;
CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x * 2;
`;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** The real `mysqldump --no-data --routines` of `database` on the test server. */
async function mysqldump(database: string, ...args: string[]): Promise<string> {
  const url = new URL(MYSQL_URL);
  const login = ['-h', url.hostname, '-P', url.port || '3306', '-u', decodeURIComponent(url.username) || 'root'];
  if (url.password) login.push(`-p${decodeURIComponent(url.password)}`);
  const { stdout } = await run('mysqldump', [...login, '--no-data', '--routines', ...args, database], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

describe('a mysqldump --no-data file as the desired state (MariaDB)', () => {
  let db: TempDatabase;
  let dir: string;
  let dumpFile: string;
  const cache = new DesiredCache<DesiredSchema>();

  beforeAll(async () => {
    db = await createTempMysqlDatabase('sdschema');
    await db.exec(DATABASE);
    dir = await mkdtemp(path.join(tmpdir(), 'sd-mysql-schema-'));
    dumpFile = path.join(dir, 'schema.sql');
    await writeFile(dumpFile, await mysqldump(db.name));
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the dump has what the mysql client handles: conditional comments and DELIMITER blocks', async () => {
    const dump = await readFile(dumpFile, 'utf8');
    expect(dump).toMatch(/^\/\*!40101 SET /m);
    expect(dump).toMatch(/^DELIMITER ;;$/m);
    expect(dump).toContain('TRIGGER orders_bi');
  });

  it('CLI diff on the dev server: no drift', async () => {
    const result = await cli('diff', '--from', db.url, '--to', dumpFile, '--dev-url', MYSQL_URL, '--format', 'json');
    expect(withoutDevServerRisk(result.stderr)).toBe('');
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { changes: unknown[] }).changes).toEqual([]);
  }, 60_000);

  it('--databases output (CREATE DATABASE, USE) replays into the temporary database: no drift, the database untouched', async () => {
    const file = path.join(dir, 'databases.sql');
    const text = await mysqldump(db.name, '--databases', '--add-drop-database');
    expect(text).toMatch(/^USE `/m);
    await writeFile(file, text);
    const result = await cli('diff', '--from', db.url, '--to', file, '--dev-url', MYSQL_URL);
    expect(withoutDevServerRisk(result.stderr)).toBe('');
    expect(result.code).toBe(0);
    // The dump's DROP DATABASE / CREATE DATABASE of its own database never reached the server: the tables are still there.
    expect((await cli('diff', '--from', db.url, '--to', dumpFile, '--dev-url', MYSQL_URL)).code).toBe(0);
  }, 60_000);

  it('runCheck: in_sync, then a hot-fix is drift', async () => {
    const target = testTarget('mysqldump', db.url, { desired: { dir: dumpFile, devUrl: MYSQL_URL } });
    const report = await runCheck(target, { cache });
    expect(report.error).toBeNull();
    expect(report.status).toBe('in_sync');
    expect(report.revision).toBeNull();
    await db.exec('ALTER TABLE users ADD COLUMN nickname varchar(50)');
    const drift = await runCheck(target, { cache });
    expect(drift.status).toBe('drift');
    expect(drift.changes.map((c) => `${c.action} ${c.type} ${c.name}`)).toEqual(['extra column nickname']);
  }, 60_000);
});
