/**
 * The agent's check and the CLI's `diff` run the same engine steps, so for the same database and migration directory
 * they must give the same answer: status, changes, pending files, revision and warnings — including the warning about
 * a file at or below the deployed version that the revision table does not list (an out-of-order migration), which
 * only the agent used to give. Written once, run on every dialect against its real server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import { main } from '../../src/cli/cli.ts';
import type { Report } from '../../src/core/model/report.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { DIALECT_HARNESSES, type DialectHarness } from '../support/dialects.ts';
import type { TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

/** dbmate files (its revision table lists every applied version, so an unlisted one can be told). */
const FILES: Record<string, string> = {
  '20240101000000_users.sql':
    '-- migrate:up\nCREATE TABLE users (id int NOT NULL PRIMARY KEY, email varchar(100) NOT NULL);\n-- migrate:down\nDROP TABLE users;\n',
  // Merged late with an older timestamp: the database has version 20240103000000 but never ran this one.
  '20240102000000_orders.sql':
    '-- migrate:up\nCREATE TABLE orders (id int NOT NULL PRIMARY KEY, user_id int NOT NULL);\n-- migrate:down\nDROP TABLE orders;\n',
  '20240103000000_email_index.sql': '-- migrate:up\nCREATE INDEX users_email_idx ON users (email);\n-- migrate:down\nDROP INDEX users_email_idx;\n',
  // Not deployed yet: pending, not drift.
  '20240104000000_later.sql': '-- migrate:up\nCREATE TABLE later (id int NOT NULL PRIMARY KEY);\n-- migrate:down\nDROP TABLE later;\n',
};

/** What dbmate left behind for versions 1 and 3, and a hot-fix typed in by hand. */
const LIVE = `
CREATE TABLE users (id int NOT NULL PRIMARY KEY, email varchar(100) NOT NULL);
CREATE INDEX users_email_idx ON users (email);
CREATE TABLE schema_migrations (version varchar(128) NOT NULL PRIMARY KEY);
INSERT INTO schema_migrations (version) VALUES ('20240101000000'), ('20240103000000');
ALTER TABLE users ADD COLUMN nickname varchar(50);
`;

interface CliDiff {
  code: number;
  stderr: string;
  json: {
    revision: { version: string | null; tool: string; table: string } | null;
    pending: { version: string | null; path: string }[];
    warnings: string[];
    changes: Report['changes'];
  };
}

async function cliDiff(argv: string[]): Promise<CliDiff> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  if (code === 2) throw new Error(`schema-drift ${argv.join(' ')} failed: ${stderr}`);
  return { code, stderr, json: JSON.parse(stdout) as CliDiff['json'] };
}

describe.each(DIALECT_HARNESSES)('agent and CLI agree on $server ($name)', (harness: DialectHarness) => {
  let db: TempDatabase;
  let dir: string;
  let report: Report;
  let cli: CliDiff;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sd-parity-'));
    for (const [name, sql] of Object.entries(FILES)) await writeFile(path.join(dir, name), sql);
    db = await harness.createDatabase('sdparity');
    await db.exec(LIVE);
    const target = testTarget('parity', db.url, { desired: { dir, ...(harness.devUrl ? { devUrl: harness.devUrl } : {}) } });
    report = await runCheck(target, { cache: new DesiredCache<DesiredSchema>({}) });
    cli = await cliDiff(['diff', '--from', db.url, '--to', dir, '--format', 'json', ...(harness.devUrl ? ['--dev-url', harness.devUrl] : [])]);
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('both see drift: the agent reports status drift, the CLI exits 1', () => {
    expect(report.error).toBeNull();
    expect(report.status).toBe('drift');
    expect(cli.code).toBe(1);
  });

  it('the same changes: the unlisted migration is missing, the hot-fixed column extra', () => {
    expect(cli.json.changes).toEqual(report.changes);
    const subjects = report.changes.map((c) => `${c.action} ${c.type}`);
    expect(subjects).toEqual(expect.arrayContaining(['missing table', 'extra column']));
    expect(report.changes.some((c) => c.action === 'missing' && c.type === 'table' && c.name === 'orders')).toBe(true);
  });

  it('the same deployed revision and pending file', () => {
    expect(report.revision).toMatchObject({ tool: 'dbmate', version: '20240103000000' });
    expect(cli.json.revision).toMatchObject({ tool: 'dbmate', version: '20240103000000' });
    expect(cli.json.pending).toEqual(report.pending);
    expect(report.pending.map((p) => p.path)).toEqual(['20240104000000_later.sql']);
  });

  it('the same warnings, the unlisted file among them, also on the CLI stderr', () => {
    expect(cli.json.warnings).toEqual(report.warnings);
    expect(report.warnings).toContainEqual(expect.stringMatching(/revision table does not list .*20240102000000_orders\.sql/));
    expect(cli.stderr).toContain('20240102000000_orders.sql');
  });
});
