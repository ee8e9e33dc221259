/**
 * Small factories of model objects for the differ's tests: every field has a plain default, tests override what
 * they are about.
 */
import type {
  Column,
  Constraint,
  ForeignKey,
  Index,
  Policy,
  Routine,
  Schema,
  SchemaSnapshot,
  Sequence,
  Table,
  Trigger,
  View,
} from '../../src/core/model/schema.ts';

export function column(name: string, raw = 'integer', over: Partial<Column> = {}): Column {
  return {
    name,
    position: 1,
    type: { raw },
    nullable: true,
    default: null,
    collation: null,
    identity: null,
    generated: null,
    comment: null,
    ...over,
  };
}

export function table(name: string, over: Partial<Table> = {}, schema = 'public'): Table {
  return {
    schema,
    name,
    columns: [column('id', 'integer', { nullable: false })],
    constraints: [],
    foreignKeys: [],
    indexes: [],
    triggers: [],
    policies: [],
    comment: null,
    attrs: {},
    ...over,
  };
}

export function constraint(name: string, over: Partial<Constraint> = {}): Constraint {
  return {
    name,
    kind: 'unique',
    columns: ['id'],
    expression: null,
    definition: 'UNIQUE (id)',
    deferrable: false,
    initiallyDeferred: false,
    comment: null,
    ...over,
  };
}

export function foreignKey(name: string, over: Partial<ForeignKey> = {}): ForeignKey {
  return {
    name,
    columns: ['user_id'],
    refSchema: 'public',
    refTable: 'users',
    refColumns: ['id'],
    onUpdate: 'no action',
    onDelete: 'cascade',
    match: 'simple',
    deferrable: false,
    initiallyDeferred: false,
    definition: 'FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE',
    comment: null,
    ...over,
  };
}

export function index(name: string, over: Partial<Index> = {}): Index {
  return { name, unique: false, method: 'btree', parts: [{ column: 'id' }], include: [], predicate: null, comment: null, ...over };
}

export function trigger(name: string, over: Partial<Trigger> = {}): Trigger {
  const definition = `CREATE TRIGGER ${name} BEFORE UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION public.f()`;
  return { name, definition, enabled: 'O', comment: null, ...over };
}

export function policy(name: string, over: Partial<Policy> = {}): Policy {
  return { name, permissive: true, command: 'all', roles: ['public'], using: '(owner = CURRENT_USER)', withCheck: null, ...over };
}

export function view(name: string, over: Partial<View> = {}, schema = 'public'): View {
  return {
    schema,
    name,
    materialized: false,
    definition: ' SELECT t.id\n   FROM public.t;',
    columns: [{ name: 'id', type: 'integer' }],
    dependsOn: ['public.t'],
    indexes: [],
    comment: null,
    attrs: {},
    ...over,
  };
}

export function sequence(name: string, over: Partial<Sequence> = {}, schema = 'public'): Sequence {
  return {
    schema,
    name,
    type: 'bigint',
    start: '1',
    increment: '1',
    min: '1',
    max: '9223372036854775807',
    cache: '1',
    cycle: false,
    ownedBy: null,
    comment: null,
    ...over,
  };
}

export function routine(name: string, identityArgs = '', over: Partial<Routine> = {}, schema = 'public'): Routine {
  return {
    schema,
    name,
    kind: 'function',
    identityArgs,
    args: identityArgs,
    returns: 'integer',
    language: 'sql',
    body: 'SELECT 1',
    volatility: 'immutable',
    strict: false,
    securityDefiner: false,
    parallel: 'unsafe',
    config: [],
    definition: `CREATE OR REPLACE FUNCTION ${schema}.${name}(${identityArgs}) ...`,
    comment: null,
    ...over,
  };
}

export function schema(name: string, over: Partial<Schema> = {}): Schema {
  return { name, comment: null, tables: [], views: [], sequences: [], types: [], routines: [], ...over };
}

export function snapshot(schemas: Schema[], over: Partial<SchemaSnapshot> = {}): SchemaSnapshot {
  return { formatVersion: 1, dialect: 'postgres', source: { description: 'test' }, schemas, extensions: [], ...over };
}

/** A snapshot of one `public` schema holding `tables`. */
export function tablesSnapshot(...tables: Table[]): SchemaSnapshot {
  return snapshot([schema('public', { tables })]);
}
