/**
 * The time limits of a read-only session on a monitored database, derived from one setting (the target's
 * `statementTimeout`) so that every dialect bounds the same things the same way:
 *
 * - on the server, a statement, a lock wait and an idle moment inside the transaction each end after a bound, so a
 *   client that stops answering (a stalled network, a frozen process) never holds a snapshot and its locks open for
 *   longer than that;
 * - on the client, a query that gets no answer is given up after the server's own limit plus a grace period, and the
 *   connection is dropped rather than reused, so the check ends instead of waiting on a dead socket.
 *
 * Our sessions run catalog queries back to back and hold nothing between them: a pause inside the transaction as long
 * as a whole statement limit only happens when something is wrong.
 */

/** Bounds of one session, in milliseconds; 0 means "no limit" (only when the statement limit itself is 0). */
export interface SessionLimits {
  /** One statement (PostgreSQL `statement_timeout`, MariaDB `max_statement_time`, MySQL `max_execution_time`). */
  readonly statementMs: number;
  /** Waiting for a lock (PostgreSQL `lock_timeout`, MySQL/MariaDB `lock_wait_timeout`). */
  readonly lockMs: number;
  /**
   * Idle inside the transaction before the server ends the session (PostgreSQL
   * `idle_in_transaction_session_timeout`, MySQL/MariaDB `wait_timeout`), and how long the server waits on an
   * unresponsive peer (PostgreSQL `tcp_user_timeout`, MySQL/MariaDB `net_read_timeout`/`net_write_timeout`).
   */
  readonly idleMs: number;
  /** Client-side deadline of one query: the server's limit plus {@link CLIENT_GRACE_MS}. */
  readonly clientDeadlineMs: number;
  /** Idle time before the client's TCP keepalive probes start. */
  readonly keepAliveDelayMs: number;
}

/** How long past the server's statement limit the client waits for the server's own timeout error. */
export const CLIENT_GRACE_MS = 5_000;

/** Lock waits are cut shorter than statements: a wait queued behind a migration's lock blocks others queued after it. */
const MAX_LOCK_MS = 10_000;

const KEEPALIVE_DELAY_MS = 10_000;

/** The limits a session with statement limit `statementMs` runs under. */
export function sessionLimits(statementMs: number): SessionLimits {
  if (!(statementMs > 0)) return { statementMs: 0, lockMs: 0, idleMs: 0, clientDeadlineMs: 0, keepAliveDelayMs: KEEPALIVE_DELAY_MS };
  return {
    statementMs,
    lockMs: Math.min(statementMs, MAX_LOCK_MS),
    idleMs: statementMs,
    clientDeadlineMs: statementMs + CLIENT_GRACE_MS,
    keepAliveDelayMs: KEEPALIVE_DELAY_MS,
  };
}

/** `ms` as whole seconds, at least 1 (MySQL's `wait_timeout`, `lock_wait_timeout` and `net_*_timeout` take seconds). */
export function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
