/**
 * Connection URLs of every dialect: parsing with the scheme checked, and the credential-free form shown in messages.
 * Dialect rules (default ports, percent-encoding checks, which parameters the driver reads) stay in each dialect's
 * `connect.ts`.
 */
import { ConfigError } from '../core/errors.ts';

/** What {@link parseConnectionUrl} accepts, and how it names the dialect when it refuses a URL. */
export interface ConnectionUrlRules {
  /** Accepted URL protocols with their colon, e.g. `['postgres:', 'postgresql:']`. */
  readonly schemes: readonly string[];
  /** Dialect name for the message, e.g. `PostgreSQL`. */
  readonly dialect: string;
  /** Configured target name, used in error messages. */
  readonly target?: string | undefined;
}

/**
 * Parses a connection URL and checks its scheme. Text that is no URL, or a scheme not in `rules.schemes`, is a
 * `ConfigError` whose message shows the URL only as {@link redactUrl} renders it.
 */
export function parseConnectionUrl(url: string, rules: ConnectionUrlRules): URL {
  const { target } = rules;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new ConfigError(`not a valid connection URL: ${redactUrl(url)}${encodingHint(url)}`, { target }, { cause: err });
  }
  if (!rules.schemes.includes(parsed.protocol)) {
    const expected = rules.schemes.map((scheme) => `${scheme}//`).join(' or ');
    throw new ConfigError(
      `unsupported URL scheme "${parsed.protocol.replace(/:$/, '')}" for ${rules.dialect} (expected ${expected})`,
      { target },
    );
  }
  return parsed;
}

/**
 * Why a URL with credentials may not parse: a `#`, `?` or `/` in the password (or user) ends the authority early.
 * Said without quoting the text, which may be a password.
 */
function encodingHint(url: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/(.*)@/i.exec(url)?.[1];
  if (authority === undefined || !/[#?/@]/.test(authority)) return '';
  return ' (a user name or password holding #, ?, / or @ must be percent-encoded: # as %23, ? as %3F, / as %2F, @ as %40)';
}

/**
 * The URL without credentials: the password (in the authority and in a `password` query parameter) is removed;
 * the user name stays because it helps find the fault. Text that is not a URL is replaced by a placeholder.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<unparseable connection string>';
  }
  if (parsed.password) parsed.password = '';
  for (const key of [...parsed.searchParams.keys()]) {
    if (key.toLowerCase() === 'password') parsed.searchParams.delete(key);
  }
  // WHATWG URL keeps a dangling '?' after the last parameter is deleted.
  return parsed.toString().replace(/\?$/, '');
}

/**
 * Decodes one percent-encoded part of a connection URL. A malformed escape (`%zz`, a lone `%`) is a
 * {@link ConfigError} that names the part, never its text (it may be a password).
 */
export function decodeUrlPart(text: string, part: string, url: string, target?: string): string {
  try {
    return decodeURIComponent(text);
  } catch (err) {
    throw new ConfigError(
      `the URL's ${part} is not valid percent-encoding (write a literal % as %25): ${redactUrl(url)}`,
      { target },
      { cause: err },
    );
  }
}
