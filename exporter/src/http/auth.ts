/**
 * Authentication of the API and `/metrics` (schemas are sensitive): a bearer token (RFC 6750, `bearerToken`), HTTP
 * basic auth with bcrypt hashes (RFC 7617, the web configuration file's `basic_auth_users`), or both, in which case
 * either credential is accepted. Nothing configured: everything passes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { BasicAuthBusyError, basicCredentials, type BasicAuthOptions, BasicAuthVerifier } from './basic-auth.ts';

/** The realm announced in `WWW-Authenticate`. */
export const AUTH_REALM = 'schema-drift';

// Both sides are hashed first so the comparison runs on equal-length buffers and leaks neither content nor length.
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time comparison of a presented token with the configured one. */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/** What a request may authenticate with. */
export interface Credentials {
  readonly bearerToken?: string;
  /** User → bcrypt hash. */
  readonly basicAuthUsers?: Readonly<Record<string, string>>;
}

/** True when any credential is configured: the API and `/metrics` then refuse anonymous requests. */
export function requiresCredentials(credentials: Credentials): boolean {
  return Boolean(credentials.bearerToken) || Object.keys(credentials.basicAuthUsers ?? {}).length > 0;
}

/**
 * Middleware requiring a configured credential. A 401 carries one `WWW-Authenticate` challenge per accepted scheme;
 * the bearer one with `error="invalid_token"` only when a bearer token was presented (RFC 6750 section 3.1).
 */
export function requireCredentials(credentials: Credentials, basicOptions?: BasicAuthOptions): RequestHandler {
  const expected = credentials.bearerToken || undefined;
  const basic = new BasicAuthVerifier(credentials.basicAuthUsers ?? {}, basicOptions);
  if (expected === undefined && !basic.enabled) return (_req, _res, next) => next();
  return (req, res, next) => {
    const header = req.get('authorization');
    const presentedToken = bearerToken(header);
    if (expected !== undefined && presentedToken !== null && tokenMatches(presentedToken, expected)) {
      next();
      return;
    }
    const pair = basic.enabled ? basicCredentials(header) : null;
    const refuse = (): void => {
      if (expected !== undefined) {
        res.append('WWW-Authenticate', presentedToken === null ? `Bearer realm="${AUTH_REALM}"` : `Bearer realm="${AUTH_REALM}", error="invalid_token"`);
      }
      if (basic.enabled) res.append('WWW-Authenticate', `Basic realm="${AUTH_REALM}", charset="UTF-8"`);
      res.status(401).json({ error: refusal(header, expected !== undefined, basic.enabled) });
    };
    if (!pair) {
      refuse();
      return;
    }
    basic.verify(pair.user, pair.password).then(
      (ok) => (ok ? next() : refuse()),
      (err: unknown) => {
        if (!(err instanceof BasicAuthBusyError)) {
          next(err);
          return;
        }
        // 503, not 429: the server is overloaded (RFC 9110 15.6.4), not this client over its quota, and it stays
        // distinct from the web configuration file's rate_limit (429) in Prometheus's lastError. A remembered login
        // (a steady scraper) never waits, so never sees this. Retry-After: one bcrypt comparison is tens of ms.
        res.set('Retry-After', '1');
        res.status(503).json({ error: err.message });
      },
    );
  };
}

/** The 401's message; bearer-only wording kept as it was before basic auth existed. */
function refusal(header: string | undefined, bearer: boolean, basic: boolean): string {
  if (bearer && !basic) return header === undefined ? 'bearer token required' : 'invalid bearer token';
  return header === undefined ? 'credentials required' : 'invalid credentials';
}
