/**
 * A configured target as the engine's requests: how to connect, what to read. One place, so the check and the
 * connection test read a target the same way.
 */
import type { TargetConfig } from '../config/types.ts';
import type { InspectRequest } from '../dialects/dialect.ts';
import type { LiveRequest } from '../engine/live.ts';

/** What to read of the target (and of its replayed migrations). */
export function targetInspect(target: TargetConfig): InspectRequest {
  return {
    target: target.name,
    ...(target.schemas ? { schemas: target.schemas } : {}),
    privileges: target.privileges,
    events: target.events ?? false,
  };
}

/** The live read of the target: its connection settings and {@link targetInspect}. */
export function targetLiveRequest(target: TargetConfig, extra: Partial<LiveRequest> = {}): LiveRequest {
  return {
    url: target.url,
    description: target.displayUrl,
    ...(target.passwordFile !== undefined ? { passwordFile: target.passwordFile } : {}),
    ...(target.passwordSource ? { passwordSource: target.passwordSource } : {}),
    connectTimeoutMs: target.connectTimeoutMs,
    statementTimeoutMs: target.statementTimeoutMs,
    ...targetInspect(target),
    ...(target.tenant?.schema ? { revisionSchema: target.tenant.schema.live } : {}),
    ...extra,
  };
}
