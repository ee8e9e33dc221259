/**
 * The live side of a comparison: one read-only session on a database, its schema and its migration tool's revision
 * table. The agent's check, the CLI, `test-connection` and the demo all read a database through here.
 */
import { ConfigError } from '../core/errors.ts';
import type { SchemaSnapshot } from '../core/model/schema.ts';
import type { ConnectRequest, Dialect, InspectRequest, LiveSession } from '../dialects/dialect.ts';
import type { RevisionState } from '../revision/revision-state.ts';

/** What to read and how to reach it. */
export interface LiveRequest extends ConnectRequest, InspectRequest {
  /** The database as a person reads it, credentials removed (the snapshot's source description). */
  readonly description: string;
  /** Opens the session instead of {@link Dialect.connect} (the demo's embedded databases). */
  readonly open?: () => Promise<LiveSession>;
  /**
   * Schema-per-tenant: the tenant's schema, where its migration tool's revision table is looked for first (each tenant
   * has its own; without this the first schema holding one would answer for all).
   */
  readonly revisionSchema?: string;
}

/** What was read from the live database. */
export interface LiveSide {
  readonly snapshot: SchemaSnapshot;
  readonly revision: RevisionState | null;
  readonly serverVersion: string;
  readonly serverMajor: number;
  readonly flavor: string;
}

/**
 * Reads `request`'s database in one read-only session (catalogs, then the revision table), closed on every path.
 * @throws ConfigError when events are asked of a dialect that has none; the dialect's errors for the rest.
 */
export async function readLive(dialect: Dialect, request: LiveRequest): Promise<LiveSide> {
  if (request.events && !dialect.capabilities.events) {
    throw new ConfigError(`events: ${dialect.label} has no scheduled events`, { target: request.target ?? request.description });
  }
  return dialect.withReadRetry(() => readOnce(dialect, request));
}

async function readOnce(dialect: Dialect, request: LiveRequest): Promise<LiveSide> {
  const session = await (request.open ? request.open() : dialect.connect(request));
  try {
    request.signal?.throwIfAborted();
    const snapshot = await session.inspect(request);
    request.signal?.throwIfAborted();
    const revision = await session.readRevision(request.revisionSchema !== undefined ? { preferSchema: request.revisionSchema } : undefined);
    return { snapshot, revision, serverVersion: session.serverVersion, serverMajor: session.serverMajor, flavor: session.flavor };
  } finally {
    await session.close().catch(() => {});
  }
}
