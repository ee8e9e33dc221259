/**
 * `schema-drift` runs that read the same on every dialect: a database behind the example migrations is pending, not
 * drift; a schema saved with `inspect --format json` diffs clean against the database it came from. Written once, run
 * on every dialect against its real server. What differs by dialect stays in cli.test.ts and mysql/cli.test.ts.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/cli.ts';
import type { DialectName } from '../../src/core/model/schema.ts';
import { DIALECT_HARNESSES } from '../support/dialects.ts';
import { deployExample, EXAMPLE_MIGRATIONS } from '../support/example-migrations.ts';
import type { TempDatabase } from '../support/servers.ts';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/**
 * All a replay of the example may print on stderr: PostgreSQL replays on embedded PGlite (PostgreSQL 18) while the
 * test server runs 15, and says so; MariaDB replays on the test server itself, so nothing.
 */
const REPLAY_STDERR: Record<DialectName, RegExp> = {
  postgres: /^schema-drift: warning: migrations were replayed on embedded PGlite \(PostgreSQL 18[^\n]*PostgreSQL 15[^\n]*\n$/,
  // The test server's root is the dev user: its SUPER and FILE are the one warning (mysql/dev-user.test.ts).
  mysql: /^schema-drift: warning: dev server mysql:\/\/[^\n]*: account [^\n]* has the FILE and SUPER privileges, [^\n]*\n$/,
};

describe.each(DIALECT_HARNESSES)('schema-drift on $server ($name)', (harness) => {
  const example = EXAMPLE_MIGRATIONS[harness.name];
  const devUrl = harness.devUrl ? ['--dev-url', harness.devUrl] : [];
  const databases: TempDatabase[] = [];
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'sd-cli-scenario-'));
  });
  afterAll(async () => {
    for (const db of databases) await db.drop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function database(): Promise<TempDatabase> {
    const db = await harness.createDatabase('sdcli');
    databases.push(db);
    return db;
  }

  it('treats migrations after the deployed revision as pending, not drift', async () => {
    const db = await deployExample(harness.name, await database(), 3);
    const result = await cli('diff', '--from', db.url, '--to', example, ...devUrl);
    expect(result.stderr).toMatch(REPLAY_STDERR[harness.name]);
    expect(result.stdout).toContain('No drift');
    expect(result.stdout).toMatch(/1 pending migration\(s\), not drift: 000004_invoices\.up\.sql/);
    expect(result.stdout).toMatch(/^Migrations: golang-migrate \(\w+\.schema_migrations\), version 3 deployed\n/);
    expect(result.stdout).toMatch(/\nStatus: pending\n$/);
    expect(result.code).toBe(0);
  }, 60_000);

  it('tells a person watching (CliIo.progress) each slow step, naming what it reads and where it replays', async () => {
    const db = await deployExample(harness.name, await database(), 4);
    const steps: string[] = [];
    const io = { stdout: () => undefined, stderr: () => undefined, progress: (step: string) => void steps.push(step) };
    expect(await main(['diff', '--from', db.url, '--to', example, ...devUrl], io)).toBe(0);
    const where = harness.devUrl ? `on ${harness.devUrl}` : 'in the embedded database';
    expect(steps).toEqual([
      `reading the schema of ${db.url}`,
      `replaying 4 golang-migrate migration file(s) of ${example} ${where}`,
    ]);
  }, 60_000);

  it('says a failed migration is dirty, with the version golang-migrate recorded', async () => {
    const db = await deployExample(harness.name, await database(), 3);
    await db.exec('UPDATE schema_migrations SET dirty = true');
    const result = await cli('diff', '--from', db.url, '--to', example, ...devUrl);
    expect(result.stdout).toMatch(/^Migrations: golang-migrate \(\w+\.schema_migrations\), version 3 deployed; DIRTY: a migration failed at 3\n/);
    expect(result.stdout).toMatch(/\nStatus: dirty\n$/);
  }, 60_000);

  it('round-trips a saved schema: inspect --format json, then diff it against the database', async () => {
    const db = await deployExample(harness.name, await database(), 4);
    const inspected = await cli('inspect', db.url, '--format', 'json');
    expect(inspected.code).toBe(0);
    const saved = path.join(work, 'saved.json');
    await writeFile(saved, inspected.stdout);
    expect(JSON.parse(await readFile(saved, 'utf8'))).toMatchObject({ dialect: harness.name });
    const result = await cli('diff', '--from', saved, '--to', db.url);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('No drift');
    expect(result.code).toBe(0);
  });
});
