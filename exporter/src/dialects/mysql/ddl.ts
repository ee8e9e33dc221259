/**
 * Deterministic whole-schema DDL of a MySQL/MariaDB snapshot, rendered by the planner as the plan that creates
 * everything from an empty database, so the DDL and the planner's creates never disagree.
 */
import type { Change } from '../../core/model/change.ts';
import type { Schema, SchemaSnapshot } from '../../core/model/schema.ts';
import { planMysql, renderMysqlPlanSql } from './plan.ts';

function byName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function schemaChanges(schema: Schema): Change[] {
  const base = { action: 'missing' as const, schema: schema.name, attributes: [] };
  return [
    ...byName(schema.sequences).map((s) => ({ ...base, type: 'sequence' as const, name: s.name, desired: s })),
    ...byName(schema.tables).map((t) => ({ ...base, type: 'table' as const, name: t.name, desired: t })),
    ...byName(schema.routines).map((r) => ({ ...base, type: 'routine' as const, name: r.name, identityArgs: r.identityArgs, desired: r })),
    ...byName(schema.views).map((v) => ({ ...base, type: 'view' as const, name: v.name, desired: v })),
    ...byName(schema.events ?? []).map((e) => ({ ...base, type: 'event' as const, name: e.name, desired: e })),
  ];
}

/**
 * DDL that creates everything in `snapshot` in an empty database, in dependency order: tables (foreign keys added
 * after all tables), routines, views, triggers, events (when inspected). A script for the `mysql`/`mariadb` client (`DELIMITER` around
 * bodies).
 */
export function renderMysqlDdl(snapshot: SchemaSnapshot): string {
  const changes = byName(snapshot.schemas).flatMap(schemaChanges);
  return renderMysqlPlanSql(planMysql(changes, { desired: snapshot }));
}
