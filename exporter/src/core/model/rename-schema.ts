/**
 * Schema-per-tenant: one replayed migration directory compared with many tenant schemas, each under its own name.
 * {@link renameSchema} gives a snapshot's schema another name everywhere the model holds it — the schema itself, the
 * `schema`/`refSchema` of every object (tables, foreign keys, sequences, types, indexes, routines, triggers), the
 * qualified keys the inspector writes (`ownedBy`, a view's `dependsOn`, `inherits`, `partitionOf`: see
 * `qualifiedKey`) and the qualified references inside SQL text the server deparsed (`tenant_7.mood`,
 * `nextval('tenant_7.seq'::regclass)`, view definitions) — so the differ sees the tenant's schema where the
 * migrations wrote `public`, and the planner writes the tenant's name into the reconcile SQL.
 *
 * Database-wide objects (extensions) are left alone: tenants share them. When an extension is installed in the
 * renamed schema, only the names of the schema's own objects are requalified: `public.citext` or
 * `public.uuid_generate_v4()` belong to the extension, which the tenant too reaches as `public.…`.
 *
 * Text is matched as a qualifier (`name.` after a non-identifier character, or `"name".`), not as a bare word, so a
 * column that happens to bear the schema's name is not renamed. String literals (`'public.read'::text`, CHECK
 * literals) and dollar-quoted bodies are skipped, except a literal cast to an object identifier type
 * (`'public.seq'::regclass`). Comments, enum labels and a routine body as stored (`prosrc`) are never rewritten: the
 * tenant's is the text its migration wrote, as the replay's is; a SQL-standard body (`BEGIN ATOMIC`, `RETURN`), which
 * the server deparses with qualified names, is.
 */
import { createHash } from 'node:crypto';
import type { SchemaSnapshot } from './schema.ts';

/** Keys whose value is a schema name (compared whole, never as text). */
const SCHEMA_KEYS = new Set(['schema', 'refSchema']);

/** Keys whose value (a string or a list of them) is a `qualifiedKey`, never SQL text. */
const KEY_FIELDS = new Set(['ownedBy', 'dependsOn', 'dependsOnTypes', 'dependsOnRoutines', 'inherits', 'partitionOf']);

/** A column type's `base`: `schema.name` joined as they are, never quoted. */
const RAW_KEY_FIELDS = new Set(['base']);

/** Keys whose text is the user's own words, never a qualified reference: comments and enum labels. */
const VERBATIM_FIELDS = new Set(['comment', 'values']);

/** A routine body the server deparsed (SQL-standard body), as opposed to `prosrc` stored as written. */
const DEPARSED_BODY = /^\s*(BEGIN\s+ATOMIC|RETURN)\b/i;

/** A literal cast to one of these names an object: its content is a qualified name like any other. */
const OBJECT_CAST = /^::(pg_catalog\.)?reg(class|type|proc|procedure|oper|operator|config|dictionary|collation)\b/;

interface Renaming {
  readonly from: string;
  readonly to: string;
  /** The names a qualifier may precede to be requalified; null: any. */
  readonly own: ReadonlySet<string> | null;
}

/** `snapshot` with schema `from` named `to`; other schemas and the extensions unchanged. A copy: the input is not modified. */
export function renameSchema(snapshot: SchemaSnapshot, from: string, to: string): SchemaSnapshot {
  if (from === to) return snapshot;
  const hasExtension = snapshot.extensions.some((e) => e.schema === from);
  const source = snapshot.schemas.find((s) => s.name === from);
  const renaming: Renaming = { from, to, own: hasExtension && source ? ownNames(source) : null };
  return {
    ...snapshot,
    schemas: snapshot.schemas.map((schema) => {
      const renamed = renameValue(schema, undefined, renaming) as typeof schema;
      return schema.name === from ? { ...renamed, name: to } : renamed;
    }),
  };
}

/** Names of the objects defined in `schema` (and of their indexes, which share the namespace). */
function ownNames(schema: object): Set<string> {
  const names = new Set<string>();
  const add = (item: unknown): void => {
    if (item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string') names.add((item as { name: string }).name);
  };
  for (const value of Object.values(schema)) {
    if (!Array.isArray(value)) continue;
    for (const item of value) {
      add(item);
      const indexes = (item as { indexes?: unknown } | null)?.indexes;
      if (Array.isArray(indexes)) indexes.forEach(add);
    }
  }
  return names;
}

function renameValue(value: unknown, key: string | undefined, r: Renaming): unknown {
  if (typeof value === 'string') {
    if (key !== undefined && SCHEMA_KEYS.has(key)) return value === r.from ? r.to : value;
    if (key !== undefined && KEY_FIELDS.has(key)) return renameKey(value, r);
    if (key !== undefined && RAW_KEY_FIELDS.has(key)) return renameKey(value, r, true);
    if (key !== undefined && VERBATIM_FIELDS.has(key)) return value;
    if (key === 'body' && !DEPARSED_BODY.test(value)) return value;
    return renameText(value, r);
  }
  if (Array.isArray(value)) {
    if (key !== undefined && VERBATIM_FIELDS.has(key)) return value;
    return value.map((item) => renameValue(item, key, r));
  }
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  // Some records are keyed by qualified names (a view's columns read per relation): the keys are renamed as keys.
  for (const [k, item] of Object.entries(value)) out[renameKey(k, r)] = renameValue(item, k, r);
  return out;
}

/** How `qualifiedKey` writes a schema: bare, JSON-quoted when it holds a dot. */
function keyPart(name: string): string {
  return name.includes('.') ? JSON.stringify(name) : name;
}

/** A `qualifiedKey` (`schema.name`, `schema.table.column`, `schema.name(column)`) of `from` rewritten to `to`. */
function renameKey(key: string, r: Renaming, raw = false): string {
  const part = raw ? (name: string) => name : keyPart;
  const prefix = `${part(r.from)}.`;
  if (!key.startsWith(prefix)) return key;
  const rest = key.slice(prefix.length);
  if (r.own) {
    let name: string;
    if (rest.startsWith('"') && !raw) {
      const end = rest.indexOf('"', 1);
      try {
        name = JSON.parse(rest.slice(0, end + 1)) as string;
      } catch {
        return key;
      }
    } else {
      name = raw ? rest : (/^[^.(]*/.exec(rest)?.[0] ?? rest);
    }
    if (!r.own.has(name)) return key;
  }
  return `${part(r.to)}.${rest}`;
}

/** An identifier as PostgreSQL deparses it: bare when it is a plain lower-case name, else double-quoted. */
function qualifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * SQL text with `from.`/`"from".` qualifiers rewritten to `to`'s, outside string literals and dollar-quoted bodies
 * (but inside a literal cast to an object identifier type).
 */
function renameText(text: string, r: Renaming): string {
  if (!text.includes(r.from)) return text;
  let out = '';
  let i = 0;
  let plainStart = 0;
  const flushPlain = (end: number): void => {
    out += rewriteQualifiers(text.slice(plainStart, end), r, text[plainStart - 1]);
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'") {
      const escapes = /[Ee]/.test(text[i - 1] ?? '') && !IDENT_CHAR.test(text[i - 2] ?? '');
      let j = i + 1;
      while (j < text.length) {
        if (escapes && text[j] === '\\') j += 2;
        else if (text[j] === "'" && text[j + 1] === "'") j += 2;
        else if (text[j] === "'") break;
        else j += 1;
      }
      const end = Math.min(j + 1, text.length);
      flushPlain(i);
      const literal = text.slice(i, end);
      out += OBJECT_CAST.test(text.slice(end))
        ? `'${rewriteQualifiers(literal.slice(1, -1), r, "'").replaceAll("''", "'").replaceAll("'", "''")}'`
        : literal;
      i = end;
      plainStart = i;
      continue;
    }
    if (ch === '"') {
      // A quoted identifier: skipped whole here, its qualifier role is judged by rewriteQualifiers.
      let j = i + 1;
      while (j < text.length && !(text[j] === '"' && text[j + 1] !== '"')) j += text[j] === '"' ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (ch === '$' && !IDENT_CHAR.test(text[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i));
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        const end = close < 0 ? text.length : close + tag[0].length;
        flushPlain(i);
        out += text.slice(i, end);
        i = end;
        plainStart = i;
        continue;
      }
    }
    i += 1;
  }
  flushPlain(text.length);
  return out;
}

/** The qualifiers of `from` in `sql` (no literals in it) rewritten; `before` is the character preceding `sql`. */
function rewriteQualifiers(sql: string, r: Renaming, before: string | undefined): string {
  const quoted = `"${r.from.replaceAll('"', '""')}".`;
  const bare = /^[a-z_][a-z0-9_$]*$/.test(r.from) ? `${r.from}.` : null;
  const target = `${qualifier(r.to)}.`;
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const prev = i === 0 ? before : sql[i - 1];
    const match = sql.startsWith(quoted, i) && prev !== '"' ? quoted
      : bare !== null && sql.startsWith(bare, i) && !(prev !== undefined && (IDENT_CHAR.test(prev) || prev === '"')) ? bare
        : null;
    if (match && isOwn(sql.slice(i + match.length), r)) {
      out += target;
      i += match.length;
      continue;
    }
    if (sql[i] === '"') {
      // A quoted identifier that is not the qualifier is a name, not SQL: `"total public.x"` is copied as it is.
      let j = i + 1;
      while (j < sql.length && !(sql[j] === '"' && sql[j + 1] !== '"')) j += sql[j] === '"' ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    out += sql[i];
    i += 1;
  }
  return out;
}

/** Whether the name at the start of `rest` (bare or quoted) is one of the schema's own, when that is asked. */
function isOwn(rest: string, r: Renaming): boolean {
  if (!r.own) return true;
  if (rest.startsWith('"')) {
    let j = 1;
    let name = '';
    while (j < rest.length) {
      if (rest[j] === '"' && rest[j + 1] === '"') {
        name += '"';
        j += 2;
      } else if (rest[j] === '"') break;
      else name += rest[j++];
    }
    return r.own.has(name);
  }
  const name = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(rest)?.[0];
  return name !== undefined && r.own.has(name.toLowerCase());
}

/**
 * The fingerprint of a live schema for the fleet view (`agent/fleet.ts`): a hash of the inspected model with the
 * tenant's schema renamed to `as` and the source (which names the server and database) left out, so two tenants
 * with the same tables, columns, indexes and routines share it whatever their names. Unlike the watch's catalog
 * fingerprint (`agent/watch.ts`), it does not change with OIDs or a dump and restore.
 *
 * What a tenant's check does not compare is left out too, so that one role per tenant does not make every tenant a
 * variant of its own: owners (never compared), what is kept for a rebuild (`kept`), the tenant schema's own comment,
 * owner and privileges, and the owner's name in ACL items (`owner=arwd/owner`), which the differ reads relative to it.
 */
export function schemaFingerprint(snapshot: SchemaSnapshot, tenantSchema?: { readonly from: string; readonly as: string }): string {
  const normalised = tenantSchema ? renameSchema(snapshot, tenantSchema.from, tenantSchema.as) : snapshot;
  const { source: _source, ...model } = normalised;
  const schemas = model.schemas.map((schema) => {
    if (!tenantSchema || schema.name !== tenantSchema.as) return schema;
    const { comment: _comment, acl: _acl, owner: _owner, ...contents } = schema;
    return contents;
  });
  const compared = withoutOwners({ ...model, schemas }, undefined);
  return createHash('sha256').update(JSON.stringify(compared)).digest('hex').slice(0, 16);
}

/** Placeholder for an object's owner in its ACL items, for {@link schemaFingerprint}. */
const OWNER = '{owner}';

/** `value` without `owner` and `kept`, the owner's name in ACL items replaced (a column's: its table's owner). */
function withoutOwners(value: unknown, owner: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutOwners(item, owner));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const own = typeof record.owner === 'string' ? record.owner : owner;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    if (key === 'owner' || key === 'kept') continue;
    if (key === 'acl' && Array.isArray(item) && own !== undefined) {
      out[key] = item.map((entry) => (typeof entry === 'string' ? aclWithoutOwner(entry, own) : entry));
      continue;
    }
    out[key] = withoutOwners(item, own);
  }
  return out;
}

/** An ACL item (`grantee=privileges/grantor`) with `owner` as grantee or grantor replaced by a placeholder. */
function aclWithoutOwner(item: string, owner: string): string {
  const eq = item.lastIndexOf('=', item.lastIndexOf('/'));
  const slash = item.lastIndexOf('/');
  if (eq < 0 || slash < eq) return item;
  const names = new Set([owner, qualifier(owner)]);
  const grantee = item.slice(0, eq);
  const grantor = item.slice(slash + 1);
  return `${names.has(grantee) ? OWNER : grantee}=${item.slice(eq + 1, slash)}/${names.has(grantor) ? OWNER : grantor}`;
}
