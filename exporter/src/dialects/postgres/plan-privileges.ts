/**
 * Planning of privileges (ACLs), an opt-in: GRANT and REVOKE statements that turn an object's current ACL into the
 * desired one, and the grants a newly created (or rebuilt) object needs beyond the built-in default ACL.
 *
 * ACLs are compared in placeholder form (see `acl.ts`): the owner's own privileges are the owner's whoever owns the
 * object, so a GRANT or REVOKE for the owner names the current owner (or `CURRENT_USER` for an object the plan
 * creates, which the role running the plan will own). Ownership itself is never changed.
 *
 * Hazards: none. GRANT only adds rights. REVOKE can break an application that relied on the right, but none of the
 * fixed labels describes that (`may_fail` is about the statement failing on existing data, which a REVOKE of the
 * owner's grants does not); the statement's comment says whose rights are revoked.
 *
 * Not planned (a `PlanError`): differing grants made by a role other than the owner (GRANT and REVOKE run as the owner
 * or a superuser record the owner as grantor, so such grants cannot be reproduced or removed by a plain statement).
 * Privileges from ALTER DEFAULT PRIVILEGES on the target are not foreseen for created objects.
 */
import type { Column, Routine } from '../../core/model/schema.ts';
import {
  aclSteps,
  type AclItem,
  type AclObjectKind,
  type AclStep,
  defaultAcl,
  formatAclItem,
  inferOwner,
  OWNER,
  parseAcl,
  PRIVILEGE_KEYWORDS,
  withoutLetters,
} from './acl.ts';
import type { PostgresPlanContext } from './plan-context.ts';
import { SLOT } from './plan-context.ts';
import { objectName } from './ddl-objects.ts';
import { quoteIdent } from './quote.ts';

/** An object's ACL and owner as the snapshot has them (a column: its own ACL and its table's owner). */
export interface AclSide {
  readonly acl?: readonly string[];
  readonly owner?: string;
}

/** The object a GRANT or REVOKE is about. */
export interface AclTarget {
  /** Which default ACL a created object starts with. */
  readonly kind: AclObjectKind;
  /** What follows `ON`: `TABLE "s"."t"`, `SEQUENCE ...`, `FUNCTION "s"."f"(integer)`, `SCHEMA "s"`. */
  readonly on: string;
  /** For a column ACL: the column, whose name goes after each privilege (`SELECT ("c")`). */
  readonly column?: string;
  /** For comments: `table s.t`, `column s.t.c`. */
  readonly label: string;
}

/** Target of a table, view or materialized view (GRANT ... ON TABLE covers all three). */
export function relationTarget(obj: { schema: string; name: string }, label = 'table'): AclTarget {
  return { kind: 'table', on: `TABLE ${objectName(obj)}`, label: `${label} ${obj.schema}.${obj.name}` };
}

/** Target of one column's own privileges. */
export function columnTarget(table: { schema: string; name: string }, column: string): AclTarget {
  return { kind: 'column', on: `TABLE ${objectName(table)}`, column, label: `column ${table.schema}.${table.name}.${column}` };
}

/** A column's own ACL (`attrs.acl`, set by the inspector only when the column has grants of its own). */
export function columnAclOf(column: Column): string[] | undefined {
  const acl = column.attrs?.acl;
  return Array.isArray(acl) ? acl.filter((item): item is string => typeof item === 'string') : undefined;
}

/** Target of a sequence. */
export function sequenceTarget(seq: { schema: string; name: string }): AclTarget {
  return { kind: 'sequence', on: `SEQUENCE ${objectName(seq)}`, label: `sequence ${seq.schema}.${seq.name}` };
}

/** Target of a routine: FUNCTION, PROCEDURE, or ROUTINE for aggregates (which `ON FUNCTION` rejects). */
export function routineTarget(routine: Routine): AclTarget {
  const keyword = routine.kind === 'procedure' ? 'PROCEDURE' : routine.kind === 'aggregate' ? 'ROUTINE' : 'FUNCTION';
  const on = `${keyword} ${objectName(routine)}(${routine.identityArgs})`;
  return { kind: 'routine', on, label: `${routine.kind} ${routine.schema}.${routine.name}(${routine.identityArgs})` };
}

/** Target of a schema. */
export function schemaTarget(name: string): AclTarget {
  return { kind: 'schema', on: `SCHEMA ${quoteIdent(name)}`, label: `schema ${name}` };
}

/**
 * Letters to leave out of both sides: MAINTAIN when the older of the two snapshots' servers is before 17, the rule of
 * the differ's hook (so every ACL change it reports yields a statement), and the older server cannot hold it.
 */
function droppedLetters(ctx: PostgresPlanContext): string {
  const a = ctx.options.current?.source.serverMajor;
  const b = ctx.options.desired?.source.serverMajor;
  return a !== undefined && b !== undefined && Math.min(a, b) < 17 ? 'm' : '';
}

function ownerOf(side: AclSide): string | undefined {
  return side.owner ?? inferOwner(side.acl);
}

/** Plans the GRANTs and REVOKEs that turn the current ACL of an existing object into the desired one. */
export function planAclChange(ctx: PostgresPlanContext, target: AclTarget, current: AclSide, desired: AclSide, index: number): void {
  if (!desired.acl) throw ctx.error(index, `the desired ${target.label} carries no ACL`);
  const drop = droppedLetters(ctx);
  const currentOwner = ownerOf(current);
  const before = parseAcl(current.acl ?? [], currentOwner, drop);
  const after = parseAcl(desired.acl, ownerOf(desired), drop);
  const ownerSql = currentOwner === undefined ? 'CURRENT_USER' : quoteIdent(currentOwner);
  addSteps(ctx, target, before, after, ownerSql, index);
}

/**
 * Plans the GRANTs and REVOKEs a created (or dropped and recreated) object needs: its desired ACL against the default
 * ACL a new object of its kind gets. Nothing when the desired object carries no ACL (privileges not inspected).
 */
export function planCreatedAcl(ctx: PostgresPlanContext, target: AclTarget, desired: AclSide, index: number, owner?: string): void {
  if (!desired.acl) return;
  const drop = droppedLetters(ctx);
  const start = defaultAcl(target.kind, true).flatMap((item) => withoutLetters(item, drop) ?? []);
  // `owner`: the role the plan gives the object to (a rebuilt object goes back to its owner), else whoever runs it.
  addSteps(ctx, target, start, parseAcl(desired.acl, ownerOf(desired), drop), owner === undefined ? 'CURRENT_USER' : quoteIdent(owner), index);
}

function addSteps(ctx: PostgresPlanContext, target: AclTarget, before: AclItem[], after: AclItem[], ownerSql: string, index: number): void {
  const { steps, foreign } = aclSteps(before, after);
  if (foreign.length) {
    const items = foreign.map(formatAclItem).join(', ');
    throw ctx.error(index, `privileges of ${target.label} granted by a role other than the owner cannot be planned (${items})`);
  }
  for (const step of steps) {
    const role = step.grantee === OWNER ? ownerSql : step.grantee === '' ? 'PUBLIC' : quoteIdent(step.grantee);
    ctx.add(index, { slot: SLOT.privileges, sql: renderAclStep(target, step, role), comment: describeStep(target, step, role) });
  }
}

/** The SQL of one step, e.g. `GRANT SELECT, INSERT ON TABLE "s"."t" TO "app";`. */
export function renderAclStep(target: AclTarget, step: AclStep, role: string): string {
  const column = target.column === undefined ? '' : ` (${quoteIdent(target.column)})`;
  const privileges = step.privileges.map((l) => `${PRIVILEGE_KEYWORDS[l] ?? l}${column}`).join(', ');
  if (step.action === 'grant') {
    return `GRANT ${privileges} ON ${target.on} TO ${role}${step.grantOption ? ' WITH GRANT OPTION' : ''};`;
  }
  return `REVOKE ${step.grantOption ? 'GRANT OPTION FOR ' : ''}${privileges} ON ${target.on} FROM ${role};`;
}

function describeStep(target: AclTarget, step: AclStep, role: string): string {
  const what = step.privileges.map((l) => PRIVILEGE_KEYWORDS[l] ?? l).join(', ');
  if (step.action === 'grant') return `grant ${what}${step.grantOption ? ' with grant option' : ''} on ${target.label} to ${role}`;
  if (step.grantOption) return `revoke the grant option for ${what} on ${target.label} from ${role}`;
  return `revoke ${what} on ${target.label} from ${role} (sessions of that role lose these rights)`;
}
