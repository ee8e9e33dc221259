/**
 * "Test connection" for a configured target, like the button before saving a data source: connect read-only, make
 * sure the role can read what a check reads (catalogs, the configured schemas, the migration tool's revision table),
 * and report the server version and the deployed revision. Used at agent start (logged; a down target does not stop
 * the agent) and by `schema-drift test-connection`.
 */
import type { TargetConfig } from '../config/types.ts';
import { type FailureReason, SchemaDriftError } from '../core/errors.ts';
import type { Dialect, LiveSession } from '../dialects/dialect.ts';
import { dialectNamed } from '../dialects/registry.ts';
import { devServerRiskWarnings } from '../engine/desired.ts';
import type { RevisionState } from '../revision/revision-state.ts';
import { targetInspect, targetLiveRequest } from './target-request.ts';

/** Outcome of {@link testConnection}. Never holds a secret: URLs are the redacted `displayUrl`. */
export interface ConnectionTestResult {
  readonly target: string;
  /** The target's URL without its password. */
  readonly url: string;
  /** True when a check could connect and read everything it needs. */
  readonly ok: boolean;
  /** As the server reports it (PostgreSQL `server_version`, MySQL `VERSION()`), once connected. */
  readonly serverVersion?: string;
  /** `postgresql`, `pglite`, `mysql` or `mariadb`, once connected. */
  readonly flavor?: string;
  /** The migration tool's revision table, `null` when the database has none; absent when not reached. */
  readonly revision?: RevisionState | null;
  /** Things that do not fail a check but deserve a look (a configured schema that does not exist, no USAGE). */
  readonly warnings: string[];
  readonly error?: { readonly reason: FailureReason; readonly message: string };
}

/**
 * Tests one target's connection: a read-only session, the catalogs read as an inspection reads them, the revision
 * table, and the dev server a replay needs when one is configured (unusable: a warning, as a check would then fail
 * at its replay step with its own reason). Never throws: a failure is `ok: false` with the reason class a check would
 * report (`connect`, `auth`, `timeout`, `inspect`, `config`).
 */
export async function testConnection(target: TargetConfig): Promise<ConnectionTestResult> {
  const base = { target: target.name, url: target.displayUrl, warnings: [] as string[] };
  let dialect: Dialect;
  let session: LiveSession;
  try {
    dialect = dialectNamed(target.dialect);
    session = await dialect.connect({ ...targetLiveRequest(target), applicationName: 'schema-drift test-connection' });
  } catch (err) {
    return fail(base, err, target.name);
  }
  const connected = { ...base, serverVersion: session.serverVersion, flavor: session.flavor };
  try {
    const warnings = await session.probe({ schemas: target.schemas, events: target.events ?? false });
    const revision = await session.readRevision();
    warnings.push(...(await devServerWarnings(dialect, target)));
    return { ...connected, ok: true, revision, warnings };
  } catch (err) {
    return fail(connected, dialect.toError(err, { target: target.name }), target.name);
  } finally {
    await session.close().catch(() => {});
  }
}

/** A configured dev server (required where there is no embedded engine) must answer, or checks will fail to replay. */
async function devServerWarnings(dialect: Dialect, target: TargetConfig): Promise<string[]> {
  if (target.desired.devUrl === undefined && dialect.capabilities.embeddedScratch) return [];
  try {
    await dialect.replayIdentity({ devUrl: target.desired.devUrl, target: target.name, inspect: targetInspect(target) });
    return await devServerRiskWarnings(dialect, { devUrl: target.desired.devUrl, target: target.name });
  } catch (err) {
    const error = err instanceof SchemaDriftError ? err : dialect.toError(err, { target: target.name });
    return [`dev server (desired.devUrl) not usable, checks will fail to replay: ${error.reason}: ${error.message}`];
  }
}

type Base = Omit<ConnectionTestResult, 'ok' | 'error'>;

function fail(base: Base, err: unknown, target: string): ConnectionTestResult {
  const error =
    err instanceof SchemaDriftError ? err : new SchemaDriftError('internal', err instanceof Error ? err.message : String(err), { target });
  return { ...base, ok: false, error: { reason: error.reason, message: error.message } };
}

/**
 * One line for a person: `ok   production  PostgreSQL 15.20; revision public.schema_migrations (golang-migrate) at
 * version 3` or `FAIL staging  connect: connecting to postgres://app@db/staging: ... (ECONNREFUSED)`.
 */
export function formatConnectionTest(result: ConnectionTestResult): string {
  if (!result.ok) {
    const error = result.error ?? { reason: 'internal', message: 'failed' };
    return `FAIL ${result.target} (${result.url}): ${error.reason}: ${error.message}`;
  }
  const parts = [`${FLAVOR_NAMES[result.flavor ?? ''] ?? result.flavor ?? '?'} ${result.serverVersion ?? '?'}`, 'catalogs readable', describeRevision(result.revision)];
  parts.push(...result.warnings.map((w) => `warning: ${w}`));
  return `ok   ${result.target} (${result.url}): ${parts.join('; ')}`;
}

const FLAVOR_NAMES: Record<string, string> = { postgresql: 'PostgreSQL', pglite: 'PGlite', mysql: 'MySQL', mariadb: 'MariaDB' };

function describeRevision(revision: RevisionState | null | undefined): string {
  if (!revision) return 'no migration revision table (every migration counts as deployed)';
  const at = revision.version === null ? ': no migration deployed' : ` at version ${revision.version}`;
  const dirty = revision.dirty ? `, DIRTY (failed at ${revision.failedVersion ?? 'an unknown version'})` : '';
  const deploying = revision.deploying ? `, DEPLOYING (${revision.deploying})` : '';
  return `revision table ${revision.table} (${revision.tool})${at}${dirty}${deploying}`;
}
