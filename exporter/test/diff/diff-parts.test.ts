/**
 * The differ on the parts of a table: constraints, foreign keys, indexes, triggers, policies; constraint-backed
 * indexes; renames reported as one change.
 */
import { describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import type { Change } from '../../src/core/model/change.ts';
import type { Table } from '../../src/core/model/schema.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { constraint, foreignKey, index, policy, table, tablesSnapshot, trigger } from './snapshot-factory.ts';

function diffTables(current: Partial<Table>, desired: Partial<Table>): Change[] {
  return diffSchemas({ current: tablesSnapshot(table('t', current)), desired: tablesSnapshot(table('t', desired)), hooks: postgresHooks });
}

function summary(changes: Change[]): string[] {
  return changes.map((c) => {
    const attrs = c.attributes.map((a) => a.name).join(',');
    return `${c.action} ${c.type} ${c.name}${attrs ? ` [${attrs}]` : ''}`;
  });
}

describe('diffSchemas: table parts', () => {
  it.each<[string, Partial<Table>, Partial<Table>, string[]]>([
    [
      'check expression changed',
      { constraints: [constraint('c', { kind: 'check', columns: [], expression: '(a > 0)', definition: 'CHECK ((a > 0))' })] },
      { constraints: [constraint('c', { kind: 'check', columns: [], expression: '(a >= 0)', definition: 'CHECK ((a >= 0))' })] },
      ['changed constraint c [expression,definition]'],
    ],
    [
      'whitespace in a check is noise',
      { constraints: [constraint('c', { kind: 'check', columns: [], expression: '(a > 0)', definition: 'CHECK ((a > 0))' })] },
      { constraints: [constraint('c', { kind: 'check', columns: [], expression: '( a  >  0 )', definition: 'CHECK (( a > 0 ))' })] },
      [],
    ],
    [
      'deferrable and NOT VALID',
      { constraints: [constraint('u', { validated: false })] },
      { constraints: [constraint('u', { deferrable: true })] },
      ['changed constraint u [deferrable,validated]'],
    ],
    [
      'unique constraint renamed by hand is one change',
      { constraints: [constraint('users_email_uniq', { columns: ['email'], definition: 'UNIQUE (email)' })] },
      { constraints: [constraint('users_email_key', { columns: ['email'], definition: 'UNIQUE (email)' })] },
      ['changed constraint users_email_key [name]'],
    ],
    [
      'a different constraint under another name stays extra + missing',
      { constraints: [constraint('a_key', { columns: ['a'], definition: 'UNIQUE (a)' })] },
      { constraints: [constraint('b_key', { columns: ['b'], definition: 'UNIQUE (b)' })] },
      ['extra constraint a_key', 'missing constraint b_key'],
    ],
    [
      'foreign key actions',
      { foreignKeys: [foreignKey('fk', { onDelete: 'restrict', match: 'full' })] },
      { foreignKeys: [foreignKey('fk')] },
      ['changed foreign_key fk [onDelete,match]'],
    ],
    [
      'foreign key renamed by hand is one change',
      { foreignKeys: [foreignKey('orders_user_fk')] },
      { foreignKeys: [foreignKey('orders_user_id_fkey')] },
      ['changed foreign_key orders_user_id_fkey [name]'],
    ],
    [
      'index renamed by hand is one change',
      { indexes: [index('idx_a', { definition: 'CREATE INDEX idx_a ON public.t USING btree (id)' })] },
      { indexes: [index('t_id_idx', { definition: 'CREATE INDEX t_id_idx ON public.t USING btree (id)' })] },
      ['changed index t_id_idx [name]'],
    ],
    [
      'index parts, predicate, include, method',
      { indexes: [index('i', { parts: [{ column: 'a' }], predicate: '(a > 0)', include: [], method: 'btree' })] },
      { indexes: [index('i', { parts: [{ column: 'a', descending: true }], predicate: '(a > 1)', include: ['b'], method: 'hash' })] },
      ['changed index i [method,parts,include,predicate]'],
    ],
    [
      'NULLS NOT DISTINCT',
      { indexes: [index('i', { unique: true })] },
      { indexes: [index('i', { unique: true, nullsNotDistinct: true })] },
      ['changed index i [nullsNotDistinct]'],
    ],
    [
      'indexes backing a constraint are covered by the constraint',
      { indexes: [index('t_pkey', { unique: true, constraint: 't_pkey', method: 'hash' })] },
      { indexes: [index('t_pkey', { unique: true, constraint: 't_pkey' })] },
      [],
    ],
    [
      'a unique index replacing a unique constraint is reported on both kinds',
      { indexes: [index('u', { unique: true })] },
      { constraints: [constraint('u')], indexes: [index('u', { unique: true, constraint: 'u' })] },
      ['missing constraint u', 'extra index u'],
    ],
    [
      'trigger definition and enabled state',
      { triggers: [trigger('tr', { enabled: 'D' }), trigger('old')] },
      { triggers: [trigger('tr', { definition: trigger('tr').definition.replace('BEFORE', 'AFTER') })] },
      ['extra trigger old', 'changed trigger tr [definition,enabled]'],
    ],
    [
      'policy expressions and roles (role order is noise)',
      { policies: [policy('p', { roles: ['b', 'a'], using: '(owner = CURRENT_USER)' })] },
      { policies: [policy('p', { roles: ['a', 'b'], using: '(owner = SESSION_USER)', withCheck: 'true' })] },
      ['changed policy p [using,withCheck]'],
    ],
  ])('%s', (_label, current, desired, expected) => {
    expect(summary(diffTables(current, desired))).toEqual(expected);
  });

  it('a rename change carries both objects and the names as expected/actual', () => {
    const [change] = diffTables(
      { constraints: [constraint('old_name')] },
      { constraints: [constraint('new_name')] },
    );
    expect(change).toMatchObject({
      type: 'constraint',
      action: 'changed',
      table: 't',
      name: 'new_name',
      desired: { name: 'new_name' },
      current: { name: 'old_name' },
      attributes: [{ name: 'name', expected: 'new_name', actual: 'old_name' }],
    });
  });

  it('pairs several renames deterministically and leaves the rest', () => {
    const current = { constraints: [constraint('x1'), constraint('x2'), constraint('x3', { columns: ['z'], definition: 'UNIQUE (z)' })] };
    const desired = { constraints: [constraint('d1'), constraint('d2')] };
    expect(summary(diffTables(current, desired))).toEqual([
      'changed constraint d1 [name]',
      'changed constraint d2 [name]',
      'extra constraint x3',
    ]);
  });
});
