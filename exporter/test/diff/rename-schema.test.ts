/**
 * `renameSchema`: schema-per-tenant's mapping of the replayed schema to a tenant's. Schema fields, referenced schemas
 * and qualified names in SQL text follow; bare words, other schemas and extensions do not.
 */
import { describe, expect, it } from 'vitest';
import { renameSchema, schemaFingerprint } from '../../src/core/model/rename-schema.ts';
import { column, foreignKey, routine, schema, sequence, snapshot, table, view } from './snapshot-factory.ts';

const tenantish = snapshot(
  [
    schema('public', {
      tables: [
        table('orders', {
          columns: [column('public', 'integer'), column('mood', 'public.mood', { default: "'ok'::public.mood" })],
          foreignKeys: [foreignKey('orders_customer', { refSchema: 'public', refTable: 'customers', definition: 'FOREIGN KEY (c) REFERENCES public.customers(id)' })],
        }),
        table('customers'),
      ],
      types: [{ kind: 'enum', schema: 'public', name: 'mood', values: ['public.ok', 'sad'], comment: 'see public.orders' }],
      views: [view('v', { definition: 'SELECT o.id AS "total public.orders" FROM public.orders o JOIN shared.rates r ON "public".orders.id = mypublic.y' })],
    }),
    schema('shared', { tables: [table('rates', {}, 'shared')] }),
  ],
  { extensions: [{ name: 'citext', schema: 'public', version: '1.6', comment: null } as never] },
);

describe('renameSchema', () => {
  const renamed = renameSchema(tenantish, 'public', 'tenant_7');
  const [own, other] = renamed.schemas;

  it('renames the schema, its objects and the schemas they reference', () => {
    expect(own?.name).toBe('tenant_7');
    expect(own?.tables[0]?.schema).toBe('tenant_7');
    expect(own?.tables[0]?.foreignKeys[0]?.refSchema).toBe('tenant_7');
    expect(own?.tables[0]?.foreignKeys[0]?.definition).toBe('FOREIGN KEY (c) REFERENCES tenant_7.customers(id)');
  });

  it('rewrites qualified names in SQL text, bare or quoted, and nothing else', () => {
    expect(own?.tables[0]?.columns.map((c) => [c.name, c.type.raw, c.default])).toEqual([
      ['public', 'integer', null],
      ['mood', 'tenant_7.mood', "'ok'::tenant_7.mood"],
    ]);
    // A quoted alias holding "public.orders" is a name: left as it is.
    expect(own?.views[0]?.definition).toBe('SELECT o.id AS "total public.orders" FROM tenant_7.orders o JOIN shared.rates r ON tenant_7.orders.id = mypublic.y');
  });

  it('leaves other schemas and the database-wide extensions alone', () => {
    expect(other?.name).toBe('shared');
    expect(renamed.extensions).toEqual(tenantish.extensions);
  });

  it('leaves the names of an extension installed in the schema qualified as they are', () => {
    const withCitext = snapshot(
      [
        schema('public', {
          tables: [
            table('users', {
              columns: [
                column('email', 'public.citext'),
                column('id', 'uuid', { default: 'public.uuid_generate_v4()' }),
                column('tag', 'public.tag'),
              ],
            }),
          ],
          types: [{ kind: 'enum', schema: 'public', name: 'tag', values: ['a'], comment: null }],
        }),
      ],
      { extensions: [{ name: 'citext', schema: 'public', version: '1.6', comment: null } as never] },
    );
    const columns = renameSchema(withCitext, 'public', 'tenant_7').schemas[0]?.tables[0]?.columns;
    expect(columns?.map((c) => [c.type.raw, c.default])).toEqual([
      ['public.citext', null],
      ['uuid', 'public.uuid_generate_v4()'],
      ['tenant_7.tag', null],
    ]);
  });

  it('never rewrites comments, enum labels, string literals or a stored routine body', () => {
    const texts = snapshot([
      schema('public', {
        tables: [
          table('orders', {
            comment: 'copied from public.orders',
            columns: [column('scope', 'text', { default: "'public.read'::text" }), column('id', 'integer', { default: "nextval('public.seq'::regclass)" })],
          }),
        ],
        sequences: [sequence('seq')],
        routines: [
          routine('f', '', { language: 'plpgsql', body: "BEGIN EXECUTE 'TRUNCATE public.orders'; END", definition: 'CREATE OR REPLACE FUNCTION public.f() RETURNS void AS $function$BEGIN EXECUTE \'x public.orders\'; END$function$' }),
          routine('g', '', { language: 'sql', body: 'BEGIN ATOMIC\n SELECT count(*) FROM public.orders;\nEND', definition: 'CREATE FUNCTION public.g() BEGIN ATOMIC SELECT $$public.orders$$; END' }),
        ],
      }),
    ]);
    const own = renameSchema(texts, 'public', 'tenant_7').schemas[0];
    expect(own?.tables[0]?.comment).toBe('copied from public.orders');
    expect(own?.tables[0]?.columns.map((c) => c.default)).toEqual(["'public.read'::text", "nextval('tenant_7.seq'::regclass)"]);
    expect(own?.routines.map((r) => r.body)).toEqual(["BEGIN EXECUTE 'TRUNCATE public.orders'; END", 'BEGIN ATOMIC\n SELECT count(*) FROM tenant_7.orders;\nEND']);
    expect(own?.routines[1]?.definition).toBe('CREATE FUNCTION tenant_7.g() BEGIN ATOMIC SELECT $$public.orders$$; END');
    const [mood] = renameSchema(tenantish, 'public', 'tenant_7').schemas[0]?.types ?? [];
    expect(mood).toMatchObject({ values: ['public.ok', 'sad'], comment: 'see public.orders' });
  });

  it('renames qualified keys structurally, a name needing quotes included', () => {
    const keyed = snapshot([
      schema('Tenant7', {
        tables: [table('orders', { attrs: { inherits: ['Tenant7.base'] } }, 'Tenant7'), table('base', {}, 'Tenant7')],
        sequences: [sequence('seq', { ownedBy: 'Tenant7.orders.id' }, 'Tenant7')],
        views: [view('v', { dependsOn: ['Tenant7.orders'], definition: 'SELECT id FROM "Tenant7".orders' }, 'Tenant7')],
      }),
    ]);
    const own = renameSchema(keyed, 'Tenant7', 'public').schemas[0];
    expect(own?.name).toBe('public');
    expect(own?.tables[0]?.attrs).toEqual({ inherits: ['public.base'] });
    expect(own?.sequences[0]?.ownedBy).toBe('public.orders.id');
    expect(own?.views[0]).toMatchObject({ dependsOn: ['public.orders'], definition: 'SELECT id FROM public.orders' });
    const back = renameSchema(snapshot(own ? [own] : []), 'public', 'Tenant7').schemas[0];
    expect(back?.views[0]).toMatchObject({ dependsOn: ['Tenant7.orders'], definition: 'SELECT id FROM "Tenant7".orders' });
  });

  it('quotes a name that needs it', () => {
    const quoted = renameSchema(tenantish, 'public', 'Tenant 7');
    expect(quoted.schemas[0]?.tables[0]?.columns[1]?.type.raw).toBe('"Tenant 7".mood');
    expect(renameSchema(quoted, 'Tenant 7', 'public').schemas[0]?.tables[0]?.columns[1]?.type.raw).toBe('public.mood');
  });
});

describe('schemaFingerprint', () => {
  it('is the same for two tenants alike and differs when one changes', () => {
    const a = renameSchema(tenantish, 'public', 't_a');
    const b = { ...renameSchema(tenantish, 'public', 't_b'), source: { description: 'elsewhere' } };
    const fp = (s: typeof a, name: string) => schemaFingerprint(s, { from: name, as: 'public' });
    expect(fp(a, 't_a')).toBe(fp(b, 't_b'));
    const changed = renameSchema(snapshot([schema('public', { tables: [table('orders')] })]), 'public', 't_c');
    expect(fp(changed, 't_c')).not.toBe(fp(a, 't_a'));
  });

  it('is the same for two tenants that differ only by their owner role', () => {
    const owned = (role: string, name: string) =>
      snapshot([
        schema(name, {
          owner: role,
          acl: [`${role}=UC/${role}`],
          comment: `${name} of ${role}`,
          tables: [table('orders', { owner: role, acl: [`${role}=arwdDxtm/${role}`, `reader=r/${role}`], kept: { owner: role } } as never, name)],
        }),
      ]);
    const fp = (role: string, name: string) => schemaFingerprint(owned(role, name), { from: name, as: 'public' });
    expect(fp('role_a', 't_a')).toBe(fp('Role B', 't_b'));
    // A grant to another role is still a difference.
    const other = owned('role_a', 't_a');
    const [s0] = other.schemas;
    const regranted = { ...other, schemas: [{ ...s0!, tables: [{ ...s0!.tables[0]!, acl: ['role_a=arwdDxtm/role_a', 'writer=r/role_a'] }] }] };
    expect(schemaFingerprint(regranted, { from: 't_a', as: 'public' })).not.toBe(fp('role_a', 't_a'));
  });
});
