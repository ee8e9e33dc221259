/**
 * Optional bearer token for the API and `/metrics` (schemas are sensitive), as RFC 6750 describes it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

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

/**
 * Middleware requiring the configured token; without one configured it lets everything through. A 401 carries
 * `WWW-Authenticate`, with `error="invalid_token"` only when a token was presented (RFC 6750 section 3.1).
 */
export function requireBearer(expected: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (expected === undefined || expected === '') {
      next();
      return;
    }
    const header = req.get('authorization');
    const presented = bearerToken(header);
    if (presented !== null && tokenMatches(presented, expected)) {
      next();
      return;
    }
    const challenge = header === undefined ? `Bearer realm="${AUTH_REALM}"` : `Bearer realm="${AUTH_REALM}", error="invalid_token"`;
    res.set('WWW-Authenticate', challenge);
    res.status(401).json({ error: header === undefined ? 'bearer token required' : 'invalid bearer token' });
  };
}
