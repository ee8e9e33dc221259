/**
 * What a PostgreSQL schema file sends, as psql would: meta-commands pg_dump writes are dealt with, the rest are errors
 * naming the file and line, and a file never reaches a database other than the one it describes.
 */
import { describe, expect, it } from 'vitest';
import { ReplayError } from '../../src/core/errors.ts';
import { isUnknownSetting, psqlScriptStatements } from '../../src/dialects/postgres/replay-script.ts';
import { schemaFile } from '../../src/migrations/format-schema.ts';
import type { MigrationDirectory } from '../../src/migrations/types.ts';

const FILE = '/srv/app/db/structure.sql';

function statements(text: string): string[] {
  const file = schemaFile({ name: 'structure.sql', text, bytes: Buffer.from(text) });
  const dir: MigrationDirectory = { dir: FILE, format: 'schema', files: [file], hash: '', singleFile: true };
  return psqlScriptStatements(dir, file, 'prod').map((s) => s.sql);
}

function failure(text: string): ReplayError {
  try {
    statements(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ReplayError);
    return err as ReplayError;
  }
  throw new Error('expected the schema file to be refused');
}

describe('psql meta-commands in a schema file', () => {
  it('drops \\restrict and \\unrestrict (pg_dump 15.14+), keeps SET and set_config lines', () => {
    const dump = [
      '--',
      '-- PostgreSQL database dump',
      '--',
      '',
      '\\restrict Bcz9KkdnP5jAbC',
      '',
      'SET statement_timeout = 0;',
      "SELECT pg_catalog.set_config('search_path', '', false);",
      'CREATE TABLE public.a (id integer);',
      '',
      '\\unrestrict Bcz9KkdnP5jAbC',
      '',
    ].join('\n');
    expect(statements(dump)).toEqual([
      'SET statement_timeout = 0',
      "SELECT pg_catalog.set_config('search_path', '', false)",
      'CREATE TABLE public.a (id integer)',
    ]);
  });

  it('a backslash inside quotes, dollar quotes and comments is SQL, not a meta-command', () => {
    const sql = [
      "COMMENT ON TABLE a IS 'C:\\temp\\x';",
      "SELECT E'\\\\n';",
      'CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$',
      "\\i not a command $$;",
      '/* \\connect other */ -- \\q',
      'SELECT 1;',
    ].join('\n');
    expect(statements(sql)).toEqual([
      "COMMENT ON TABLE a IS 'C:\\temp\\x'",
      "SELECT E'\\\\n'",
      'CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$\n\\i not a command $$',
      'SELECT 1',
    ]);
  });

  it('pg_dump --create: the database it creates and \\connect-s to is the one replayed into, so its own statements are skipped', () => {
    const dump = [
      'SET client_encoding = \'UTF8\';',
      "CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8';",
      'ALTER DATABASE shop OWNER TO postgres;',
      '\\unrestrict k1',
      '\\connect shop',
      '\\restrict k1',
      'SET lock_timeout = 0;',
      "COMMENT ON DATABASE shop IS 'the shop';",
      'CREATE TABLE public.a (id integer);',
      'GRANT CONNECT ON DATABASE shop TO PUBLIC;',
      '\\connect shop',
      '\\c -',
    ].join('\n');
    expect(statements(dump)).toEqual(["SET client_encoding = 'UTF8'", 'SET lock_timeout = 0', 'CREATE TABLE public.a (id integer)']);
  });

  it('the quoted forms pg_dump writes for names that are not plain identifiers', () => {
    const dump = [
      'CREATE DATABASE "Shop Db" WITH TEMPLATE = template0;',
      '\\connect -reuse-previous=on "dbname=\'Shop Db\'"',
      'CREATE TABLE a (id integer);',
    ].join('\n');
    expect(statements(dump)).toEqual(['CREATE TABLE a (id integer)']);
  });

  it.each([
    ['\\connect to another database (pg_dumpall)', 'CREATE TABLE a (id int);\n\\connect shop\n\\connect billing\nCREATE TABLE b (id int);\n', 3,
      /^\\connect billing: the file switches to another database \(it describes shop\)/],
    ['\\connect after statements ran elsewhere', 'CREATE TABLE a (id int);\n\\connect shop\nCREATE TABLE b (id int);\n', 2,
      /^\\connect shop: the file switches database after statements ran in another one \(line 1\)/],
    ['another meta-command', 'CREATE TABLE a (id int);\n\n\\i other.sql\n', 3,
      /^psql meta-command \\i is not supported in a schema file \(only \\restrict, \\unrestrict and \\connect/],
    ['\\set', '\\set ON_ERROR_STOP on\nSELECT 1;\n', 1, /^psql meta-command \\set is not supported/],
    ['a data dump (COPY FROM stdin)', 'CREATE TABLE public.a (id integer);\n\nCOPY public.a (id) FROM stdin;\n1\n2\n\\.\n', 3,
      /^COPY \.\.\. FROM stdin: a schema file holds the schema, not data \(dump with pg_dump --schema-only\)$/],
    ['CREATE DATABASE without \\connect', 'SELECT 1;\n\nCREATE DATABASE other;\n', 3,
      /^CREATE DATABASE other \.\.\.: a schema file describes the database it is replayed into; it cannot create or change another one \(other\)$/],
    ['ALTER DATABASE of another database', 'CREATE DATABASE shop;\n\\connect shop\nALTER DATABASE postgres SET work_mem = 1;\n', 3,
      /^ALTER DATABASE postgres \.\.\.: the file describes database shop \(its \\connect\), not postgres$/],
  ])('%s is an error naming file and line', (_name, text, line, message) => {
    const error = failure(text);
    expect(error.message).toMatch(message);
    expect(error.context).toMatchObject({ file: FILE, line, target: 'prod' });
    expect(error.reason).toBe('replay');
  });
});

describe('a SET the server does not know', () => {
  const unknown = { code: '42704', message: 'unrecognized configuration parameter "transaction_timeout"' };
  it.each([
    ['SET transaction_timeout = 0', unknown, true],
    ['SET SESSION transaction_timeout TO 0', unknown, true],
    ['set app.tenant = \'x\'', unknown, true],
    // Anything else that fails with 42704 (a missing role, type, ...) still fails the replay.
    ['ALTER TABLE a OWNER TO app', { code: '42704', message: 'role "app" does not exist' }, false],
    ['SET ROLE app', { code: '22023', message: 'role "app" does not exist' }, false],
    ['SET statement_timeout = 0', { code: '22023', message: 'invalid value' }, false],
  ])('%s -> passed over: %s', (sql, err, expected) => {
    expect(isUnknownSetting(sql, err)).toBe(expected);
  });
});
