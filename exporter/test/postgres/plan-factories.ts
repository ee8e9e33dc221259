/**
 * Small factories of model objects for planner unit tests (hand-built changes before a real diff is available).
 */
import type { Change } from '../../src/core/model/change.ts';
import type { Column, Constraint, ForeignKey, Index, Routine, Table, View } from '../../src/core/model/schema.ts';

export function column(name: string, raw: string, extra: Partial<Column> = {}): Column {
  return { name, position: 1, type: { raw }, nullable: true, default: null, collation: null, identity: null, generated: null, comment: null, ...extra };
}

export function table(name: string, columns: Column[], extra: Partial<Table> = {}): Table {
  return { schema: 'public', name, columns, constraints: [], foreignKeys: [], indexes: [], triggers: [], policies: [], comment: null, attrs: {}, ...extra };
}

export function pk(name: string, columns: string[]): Constraint {
  return { name, kind: 'primary_key', columns, expression: null, definition: `PRIMARY KEY (${columns.join(', ')})`, deferrable: false, initiallyDeferred: false, comment: null };
}

export function fk(name: string, columns: string[], refTable: string, refColumns: string[]): ForeignKey {
  return {
    name, columns, refSchema: 'public', refTable, refColumns, onUpdate: 'no action', onDelete: 'cascade', match: 'simple', deferrable: false, initiallyDeferred: false,
    definition: `FOREIGN KEY (${columns.join(', ')}) REFERENCES public.${refTable}(${refColumns.join(', ')}) ON DELETE CASCADE`, comment: null,
  };
}

export function index(name: string, tableName: string, def: string, extra: Partial<Index> = {}): Index {
  return { name, unique: false, method: 'btree', parts: [], include: [], predicate: null, definition: `CREATE INDEX ${name} ON public.${tableName} USING btree ${def}`, comment: null, ...extra };
}

export function view(name: string, definition: string, dependsOn: string[], extra: Partial<View> = {}): View {
  return { schema: 'public', name, materialized: false, definition, columns: [], dependsOn, indexes: [], comment: null, attrs: {}, ...extra };
}

export function routine(name: string, returns: string, body: string, extra: Partial<Routine> = {}): Routine {
  return {
    schema: 'public', name, kind: 'function', identityArgs: 'integer', args: 'x integer', returns, language: 'sql', body, volatility: 'immutable', strict: false, securityDefiner: false, config: [],
    definition: `CREATE OR REPLACE FUNCTION public.${name}(x integer)\n RETURNS ${returns}\n LANGUAGE sql\n IMMUTABLE\nAS $function$${body}$function$\n`,
    comment: null, ...extra,
  };
}

/** A change with defaults filled in. */
export function change(c: Partial<Change> & Pick<Change, 'type' | 'action' | 'name'>): Change {
  return { schema: 'public', attributes: [], ...c } as Change;
}
