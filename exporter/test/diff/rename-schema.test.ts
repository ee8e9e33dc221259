/**
 * `renameSchema`: schema-per-tenant's mapping of the replayed schema to a tenant's. Schema fields, referenced schemas
 * and qualified names in SQL text follow; bare words, other schemas and extensions do not.
 */
import { describe, expect, it } from 'vitest';
import { renameSchema, schemaFingerprint } from '../../src/core/model/rename-schema.ts';
import { column, foreignKey, schema, snapshot, table, view } from './snapshot-factory.ts';

const tenantish = snapshot(
  [
    schema('public', {
      tables: [
        table('orders', {
          columns: [column('public', 'integer'), column('mood', 'public.mood', { default: "'ok'::public.mood" })],
          foreignKeys: [foreignKey('orders_customer', { refSchema: 'public', refTable: 'customers', definition: 'FOREIGN KEY (c) REFERENCES public.customers(id)' })],
        }),
      ],
      views: [view('v', { definition: 'SELECT o.id FROM public.orders o JOIN shared.rates r ON "public".x = mypublic.y' })],
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
    expect(own?.views[0]?.definition).toBe('SELECT o.id FROM tenant_7.orders o JOIN shared.rates r ON tenant_7.x = mypublic.y');
  });

  it('leaves other schemas and the database-wide extensions alone', () => {
    expect(other?.name).toBe('shared');
    expect(renamed.extensions).toEqual(tenantish.extensions);
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
});
