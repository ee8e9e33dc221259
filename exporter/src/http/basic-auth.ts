/**
 * HTTP basic authentication (RFC 7617) against the web configuration file's `basic_auth_users`, whose passwords are
 * bcrypt hashes as in the Prometheus exporter toolkit. bcrypt is slow on purpose (tens of milliseconds at cost 10),
 * so, like the toolkit, we run one comparison at a time and remember recent outcomes: a Prometheus scraping every
 * 15 s pays for bcrypt once, not on every scrape.
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

/** Outcomes remembered, newest last; beyond, the oldest is forgotten. */
const CACHE_SIZE = 256;

/** Checks user/password pairs against bcrypt hashes. */
export class BasicAuthVerifier {
  readonly #users: ReadonlyMap<string, string>;
  /** A configured hash that an unknown user's password is compared with, so the answer takes as long (no user enumeration). */
  readonly #decoy: string | undefined;
  readonly #oneAtATime = new Semaphore(1);
  /** sha256(user, password) → matched. Keyed by a digest so no password is kept as text. */
  readonly #outcomes = new Map<string, boolean>();

  constructor(users: Readonly<Record<string, string>>) {
    this.#users = new Map(Object.entries(users));
    this.#decoy = this.#users.values().next().value;
  }

  /** True when users are configured. */
  get enabled(): boolean {
    return this.#users.size > 0;
  }

  /** Whether `password` is `user`'s; false for an unknown user (after the same work as for a known one). */
  async verify(user: string, password: string): Promise<boolean> {
    const hash = this.#users.get(user);
    const key = createHash('sha256').update(user).update('\0').update(password).digest('base64');
    const known = this.#outcomes.get(key);
    if (known !== undefined) return known;
    const release = await this.#oneAtATime.acquire();
    let matched: boolean;
    try {
      const against = hash ?? this.#decoy;
      matched = against !== undefined && (await bcrypt.compare(password, against)) && hash !== undefined;
    } finally {
      release();
    }
    this.#outcomes.set(key, matched);
    if (this.#outcomes.size > CACHE_SIZE) this.#outcomes.delete(this.#outcomes.keys().next().value as string);
    return matched;
  }
}
