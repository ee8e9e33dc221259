/**
 * The desired side: a migration directory replayed into a scratch database up to the version the live database has
 * deployed, and read back with the live side's inspector. Replays are cached when a cache is given (the agent's);
 * the warnings about the directory and the replay engine are computed here for every caller alike.
 */
import path from 'node:path';
import type { FilterKind } from '../core/diff/filter.ts';
import { redactUrl } from '../connection/url.ts';
import { ConfigError } from '../core/errors.ts';
import { maskSecrets, maskUrlCredentials } from '../core/mask.ts';
import type { SchemaSnapshot } from '../core/model/schema.ts';
import type { Dialect, InspectRequest, ReplayEngine, ServerFacts } from '../dialects/dialect.ts';
import type { MigrationDirectory, MigrationFile } from '../migrations/types.ts';
import { deployedState } from '../revision/deployed.ts';
import { replaySetupTool, type RevisionState } from '../revision/revision-state.ts';
import type { DesiredCache, DesiredCacheKey } from './desired-cache.ts';

/** What the desired-schema cache holds per key: the replayed snapshot and the engine that produced it. */
export interface DesiredSchema {
  readonly snapshot: SchemaSnapshot;
  readonly engine: ReplayEngine;
  /** e.g. `18.6 (PGlite 0.5.16)`, `15.20` or `10.11.19-MariaDB-0+deb12u1`. */
  readonly serverVersion: string;
  /**
   * A migration command's result only (`engine/command.ts`): the scratch database's revision table after the command,
   * and the versions a second run to the latest added (pending), so a cached entry answers as the run did.
   */
  readonly command?: {
    readonly revision: RevisionState | null;
    readonly pendingVersions?: readonly string[];
    /** The second run (to the latest) failed: its first line, shown as a warning. */
    readonly pendingError?: string;
  };
}

/** What to replay, and what is known of the database it will be compared with. */
export interface DesiredRequest {
  readonly directory: MigrationDirectory;
  /** A dev server to replay on instead of the dialect's embedded engine. */
  readonly devUrl?: string;
  /** For messages. */
  readonly target?: string;
  /** What to read back; `counterpart` is the live side's snapshot when there is one. */
  readonly inspect: InspectRequest;
  /**
   * The live database's revision table: the directory is replayed only up to its deployed version, and later files
   * are pending. `undefined` or `null`: every file is replayed.
   */
  readonly revision?: RevisionState | null;
  /** The live server, for the version warnings; absent when compared with no database. */
  readonly live?: ServerFacts;
  readonly cache?: DesiredCache<DesiredSchema>;
  /**
   * Warnings are also pushed here as soon as they are known, so that a replay that fails afterwards still reports
   * them (the agent's error reports).
   */
  readonly progress?: { warnings: string[] };
  /** The check's deadline, passed on to the replay (`ReplayRequest.signal`), which it stops. */
  readonly signal?: AbortSignal;
  /** Where the dialect may keep files between replays (`ReplayRequest.cacheDir`). */
  readonly cacheDir?: string;
}

/** The desired side. */
export interface DesiredSide {
  readonly snapshot: SchemaSnapshot;
  /** Files newer than the deployed version, and re-runnable ones whose new text is not deployed. */
  readonly pending: MigrationFile[];
  /** Exclude globs for what pending re-runnable files define: merge them into the comparison's filter. */
  readonly unchecked: Partial<Record<FilterKind, string[]>>;
  readonly warnings: string[];
  readonly replay: {
    readonly engine: ReplayEngine;
    readonly serverVersion: string;
    /** True when this call did not replay (the cache had it). */
    readonly cached: boolean;
  };
}

/**
 * Replays (or takes from the cache) the desired schema of `request.directory`.
 * @throws ConfigError when the directory declares a database other than the dialect's (Prisma's lock file,
 *   drizzle-kit's journal).
 */
export async function readDesired(dialect: Dialect, request: DesiredRequest): Promise<DesiredSide> {
  const { directory } = request;
  assertProvider(dialect, directory, request.target);
  const deployed = deployedState(directory, request.revision);
  const warnings = [...ignoredWarnings(directory), ...deployed.warnings];
  request.progress?.warnings.push(...warnings);
  const replayRequest = {
    devUrl: request.devUrl,
    target: request.target,
    upToVersion: deployed.upToVersion,
    leaveOut: deployed.leaveOut,
    setup: setupStatements(dialect, directory),
    inspect: request.inspect,
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.cacheDir ? { cacheDir: request.cacheDir } : {}),
  };
  const replay = async (): Promise<DesiredSchema> => {
    const result = await dialect.replay(directory, replayRequest);
    return { snapshot: result.snapshot, engine: result.engine, serverVersion: result.serverVersion };
  };
  const { schemas, privileges, events } = request.inspect;
  const { value, cached } = await cachedOrBuilt(request.cache, async () => ({
    directoryHash: directory.hash,
    upToVersion: deployed.upToVersion,
    ...(deployed.leaveOut.length > 0 ? { leaveOut: deployed.leaveOut } : {}),
    engine: await dialect.replayIdentity(replayRequest),
    inspect: { schemas, privileges, events },
  }), replay);
  // Per caller, not per cached replay: targets on different server versions share one cache entry.
  const versionWarnings = request.live ? dialect.versionWarnings({ engine: value.engine, source: value.snapshot.source }, request.live) : [];
  const replayWarnings = [...(await devServerRiskWarnings(dialect, request)), ...versionWarnings];
  warnings.push(...replayWarnings);
  request.progress?.warnings.push(...replayWarnings);
  return {
    snapshot: value.snapshot,
    pending: deployed.pending,
    unchecked: deployed.unchecked,
    warnings,
    replay: { engine: value.engine, serverVersion: value.serverVersion, cached },
  };
}

/** How long a dev server's answer about its user's rights is reused before it is asked again. */
const DEV_RISK_TTL_MS = 60 * 60 * 1000;
const devRisks = new Map<string, { readonly at: number; readonly warnings: readonly string[] }>();

/**
 * The dev server's warning about its user's rights beyond a replay's needs (superuser, FILE…), once per desired side,
 * whether the replay ran or came from the cache: the risk is the configuration's, not the replay's. None without one.
 * The answer is kept for an hour per dev server URL, so a check does not open one more connection for it each time;
 * a server that cannot be asked gives a warning saying so, never a failed check (the replay reports its own errors).
 */
export async function devServerRiskWarnings(dialect: Dialect, request: { readonly devUrl?: string; readonly target?: string }): Promise<string[]> {
  if (request.devUrl === undefined) return [];
  const key = `${dialect.name} ${request.devUrl}`;
  const known = devRisks.get(key);
  if (known && Date.now() - known.at < DEV_RISK_TTL_MS) return [...known.warnings];
  try {
    const warnings = await dialect.devServerRisks({ devUrl: request.devUrl, ...(request.target !== undefined ? { target: request.target } : {}) });
    devRisks.set(key, { at: Date.now(), warnings });
    return warnings;
  } catch (err) {
    const message = maskUrlCredentials(err instanceof Error ? err.message : String(err));
    return [`could not read the dev server user's rights (${redactUrl(request.devUrl)}): ${maskSecrets(message, [urlPassword(request.devUrl)])}`];
  }
}

function urlPassword(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

/** The revision table the directory's tool creates before its first migration, in the dialect's DDL (or nothing). */
function setupStatements(dialect: Dialect, directory: MigrationDirectory): readonly string[] {
  const tool = replaySetupTool(directory);
  return tool ? dialect.revisionTableDdl(tool) : [];
}

/** One warning naming the files the directory's tool will never apply although they look like migrations. */
function ignoredWarnings(directory: MigrationDirectory): string[] {
  const files = (directory.ignored ?? []).filter((f) => f.warn);
  if (files.length === 0) return [];
  return [`files in ${directory.dir} that the migration tool never applies: ${files.map((f) => `${f.path} (${f.reason})`).join(', ')}`];
}

/** The directory's declared database must be one of the dialect's names for it. */
function assertProvider(dialect: Dialect, directory: MigrationDirectory, target: string | undefined): void {
  const declared = directory.provider;
  if (!declared || dialect.migrationProviders.includes(declared.name)) return;
  const names = dialect.migrationProviders.map((n) => JSON.stringify(n)).join(' or ');
  if (declared.tool) {
    throw new ConfigError(
      `${declared.tool} migrations are for ${JSON.stringify(declared.name)} only, but the target's dialect is ${dialect.label} (${names}): ${declared.tool} does not support this database`,
      { ...(target !== undefined ? { target } : {}), file: directory.dir },
    );
  }
  throw new ConfigError(
    `${declared.file} declares provider ${JSON.stringify(declared.name)}, but the target's dialect is ${dialect.label} (${names}): these migrations are written for another database`,
    { ...(target !== undefined ? { target } : {}), file: path.join(directory.dir, declared.file) },
  );
}

/**
 * The cache's value for the key, or `build()`'s (stored under it); `cached` says which. Without a cache it always
 * builds, and the key (which may cost a dev-server round trip for the engine's identity) is not computed.
 */
export async function cachedOrBuilt<T>(
  cache: DesiredCache<T> | undefined,
  key: () => Promise<DesiredCacheKey>,
  build: () => Promise<T>,
): Promise<{ value: T; cached: boolean }> {
  if (!cache) return { value: await build(), cached: false };
  let cached = true;
  const value = await cache.getOrReplay(await key(), () => {
    cached = false;
    return build();
  });
  return { value, cached };
}
