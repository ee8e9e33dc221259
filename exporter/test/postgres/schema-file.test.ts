/**
 * A schema file as the desired state, end to end on the real server: the machine's own `pg_dump --schema-only` of a
 * database (tables, views, functions, a trigger, sequences, indexes, an enum, comments, grants; the pg_dump of
 * 13.22/14.19/15.14/16.10/17.6 and later writes `\restrict` into it) is replayed in PGlite and on the dev server and
 * compared with that same database, through the CLI and the agent's `runCheck`: in sync, whatever the database's own
 * revision table says; a hot-fix made afterwards is drift. A Rails `structure.sql` (pg_dump's output plus Rails' `schema_migrations` inserts) is in sync too. A
 * directory of declarative files (Supabase style) replays in name order, each file in a fresh session.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import { main } from '../../src/cli/cli.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { createTempPgDatabase, PG_URL, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';
import { withoutDevServerRisk } from '../support/dev-server-risk.ts';

const run = promisify(execFile);
const SCHEMA_FIXTURE = fileURLToPath(new URL('../fixtures/migrations/schema', import.meta.url));

/** What the dumped database holds; golang-migrate's table says a failed version 20240105 is deployed. */
const DATABASE = `
CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
CREATE SEQUENCE public.order_no START 1000;
CREATE TABLE public.users (
  id bigserial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  mood public.mood DEFAULT 'ok',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE public.orders (
  id bigint PRIMARY KEY DEFAULT nextval('public.order_no'),
  user_id bigint NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
  total numeric(12, 2) CHECK (total >= 0),
  note text
);
CREATE INDEX orders_user_idx ON public.orders (user_id);
CREATE INDEX users_lower_email ON public.users (lower(email));
CREATE VIEW public.big_orders AS
  SELECT o.id, u.email, o.total FROM public.orders o JOIN public.users u ON u.id = o.user_id WHERE o.total > 100;
CREATE FUNCTION public.order_count(uid bigint) RETURNS bigint LANGUAGE sql STABLE
  AS $$ SELECT count(*) FROM public.orders WHERE user_id = uid $$;
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql
  AS $$ BEGIN NEW.note := coalesce(NEW.note, ''); RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch();
COMMENT ON TABLE public.users IS 'people';
COMMENT ON COLUMN public.orders.total IS 'in EUR';
CREATE SCHEMA reporting;
CREATE TABLE reporting.daily (day date PRIMARY KEY, orders integer NOT NULL DEFAULT 0);
GRANT SELECT ON public.users TO PUBLIC;
GRANT USAGE ON SCHEMA reporting TO PUBLIC;
GRANT SELECT, INSERT ON reporting.daily TO PUBLIC;
CREATE TABLE public.schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
INSERT INTO public.schema_migrations VALUES (20240105, true);
`;

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** The real `pg_dump --schema-only` of `url`. */
async function pgDump(url: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('pg_dump', ['--schema-only', ...args, `--dbname=${url}`], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

describe('a pg_dump --schema-only file as the desired state', () => {
  let db: TempDatabase;
  let dir: string;
  let dumpFile: string;
  let dump: string;
  const cache = new DesiredCache<DesiredSchema>();

  beforeAll(async () => {
    db = await createTempPgDatabase('sdschema');
    await db.exec(DATABASE);
    dir = await mkdtemp(path.join(tmpdir(), 'sd-schema-file-'));
    dump = await pgDump(db.url);
    dumpFile = path.join(dir, 'structure.sql');
    await writeFile(dumpFile, dump);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the dump is what psql expects: \\restrict (pg_dump 13.22, 14.19, 15.14, 16.10, 17.6 and later), SET lines, an empty search_path', async () => {
    const { stdout } = await run('pg_dump', ['--version']);
    const [major, minor] = (/(\d+)\.(\d+)/.exec(stdout) ?? []).slice(1).map(Number) as [number, number];
    const firstWith: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 };
    const restricts = major >= 18 || minor >= (firstWith[major] ?? Number.POSITIVE_INFINITY);
    expect(/^\\restrict \S+$/m.test(dump)).toBe(restricts);
    expect(/^\\unrestrict \S+$/m.test(dump)).toBe(restricts);
    expect(dump).toContain("SELECT pg_catalog.set_config('search_path', '', false);");
    expect(dump).toContain('CREATE TYPE public.mood AS ENUM');
  });

  it('CLI diff --from <file> --to <url>, replayed in PGlite: no drift, no revision table, nothing pending', async () => {
    const result = await cli(['diff', '--from', dumpFile, '--to', db.url, '--format', 'json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { changes: unknown[]; revision: unknown; pending: unknown[] };
    expect(json.changes).toEqual([]);
    expect(json.revision).toBeNull();
    expect(json.pending).toEqual([]);
  }, 60_000);

  it('CLI diff on the dev server, privileges compared too: no drift', async () => {
    const result = await cli(['diff', '--from', db.url, '--to', dumpFile, '--dev-url', PG_URL, '--privileges']);
    expect(withoutDevServerRisk(result.stderr)).toBe('');
    expect(result.stdout).toContain(`No drift: ${db.url} matches ${dumpFile}.`);
    expect(result.code).toBe(0);
  }, 60_000);

  it('runCheck: in_sync in PGlite and on the dev server, although golang-migrate says a failed version is deployed', async () => {
    const embedded = await runCheck(testTarget('structure', db.url, { desired: { dir: dumpFile } }), { cache });
    expect(embedded.error).toBeNull();
    expect(embedded.status).toBe('in_sync');
    expect(embedded.revision).toBeNull();
    expect(embedded.pending).toEqual([]);
    expect(embedded.engine?.replay).toBe('pglite');
    const dev = await runCheck(
      testTarget('structure-dev', db.url, { desired: { dir: dumpFile, format: 'schema', devUrl: PG_URL }, privileges: true }),
      { cache },
    );
    expect(dev.error).toBeNull();
    expect(dev.status).toBe('in_sync');
    expect(dev.engine?.replay).toBe('server');
  }, 90_000);

  it('pg_dump --create (CREATE DATABASE + \\connect) replays into the scratch database: no drift', async () => {
    const created = path.join(dir, 'created.sql');
    const text = await pgDump(db.url, '--create');
    expect(text).toMatch(/^\\connect /m);
    await writeFile(created, text);
    const result = await cli(['diff', '--from', db.url, '--to', created, '--dev-url', PG_URL]);
    expect(withoutDevServerRisk(result.stderr)).toBe('');
    expect(result.code).toBe(0);
  }, 60_000);

  it("pg_dump 17's SET transaction_timeout, unknown to the PostgreSQL 15 dev server, is passed over as psql does", async () => {
    await expect(db.exec('SET transaction_timeout = 0')).rejects.toThrow(/unrecognized configuration parameter "transaction_timeout"/);
    const newer = path.join(dir, 'from-pg17.sql');
    const text = dump.replace('SET statement_timeout = 0;\n', 'SET statement_timeout = 0;\nSET transaction_timeout = 0;\n');
    expect(text).toContain('SET transaction_timeout = 0;');
    await writeFile(newer, text);
    const result = await cli(['diff', '--from', db.url, '--to', newer, '--dev-url', PG_URL]);
    expect(withoutDevServerRisk(result.stderr)).toBe('');
    expect(result.code).toBe(0);
  }, 60_000);

  it('a hot-fix typed into the database afterwards is drift', async () => {
    await db.exec('ALTER TABLE public.users ADD COLUMN nickname text; DROP INDEX public.orders_user_idx;');
    const report = await runCheck(testTarget('structure', db.url, { desired: { dir: dumpFile } }), { cache });
    expect(report.status).toBe('drift');
    const changes = report.changes.map((c) => `${c.action} ${c.type} ${c.schema}.${'table' in c ? `${c.table}.` : ''}${c.name}`);
    expect(changes.sort()).toEqual(['extra column public.users.nickname', 'missing index public.orders.orders_user_idx']);
    expect(report.reconcile.sql).toMatch(/CREATE INDEX orders_user_idx/);
  }, 60_000);

  it('a psql meta-command the replay cannot follow is an error naming file and line', async () => {
    const bad = path.join(dir, 'bad.sql');
    const lines = dump.split('\n');
    const at = lines.findIndex((l) => l.startsWith('CREATE TABLE public.orders'));
    lines.splice(at, 0, '\\i extra.sql');
    await writeFile(bad, lines.join('\n'));
    const report = await runCheck(testTarget('bad', db.url, { desired: { dir: bad } }), { cache });
    expect(report.status).toBe('error');
    expect(report.error?.reason).toBe('replay');
    // A single file is the whole desired.dir, so the report names it in full.
    expect(report.error?.message).toBe(`${bad}:${at + 1}: psql meta-command \\i is not supported in a schema file (only \\restrict, \\unrestrict and \\connect to the file's own database are)`);
  }, 60_000);
});

describe("a Rails db/structure.sql (pg_dump -s -x -O, then Rails' schema_migrations inserts)", () => {
  let db: TempDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTempPgDatabase('sdrails');
    await db.exec(`
      CREATE TABLE public.schema_migrations (version character varying NOT NULL PRIMARY KEY);
      CREATE TABLE public.ar_internal_metadata (key character varying NOT NULL PRIMARY KEY, value character varying,
        created_at timestamp(6) without time zone NOT NULL, updated_at timestamp(6) without time zone NOT NULL);
      CREATE TABLE public.articles (id bigserial PRIMARY KEY, title character varying, body text,
        created_at timestamp(6) without time zone NOT NULL, updated_at timestamp(6) without time zone NOT NULL);
      CREATE INDEX index_articles_on_title ON public.articles USING btree (title);
      INSERT INTO public.schema_migrations VALUES ('20240101000000'), ('20240102000000');
    `);
    dir = await mkdtemp(path.join(tmpdir(), 'sd-rails-'));
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('replays in PGlite and is in sync, whatever schema_migrations lists', async () => {
    // What `rails db:schema:dump` with schema_format :sql writes: pg_dump's flags, then the search_path and versions.
    const dump = await pgDump(db.url, '--no-privileges', '--no-owner');
    const structure = path.join(dir, 'structure.sql');
    await writeFile(structure, `${dump}SET search_path TO "$user", public;\n\nINSERT INTO "schema_migrations" (version) VALUES\n('20240102000000'),\n('20240101000000');\n\n`);
    const result = await cli(['diff', '--from', db.url, '--to', structure, '--format', 'json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { changes: unknown[]; revision: unknown };
    expect(json.changes).toEqual([]);
    expect(json.revision).toBeNull();
  }, 60_000);
});

describe('roles a schema file names', () => {
  let dir: string;
  let file: string;
  const role = `sd_missing_${process.pid}`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sd-schema-roles-'));
    file = path.join(dir, 'prod.sql');
    // A production dump without --no-owner: the roles are the production cluster's.
    await writeFile(
      file,
      `CREATE TABLE public.accounts (id integer PRIMARY KEY);\n\nALTER TABLE public.accounts OWNER TO ${role}_owner;\n` +
        `GRANT SELECT ON TABLE public.accounts TO ${role}_reader, ${role}_auditor;\n`,
    );
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('are created in the embedded PGlite, so the dump replays with its owners and grants', async () => {
    const result = await cli(['inspect', file, '--privileges', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const table = (JSON.parse(result.stdout) as { schemas: { tables: { name: string; acl?: string[] }[] }[] }).schemas[0]?.tables[0];
    expect(table?.name).toBe('accounts');
    expect(table?.acl).toEqual(expect.arrayContaining([`${role}_reader=r/${role}_owner`, `${role}_auditor=r/${role}_owner`]));
  }, 60_000);

  it('are not created on a dev server, where they would outlive the replay: the statement fails naming the role', async () => {
    const result = await cli(['inspect', file, '--dev-url', PG_URL]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:3: role "${role}_owner" does not exist`);
  }, 60_000);
});

describe('a directory of declarative schema files (Supabase style)', () => {
  let db: TempDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTempPgDatabase('sdschemadir');
    for (const name of ['departments.sql', 'staff.sql', 'views.sql']) await db.exec(await readFile(path.join(SCHEMA_FIXTURE, name), 'utf8'));
    dir = await mkdtemp(path.join(tmpdir(), 'sd-schema-dir-'));
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('named with --dir-format schema, replayed in name order: no drift', async () => {
    const result = await cli(['diff', '--from', SCHEMA_FIXTURE, '--to', db.url, '--format', 'json', '--dir-format', 'schema']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { changes: unknown[] }).changes).toEqual([]);
  }, 60_000);

  it("each file starts in a fresh session: one file's empty search_path does not break the next", async () => {
    await writeFile(path.join(dir, 'a_dump.sql'), "SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public.first (id integer);\n");
    await writeFile(path.join(dir, 'b_tables.sql'), 'CREATE TABLE second (id integer);\n');
    const result = await cli(['inspect', dir, '--format', 'sql', '--dir-format', 'schema']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/CREATE TABLE public\.first/);
    expect(result.stdout).toMatch(/CREATE TABLE public\.second/);
  }, 60_000);
});
