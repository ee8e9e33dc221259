/**
 * Hazard rules of MySQL/MariaDB ALTERs: which type changes may lose data, and which column additions and drops run
 * INSTANT on the live server (MySQL 8.0.12+ adds at the end, 8.0.29+ anywhere and drops; MariaDB 10.3 adds at the
 * end, 10.4+ anywhere and drops). An unknown server is assumed to rebuild. Also the one syntax choice that depends on
 * the server: how a check constraint is dropped.
 */
import type { Hazard } from '../../core/model/plan.ts';
import { integerBytes, normalizeType } from './hooks-types.ts';
import type { MysqlPlanContext } from './plan-context.ts';
import { versionAtLeast } from './server-version.ts';

/** True when the live server adds a column INSTANT (at the end when `anywhere` is false). */
export function instantAddColumn(ctx: MysqlPlanContext, anywhere: boolean): boolean {
  const { flavor, version } = ctx.server();
  if (version.length === 0) return false;
  if (flavor === 'mariadb') return versionAtLeast(version, anywhere ? [10, 4] : [10, 3]);
  if (flavor === 'mysql') return versionAtLeast(version, anywhere ? [8, 0, 29] : [8, 0, 12]);
  return false;
}

/** True when the live server drops a column INSTANT. */
export function instantDropColumn(ctx: MysqlPlanContext): boolean {
  const { flavor, version } = ctx.server();
  if (version.length === 0) return false;
  if (flavor === 'mariadb') return versionAtLeast(version, [10, 4]);
  if (flavor === 'mysql') return versionAtLeast(version, [8, 0, 29]);
  return false;
}

/**
 * The keyword of `ALTER TABLE ... DROP <keyword> name` for a check constraint: MySQL 8.0.16+ knows `DROP CHECK` (and
 * from 8.0.19 also `DROP CONSTRAINT`), MariaDB knows only `DROP CONSTRAINT`. An unknown server gets `CONSTRAINT`, which
 * MariaDB and MySQL 8.0.19+ both accept.
 */
export function dropCheckKeyword(ctx: MysqlPlanContext): 'CHECK' | 'CONSTRAINT' {
  return ctx.server().flavor === 'mysql' ? 'CHECK' : 'CONSTRAINT';
}

const TEXT_CAPACITY: Record<string, number> = {
  tinytext: 255, text: 65535, mediumtext: 16777215, longtext: 4294967295,
  tinyblob: 255, blob: 65535, mediumblob: 16777215, longblob: 4294967295,
};

/** Decimal digits of the widest value of an integer type, by its size in bytes. */
const INTEGER_DIGITS: Record<number, number> = { 1: 3, 2: 5, 3: 8, 4: 10, 8: 20 };

interface Shape {
  base: string;
  args: number[];
  unsigned: boolean;
  values: string[];
}

function shape(normalized: string): Shape {
  const base = /^[a-z]+/.exec(normalized)?.[0] ?? normalized;
  const inner = /^[a-z]+\((.*)\)/.exec(normalized)?.[1] ?? '';
  const values = base === 'enum' || base === 'set' ? [...inner.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1] ?? '') : [];
  const args = values.length ? [] : inner.split(',').filter(Boolean).map(Number);
  return { base, args, unsigned: /\bunsigned\b/.test(normalized), values };
}

function stringFamily(base: string): 'char' | 'binary' | null {
  if (base === 'char' || base === 'varchar' || base.endsWith('text')) return 'char';
  if (base === 'binary' || base === 'varbinary' || base.endsWith('blob')) return 'binary';
  return null;
}

function stringCapacity(s: Shape): number {
  return TEXT_CAPACITY[s.base] ?? s.args[0] ?? 1;
}

/** True when a value of type `from` may not fit `to` (truncation, rounding, lost enum labels, other family). */
export function narrows(from: string, to: string): boolean {
  const a = shape(from);
  const b = shape(to);
  const ia = integerBytes(from);
  const ib = integerBytes(to);
  if (ia !== null && ib !== null) {
    if (a.unsigned === b.unsigned) return ib < ia;
    return b.unsigned || ib <= ia; // signed → unsigned loses negatives; unsigned → signed needs a wider type
  }
  if (ia !== null && b.base === 'decimal') return (b.args[0] ?? 10) - (b.args[1] ?? 0) < (INTEGER_DIGITS[ia] ?? 20);
  const fa = stringFamily(a.base);
  const fb = stringFamily(b.base);
  if (fa !== null && fa === fb) return stringCapacity(b) < stringCapacity(a);
  if (a.base === 'decimal' && b.base === 'decimal') {
    const [pa = 10, sa = 0] = a.args;
    const [pb = 10, sb = 0] = b.args;
    return pb - sb < pa - sa || sb < sa;
  }
  if ((a.base === 'enum' || a.base === 'set') && a.base === b.base) return a.values.some((v) => !b.values.includes(v));
  if (a.base === 'float' && b.base === 'double') return false;
  if (['datetime', 'timestamp', 'time'].includes(a.base) && a.base === b.base) return (b.args[0] ?? 0) < (a.args[0] ?? 0);
  return a.base !== b.base;
}

/** True when only enum/set labels were appended at the end: a metadata change. */
function appendsLabels(from: string, to: string): boolean {
  const a = shape(from);
  const b = shape(to);
  return (a.base === 'enum' || a.base === 'set') && a.base === b.base && a.values.every((v, i) => b.values[i] === v);
}

/** Hazards of changing a column's type from `from` to `to` (raw spellings). */
export function typeChangeHazards(from: string, to: string): Hazard[] {
  const a = normalizeType(from);
  const b = normalizeType(to);
  if (a === b || appendsLabels(a, b)) return [];
  const hazards: Hazard[] = ['table_rewrite', 'heavy_lock'];
  if (narrows(a, b)) hazards.push('data_loss', 'may_fail');
  return hazards;
}
