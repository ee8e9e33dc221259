/**
 * The registry of dialects: the only file that names them. Everything outside `dialects/` finds its dialect here, by
 * the name stored in a snapshot or report, or by a connection URL's scheme; an unknown name or scheme is an error,
 * never a fallback to one of them.
 */
import { ConfigError } from '../core/errors.ts';
import type { DialectName, SchemaSnapshot } from '../core/model/schema.ts';
import type { Dialect } from './dialect.ts';
import { mysqlDialect } from './mysql/index.ts';
import { postgresDialect } from './postgres/index.ts';

/** Every dialect, in the order messages list them. */
export const DIALECTS: readonly Dialect[] = [postgresDialect, mysqlDialect];

const BY_NAME = new Map<string, Dialect>(DIALECTS.map((d) => [d.name, d]));
const BY_SCHEME = new Map<string, Dialect>(DIALECTS.flatMap((d) => d.urlSchemes.map((s) => [s, d] as const)));
const URL_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Every URL scheme a dialect accepts, for messages: `postgres://, postgresql://, mysql:// or mariadb://` (with
 * `suffix` `''`: `postgres, postgresql, mysql or mariadb`).
 */
export function knownSchemes(suffix = '://'): string {
  return alternatives([...BY_SCHEME.keys()].map((s) => `${s}${suffix}`));
}

/** The names, for messages: `"postgres" or "mysql"`. */
export function knownNames(): string {
  return alternatives([...BY_NAME.keys()].map((n) => JSON.stringify(n)));
}

function alternatives(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items.at(-1)}` : (items[0] ?? '');
}

/**
 * The dialect of `name` (a snapshot's or report's `dialect`).
 * @throws ConfigError for a name no dialect has.
 */
export function dialectNamed(name: string): Dialect {
  const dialect = BY_NAME.get(name);
  if (!dialect) throw new ConfigError(`unknown dialect ${JSON.stringify(name)}: expected ${knownNames()}`);
  return dialect;
}

/** The URL scheme of `text`, lower-cased, or `undefined` when it does not start with `scheme://`. */
export function urlScheme(text: string): string | undefined {
  return URL_SCHEME.exec(text)?.[1]?.toLowerCase();
}

/** The dialect whose URLs use `scheme` (without `://`), or `undefined`. */
export function dialectForScheme(scheme: string): Dialect | undefined {
  return BY_SCHEME.get(scheme.toLowerCase());
}

/** The dialect of a connection URL by its scheme, or `undefined` when the text is no URL of a known scheme. */
export function dialectForUrl(text: string | undefined): Dialect | undefined {
  const scheme = text ? urlScheme(text) : undefined;
  return scheme ? BY_SCHEME.get(scheme) : undefined;
}

/**
 * The dialect a migration tool means by `provider` (Prisma's `migration_lock.toml`, drizzle-kit's journal `dialect`),
 * or `undefined` for a database no dialect serves.
 */
export function dialectForProvider(provider: string): Dialect | undefined {
  return DIALECTS.find((d) => d.migrationProviders.includes(provider));
}

/**
 * The dialect a migration directory is replayed in when nothing else says (no database to compare with, no dev
 * server): the one with an embedded scratch engine, which needs no server.
 */
export function embeddedDialect(): Dialect {
  const dialect = DIALECTS.find((d) => d.capabilities.embeddedScratch && d.embedded);
  if (!dialect) throw new ConfigError('no dialect has an embedded engine: give a dev server (--dev-url)');
  return dialect;
}

/**
 * The one dialect of two snapshots about to be compared: a PostgreSQL schema and a MySQL one have no meaningful diff.
 * @throws ConfigError naming both sides when the dialects differ.
 */
export function pairDialect(current: SchemaSnapshot, desired: SchemaSnapshot): Dialect {
  if (current.dialect !== desired.dialect) {
    throw new ConfigError(
      `cannot compare ${current.source.description} (${current.dialect}) with ${desired.source.description} (${desired.dialect}): both sides must be the same dialect`,
    );
  }
  return dialectNamed(current.dialect);
}

export type { Dialect } from './dialect.ts';
export type { DialectName } from '../core/model/schema.ts';
