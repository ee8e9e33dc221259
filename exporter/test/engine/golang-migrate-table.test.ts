/**
 * golang-migrate creates `schema_migrations` before it applies the first migration, and real projects alter that
 * table in a migration (an added column). The replay creates it first too, with the DDL of the tool's driver for the
 * dialect, so such a directory replays; the table itself stays out of the diff. Written once, run on every dialect
 * against its real server, through the agent's check and the CLI's `diff`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import type { Report } from '../../src/core/model/report.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { DIALECT_HARNESSES, type DialectHarness } from '../support/dialects.ts';
import { cli } from '../support/format-scenarios.ts';
import type { TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

/** The column type the 2nd migration adds to golang-migrate's own table, by dialect. */
const NOTE_TYPE: Record<string, string> = { postgres: 'text', mysql: 'varchar(50)' };

function files(dialect: string): Record<string, string> {
  return {
    '1_users.up.sql': 'CREATE TABLE users (id int NOT NULL PRIMARY KEY, email varchar(100) NOT NULL);\n',
    '1_users.down.sql': 'DROP TABLE users;\n',
    '2_note.up.sql': `ALTER TABLE schema_migrations ADD COLUMN note ${NOTE_TYPE[dialect]};\nCREATE INDEX users_email_idx ON users (email);\n`,
    '2_note.down.sql': 'ALTER TABLE schema_migrations DROP COLUMN note;\n',
  };
}

/** What `migrate up` leaves: its table as its driver creates it, both files applied, version 2 clean. */
function deployed(dialect: string): string {
  const create =
    dialect === 'mysql'
      ? 'CREATE TABLE `schema_migrations` (version bigint not null primary key, dirty boolean not null)'
      : 'CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)';
  const all = files(dialect);
  return `${create};\n${all['1_users.up.sql']}${all['2_note.up.sql']}INSERT INTO schema_migrations (version, dirty) VALUES (2, false);\n`;
}

describe.each(DIALECT_HARNESSES)('golang-migrate table altered by a migration on $server ($name)', (harness: DialectHarness) => {
  let db: TempDatabase;
  let dir: string;
  let report: Report;
  let diff: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sd-gm-table-'));
    for (const [name, sql] of Object.entries(files(harness.name))) await writeFile(path.join(dir, name), sql);
    db = await harness.createDatabase('sdgmtable');
    await db.exec(deployed(harness.name));
    const dev = harness.devUrl ? { devUrl: harness.devUrl } : {};
    report = await runCheck(testTarget('gm-table', db.url, { desired: { dir, ...dev } }), { cache: new DesiredCache<DesiredSchema>({}) });
    diff = await cli(['diff', '--from', db.url, '--to', dir, '--format', 'json', ...(harness.devUrl ? ['--dev-url', harness.devUrl] : [])]);
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the agent: replays, in sync at golang-migrate version 2', () => {
    expect(report.error).toBeNull();
    expect(report.status).toBe('in_sync');
    expect(report.changes).toEqual([]);
    expect(report.revision).toMatchObject({ tool: 'golang-migrate', version: '2', dirty: false });
  });

  it('the CLI: exit 0, no changes, nothing pending', () => {
    expect(diff.stderr).not.toMatch(/error/i);
    expect(diff.code).toBe(0);
    const json = JSON.parse(diff.stdout) as { changes: unknown[]; pending: unknown[] };
    expect(json.changes).toEqual([]);
    expect(json.pending).toEqual([]);
  });
});
