/**
 * HTTP basic authentication (RFC 7617) against the web configuration file's `basic_auth_users`, whose passwords are
 * bcrypt hashes as in the Prometheus exporter toolkit. bcrypt is slow on purpose (tens of milliseconds at cost 10),
 * so, like the toolkit, we run one comparison at a time and remember recent successful logins: a Prometheus scraping
 * every 15 s pays for bcrypt once, not on every scrape. Unlike the toolkit, failures are not remembered and the queue
 * for the comparison is bounded, so a flood of wrong passwords can neither evict a scraper's login nor stall it.
 */
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { Semaphore } from '../agent/semaphore.ts';

/** User and password of an `Authorization: Basic …` header (scheme case-insensitive), or null when it is not one. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  const match = /^Basic[ ]+([A-Za-z0-9+/]+=*)[ ]*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Successful logins remembered, least recently used first; beyond, the oldest is forgotten. */
export const CACHE_SIZE = 256;

/**
 * Requests allowed to wait for the bcrypt slot. Beyond, {@link BasicAuthBusyError}: a flood of wrong passwords then
 * costs its senders a quick refusal instead of making every newcomer wait behind seconds of comparisons.
 */
export const MAX_WAITING = 16;

/** Thrown by {@link BasicAuthVerifier.verify} when {@link MAX_WAITING} requests already wait for bcrypt. */
export class BasicAuthBusyError extends Error {
  constructor() {
    super('too many basic auth checks waiting; retry shortly');
    this.name = 'BasicAuthBusyError';
  }
}

/** Whether `password` matches the bcrypt `hash`; bcryptjs's by default, replaceable so tests can count comparisons. */
export type PasswordCompare = (password: string, hash: string) => Promise<boolean>;

/** Tuning for tests; production uses the defaults. */
export interface BasicAuthOptions {
  readonly compare?: PasswordCompare;
  readonly maxWaiting?: number;
}

/** Checks user/password pairs against bcrypt hashes. */
export class BasicAuthVerifier {
  readonly #users: ReadonlyMap<string, string>;
  /** A configured hash that an unknown user's password is compared with, so the answer takes as long (no user enumeration). */
  readonly #decoy: string | undefined;
  readonly #oneAtATime = new Semaphore(1);
  readonly #compare: PasswordCompare;
  readonly #maxWaiting: number;
  /**
   * sha256(user, password) of recent successful logins, least recently used first. Keyed by a digest so no password is
   * kept as text. Only successes: cached failures (the toolkit caches both) would let wrong passwords, which anyone can
   * send, evict Prometheus's login and send its next scrape to the back of the bcrypt queue.
   */
  readonly #accepted = new Set<string>();

  constructor(users: Readonly<Record<string, string>>, options: BasicAuthOptions = {}) {
    this.#users = new Map(Object.entries(users));
    this.#decoy = this.#users.values().next().value;
    this.#compare = options.compare ?? ((password, hash) => bcrypt.compare(password, hash));
    this.#maxWaiting = options.maxWaiting ?? MAX_WAITING;
  }

  /** True when users are configured. */
  get enabled(): boolean {
    return this.#users.size > 0;
  }

  /**
   * Whether `password` is `user`'s; false for an unknown user (after the same work as for a known one).
   * @throws BasicAuthBusyError when the pair is not remembered and too many checks already wait for bcrypt.
   */
  async verify(user: string, password: string): Promise<boolean> {
    const hash = this.#users.get(user);
    const key = createHash('sha256').update(user).update('\0').update(password).digest('base64');
    if (this.#accepted.has(key)) {
      // Most recently used again, so a steady scraper is never the one forgotten.
      this.#accepted.delete(key);
      this.#accepted.add(key);
      return true;
    }
    if (this.#oneAtATime.held > 0 && this.#oneAtATime.waiting >= this.#maxWaiting) throw new BasicAuthBusyError();
    const release = await this.#oneAtATime.acquire();
    let matched: boolean;
    try {
      const against = hash ?? this.#decoy;
      matched = against !== undefined && (await this.#compare(password, against)) && hash !== undefined;
    } finally {
      release();
    }
    if (matched) {
      this.#accepted.add(key);
      if (this.#accepted.size > CACHE_SIZE) this.#accepted.delete(this.#accepted.values().next().value as string);
    }
    return matched;
  }
}
