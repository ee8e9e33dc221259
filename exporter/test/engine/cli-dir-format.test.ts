/**
 * `--dir-format` names a migration directory's layout on the command line, as `desired.format` does in the
 * configuration: a directory showing the signs of two tools is refused, naming what it found and the formats, until
 * the format is named. Replays in the embedded engine (PostgreSQL), so no server is needed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/cli.ts';
import { MIGRATION_FORMATS } from '../../src/migrations/index.ts';

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe('inspect and diff --dir-format', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sd-dir-format-'));
    // Both golang-migrate's and Flyway's names: ambiguous.
    await writeFile(path.join(dir, '1_users.up.sql'), 'CREATE TABLE gm_users (id int PRIMARY KEY);\n');
    await writeFile(path.join(dir, 'V1__users.sql'), 'CREATE TABLE fw_users (id int PRIMARY KEY);\n');
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('without it, an ambiguous directory is refused, naming the files, the option and every format', async () => {
    const result = await cli(['inspect', dir, '--format', 'sql']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ambiguous migration layout: found golang-migrate \(1_users\.up\.sql\), flyway \(V1__users\.sql\)/);
    expect(result.stderr).toContain('--dir-format');
    for (const format of MIGRATION_FORMATS) expect(result.stderr).toContain(format);
  });

  it.each([
    ['golang-migrate', 'gm_users', 'fw_users'],
    ['flyway', 'fw_users', 'gm_users'],
  ])('inspect --dir-format %s reads that layout only', async (format, kept, left) => {
    const result = await cli(['inspect', dir, '--format', 'sql', '--dir-format', format]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(kept);
    expect(result.stdout).not.toContain(left);
  }, 60_000);

  // Without the option both sides are ambiguous and the diff exits 2.
  it('diff --dir-format applies to directory sources', async () => {
    const result = await cli(['diff', '--from', dir, '--to', dir, '--format', 'json', '--dir-format', 'flyway']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { changes: unknown[] }).changes).toEqual([]);
  }, 60_000);

  it('an unknown format is refused with the choices', async () => {
    const result = await cli(['inspect', dir, '--dir-format', 'no-such-tool']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Allowed choices are ${MIGRATION_FORMATS.join(', ')}.`);
  });
});

describe('a lone directory takes the dialect its tool declares', () => {
  const PRISMA_MYSQL = fileURLToPath(new URL('../fixtures/migrations-mysql/prisma', import.meta.url));

  // migration_lock.toml says mysql: without a dev server there is nothing to replay it on (PostgreSQL's PGlite would
  // fail on the first MySQL statement instead, naming the wrong cause).
  it('a Prisma directory for MySQL asks for a MySQL dev server', async () => {
    const result = await cli(['inspect', PRISMA_MYSQL, '--format', 'sql']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/replaying MySQL migrations needs a dev server .*--dev-url/);
  });

  it('a PostgreSQL dev server for it is refused, naming the lock file, its provider and the dialect', async () => {
    const result = await cli(['inspect', PRISMA_MYSQL, '--format', 'sql', '--dev-url', 'postgres://u@127.0.0.1:1/x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/migration_lock\.toml declares provider "mysql", but the target's dialect is PostgreSQL/);
  });
});

