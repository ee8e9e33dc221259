/**
 * The store contract: what the agent, the HTTP routes and the metrics ask of the report history, the desired-schema
 * cache and, with several replicas, the claims on checks. A file of its own, owned by neither implementation
 * (`sqlite-store.ts`, the embedded default, and `pg-store.ts`, selected by the configuration's `store.url`).
 *
 * Every method returns a Promise: PostgreSQL is asynchronous. The SQLite implementation completes each call before
 * the Promise is created, so its behaviour (one transaction per save, nothing interleaved) is the synchronous one.
 */
import type { Report } from '../core/model/report.ts';
import type { DesiredCacheBackend } from '../engine/desired-cache.ts';
import type { ListOptions, ReportSummary, RetentionPolicy, StatusSince, StatusTransition } from './report-store.ts';

export type { DesiredCacheBackend } from '../engine/desired-cache.ts';
export type { ListOptions, ReportSummary, RetentionPolicy, StatusSince, StatusTransition } from './report-store.ts';

/** Report history: the operations the agent, the API and the metrics use. */
export interface ReportHistory {
  /** Stores a report in one transaction and returns its new id; the stored JSON carries that id. */
  save(report: Report): Promise<number>;
  /** The target's newest report, or null. Treat it as immutable (it may be cached). */
  latest(target: string): Promise<Report | null>;
  /** The newest report of every target that has one, ordered by target name. */
  latestAll(): Promise<Report[]>;
  /** The report `id` if it belongs to `target`; null otherwise. */
  get(target: string, id: number): Promise<Report | null>;
  /** The target's history, newest first, without the heavy fields. */
  list(target: string, options?: ListOptions): Promise<ReportSummary[]>;
  /** The target's status changes, newest first. */
  transitions(target: string, options?: { readonly limit?: number }): Promise<StatusTransition[]>;
  /** The target's current status and since when it has held; null when it has no report. */
  statusSince(target: string): Promise<StatusSince | null>;
  /** When the target's current drift began, or null. */
  driftSince(target: string): Promise<string | null>;
  /**
   * Deletes reports beyond the retention policy (each target's newest is kept); returns how many. With `target`, only
   * that target's reports are looked at (the agent prunes the target it just saved: no scan of the whole history).
   */
  prune(retention: RetentionPolicy, now?: Date, target?: string): Promise<number>;
}

/** Why a check is being claimed: a cron tick (or the first round at start) or a request for one now. */
export type ClaimKind = 'due' | 'now';

/** Options of {@link CheckClaims.claim}. */
export interface ClaimOptions {
  readonly now: Date;
  /** Required for `due`: the round after `now` (a claim without one moves the due time 1 ms past `now`). */
  readonly nextDue?: Date;
  readonly waitMs?: number;
  /** Ends a `now` claim's wait for the target: the claim rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A held claim: the check may run; `release` gives the target back (always call it, once). */
export interface CheckLease {
  release(): Promise<void>;
}

/**
 * Who runs each check when several agents share the store. `claim` resolves with a lease when this replica may run
 * the check now, or null when it must not: for `due`, another replica already took this round or runs the target;
 * for `now`, the target's running check elsewhere did not end within `waitMs`.
 */
export interface CheckClaims {
  /**
   * Claims a check. For `due`, `now` is the round's scheduled time (the same on every replica) and `nextDue` when the
   * round after it is due: the claim moves the target's due time there, so the other replicas' ticks of this round
   * find nothing to do. A target not seen before is due at once.
   */
  claim(target: string, kind: ClaimKind, options: ClaimOptions): Promise<CheckLease | null>;
}

/** A store: the history, and optionally a shared desired cache and check claims (PostgreSQL only). */
export interface Store extends ReportHistory {
  /** How the store is named in logs and errors (a file, or a URL without its password). */
  readonly display: string;
  /** Whether the store can be read and written (not closed yet); `/readyz` reports it. */
  readonly isOpen: boolean;
  /** A desired cache shared by every agent using the store; absent = the data directory's files. */
  readonly desiredCache?: DesiredCacheBackend;
  /** Claims on checks shared by replicas; absent = one agent, every check is its own. */
  readonly claims?: CheckClaims;
  /** Closes the store. Closing twice is harmless. */
  close(): Promise<void>;
}
