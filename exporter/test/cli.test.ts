/**
 * The `schema-drift` command end to end, in-process, against the real PostgreSQL server and the bundled example
 * migrations. Pending files and a saved schema's round trip read the same on every dialect: engine/cli-scenarios.test.ts.
 */
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/cli.ts';
import { EXAMPLE_MIGRATIONS } from '../src/agent/demo.ts';
import { createTempPgDatabase, PG_URL, type TempDatabase } from './support/servers.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** The example migrations' up files, in order. */
async function exampleUpSql(): Promise<string[]> {
  const names = (await readdir(EXAMPLE_MIGRATIONS)).filter((n) => n.endsWith('.up.sql')).sort();
  return Promise.all(names.map((n) => readFile(join(EXAMPLE_MIGRATIONS, n), 'utf8')));
}

const DRIFT = `
ALTER TABLE users ALTER COLUMN email TYPE text;
CREATE INDEX invoices_issued_at_idx ON invoices (issued_at);
ALTER TABLE invoices DROP CONSTRAINT invoices_amount_positive;
`;

describe('schema-drift diff against a real PostgreSQL', () => {
  let db: TempDatabase;

  beforeAll(async () => {
    db = await createTempPgDatabase();
    for (const sql of await exampleUpSql()) await db.exec(sql);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('reports no drift and exits 0 when the database was built by the same migrations', async () => {
    const result = await run('diff', '--from', db.url, '--to', EXAMPLE_MIGRATIONS);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.stdout).toContain('No drift');
    expect(result.code).toBe(0);
  });

  it('reports hand-made drift, exits 1, and its sql converges the database back', async () => {
    await db.exec(DRIFT);
    const text = await run('diff', '--from', db.url, '--to', EXAMPLE_MIGRATIONS);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/~ column public\.users\.email/);
    expect(text.stdout).toMatch(/\+ index public\.invoices\.invoices_issued_at_idx/);
    expect(text.stdout).toMatch(/- constraint public\.invoices\.invoices_amount_positive/);

    const json = await run('diff', '--from', db.url, '--to', EXAMPLE_MIGRATIONS, '--format', 'json');
    const parsed = JSON.parse(json.stdout) as { summary: Record<string, number> };
    expect(parsed.summary).toEqual({ total: 3, extra: 1, missing: 1, changed: 1 });

    const sql = await run('diff', '--from', db.url, '--to', EXAMPLE_MIGRATIONS, '--format', 'sql');
    expect(sql.code).toBe(1);
    expect(sql.stdout).toMatch(/DROP INDEX/);
    expect(sql.stdout).not.toMatch(/No drift|difference/);
    await db.exec(sql.stdout);

    const after = await run('diff', '--from', db.url, '--to', EXAMPLE_MIGRATIONS);
    expect(after.stdout).toContain('No drift');
    expect(after.code).toBe(0);
  });
});

describe('schema-drift errors: one clear line, exit 2, no secrets', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'sd-cli-err-'));
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  const missingDb = (() => {
    const url = new URL(PG_URL);
    url.pathname = '/sd_no_such_database';
    return url.toString();
  })();

  it.each([
    ['an unknown URL scheme', ['inspect', 'oracle://scott:tiger@db/x'], /unknown URL scheme "oracle:\/\/"/],
    ['an unreachable host', ['inspect', 'postgres://app:s3cret-pw@127.0.0.1:1/app'], /127\.0\.0\.1:1/],
    ['a missing database', ['inspect', missingDb], /sd_no_such_database/],
    ['a path that does not exist', ['inspect', '/nonexistent/sd-migrations'], /\/nonexistent\/sd-migrations/],
    ['a keyword/value connection string, without echoing it', ['inspect', 'host=127.0.0.1 password=s3cret-pw dbname=test'], /keyword\/value connection strings/],
    ['a malformed --exclude rule', ['inspect', EXAMPLE_MIGRATIONS, '--exclude', 'tabel:x'], /--exclude "tabel:x"/],
  ])('%s', async (_what, argv, pattern) => {
    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain('s3cret-pw');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a saved schema with invalid JSON names the file and line', async () => {
    const file = join(work, 'broken.json');
    await writeFile(file, '{\n  "formatVersion": 1,\n  "schemas": [,]\n}\n');
    const result = await run('inspect', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:3`);
  });

  it('a migration with a syntax error names the file and line', async () => {
    const dir = join(work, 'bad-migrations');
    await mkdir(dir);
    await cp(join(EXAMPLE_MIGRATIONS, '000001_create_accounts.up.sql'), join(dir, '000001_create_accounts.up.sql'));
    await writeFile(join(dir, '000002_broken.up.sql'), 'CREATE TABLE ok (id int);\n\nCREATE TABEL broken (id int);\n');
    const result = await run('inspect', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/000002_broken\.up\.sql:3/);
    expect(result.stderr).toMatch(/syntax error at or near "TABEL"/);
  });

  it('a directory no migration tool would recognise is refused', async () => {
    const dir = join(work, 'not-migrations');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'hello');
    const result = await run('inspect', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not-migrations');
  });
});

describe('schema-drift options a user passes', () => {
  let db: TempDatabase;
  let work: string;
  const role = `sd_cli_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTempPgDatabase();
    for (const sql of await exampleUpSql()) await db.exec(sql);
    await db.exec('CREATE SCHEMA scratch; CREATE TABLE scratch.notes (id int); CREATE TABLE audit_log (id int);');
    work = await mkdtemp(join(tmpdir(), 'sd-cli-opt-'));
  });
  afterAll(async () => {
    await db?.exec(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await db?.drop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('--schema reads only the named schemas and --exclude leaves objects out', async () => {
    const all = await run('diff', '--from', db.url, '--to', EXAMPLE_MIGRATIONS);
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/scratch/);

    const publicOnly = await run('diff', '--from', db.url, '--to', EXAMPLE_MIGRATIONS, '--schema', 'public');
    expect(publicOnly.code).toBe(1);
    expect(publicOnly.stdout).not.toMatch(/scratch/);
    expect(publicOnly.stdout).toMatch(/\+ table public\.audit_log/);

    const excluded = await run('diff', '--from', db.url, '--to', EXAMPLE_MIGRATIONS, '--schema', 'public', '--exclude', 'table:public.audit_*');
    expect(excluded.stdout).toContain('No drift');
    expect(excluded.code).toBe(0);

    const inspected = await run('inspect', db.url, '--schema', 'scratch');
    expect((JSON.parse(inspected.stdout) as { schemas: { name: string }[] }).schemas.map((s) => s.name)).toEqual(['scratch']);
  });

  it('--privileges reads and compares grants; without it a grant is no drift', async () => {
    const saved = join(work, 'before-grant.json');
    await writeFile(saved, (await run('inspect', db.url, '--privileges', '--schema', 'public')).stdout);
    await db.exec(`CREATE ROLE ${role}; GRANT SELECT ON users TO ${role};`);

    const without = await run('diff', '--from', db.url, '--to', saved, '--schema', 'public');
    expect(without.stdout).toContain('No drift');
    expect(without.code).toBe(0);

    const compared = await run('diff', '--from', db.url, '--to', saved, '--schema', 'public', '--privileges');
    expect(compared.code).toBe(1);
    expect(compared.stdout).toContain(role);
  });

  it('--check-column-order reports a column in another position; by default it is no drift', async () => {
    const other = await createTempPgDatabase();
    try {
      await db.exec('CREATE TABLE scratch.pair (a int, b text)');
      await other.exec('CREATE SCHEMA scratch; CREATE TABLE scratch.pair (b text, a int)');
      const argv = ['diff', '--from', db.url, '--to', other.url, '--schema', 'scratch', '--exclude', 'table:scratch.notes'];
      const lenient = await run(...argv);
      expect(lenient.stdout).toContain('No drift');
      expect(lenient.code).toBe(0);
      const strict = await run(...argv, '--check-column-order');
      expect(strict.code).toBe(1);
      expect(strict.stdout).toMatch(/column scratch\.pair\.(a|b)/);
    } finally {
      await other.drop();
    }
  });

  it('extension versions are compared by default; --ignore-extension-versions leaves them out', async () => {
    const [older, newer] = [await createTempPgDatabase(), await createTempPgDatabase()];
    try {
      await older.exec("CREATE EXTENSION citext VERSION '1.5'");
      await newer.exec("CREATE EXTENSION citext VERSION '1.6'");
      const argv = ['diff', '--from', older.url, '--to', newer.url];
      const compared = await run(...argv);
      expect(compared.code).toBe(1);
      expect(compared.stdout).toContain('citext');
      const ignored = await run(...argv, '--ignore-extension-versions');
      expect(ignored.stdout).toContain('No drift');
      expect(ignored.code).toBe(0);
    } finally {
      await Promise.all([older.drop(), newer.drop()]);
    }
  });

  it('--password-file is read for the connection; a missing file is a one-line error naming it', async () => {
    const file = join(work, 'password');
    await writeFile(file, 'not-needed-by-trust-auth\n');
    const ok = await run('inspect', db.url, '--password-file', file, '--schema', 'scratch');
    expect(ok.code).toBe(0);

    const missing = join(work, 'no-such-password-file');
    const failed = await run('inspect', db.url, '--password-file', missing);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/cannot read password file \(ENOENT\)/);
    expect(failed.stderr).toContain(missing);
  });

  it.each([['0'], ['abc'], ['1.5']])('--statement-timeout %s is refused', async (value) => {
    const result = await run('inspect', db.url, '--statement-timeout', value);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--statement-timeout "${value}": expected milliseconds`);
  });

  it('--statement-timeout in milliseconds is accepted', async () => {
    const result = await run('inspect', db.url, '--statement-timeout', '20000', '--schema', 'scratch');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ dialect: 'postgres' });
  });

  it('--events on a PostgreSQL database is a configuration error', async () => {
    const result = await run('inspect', db.url, '--events');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/events: PostgreSQL has no scheduled events/);
  });

  it('--verbose adds the stack and the causes to an error', async () => {
    const argv = ['inspect', 'postgres://app:s3cret-pw@127.0.0.1:1/app'];
    const plain = await run(...argv);
    const verbose = await run(...argv, '--verbose');
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    expect(verbose.code).toBe(2);
    expect(verbose.stderr.startsWith(plain.stderr)).toBe(true);
    expect(verbose.stderr).toContain('caused by: ');
    expect(verbose.stderr).toMatch(/\n\s+at /);
    expect(verbose.stderr).not.toContain('s3cret-pw');
  });
});

describe('schema-drift demo', () => {
  it('shows the three hand-made drifts of the embedded production database', async () => {
    const result = await run('demo');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/3 differences/);
    expect(result.stdout).toMatch(/column public\.users\.email/);
    expect(result.stdout).toMatch(/index public\.invoices\.invoices_issued_at_idx/);
    expect(result.stdout).toMatch(/constraint public\.invoices\.invoices_amount_positive/);
    expect(result.stdout).toMatch(/ALTER TABLE .*users/);
  });
});
