/**
 * The acceptance check, as a user runs it: `schema-drift diff --from <url> --to <url> --format sql`, the
 * script applied with the dialect's command-line client (psql; mariadb, DELIMITER lines and all), then the same diff
 * again must report nothing. Every convergence fixture case of every dialect, both directions; events are read where
 * the dialect has them (the CLI's default).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/cli.ts';
import type { DialectName } from '../../src/core/model/schema.ts';
import { runClientScript } from '../mysql/convergence-support.ts';
import { DIALECT_HARNESSES } from '../support/dialects.ts';
import { pgServerMajor, sqlForMajor } from '../support/pg-fixtures.ts';
import type { TempDatabase } from '../support/servers.ts';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'sd-cli-conv-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a script with psql, each statement on its own (autocommit), as a person applying it would. */
async function runPsqlScript(db: TempDatabase, script: string): Promise<void> {
  const file = join(work, `${db.name}.sql`);
  writeFileSync(file, script);
  await run('psql', ['--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-q', '-d', db.url, '-f', file], {
    env: { ...process.env, PGOPTIONS: '--client-min-messages=warning' },
  }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`psql failed: ${err.stderr ?? err.message}`);
  });
}

/** Per dialect: its fixture cases, how a fixture side is loaded, and the client a person applies the script with. */
interface ConvergenceData {
  readonly fixtures: string;
  /** Cases this file runs (PostgreSQL's privileges* need roles per run: postgres/convergence-privileges.test.ts). */
  readonly runs: (name: string) => boolean;
  /** Fewer cases than this means the fixtures were not found. */
  readonly atLeast: number;
  load(db: TempDatabase, sql: string): Promise<void>;
  apply(db: TempDatabase, script: string): Promise<void>;
}

const DATA: Record<DialectName, ConvergenceData> = {
  postgres: {
    fixtures: fileURLToPath(new URL('../fixtures/postgres/convergence/', import.meta.url)),
    runs: (name) => !name.startsWith('privileges'),
    atLeast: 40,
    // The fixture's lines for the server's major (support/pg-fixtures.ts).
    load: async (db, sql) => db.exec(sqlForMajor(sql, await pgServerMajor())),
    apply: runPsqlScript,
  },
  mysql: {
    fixtures: fileURLToPath(new URL('../fixtures/mysql/convergence/', import.meta.url)),
    runs: () => true,
    atLeast: 15,
    load: runClientScript,
    apply: runClientScript,
  },
};

async function diff(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['diff', ...argv], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe.each(DIALECT_HARNESSES)('schema-drift diff --format sql converges on $server ($name)', (harness) => {
  const data = DATA[harness.name];
  const cases = readdirSync(data.fixtures, { withFileTypes: true })
    .filter((d) => d.isDirectory() && data.runs(d.name))
    .map((d) => d.name)
    .sort();
  const runs = cases.flatMap((name) => [
    { name, from: 'a.sql', to: 'b.sql' },
    { name, from: 'b.sql', to: 'a.sql' },
  ]);

  it(`runs every fixture case (at least ${data.atLeast})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(data.atLeast);
  });

  it.each(runs)('$name: $from → $to', async ({ name, from, to }) => {
    const current = await harness.createDatabase('sdcli');
    const desired = await harness.createDatabase('sdcli');
    try {
      await data.load(current, readFileSync(join(data.fixtures, name, from), 'utf8'));
      await data.load(desired, readFileSync(join(data.fixtures, name, to), 'utf8'));
      const planned = await diff(['--from', current.url, '--to', desired.url, '--format', 'sql']);
      expect(planned.stderr).toBe('');
      expect(planned.code).toBe(1);
      await data.apply(current, planned.stdout).catch((err: Error) => {
        throw new Error(`${err.message}\n--- script ---\n${planned.stdout}`);
      });
      const again = await diff(['--from', current.url, '--to', desired.url, '--format', 'text']);
      expect(again.stdout, `left after applying:\n${planned.stdout}`).toContain('No drift');
      expect(again.code).toBe(0);
    } finally {
      await Promise.all([current.drop(), desired.drop()]);
    }
  });
});
