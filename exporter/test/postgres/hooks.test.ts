/**
 * PostgreSQL noise rules: each rule with the noise it removes and a real-drift counter-case that must still differ.
 * View pairs are verbatim `pg_get_viewdef` output of PostgreSQL 15.20 and PGlite (PostgreSQL 18.6).
 */
import { describe, expect, it } from 'vitest';
import type { Column, View } from '../../src/core/model/schema.ts';
import {
  normalizeAcl,
  normalizeCollation,
  normalizeDefault,
  normalizeExpression,
  normalizeType,
  normalizeViewDefinition,
  postgresHooks,
} from '../../src/dialects/postgres/hooks.ts';

const col = (def: string | null): Column => ({
  name: 'c', position: 1, type: { raw: 'text' }, nullable: true, default: def, collation: null, identity: null,
  generated: null, comment: null,
});
const viewOf = (definition: string): View => ({
  schema: 'app', name: 'v', materialized: false, definition, columns: [], dependsOn: [], indexes: [], comment: null, attrs: {},
});

describe('postgresHooks', () => {
  it('is the postgres dialect with every hook', () => {
    expect(postgresHooks.dialect).toBe('postgres');
    expect(postgresHooks.normalizeCollation).toBe(normalizeCollation);
  });

  describe('normalizeType', () => {
    it.each([
      ['int4', 'integer'],
      ['INT8', 'bigint'],
      ['int2', 'smallint'],
      ['float8', 'double precision'],
      ['bool', 'boolean'],
      ['varchar(20)', 'character varying(20)'],
      ['numeric(12, 2)', 'numeric(12,2)'],
      ['decimal(5,1)', 'numeric(5,1)'],
      ['timestamptz', 'timestamp with time zone'],
      ['timestamp(3)', 'timestamp(3) without time zone'],
      ['timestamptz(3)', 'timestamp(3) with time zone'],
      ['pg_catalog.int4', 'integer'],
      ['_int4', 'integer[]'],
      ['int4[]', 'integer[]'],
      ['integer[3]', 'integer[]'],
      ['char(5)', 'character(5)'],
    ])('%s reads as %s', (alias, canonical) => {
      expect(normalizeType(alias)).toBe(normalizeType(canonical));
      expect(normalizeType(alias)).toBe(canonical);
    });

    it.each([
      ['integer', 'bigint'],
      ['character varying(20)', 'character varying(30)'],
      ['numeric(12,2)', 'numeric(12,3)'],
      ['timestamp with time zone', 'timestamp without time zone'],
      ['integer', 'integer[]'],
      ['bpchar', 'character(1)'],
      ['public.int4', 'integer'],
      ['app.mood', 'public.mood'],
      ['"Mood"', 'mood'],
    ])('%s and %s still differ', (a, b) => {
      expect(normalizeType(a)).not.toBe(normalizeType(b));
    });

    it('leaves user types and TABLE(...) results alone apart from whitespace', () => {
      expect(normalizeType('TABLE(line_no smallint,  sku character varying)')).toBe('TABLE(line_no smallint, sku character varying)');
      expect(normalizeType('public."My Type"')).toBe('public."My Type"');
    });
  });

  describe('normalizeExpression', () => {
    it.each([
      ['whitespace and line breaks', 'CHECK ((a > 0)\n  AND (b > 0))', 'CHECK ((a > 0) AND (b > 0))'],
      ['blanks inside parentheses and after commas', "coalesce( a ,  'x' )", "coalesce(a,'x')"],
      ['text vs varchar cast of a literal', "'x'::text", "'x'::character varying"],
      ['varchar(n) cast of a literal', "'x'::character varying(20)", "'x'::text"],
      ['text array literal', "'{}'::character varying[]", "'{}'::text[]"],
      ['pg_catalog qualification', 'pg_catalog.lower(a)', 'lower(a)'],
      ['cast aliases', '(a)::int4', '(a)::integer'],
      ['trailing semicolon', 'SELECT 1;', 'SELECT 1'],
    ])('%s is noise', (_label, a, b) => {
      expect(normalizeExpression(a)).toBe(normalizeExpression(b));
    });

    it.each([
      ['a changed literal', "'x'::text", "'y'::text"],
      ['a changed number', '(price > 0)', '(price > 1)'],
      ['a changed operator', '(price > 0)', '(price >= 0)'],
      ['whitespace inside a literal', "'a  b'::text", "'a b'::text"],
      ['bpchar casts (trailing blanks differ)', "'x'::bpchar", "'x'::text"],
      ['casts of a column are real', '(a)::text', '(a)::character varying'],
      ['quoted identifiers keep their case', '"Price" > 0', 'price > 0'],
      ['pg_catalog inside a literal', "'pg_catalog.x'::text", "'x'::text"],
      ['dollar-quoted text', '$$a  b$$', '$$a b$$'],
      ['E-string escapes', "E'a\\'  b'", "E'a\\' b'"],
    ])('%s is still drift', (_label, a, b) => {
      expect(normalizeExpression(a)).not.toBe(normalizeExpression(b));
    });
  });

  describe('normalizeDefault', () => {
    it.each([
      ['unqualified sequence', "nextval('orders_id_seq'::regclass)", "nextval('app.orders_id_seq'::regclass)"],
      ['missing regclass cast', "nextval('app.orders_id_seq')", "nextval('app.orders_id_seq'::regclass)"],
      ['literal cast left by ALTER COLUMN TYPE', "'x'::text", "'x'::character varying"],
    ])('%s is noise', (_label, a, b) => {
      expect(normalizeDefault(col(a), 'app')).toBe(normalizeDefault(col(b), 'app'));
    });

    it('qualifies with a schema name quoted as the server prints it', () => {
      expect(normalizeDefault(col("nextval('s'::regclass)"), 'My App')).toBe(normalizeDefault(col(`nextval('"My App".s'::regclass)`), 'public'));
    });

    it.each([
      ['another sequence', "nextval('app.a_seq'::regclass)", "nextval('app.b_seq'::regclass)"],
      ['the sequence in another schema', "nextval('audit.orders_id_seq'::regclass)", "nextval('orders_id_seq'::regclass)"],
      ['another default value', "'anonymous'::character varying", "'nobody'::character varying"],
      ['a default versus none', 'now()', null],
      ['now() versus a fixed time', 'now()', "'2024-01-01 00:00:00+00'::timestamp with time zone"],
    ])('%s is still drift', (_label, a, b) => {
      expect(normalizeDefault(col(a), 'app')).not.toBe(normalizeDefault(col(b), 'app'));
    });
  });

  describe('normalizeViewDefinition', () => {
    const pg15 = {
      alias: " SELECT u.id,\n    u.email\n   FROM app.users u\n  WHERE u.status = 'active'::text;",
      bare: " SELECT orders.id,\n    orders.status\n   FROM app.orders\n  WHERE orders.placed_at > (now() - '7 days'::interval);",
      func: ' SELECT g.n,\n    g.n * 2 AS doubled\n   FROM generate_series(1, 10) g(n);',
      sub: ' SELECT s.email,\n    upper(s.email::text) AS shout\n   FROM ( SELECT u.email\n           FROM app.users u) s;',
      sublink:
        " SELECT o.id\n   FROM app.orders o\n  WHERE (EXISTS ( SELECT 1\n           FROM app.order_lines l\n          WHERE l.order_id = o.id)) AND o.status <> 'x'::app.order_status;",
      tablesample: ' SELECT t.id,\n    t.a\n   FROM ONLY x.t TABLESAMPLE bernoulli (50) REPEATABLE (1);',
    };
    const pg18 = {
      alias: " SELECT id,\n    email\n   FROM app.users u\n  WHERE status = 'active'::text;",
      bare: " SELECT id,\n    status\n   FROM app.orders\n  WHERE placed_at > (now() - '7 days'::interval);",
      func: ' SELECT n,\n    n * 2 AS doubled\n   FROM generate_series(1, 10) g(n);',
      sub: ' SELECT email,\n    upper(email::text) AS shout\n   FROM ( SELECT u.email\n           FROM app.users u) s;',
      sublink:
        " SELECT id\n   FROM app.orders o\n  WHERE (EXISTS ( SELECT 1\n           FROM app.order_lines l\n          WHERE l.order_id = o.id)) AND status <> 'x'::app.order_status;",
      tablesample: ' SELECT id,\n    a\n   FROM ONLY x.t TABLESAMPLE bernoulli (50) REPEATABLE (1);',
    };

    it.each(Object.keys(pg15) as (keyof typeof pg15)[])('PostgreSQL 15 and 18 agree on a single-relation view (%s)', (key) => {
      expect(normalizeViewDefinition(viewOf(pg15[key]))).toBe(normalizeViewDefinition(viewOf(pg18[key])));
    });

    it.each([
      ['another column', pg15.alias, pg15.alias.replace('u.email', 'u.handle')],
      ['another filter value', pg18.alias, pg18.alias.replace("'active'", "'deleted'")],
      ['the alias inside a literal is kept', " SELECT t.a\n   FROM app.t\n  WHERE t.b = 't.c'::text;", " SELECT a\n   FROM app.t\n  WHERE b = 'c'::text;"],
      ['a sub-query column pointing elsewhere', pg18.sublink, pg18.sublink.replace('l.order_id = o.id', 'l.order_id = l.id')],
      [
        'join columns keep their qualifiers',
        ' SELECT o.id\n   FROM app.orders o\n     JOIN app.order_lines l ON l.order_id = o.id;',
        ' SELECT l.id\n   FROM app.orders o\n     JOIN app.order_lines l ON l.order_id = o.id;',
      ],
      ['a function of a schema named like the alias', ' SELECT app.f(app.x)\n   FROM app.app;', ' SELECT f(x)\n   FROM app.app;'],
    ])('%s is still drift', (_label, a, b) => {
      expect(normalizeViewDefinition(viewOf(a))).not.toBe(normalizeViewDefinition(viewOf(b)));
    });
  });

  describe('normalizeCollation', () => {
    it.each([['"default"'], ['default'], ['pg_catalog."default"'], [null]])('%s reads as none', (c) => {
      expect(normalizeCollation(c)).toBeNull();
    });
    it.each([['C'], ['"C"'], ['pg_catalog."POSIX"'], ['"en_US"']])('%s is kept', (c) => {
      expect(normalizeCollation(c)).toBe(c);
    });
  });

  describe('normalizeAcl', () => {
    it.each<[string, string[], string[], number | undefined]>([
      ['MAINTAIN of a 17+ owner when the other side is 15', ['postgres=arwdDxtm/postgres'], ['postgres=arwdDxt/postgres'], 15],
      ['MAINTAIN with grant option', ['app=rm*/postgres', '=r/postgres'], ['=r/postgres', 'app=r/postgres'], 16],
      ['a MAINTAIN-only grant the older server cannot hold', ['postgres=arwdDxt/postgres', 'ops=m/postgres'], ['postgres=arwdDxt/postgres'], 13],
      ['item order', ['b=r/postgres', 'a=r/postgres'], ['a=r/postgres', 'b=r/postgres'], 18],
    ])('%s is noise', (_label, a, b, major) => {
      expect(normalizeAcl(a, major)).toEqual(normalizeAcl(b, major));
    });

    it.each<[string, string[], string[], number | undefined]>([
      ['MAINTAIN between two 17+ servers', ['postgres=arwdDxtm/postgres'], ['postgres=arwdDxt/postgres'], 17],
      ['MAINTAIN when the versions are unknown', ['postgres=arwdDxtm/postgres'], ['postgres=arwdDxt/postgres'], undefined],
      ['a SELECT grant to PUBLIC', ['=r/postgres', 'postgres=arwdDxt/postgres'], ['postgres=arwdDxt/postgres'], 15],
      ['another grantee', ['"Ops Team"=r/postgres'], ['ops=r/postgres'], 15],
      ['UPDATE versus SELECT', ['app=r/postgres'], ['app=w/postgres'], 15],
    ])('%s is still drift', (_label, a, b, major) => {
      expect(normalizeAcl(a, major)).not.toEqual(normalizeAcl(b, major));
    });

    // initdb's ACL of the `public` schema: PUBLIC may CREATE there before 15, not from 15 (found on 13 and 14).
    const before15 = { acl: ['=UC/postgres', 'postgres=UC/postgres'], owner: 'postgres' };
    const from15 = { acl: ['=U/pg_database_owner', 'pg_database_owner=UC/pg_database_owner'], owner: 'pg_database_owner' };
    it.each([13, 14])("the public schema's initdb ACL of %i against 15+ is noise", (major) => {
      expect(normalizeAcl(before15.acl, major, before15.owner, 'public')).toEqual(normalizeAcl(from15.acl, major, from15.owner, 'public'));
    });
    it.each<[string, number, string | undefined]>([
      ['between two 15+ servers', 15, 'public'],
      ['on another schema', 13, 'app'],
      ['on an object that is no schema', 13, undefined],
    ])("PUBLIC's CREATE %s is still drift", (_label, major, schema) => {
      expect(normalizeAcl(before15.acl, major, before15.owner, schema)).not.toEqual(normalizeAcl(from15.acl, major, from15.owner, schema));
    });
  });
});
