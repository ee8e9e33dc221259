/**
 * Planning of schemas, extensions, sequences and routines.
 */
import type { ExtensionChange, RoutineChange, SchemaChange, SequenceChange } from '../../core/model/change.ts';
import type { Routine, Sequence } from '../../core/model/schema.ts';
import { qualifiedKey } from '../../core/model/schema.ts';
import type { PostgresPlanContext } from './plan-context.ts';
import { SLOT } from './plan-context.ts';
import {
  hasSqlStandardBody,
  objectName,
  renderCreateExtension,
  renderCreateRoutine,
  renderCreateSchema,
  renderCreateSequence,
  renderDropRoutine,
  routineSignature,
} from './ddl-objects.ts';
import { needsRestart, parseOwnedBy, renderComment } from './ddl-table.ts';
import { quoteIdent, quoteLiteral } from './quote.ts';
import { attributeNames } from './plan-parts.ts';
import { planAclChange, planCreatedAcl, routineTarget, schemaTarget, sequenceTarget } from './plan-privileges.ts';

function unknown(ctx: PostgresPlanContext, index: number, names: Set<string>, allowed: string[]): void {
  const bad = [...names].filter((n) => !allowed.includes(n.split('.')[0] ?? n));
  if (bad.length) throw ctx.error(index, `the attribute(s) ${bad.map((b) => `"${b}"`).join(', ')} cannot be altered`);
}

/** Plans a schema change. */
export function planSchema(ctx: PostgresPlanContext, change: SchemaChange, index: number): void {
  const name = quoteIdent(change.name);
  if (change.action === 'missing') {
    ctx.add(index, { slot: SLOT.createSchema, sql: renderCreateSchema(change.name), comment: `create schema ${change.name}` });
    if (change.desired?.comment) ctx.add(index, { slot: SLOT.comment, sql: renderComment(`SCHEMA ${name}`, change.desired.comment), comment: `comment on schema ${change.name}` });
    if (change.desired) planCreatedAcl(ctx, schemaTarget(change.name), change.desired, index);
    return;
  }
  if (change.action === 'extra') {
    ctx.add(index, { slot: SLOT.dropSchema, sql: `DROP SCHEMA ${name};`, comment: `drop schema ${change.name}`, hazards: ['data_loss'] });
    return;
  }
  const names = attributeNames(change);
  unknown(ctx, index, names, ['comment', 'acl']);
  if (names.has('comment')) ctx.add(index, { slot: SLOT.comment, sql: renderComment(`SCHEMA ${name}`, change.desired?.comment ?? null), comment: `comment on schema ${change.name}` });
  if (names.has('acl')) {
    if (!change.desired || !change.current) throw ctx.error(index, 'a changed schema must carry both sides');
    planAclChange(ctx, schemaTarget(change.name), change.current, change.desired, index);
  }
}

/** Plans an extension change. */
export function planExtension(ctx: PostgresPlanContext, change: ExtensionChange, index: number): void {
  const name = quoteIdent(change.name);
  if (change.action === 'missing' && change.desired) {
    ctx.add(index, { slot: SLOT.createExtension, sql: renderCreateExtension(change.desired), comment: `create extension ${change.name}` });
    if (change.desired.comment) ctx.add(index, { slot: SLOT.comment, sql: renderComment(`EXTENSION ${name}`, change.desired.comment), comment: `comment on extension ${change.name}` });
    return;
  }
  if (change.action === 'extra') {
    ctx.add(index, { slot: SLOT.dropExtension, sql: `DROP EXTENSION ${name};`, comment: `drop extension ${change.name}`, hazards: ['data_loss'] });
    return;
  }
  const desired = change.desired;
  if (!desired) throw ctx.error(index, 'a changed extension must carry the desired extension');
  const names = attributeNames(change);
  unknown(ctx, index, names, ['version', 'schema', 'comment']);
  if (names.has('version') && change.current && olderVersion(desired.version, change.current.version)) {
    return ctx.refuse(index, `version ${desired.version} is older than the installed ${change.current.version}, and extensions ship no downgrade scripts; drop and create it again at that version by hand (with what depends on it), or set ignoreExtensionVersions`);
  }
  if (names.has('schema')) ctx.add(index, { slot: SLOT.createExtension, sql: `ALTER EXTENSION ${name} SET SCHEMA ${quoteIdent(desired.schema)};`, comment: `move extension ${change.name}` });
  if (names.has('version')) ctx.add(index, { slot: SLOT.createExtension, sql: `ALTER EXTENSION ${name} UPDATE TO ${quoteLiteral(desired.version)};`, comment: `update extension ${change.name}`, hazards: ['may_fail'] });
  if (names.has('comment')) ctx.add(index, { slot: SLOT.comment, sql: renderComment(`EXTENSION ${name}`, desired.comment ?? null), comment: `comment on extension ${change.name}` });
}

/** True when dotted numeric version `a` sorts before `b` (`1.5` < `1.10`); false when either is not of that form. */
function olderVersion(a: string, b: string): boolean {
  const parts = (v: string) => (/^\d+(\.\d+)*$/.test(v) ? v.split('.').map(Number) : null);
  const [x, y] = [parts(a), parts(b)];
  if (!x || !y) return false;
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return false;
}

function ownedByClause(seq: Sequence): string {
  if (!seq.ownedBy) return 'NONE';
  return parseOwnedBy(seq.ownedBy).map(quoteIdent).join('.');
}

/** True when the table or column owning the sequence is dropped by this plan, which drops the sequence too. */
function ownerDropped(ctx: PostgresPlanContext, seq: Sequence): boolean {
  if (!seq.ownedBy) return false;
  const [schema, table, column] = parseOwnedBy(seq.ownedBy);
  return ctx.changesOf(schema, table).some(
    (c) => c.action === 'extra' && (c.type === 'table' || (c.type === 'column' && c.name === column)),
  );
}

/** Plans a sequence change. */
export function planSequence(ctx: PostgresPlanContext, change: SequenceChange, index: number): void {
  if (change.action === 'missing' && change.desired) {
    const seq = change.desired;
    ctx.add(index, { slot: SLOT.createSequence, sql: renderCreateSequence(seq), comment: `create sequence ${qualifiedKey(seq.schema, seq.name)}` });
    if (seq.ownedBy) ctx.add(index, { slot: SLOT.ownedBy, sql: `ALTER SEQUENCE ${objectName(seq)} OWNED BY ${ownedByClause(seq)};`, comment: `sequence ${seq.name} owned by ${seq.ownedBy}` });
    if (seq.comment !== null) ctx.add(index, { slot: SLOT.comment, sql: renderComment(`SEQUENCE ${objectName(seq)}`, seq.comment), comment: `comment on sequence ${seq.name}` });
    planCreatedAcl(ctx, sequenceTarget(seq), seq, index);
    return;
  }
  if (change.action === 'extra' && change.current) {
    // Dropping the owning table or column drops an owned sequence first: IF EXISTS keeps the plan runnable.
    const ifExists = ownerDropped(ctx, change.current) ? 'IF EXISTS ' : '';
    ctx.add(index, { slot: SLOT.dropSequence, sql: `DROP SEQUENCE ${ifExists}${objectName(change.current)};`, comment: `drop sequence ${qualifiedKey(change.schema, change.name)}` });
    return;
  }
  const { desired, current } = change;
  if (!desired || !current) throw ctx.error(index, 'a changed sequence must carry both sides');
  const names = attributeNames(change);
  unknown(ctx, index, names, ['type', 'start', 'increment', 'min', 'max', 'cache', 'cycle', 'ownedBy', 'comment', 'acl']);
  const clauses: string[] = [];
  if (names.has('type')) clauses.push(`AS ${desired.type}`);
  if (names.has('start')) clauses.push(`START WITH ${desired.start}`);
  if (names.has('increment')) clauses.push(`INCREMENT BY ${desired.increment}`);
  if (names.has('min') || names.has('type')) clauses.push(`MINVALUE ${desired.min}`);
  if (names.has('max') || names.has('type')) clauses.push(`MAXVALUE ${desired.max}`);
  if (names.has('cache')) clauses.push(`CACHE ${desired.cache}`);
  if (names.has('cycle')) clauses.push(desired.cycle ? 'CYCLE' : 'NO CYCLE');
  const restart = clauses.length > 0 && needsRestart(current, desired);
  if (restart) clauses.push(`RESTART WITH ${desired.start}`);
  if (clauses.length) ctx.add(index, { slot: SLOT.createSequence, sql: `ALTER SEQUENCE ${objectName(desired)} ${clauses.join(' ')};`, comment: `alter sequence ${desired.name}${restart ? ' (restarted: its old start lies outside the new range)' : ''}`, hazards: names.has('type') || names.has('max') || restart ? ['may_fail'] : [] });
  if (names.has('ownedBy')) ctx.add(index, { slot: SLOT.ownedBy, sql: `ALTER SEQUENCE ${objectName(desired)} OWNED BY ${ownedByClause(desired)};`, comment: `sequence ${desired.name} owned by ${desired.ownedBy ?? 'nothing'}` });
  if (names.has('comment')) ctx.add(index, { slot: SLOT.comment, sql: renderComment(`SEQUENCE ${objectName(desired)}`, desired.comment), comment: `comment on sequence ${desired.name}` });
  if (names.has('acl')) planAclChange(ctx, sequenceTarget(desired), current, desired, index);
}

const REPLACEABLE = ['body', 'definition', 'volatility', 'strict', 'securityDefiner', 'parallel', 'config', 'language', 'comment', 'attrs'];

/**
 * Creates a routine; a body in SQL-standard form is parsed at once, so it waits for the tables. `rebuilt` is the
 * current routine when it is dropped and created again: its owner and ACL come back (the desired ACL when privileges
 * are compared, else the live one the snapshot kept), so a rebuild neither removes grants nor gives EXECUTE back to
 * PUBLIC after it was revoked.
 */
export function createRoutine(ctx: PostgresPlanContext, routine: Routine, index: number, hazards: ('rebuild')[] = [], rebuilt?: Routine): void {
  const slot = hasSqlStandardBody(routine) ? SLOT.createLateRoutine : SLOT.createRoutine;
  ctx.add(index, { slot, sql: renderCreateRoutine(routine), comment: `create ${routine.kind} ${routine.schema}.${routine.name}(${routine.identityArgs})`, hazards });
  if (routine.comment !== null) ctx.add(index, { slot: SLOT.comment, sql: renderComment(routineSignature(routine), routine.comment), comment: `comment on ${routine.kind} ${routine.name}` });
  if (!rebuilt) return planCreatedAcl(ctx, routineTarget(routine), routine, index);
  const owner = rebuilt.owner ?? rebuilt.kept?.owner;
  if (owner !== undefined) {
    ctx.add(index, { slot: SLOT.owner, sql: `ALTER ${routineSignature(routine)} OWNER TO ${quoteIdent(owner)};`, comment: `give ${routine.kind} ${routine.name} back to its owner ${owner}` });
  }
  const acl = routine.acl ?? rebuilt.acl ?? rebuilt.kept?.acl;
  if (acl) planCreatedAcl(ctx, routineTarget(routine), { acl, owner: routine.acl ? routine.owner : owner }, index, owner);
}

/** Plans a function/procedure change: CREATE OR REPLACE when only the body or properties change, else drop + create. */
export function planRoutine(ctx: PostgresPlanContext, change: RoutineChange, index: number): void {
  if (change.action === 'missing' && change.desired) {
    // The one overload of the same name this plan drops (below) is the same routine with new identity arguments (a
    // parameter renamed): it comes back with that routine's owner and grants.
    const replaced = ctx.changes.filter((c) => c.type === 'routine' && c.action === 'extra' && c.schema === change.schema && c.name === change.name);
    return createRoutine(ctx, change.desired, index, [], replaced.length === 1 ? (replaced[0]?.current as Routine | undefined) : undefined);
  }
  if (change.action === 'extra' && change.current) {
    // A body in SQL-standard form depends on the tables it reads: drop it before them. An overload that a missing
    // routine of the same name replaces (OUT parameters changed, so the identity differs but the input signature may
    // not) goes before the creates, which would otherwise fail with "function already exists".
    const replaced = ctx.changes.some((c) => c.type === 'routine' && c.action === 'missing' && c.schema === change.schema && c.name === change.name);
    const slot = replaced ? SLOT.dropRebuiltRoutine : hasSqlStandardBody(change.current) ? SLOT.dropLateRoutine : SLOT.dropRoutine;
    if (replaced) markRecreated(ctx, change.current, index);
    ctx.add(index, { slot, sql: renderDropRoutine(change.current), comment: `drop ${change.current.kind} ${change.schema}.${change.name}(${change.identityArgs})` });
    return;
  }
  const { desired, current } = change;
  if (!desired || !current) throw ctx.error(index, 'a changed routine must carry both sides');
  const all = attributeNames(change);
  unknown(ctx, index, all, [...REPLACEABLE, 'returns', 'args', 'kind', 'identityArgs', 'acl']);
  const names = new Set([...all].filter((n) => n !== 'acl'));
  const replaceable = [...names].every((n) => REPLACEABLE.includes(n.split('.')[0] ?? n));
  // CREATE OR REPLACE keeps the ACL; a dropped and recreated routine gets its desired ACL from createRoutine.
  if (all.has('acl') && replaceable) planAclChange(ctx, routineTarget(desired), current, desired, index);
  if (names.size === 0) return;
  if ([...names].every((n) => n === 'comment')) {
    ctx.add(index, { slot: SLOT.comment, sql: renderComment(routineSignature(desired), desired.comment), comment: `comment on ${desired.kind} ${desired.name}` });
    return;
  }
  if (replaceable) {
    const slot = hasSqlStandardBody(desired) ? SLOT.createLateRoutine : SLOT.createRoutine;
    ctx.add(index, { slot, sql: renderCreateRoutine(desired), comment: `replace ${desired.kind} ${desired.schema}.${desired.name}(${desired.identityArgs})` });
    if (names.has('comment')) ctx.add(index, { slot: SLOT.comment, sql: renderComment(routineSignature(desired), desired.comment), comment: `comment on ${desired.kind} ${desired.name}` });
    return;
  }
  // Return type, argument names/defaults or kind changed: CREATE OR REPLACE refuses these.
  markRecreated(ctx, current, index);
  ctx.add(index, { slot: SLOT.dropRebuiltRoutine, sql: renderDropRoutine(current), comment: `drop ${current.kind} ${current.name} to recreate it`, hazards: ['rebuild'] });
  createRoutine(ctx, desired, index, ['rebuild'], current);
}

/** Records that `routine` is dropped before it is created again, so the views calling it are rebuilt around it. */
function markRecreated(ctx: PostgresPlanContext, routine: Routine, index: number): void {
  const key = `${qualifiedKey(routine.schema, routine.name)}(${routine.identityArgs})`;
  if (!ctx.recreatedRoutines.has(key)) ctx.recreatedRoutines.set(key, index);
}
