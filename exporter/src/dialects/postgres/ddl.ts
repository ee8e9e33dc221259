/**
 * Whole-schema DDL of a snapshot, for side-by-side diffs in the UI. It is the planner's plan from an empty database
 * to the snapshot, so it uses exactly the planner's create statements and dependency order; objects are sorted by
 * name first so the text is deterministic. Unlike `pg_dump --schema-only` it emits no ownership, privileges or
 * `SET` preamble beyond `check_function_bodies`, and it creates the `public` schema only when the snapshot has it
 * and it is not the built-in one (it is always there on a fresh database).
 */
import type { Change } from '../../core/model/change.ts';
import type { Schema, SchemaSnapshot } from '../../core/model/schema.ts';
import { planPostgres } from './plan.ts';

function byName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function missing(type: Change['type'], schema: string, name: string, desired: unknown, extra: object = {}): Change {
  return { type, action: 'missing', schema, name, desired, attributes: [], ...extra } as Change;
}

function schemaChanges(schema: Schema): Change[] {
  const changes: Change[] = [];
  if (schema.name !== 'public') changes.push(missing('schema', schema.name, schema.name, schema));
  for (const c of byName(schema.collations ?? [])) changes.push(missing('collation', schema.name, c.name, c));
  for (const t of byName(schema.types)) changes.push(missing('type', schema.name, t.name, t));
  for (const s of byName(schema.sequences)) changes.push(missing('sequence', schema.name, s.name, s));
  const routines = [...schema.routines].sort((a, b) =>
    a.name === b.name ? (a.identityArgs < b.identityArgs ? -1 : 1) : a.name < b.name ? -1 : 1,
  );
  for (const r of routines) changes.push(missing('routine', schema.name, r.name, r, { identityArgs: r.identityArgs }));
  for (const t of byName(schema.tables)) changes.push(missing('table', schema.name, t.name, t));
  for (const v of byName(schema.views)) changes.push(missing('view', schema.name, v.name, v));
  return changes;
}

/** Deterministic DDL that creates everything in `snapshot`, in dependency order, one statement per paragraph. */
export function renderPostgresDdl(snapshot: SchemaSnapshot): string {
  const changes: Change[] = [
    ...byName(snapshot.extensions).map((e) => missing('extension', e.schema, e.name, e)),
    ...byName(snapshot.schemas).flatMap(schemaChanges),
  ];
  const plan = planPostgres(changes, { desired: snapshot });
  return plan.statements.map((s) => `-- ${s.comment}\n${s.sql}`).join('\n\n') + (plan.statements.length ? '\n' : '');
}
