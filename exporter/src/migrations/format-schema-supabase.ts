/**
 * Supabase's order for declarative schema files. `supabase/schemas/*.sql` apply in lexicographic order unless
 * `supabase/config.toml` lists them under `[db.migrations] schema_paths`: an ordered list of paths and glob patterns
 * relative to the `supabase/` directory, where "any glob patterns will be evaluated, deduplicated, and sorted in
 * lexicographic order" (Supabase's declarative schema guide), so each pattern's matches are sorted and a file listed
 * twice keeps its first place. A schema directory whose parent holds such a `config.toml` is read in that order;
 * `.sql` files of the directory that no pattern lists are not applied (a warning names them), as Supabase leaves them
 * out.
 */
import { glob, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ReplayError } from '../core/errors.ts';
import { containedKind, readContained } from './contained.ts';
import { type DirEntry, type FormatResult, ignoreNonSql, sqlEntries } from './entries.ts';
import { schemaFile } from './format-schema.ts';
import type { IgnoredFile, MigrationFile } from './types.ts';

/** Supabase's project configuration, in the `supabase/` directory that holds `schemas/`. */
export const SUPABASE_CONFIG = 'config.toml';

/** The `schema_paths` of a Supabase configuration, and the file they come from. */
export interface SchemaPaths {
  readonly config: string;
  readonly patterns: readonly string[];
}

/**
 * `[db.migrations] schema_paths` of `<dir>/../config.toml`, when that file exists and lists some; `undefined`
 * otherwise (no file, another tool's `config.toml`, an empty list: files apply in name order).
 * @throws ReplayError naming the file when it mentions `schema_paths` but is not valid TOML, or the value is not a list
 *   of strings.
 */
export async function supabaseSchemaPaths(dir: string): Promise<SchemaPaths | undefined> {
  const config = path.join(path.dirname(path.resolve(dir)), SUPABASE_CONFIG);
  const text = await readFile(config, 'utf8').catch(() => undefined);
  if (text === undefined || !text.includes('schema_paths')) return undefined;
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(text);
  } catch (cause) {
    const where = cause instanceof TomlError ? { line: cause.line } : {};
    const message = cause instanceof TomlError ? (cause.message.split('\n')[0] ?? '') : String(cause);
    throw new ReplayError(`${SUPABASE_CONFIG} is not valid TOML: ${message}`, { file: config, ...where }, { cause });
  }
  const migrations = (parsed.db as Record<string, unknown> | undefined)?.migrations as Record<string, unknown> | undefined;
  const patterns = migrations?.schema_paths;
  if (patterns === undefined) return undefined;
  if (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string')) {
    throw new ReplayError('[db.migrations] schema_paths must be a list of strings', { file: config });
  }
  return patterns.length > 0 ? { config, patterns: patterns as string[] } : undefined;
}

/** Reads the schema files `paths` lists, in its order; `entries` are the directory's own files. */
export async function readSchemaPaths(dir: string, paths: SchemaPaths, entries: readonly DirEntry[]): Promise<FormatResult> {
  const base = path.dirname(paths.config);
  const listed: string[] = [];
  const ignored: IgnoredFile[] = ignoreNonSql(entries);
  for (const pattern of paths.patterns) {
    const matches: string[] = [];
    for await (const match of glob(pattern, { cwd: base })) {
      const full = path.resolve(base, match);
      if ((await containedKind(base, full, path.relative(base, full))) === 'file') matches.push(full);
    }
    if (matches.length === 0) ignored.push({ path: pattern, reason: `schema_paths pattern in ${paths.config} matches no file`, warn: true });
    for (const full of matches.sort()) if (!listed.includes(full)) listed.push(full);
  }
  const files: MigrationFile[] = [];
  for (const full of listed) files.push(schemaFile(await readListed(dir, full)));
  const used = new Set(files.map((f) => f.path));
  for (const entry of sqlEntries(entries)) {
    if (!used.has(entry.name)) ignored.push({ path: entry.name, reason: `not listed in schema_paths of ${paths.config}`, warn: true });
  }
  return { files, ignored };
}

/** A listed file, named relative to the schema directory (`/` separators; `../` when it lies outside). */
async function readListed(dir: string, full: string): Promise<DirEntry> {
  const name = path.relative(path.resolve(dir), full).split(path.sep).join('/');
  const file = await readContained(path.dirname(path.resolve(dir)), full, name);
  if (!file) throw new ReplayError(`cannot read ${name}: it does not exist`, { file: full });
  return { name, bytes: file.bytes, text: file.text };
}
