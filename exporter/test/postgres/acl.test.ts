/**
 * ACL arithmetic (`postgres/acl.ts`), the owner-aware ACL hook, the differ's privilege comparison and the planner's
 * GRANT/REVOKE rendering, on hand-built values. The same paths run against PostgreSQL in
 * `convergence-privileges.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { aclSteps, defaultAcl, formatAclItem, inferOwner, OWNER, parseAcl, parseAclItem } from '../../src/dialects/postgres/acl.ts';
import { normalizeAcl, postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { planPostgres } from '../../src/dialects/postgres/plan.ts';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import type { Change } from '../../src/core/model/change.ts';
import { PlanError } from '../../src/core/errors.ts';
import { column, routine, schema, sequence, snapshot, table } from '../diff/snapshot-factory.ts';

/** Steps as compact text: `+r*:app` = grant SELECT with grant option to app, `-o:w:app` = revoke the option. */
function steps(current: string[], desired: string[], owner = 'own'): string[] {
  const { steps: list, foreign } = aclSteps(parseAcl(current, owner), parseAcl(desired, owner));
  const who = (g: string) => (g === OWNER ? 'OWNER' : g === '' ? 'PUBLIC' : g);
  return [
    ...list.map((s) => `${s.action === 'grant' ? '+' : '-'}${s.grantOption && s.action === 'revoke' ? 'o:' : ''}${s.privileges.join('')}${s.grantOption && s.action === 'grant' ? '*' : ''}:${who(s.grantee)}`),
    ...foreign.map((f) => `foreign ${formatAclItem(f)}`),
  ];
}

describe('ACL items', () => {
  it.each([
    ['app=arwdDxt/own', { grantee: 'app', grantor: 'own', letters: 'a r w d D x t' }],
    ['=r/own', { grantee: '', grantor: 'own', letters: 'r' }],
    ['"Ops ""Team"""=r*w/"My Owner"', { grantee: 'Ops "Team"', grantor: 'My Owner', letters: 'r* w' }],
    ['app=X*/own', { grantee: 'app', grantor: 'own', letters: 'X*' }],
  ])('%s parses and prints back the same', (text, want) => {
    const item = parseAclItem(text);
    expect(item?.grantee).toBe(want.grantee);
    expect(item?.grantor).toBe(want.grantor);
    expect([...(item?.privileges ?? [])].map(([l, o]) => `${l}${o ? '*' : ''}`).join(' ')).toBe(want.letters);
    expect(item ? formatAclItem(item) : null).toBe(text);
  });

  it('rejects text that is not an ACL item', () => {
    expect(parseAclItem('no equals sign')).toBeNull();
    expect(() => parseAcl(['garbage'], 'own')).toThrow(/cannot read the ACL item/);
  });

  it.each<[string, string[], string | undefined]>([
    ['one grantor', ['own=arwdDxt/own', 'app=r/own'], 'own'],
    ['two grantors', ['own=arwdDxt/own', 'bob=r/app'], undefined],
    ['no ACL', [], undefined],
  ])('infers the owner from %s', (_label, acl, owner) => {
    expect(inferOwner(acl)).toBe(owner);
  });
});

describe('normalizeAcl with owners', () => {
  it.each<[string, string[], string, string[], string, number | undefined]>([
    ['the default ACL of two owners', ['app=arwdDxt/app'], 'app', ['postgres=arwdDxtm/postgres'], 'postgres', 15],
    ['a grant made by each owner', ['app=arwdDxt/app', 'reader=r/app'], 'app', ['postgres=arwdDxt/postgres', 'reader=r/postgres'], 'postgres', 15],
    ['a quoted owner', ['"App Owner"=UC/"App Owner"', '=U/"App Owner"'], 'App Owner', ['postgres=UC/postgres', '=U/postgres'], 'postgres', 18],
    ['a column grant', ['reader=w/app'], 'app', ['reader=w/postgres'], 'postgres', 18],
  ])('%s is noise', (_label, a, ownerA, b, ownerB, major) => {
    expect(normalizeAcl(a, major, ownerA)).toEqual(normalizeAcl(b, major, ownerB));
  });

  it.each<[string, string[], string, string[], string]>([
    ['a grant to another role', ['app=arwdDxt/app', 'reader=r/app'], 'app', ['postgres=arwdDxt/postgres'], 'postgres'],
    ['a right the owner gave up', ['app=arwdxt/app'], 'app', ['postgres=arwdDxt/postgres'], 'postgres'],
    ['a grant by a third role', ['app=arwdDxt/app', 'reader=r/boss'], 'app', ['postgres=arwdDxt/postgres', 'reader=r/postgres'], 'postgres'],
    ['a grant option', ['app=arwdDxt/app', 'reader=r*/app'], 'app', ['postgres=arwdDxt/postgres', 'reader=r/postgres'], 'postgres'],
  ])('%s is still drift', (_label, a, ownerA, b, ownerB) => {
    expect(normalizeAcl(a, 15, ownerA)).not.toEqual(normalizeAcl(b, 15, ownerB));
  });

  it('names the owner with a placeholder no role can print as', () => {
    expect(normalizeAcl(['app=arwdDxt/app', 'reader=r/app'], 15, 'app')).toEqual(['=OWNER=arwdDxt/=OWNER', 'reader=r/=OWNER']);
  });
});

describe('aclSteps', () => {
  it.each<[string, string[], string[], string[]]>([
    ['nothing to do', ['own=arwdDxt/own', 'app=r/own'], ['own=arwdDxt/own', 'app=r/own'], []],
    ['a new grantee', ['own=arwdDxt/own'], ['own=arwdDxt/own', 'app=ra/own'], ['+ar:app']],
    ['a grantee gone', ['own=arwdDxt/own', 'app=ra/own'], ['own=arwdDxt/own'], ['-ar:app']],
    ['more and fewer rights', ['app=rw/own'], ['app=ra/own'], ['-w:app', '+a:app']],
    ['a grant option added', ['app=r/own'], ['app=r*/own'], ['+r*:app']],
    ['a grant option removed, the right kept', ['app=r*w/own'], ['app=rw/own'], ['-o:r:app']],
    ['a right with option replaced by one without', ['app=r*/own'], ['app=w/own'], ['-r:app', '+w:app']],
    ['PUBLIC', ['=X/own', 'own=X/own'], ['own=X/own'], ['-X:PUBLIC']],
    ['the owner giving up a right', ['own=arwdDxt/own'], ['own=arwdxt/own'], ['-D:OWNER']],
    ['owner first, then PUBLIC, then roles by name', ['b=r/own', 'a=r/own'], ['=r/own', 'own=r/own'], ['-r:a', '-r:b', '+r:OWNER', '+r:PUBLIC']],
    ['a grant by another role, unchanged', ['app=r*/own', 'bob=r/app'], ['app=r*/own', 'bob=r/app', 'eve=r/own'], ['+r:eve']],
    ['a grant by another role, changed', ['app=r*/own', 'bob=r/app'], ['app=r*/own'], ['foreign bob=r/app']],
  ])('%s', (_label, current, desired, expected) => {
    expect(steps(current, desired)).toEqual(expected);
  });

  it.each<[Parameters<typeof defaultAcl>[0], boolean, string[]]>([
    ['table', false, ['=OWNER=arwdDxt/=OWNER']],
    ['table', true, ['=OWNER=arwdDxtm/=OWNER']],
    ['sequence', true, ['=OWNER=rwU/=OWNER']],
    ['routine', true, ['=OWNER=X/=OWNER', '=X/=OWNER']],
    ['schema', true, ['=OWNER=UC/=OWNER']],
    ['column', true, []],
  ])('the default ACL of a %s (MAINTAIN: %s) is acldefault', (kind, maintain, expected) => {
    expect(defaultAcl(kind, maintain).map(formatAclItem)).toEqual(expected);
  });
});

describe('the differ compares privileges only when asked, each side with its owner', () => {
  const at = (owner: string, acl: string[], columnAcl?: string[]) =>
    snapshot([schema('public', { tables: [table('t', { owner, acl, columns: [column('c', 'integer', columnAcl ? { attrs: { acl: columnAcl } } : {})] })] })]);
  const diff = (current: ReturnType<typeof at>, desired: ReturnType<typeof at>, checkPrivileges: boolean) =>
    diffSchemas({ current, desired, hooks: postgresHooks, options: { checkPrivileges } }).map((c) => `${c.action} ${c.type} ${c.name} ${c.attributes.map((a) => a.name).join()}`);

  it.each<[string, ReturnType<typeof at>, ReturnType<typeof at>, boolean, string[]]>([
    ['owners differ, grants the same', at('app', ['app=arwdDxt/app', 'r=r/app']), at('postgres', ['postgres=arwdDxt/postgres', 'r=r/postgres']), true, []],
    ['a table grant differs', at('app', ['app=arwdDxt/app']), at('postgres', ['postgres=arwdDxt/postgres', 'r=r/postgres']), true, ['changed table t acl']],
    ['a column grant differs', at('app', ['app=arwdDxt/app']), at('postgres', ['postgres=arwdDxt/postgres'], ['r=w/postgres']), true, ['changed column c attrs.acl']],
    ['column grants the same under other owners', at('app', ['app=arwdDxt/app'], ['r=w/app']), at('postgres', ['postgres=arwdDxt/postgres'], ['r=w/postgres']), true, []],
    ['grants differ, privileges not checked', at('app', ['app=arwdDxt/app'], ['r=w/app']), at('postgres', ['postgres=arwdDxt/postgres', 'r=r/postgres']), false, []],
  ])('%s', (_label, current, desired, check, expected) => {
    expect(diff(current, desired, check)).toEqual(expected);
  });
});

describe('the planner renders GRANT and REVOKE', () => {
  const plan = (changes: Change[]) => planPostgres(changes).statements.map((s) => s.sql);
  const t = (owner: string, acl: string[]) => table('t', { owner, acl, columns: [column('c')] });

  it('turns a changed table ACL into revokes then grants, naming the current owner', () => {
    const change: Change = {
      type: 'table', action: 'changed', schema: 'public', name: 't', attributes: [{ name: 'acl', expected: null, actual: null }],
      current: t('app', ['app=arwdDxt/app', 'r=rw*/app', '=r/app']),
      desired: t('postgres', ['postgres=arwdxt/postgres', 'r=rwa/postgres', '"Ops Team"=r*/postgres']),
    };
    expect(plan([change])).toEqual([
      'REVOKE TRUNCATE ON TABLE public.t FROM app;',
      'REVOKE SELECT ON TABLE public.t FROM PUBLIC;',
      'REVOKE GRANT OPTION FOR UPDATE ON TABLE public.t FROM r;',
      'GRANT SELECT ON TABLE public.t TO "Ops Team" WITH GRANT OPTION;',
      'GRANT INSERT ON TABLE public.t TO r;',
    ]);
  });

  it('grants what a created object needs beyond the default ACL, to CURRENT_USER for the owner', () => {
    const created: Change[] = [
      { type: 'table', action: 'missing', schema: 'public', name: 't', attributes: [], desired: table('t', { owner: 'postgres', acl: ['postgres=arwdDxtm/postgres', 'r=r/postgres'], columns: [column('c', 'integer', { attrs: { acl: ['w=w/postgres'] } })] }) },
      { type: 'routine', action: 'missing', schema: 'public', name: 'f', identityArgs: 'integer', attributes: [], desired: routine('f', 'integer', { owner: 'postgres', acl: ['postgres=X/postgres'], definition: 'CREATE FUNCTION public.f(integer) RETURNS integer LANGUAGE sql AS $$SELECT 1$$' }) },
      { type: 'routine', action: 'missing', schema: 'public', name: 'agg', identityArgs: 'numeric', attributes: [], desired: routine('agg', 'numeric', { kind: 'aggregate', owner: 'postgres', acl: ['postgres=X/postgres', '=X/postgres', 'r=X/postgres'], definition: 'CREATE AGGREGATE public.agg(numeric) (SFUNC = numeric_add, STYPE = numeric)' }) },
      { type: 'sequence', action: 'missing', schema: 'public', name: 's', attributes: [], desired: sequence('s', { owner: 'postgres', acl: ['postgres=rU/postgres'] }) },
    ];
    const grants = plan(created).filter((sql) => /^(GRANT|REVOKE)/.test(sql));
    expect(grants).toEqual([
      'GRANT SELECT ON TABLE public.t TO r;',
      'GRANT UPDATE (c) ON TABLE public.t TO w;',
      'REVOKE EXECUTE ON FUNCTION public.f(integer) FROM PUBLIC;',
      'GRANT EXECUTE ON ROUTINE public.agg(numeric) TO r;',
      'REVOKE UPDATE ON SEQUENCE public.s FROM CURRENT_USER;',
    ]);
  });

  it('emits no privilege statement for a created object without an ACL (privileges not inspected)', () => {
    const change: Change = { type: 'table', action: 'missing', schema: 'public', name: 't', attributes: [], desired: table('t', { columns: [column('c')] }) };
    expect(plan([change]).some((sql) => /^(GRANT|REVOKE)/.test(sql))).toBe(false);
  });

  it('refuses a changed grant made by a role other than the owner', () => {
    const change: Change = {
      type: 'table', action: 'changed', schema: 'public', name: 't', attributes: [{ name: 'acl', expected: null, actual: null }],
      current: t('app', ['app=arwdDxt/app', 'r=r*/app', 'bob=r/r']),
      desired: t('app', ['app=arwdDxt/app', 'r=r*/app']),
    };
    expect(() => planPostgres([change])).toThrow(PlanError);
    expect(() => planPostgres([change])).toThrow(/granted by a role other than the owner cannot be planned \(bob=r\/r\)/);
  });

  it.each<[string, Change, string[]]>([
    ['schema', { type: 'schema', action: 'changed', schema: 's', name: 's', attributes: [{ name: 'acl', expected: null, actual: null }], current: schema('s', { owner: 'app', acl: ['app=UC/app'] }), desired: schema('s', { owner: 'postgres', acl: ['postgres=UC/postgres', 'r=U/postgres'] }) }, ['GRANT USAGE ON SCHEMA s TO r;']],
    ['sequence', { type: 'sequence', action: 'changed', schema: 'public', name: 's', attributes: [{ name: 'acl', expected: null, actual: null }], current: sequence('s', { owner: 'app', acl: ['app=rwU/app', 'r=U/app'] }), desired: sequence('s', { owner: 'postgres', acl: ['postgres=rwU/postgres'] }) }, ['REVOKE USAGE ON SEQUENCE public.s FROM r;']],
    ['procedure', { type: 'routine', action: 'changed', schema: 'public', name: 'p', identityArgs: '', attributes: [{ name: 'acl', expected: null, actual: null }], current: routine('p', '', { kind: 'procedure', owner: 'app', acl: ['app=X/app', '=X/app'] }), desired: routine('p', '', { kind: 'procedure', owner: 'postgres', acl: ['postgres=X/postgres', 'r=X*/postgres'] }) }, ['REVOKE EXECUTE ON PROCEDURE public.p() FROM PUBLIC;', 'GRANT EXECUTE ON PROCEDURE public.p() TO r WITH GRANT OPTION;']],
  ])('a changed %s ACL', (_label, change, expected) => {
    expect(plan([change])).toEqual(expected);
  });
});
