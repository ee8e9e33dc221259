/**
 * Helpers of the MySQL convergence and no-false-drift tests: load SQL with the `mariadb` client (as a person would,
 * so `DELIMITER` works), inspect a temporary database under a fixed schema name, and describe leftover changes.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import type { Change } from '../../src/core/model/change.ts';
import { changeSubject } from '../../src/core/model/change.ts';
import type { SchemaSnapshot } from '../../src/core/model/schema.ts';
import { asMysqlQueryable } from '../../src/dialects/mysql/connect.ts';
import { inspectMysql } from '../../src/dialects/mysql/inspect.ts';
import { MYSQL_URL, type TempDatabase } from '../support/servers.ts';

const run = promisify(execFile);

/** The name both sides are inspected under, as a replay reports its scratch database under the live one's name. */
export const SCHEMA_NAME = 'app';

/** `mariadb` client arguments for the test server's database `name`. */
function clientArgs(name: string): string[] {
  const url = new URL(MYSQL_URL);
  const args = ['-h', url.hostname, '-P', url.port || '3306', '-u', decodeURIComponent(url.username) || 'root'];
  if (url.password) args.push(`-p${decodeURIComponent(url.password)}`);
  return [...args, name];
}

/** Runs a script with the `mariadb` command-line client, as `mariadb ... db < script.sql`. */
export async function runClientScript(db: TempDatabase, script: string): Promise<void> {
  const child = run('mariadb', clientArgs(db.name));
  child.child.stdin?.end(script);
  await child.catch((err: Error & { stderr?: string }) => {
    throw new Error(`mariadb client failed: ${(err.stderr ?? err.message).trim()}`);
  });
}

/** How the fixtures are inspected: with events, as a MySQL/MariaDB target is by default. */
export const FIXTURE_INSPECT = { events: true } as const;

/** Inspects a temporary database under {@link SCHEMA_NAME}, with events when `events` is set. */
export async function inspectTemp(db: TempDatabase, options: { events?: boolean } = {}): Promise<SchemaSnapshot> {
  const url = new URL(MYSQL_URL);
  const conn = await mysql.createConnection({
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username) || 'root',
    password: decodeURIComponent(url.password),
    database: db.name,
  });
  try {
    return await inspectMysql(asMysqlQueryable(conn), { database: db.name, schemaName: SCHEMA_NAME, events: options.events ?? false });
  } finally {
    await conn.end();
  }
}

/** One line per change with its attributes, for failure messages. */
export function describeChanges(changes: readonly Change[]): string {
  return changes.map((c) => `${c.action} ${changeSubject(c)} ${JSON.stringify(c.attributes)}`).join('\n');
}
