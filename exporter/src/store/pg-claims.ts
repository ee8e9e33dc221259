/**
 * Claims on checks for replicas sharing a PostgreSQL store (see the README's "Several agents, one store").
 *
 * Two mechanisms, each doing what it is good at:
 * - `schedule` rows hold each target's next due round. A replica's cron tick claims the round with a conditional
 *   `UPDATE … WHERE next_due <= <tick> … RETURNING`: the row lock makes exactly one replica see the row still due, and
 *   it moves `next_due` to the following round. Every replica ticks; one checks.
 * - A session-level advisory lock (`pg_try_advisory_lock`) per target, taken on a pooled connection that stays checked
 *   out for the whole check, so no two checks of a target ever overlap (a manual or watch-triggered check on another
 *   replica waits or is skipped), and a replica that dies frees its targets when its connection drops: the server
 *   ends the session and with it the lock (at once for a dead process; ~25–40 s for a lost node, bounded by the
 *   keepalive settings of `PG_STORE_SESSION_OPTIONS`). Its claimed round is not run again (it was claimed), but the next
 *   round, at most one schedule interval later, is claimed by a survivor.
 *
 * Lock keys are the first 64 bits of the MD5 of `schema-drift:check:<schema>:<target>`: with a 32-bit key two targets
 * of a large fleet could share a lock (and one would skip rounds while the other runs); 64 bits make that negligible.
 *
 * Why not a job queue (pg-boss, graphile-worker): a check is not a job to hand over but a recurring, idempotent read
 * whose only shared state is "who runs target X now" and "is this round taken". Queues add their own schema, a
 * polling worker loop and retry/expiry semantics (a job whose worker died is retried only after its expiry), while a
 * dropped connection frees an advisory lock within seconds; these two statements need no new dependency.
 */
import { setTimeout } from 'node:timers/promises';
import type pg from 'pg';
import type { StoreLogger } from './report-store.ts';
import type { CheckClaims, CheckLease, ClaimKind, ClaimOptions } from './store.ts';
import { quoteSchema } from './pg-migrations.ts';

/** The 64-bit advisory lock key of the text bound as `$1`. */
const LOCK_KEY = `('x' || left(md5($1), 16))::bit(64)::bigint`;

/** How often a `now` claim retries the target's lock while another replica's check holds it. */
const LOCK_POLL_MS = 250;

/** {@link CheckClaims} on the store's `schedule` table and advisory locks. */
export class PgClaims implements CheckClaims {
  readonly #pool: pg.Pool;
  readonly #q: string;
  readonly #schema: string;
  readonly #replica: string;
  readonly #logger: StoreLogger | undefined;
  /** The store's URL without its password. */
  readonly #display: string;

  constructor(pool: pg.Pool, schema: string, replica: string, logger?: StoreLogger, display = '') {
    this.#pool = pool;
    this.#logger = logger;
    this.#display = display;
    this.#schema = schema;
    this.#q = quoteSchema(schema);
    this.#replica = replica;
  }

  async claim(target: string, kind: ClaimKind, options: ClaimOptions): Promise<CheckLease | null> {
    options.signal?.throwIfAborted();
    const client = await this.#pool.connect();
    // The connection can drop while the check runs (the store's server restarts): the lock is gone with it, and the
    // release below fails and discards the connection. Without a listener the 'error' event would end the process.
    const onError = (err: Error): void => {
      this.#logger?.warn({ store: this.#display, target, err: err.message.split('\n')[0] }, 'report store: the connection holding a check claim was lost (the claim is gone with it)');
    };
    client.on('error', onError);
    const done = (): null => {
      client.off('error', onError);
      client.release();
      return null;
    };
    let locked = false;
    try {
      locked = await this.#lock(client, target, kind === 'now' ? (options.waitMs ?? 0) : 0, options.signal);
      if (!locked) return done();
      // The lock's connection sits idle while the check runs: a server-wide `idle_session_timeout` (14+) must not end it.
      await client.query(`SELECT set_config('idle_session_timeout', '0', false) WHERE current_setting('server_version_num')::int >= 140000`);
      // A target never seen is due at once ('-infinity'); the insert is a no-op afterwards.
      await client.query(`INSERT INTO ${this.#q}.schedule (target, next_due) VALUES ($1, '-infinity') ON CONFLICT (target) DO NOTHING`, [target]);
      if (kind === 'due') {
        const claimed = await client.query(
          // The due time always moves past this round, even if the caller's next round were not later.
          `UPDATE ${this.#q}.schedule
             SET next_due = greatest($3::timestamptz, $2::timestamptz + interval '1 millisecond'), claimed_by = $4, claimed_at = now()
           WHERE target = $1 AND next_due <= $2 RETURNING target`,
          // Without a next round the due time moves just past this one (never to 'infinity', which would stop the schedule).
          [target, options.now, options.nextDue ?? new Date(options.now.getTime() + 1), this.#replica],
        );
        if (claimed.rowCount === 0) {
          await this.#unlock(client, target);
          return done();
        }
      } else {
        await client.query(`UPDATE ${this.#q}.schedule SET claimed_by = $2, claimed_at = now() WHERE target = $1`, [target, this.#replica]);
      }
    } catch (err) {
      client.off('error', onError);
      // Cancelled while waiting for the lock: the session holds nothing and goes back to the pool. Otherwise the
      // connection may be broken: destroy it rather than hand a session holding a lock back to the pool.
      if (!locked && options.signal?.aborted) client.release();
      else client.release(err instanceof Error ? err : true);
      throw err;
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        try {
          await this.#unlock(client, target);
          client.off('error', onError);
          client.release();
        } catch (err) {
          // Destroying the connection ends its session, which frees the lock on the server all the same.
          this.#logger?.warn(
            { store: this.#display, target, err: (err instanceof Error ? err.message : String(err)).split('\n')[0] },
            'report store: releasing a check claim failed; its connection is closed instead',
          );
          client.off('error', onError);
          client.release(err instanceof Error ? err : true);
        }
      },
    };
  }

  async #lock(client: pg.PoolClient, target: string, waitMs: number, signal: AbortSignal | undefined): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      signal?.throwIfAborted();
      const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS ok`, [this.#key(target)]);
      if (rows[0]?.ok) return true;
      if (Date.now() + LOCK_POLL_MS > deadline) return false;
      // Rejects (AbortError) once the signal aborts.
      await setTimeout(LOCK_POLL_MS, undefined, signal ? { signal } : {});
    }
  }

  async #unlock(client: pg.PoolClient, target: string): Promise<void> {
    await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`, [this.#key(target)]);
  }

  #key(target: string): string {
    return `schema-drift:check:${this.#schema}:${target}`;
  }
}
