/**
 * Planning of user-defined types: enums (ADD VALUE in place; a removed or reordered label recreates the type and
 * converts every column using it through text, see `plan-type-recreate.ts`), domains (ALTER DOMAIN), composite types
 * (ALTER TYPE ... ATTRIBUTE) and range types (recreated like enums when their definition changes).
 */
import type { TypeChange } from '../../core/model/change.ts';
import type { CompositeType, DomainType, EnumType, TypeDef } from '../../core/model/schema.ts';
import { qualifiedKey } from '../../core/model/schema.ts';
import type { PostgresPlanContext } from './plan-context.ts';
import { SLOT } from './plan-context.ts';
import { objectName, renderCreateType, renderDropType, typeKeyword } from './ddl-objects.ts';
import { collationName, renderComment, tableName } from './ddl-table.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from './quote.ts';
import { attributeNames } from './plan-parts.ts';
import { recreateType } from './plan-type-recreate.ts';
import { typePlacement } from './plan-type-order.ts';


/** Plans a type change. */
export function planType(ctx: PostgresPlanContext, change: TypeChange, index: number): void {
  if (change.action === 'missing' && change.desired) return createType(ctx, change.desired, index);
  if (change.action === 'extra' && change.current) return dropType(ctx, change.current, index, SLOT.dropType);
  const { desired, current } = change;
  if (!desired || !current) throw ctx.error(index, 'a changed type must carry both sides');
  const names = attributeNames(change);
  if (desired.kind !== current.kind) {
    dropType(ctx, current, index, SLOT.dropRebuiltType, ['rebuild']);
    createType(ctx, desired, index, ['rebuild']);
    return;
  }
  if (names.has('comment')) ctx.add(index, { slot: SLOT.comment, sql: renderComment(typeKeyword(desired), desired.comment), comment: `comment on type ${desired.name}` });
  if (desired.kind === 'enum' && current.kind === 'enum') alterEnum(ctx, current, desired, index);
  else if (desired.kind === 'domain' && current.kind === 'domain') alterDomain(ctx, current, desired, index);
  else if (desired.kind === 'composite' && current.kind === 'composite') alterComposite(ctx, current, desired, index);
  else if (desired.kind === 'range' && current.kind === 'range' && [...names].some((n) => n !== 'comment')) {
    // No ALTER TYPE changes a range's definition: it is recreated, its columns converted through text.
    recreateType(ctx, current, desired, index, `changing range type ${desired.name}`);
  }
}

function createType(ctx: PostgresPlanContext, type: TypeDef, index: number, hazards: 'rebuild'[] = []): void {
  ctx.add(index, { ...typePlacement(ctx, type, 'desired'), sql: renderCreateType(type), comment: `create ${type.kind} ${qualifiedKey(type.schema, type.name)}`, hazards });
  if (type.comment !== null) ctx.add(index, { slot: SLOT.comment, sql: renderComment(typeKeyword(type), type.comment), comment: `comment on type ${type.name}` });
}

function dropType(ctx: PostgresPlanContext, type: TypeDef, index: number, slot: number, extra: 'rebuild'[] = []): void {
  // A type dropped to be created again takes the views naming it along (see PostgresPlanContext.reshapedBy).
  const key = qualifiedKey(type.schema, type.name);
  if (slot === SLOT.dropRebuiltType && !ctx.recreatedTypes.has(key)) ctx.recreatedTypes.set(key, index);
  ctx.add(index, { ...typePlacement(ctx, type, 'current', slot), sql: renderDropType(type), comment: `drop ${type.kind} ${qualifiedKey(type.schema, type.name)}`, hazards: ['data_loss', ...extra] });
}

/** True when `current`'s labels appear in `desired` in the same relative order (only additions). */
function onlyAdditions(current: string[], desired: string[]): boolean {
  const kept = desired.filter((v) => current.includes(v));
  return kept.length === current.length && kept.every((v, i) => v === current[i]);
}

function alterEnum(ctx: PostgresPlanContext, current: EnumType, desired: EnumType, index: number): void {
  if (JSON.stringify(current.values) === JSON.stringify(desired.values)) return;
  if (!onlyAdditions(current.values, desired.values)) return recreateType(ctx, current, desired, index, `removing or reordering labels of enum ${desired.name}`);
  const present = new Set(current.values);
  desired.values.forEach((value, i) => {
    if (present.has(value)) return;
    // Each label goes right after its desired predecessor (already present or just added), else before the first.
    const prev = desired.values[i - 1];
    const next = desired.values.find((v, j) => j > i && present.has(v));
    const where = prev !== undefined ? ` AFTER ${quoteLiteral(prev)}` : next !== undefined ? ` BEFORE ${quoteLiteral(next)}` : '';
    ctx.add(index, {
      slot: SLOT.createType,
      sql: `ALTER TYPE ${objectName(desired)} ADD VALUE ${quoteLiteral(value)}${where};`,
      comment: `add value ${value} to enum ${desired.name}`,
      // A new label cannot be used in the transaction that adds it.
      noTransaction: true,
    });
  });
}

function alterDomain(ctx: PostgresPlanContext, current: DomainType, desired: DomainType, index: number): void {
  const name = objectName(desired);
  if (current.baseType !== desired.baseType || current.collation !== desired.collation) {
    throw ctx.error(index, `the base type or collation of domain ${desired.name} cannot be altered; recreate the domain and the columns using it by hand`);
  }
  const add = (sql: string, comment: string, hazards: ('may_fail' | 'heavy_lock')[] = []): void =>
    ctx.add(index, { slot: SLOT.createType, sub: 1, sql: `ALTER DOMAIN ${name} ${sql};`, comment: `${comment} of domain ${desired.name}`, hazards });
  if (current.default !== desired.default) add(desired.default === null ? 'DROP DEFAULT' : `SET DEFAULT ${desired.default}`, 'set default');
  if (current.nullable !== desired.nullable) add(desired.nullable ? 'DROP NOT NULL' : 'SET NOT NULL', 'set nullability', desired.nullable ? [] : ['may_fail', 'heavy_lock']);
  const before = new Map(current.checks.map((c) => [c.name, c.definition]));
  const after = new Map(desired.checks.map((c) => [c.name, c.definition]));
  for (const [check, def] of before) if (after.get(check) !== def) add(`DROP CONSTRAINT ${quoteIdent(check)}`, `drop check ${check}`);
  for (const [check, def] of after) if (before.get(check) !== def) add(`ADD CONSTRAINT ${quoteIdent(check)} ${def}`, `add check ${check}`, ['may_fail', 'heavy_lock']);
}

function alterComposite(ctx: PostgresPlanContext, current: CompositeType, desired: CompositeType, index: number): void {
  const name = objectName(desired);
  const before = new Map(current.attributes.map((a) => [a.name, a]));
  const after = new Map(desired.attributes.map((a) => [a.name, a]));
  const actions: string[] = [];
  for (const a of current.attributes) if (!after.has(a.name)) actions.push(`DROP ATTRIBUTE ${quoteIdent(a.name)}`);
  for (const a of desired.attributes) {
    const old = before.get(a.name);
    const collate = a.collation ? ` COLLATE ${collationName(a.collation)}` : '';
    if (!old) actions.push(`ADD ATTRIBUTE ${quoteIdent(a.name)} ${a.type}${collate}`);
    else if (old.type !== a.type || old.collation !== a.collation) actions.push(`ALTER ATTRIBUTE ${quoteIdent(a.name)} TYPE ${a.type}${collate}`);
  }
  // ALTER TYPE appends new attributes; if the kept ones are reordered, the type has to be rebuilt.
  const kept = desired.attributes.filter((a) => before.has(a.name)).map((a) => a.name);
  const keptBefore = current.attributes.filter((a) => after.has(a.name)).map((a) => a.name);
  const appended = desired.attributes.slice(kept.length).every((a) => !before.has(a.name));
  if (JSON.stringify(kept) !== JSON.stringify(keptBefore) || !appended) {
    dropType(ctx, current, index, SLOT.dropRebuiltType, ['rebuild']);
    createType(ctx, desired, index, ['rebuild']);
    return;
  }
  if (actions.length) {
    ctx.add(index, { slot: SLOT.createType, sub: 2, sql: `ALTER TYPE ${name} ${actions.join(', ')};`, comment: `alter attributes of composite ${desired.name}`, hazards: actions.some((a) => a.startsWith('DROP') || a.startsWith('ALTER')) ? ['data_loss'] : [] });
  }
}
