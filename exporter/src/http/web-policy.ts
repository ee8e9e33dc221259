/**
 * The web configuration file's response headers (`http_server_config.headers`) and request rate limit (`rate_limit`),
 * applied to every request but the probes (`/healthz`, `/readyz`), which stay open for a load balancer. Unlike the
 * toolkit, which answers 429 before setting its headers, the headers go on every response, the 429 included.
 */
import type { RequestHandler } from 'express';

/** Sets the configured headers on every response; a route that sets its own (the pages' CSP) overrides them. */
export function configuredHeaders(headers: Readonly<Record<string, string>>): RequestHandler {
  const entries = Object.entries(headers);
  return (_req, res, next) => {
    for (const [name, value] of entries) res.set(name, value);
    next();
  };
}

/**
 * A token bucket of `burst` requests, refilled by one every `intervalMs`, shared by all clients (as the toolkit's
 * `rate_limit`): beyond it, 429 with `Retry-After`. `now` is for tests.
 */
export function rateLimit(limit: { readonly intervalMs: number; readonly burst: number }, now: () => number = Date.now): RequestHandler {
  let tokens = limit.burst;
  let updated = now();
  return (_req, res, next) => {
    const at = now();
    tokens = Math.min(limit.burst, tokens + (at - updated) / limit.intervalMs);
    updated = at;
    if (tokens >= 1) {
      tokens -= 1;
      next();
      return;
    }
    res.set('Retry-After', String(Math.max(1, Math.ceil(((1 - tokens) * limit.intervalMs) / 1000))));
    res.status(429).json({ error: 'too many requests (rate_limit of the web configuration file)' });
  };
}
