/**
 * Connection URLs that do not parse: the message says why when a password holds a character that ends the URL's
 * authority (`#`, `?`, `/`, `@`), and never quotes the password.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { parseConnectionUrl } from '../../src/connection/url.ts';

const RULES = { schemes: ['postgres:', 'postgresql:'], dialect: 'PostgreSQL', target: 'prod' };

function parseError(url: string): ConfigError {
  try {
    parseConnectionUrl(url, RULES);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`${url} parsed`);
}

describe('parseConnectionUrl', () => {
  it.each(['postgres://app:pa#ss@db:5432/shop', 'postgres://app:a/b?c@db:5432/shop'])(
    'a password with a URL delimiter (%s): says to percent-encode it, without quoting it',
    (url) => {
      const err = parseError(url);
      expect(err.message).toMatch(/^not a valid connection URL: .* must be percent-encoded: # as %23/);
      expect(err.message).not.toMatch(/pa#ss|a\/b\?c/);
    },
  );

  it('the percent-encoded password parses', () => {
    expect(parseConnectionUrl('postgres://app:pa%23ss@db:5432/shop', RULES).password).toBe('pa%23ss');
  });

  it('text that is no URL at all gets no encoding hint', () => {
    expect(parseError('not a url').message).toMatch(/^not a valid connection URL: (?!.*percent-encoded)/);
  });
});
