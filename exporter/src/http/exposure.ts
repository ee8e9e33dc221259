/**
 * How exposed the HTTP server is, and what it then keeps to itself. An agent listening beyond the loopback interface
 * with no authentication (no bearer token, no basic auth users, no required client certificate) answers anyone who
 * can reach it: the start-up log warns, and the landing page and the API stop naming the databases' hosts and users
 * (each target's `user@host:port/db`, its dev server's, and `host:port` in error messages). Authenticated, the API
 * shows them; on loopback only local users can ask.
 */
import { maskSecrets } from '../core/mask.ts';
import type { AgentConfig } from '../config/types.ts';
import { redactUrl } from '../connection/url.ts';
import { requiresCredentials } from './auth.ts';

/** What replaces a hidden connection detail. */
export const HIDDEN = '<hidden: no authentication on a non-loopback address>';

/** `127.0.0.0/8`, `::1`, `localhost` and IPv4-mapped loopback. `0.0.0.0` and `::` are every interface. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.replace(/^::ffff:/, '');
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * True when a client must prove who it is: a bearer token, basic auth users (web configuration file), or a client
 * certificate verified against the configured client CA (`RequireAndVerifyClientCert` with `client_ca_file`/`client_ca`).
 */
export function authenticates(config: Pick<AgentConfig, 'bearerToken' | 'web'>): boolean {
  if (requiresCredentials({ bearerToken: config.bearerToken, basicAuthUsers: config.web?.basicAuthUsers })) return true;
  // Only with a client CA: without one, Node would verify against its bundled public roots (the configuration refuses
  // that, but a WebConfig built otherwise must not turn the warning off either).
  const tls = config.web?.tls;
  return tls?.clientAuth === 'RequireAndVerifyClientCert' && tls.clientCa !== undefined;
}

/** True when anyone who reaches the address gets every answer: no authentication, and not on loopback. */
export function openToTheNetwork(config: Pick<AgentConfig, 'bearerToken' | 'web' | 'listen'>): boolean {
  return !authenticates(config) && !isLoopbackHost(config.listen.host);
}

/**
 * A function that removes the targets' connection details from text: display URLs (the target's and its dev
 * server's) and their `host:port`. Longest first, so a URL is replaced whole before its host part is looked for.
 */
export function connectionDetailsScrubber(config: Pick<AgentConfig, 'targets'>): (text: string) => string {
  const details = new Set<string>();
  for (const target of config.targets) {
    for (const url of [target.url, target.desired.devUrl]) {
      if (!url) continue;
      // The dev server's display form; the target's is its `displayUrl`, added below.
      if (url !== target.url) details.add(redactUrl(url));
      try {
        const parsed = new URL(url);
        if (parsed.host) details.add(parsed.port ? parsed.host : `${parsed.host}:${defaultPort(parsed.protocol)}`);
      } catch {
        // Configuration parsed it already; an unparseable URL has no host to hide.
      }
    }
    details.add(target.displayUrl);
  }
  const ordered = [...details].filter((d) => d.length > 0).sort((a, b) => b.length - a.length);
  return (text) => maskSecrets(text, ordered, HIDDEN);
}

function defaultPort(protocol: string): number {
  return protocol.startsWith('postgres') ? 5432 : 3306;
}
