/**
 * The dialect seam: which differ hooks, planner and DDL renderer a snapshot's dialect uses. The CLI, the check and
 * the report builder pick their engine here by `snapshot.dialect`, so none of them imports a dialect's planner by
 * name and a second dialect is one entry more.
 */
import type { DiffHooks } from '../core/diff/options.ts';
import { ConfigError } from '../core/errors.ts';
import type { Change } from '../core/model/change.ts';
import type { Plan } from '../core/model/plan.ts';
import type { Dialect, SchemaSnapshot } from '../core/model/schema.ts';
import { renderMysqlDdl } from './mysql/ddl.ts';
import { mysqlHooks } from './mysql/hooks.ts';
import { planMysql, renderMysqlPlanSql } from './mysql/plan.ts';
import { renderPostgresDdl } from './postgres/ddl.ts';
import { postgresHooks } from './postgres/hooks.ts';
import { planPostgres, renderPlanSql } from './postgres/plan.ts';

/** One dialect's engine pieces after inspection. */
export interface DialectEngine {
  readonly dialect: Dialect;
  /** Human name for messages: `PostgreSQL`, `MySQL/MariaDB`. */
  readonly label: string;
  readonly hooks: DiffHooks;
  /** Reconcile plan turning `current` into `desired`; throws `PlanError` for a change it cannot render. */
  plan(changes: Change[], sides: { current: SchemaSnapshot; desired: SchemaSnapshot }): Plan;
  /** The plan as one SQL script. */
  renderPlanSql(plan: Plan): string;
  /** Deterministic whole-schema DDL. */
  renderDdl(snapshot: SchemaSnapshot): string;
}

const POSTGRES: DialectEngine = {
  dialect: 'postgres',
  label: 'PostgreSQL',
  hooks: postgresHooks,
  plan: (changes, sides) => planPostgres(changes, sides),
  renderPlanSql,
  renderDdl: renderPostgresDdl,
};

const MYSQL: DialectEngine = {
  dialect: 'mysql',
  label: 'MySQL/MariaDB',
  hooks: mysqlHooks,
  plan: (changes, sides) => planMysql(changes, sides),
  renderPlanSql: renderMysqlPlanSql,
  renderDdl: renderMysqlDdl,
};

/** The engine of `dialect`. */
export function dialectEngine(dialect: Dialect): DialectEngine {
  return dialect === 'mysql' ? MYSQL : POSTGRES;
}

/**
 * The engine for comparing two snapshots, which must share a dialect: a PostgreSQL schema and a MySQL one have no
 * meaningful diff (every type, default and name rule differs).
 * @throws ConfigError naming both sides when the dialects differ.
 */
export function pairEngine(current: SchemaSnapshot, desired: SchemaSnapshot): DialectEngine {
  if (current.dialect !== desired.dialect) {
    throw new ConfigError(
      `cannot compare a ${dialectEngine(current.dialect).label} schema (${current.source.description}) with a ` +
        `${dialectEngine(desired.dialect).label} schema (${desired.source.description}): both sides must be the same dialect`,
    );
  }
  return dialectEngine(current.dialect);
}
