/**
 * The dialect-free part of mapping a database driver's error to a schema-drift error class: the context every
 * dialect takes, Node's network error codes, and the message prefix and secret masking. Which server codes mean
 * which class stays in each dialect's `connect.ts`.
 */
import type { ErrorContext } from '../core/errors.ts';
import { maskSecrets } from '../core/mask.ts';

/** Context of a dialect's error mapping: where the failure happened and what was being done. */
export interface DriverErrorContext extends ErrorContext {
  /** What was being done, e.g. `connecting to postgres://app@db/prod`; prefixes the message. */
  readonly action?: string;
  /** Secrets to scrub from driver messages (the password in use). */
  readonly secrets?: readonly string[];
}

/** Node's `code`s for a server that cannot be reached (DNS, refused, unreachable, timed out, reset). */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'ECONNRESET',
  'EAI_AGAIN',
]);

/** The pieces a dialect needs to build its error: see {@link describeDriverError}. */
export interface DriverErrorParts {
  /** The context without `action` and `secrets`, for the error class. */
  readonly where: ErrorContext;
  /** The driver's message with the secrets masked. */
  readonly raw: string;
  /** Prefixes a message with the dialect and the action, when there is one: `postgres: connecting to …: text`. */
  readonly say: (text: string) => string;
  /** Error options keeping the driver error as `cause`. */
  readonly options: { readonly cause: unknown };
}

/**
 * Splits `context` and masks `message` (the driver error's text, as the dialect reads it) for a dialect's mapping;
 * `dialect` (`postgres`, `mysql`) starts every message, so a message says which side of the engine it came from.
 */
export function describeDriverError(err: unknown, message: string, context: DriverErrorContext, dialect: string): DriverErrorParts {
  const { action, secrets, ...where } = context;
  return {
    where,
    raw: maskSecrets(message, secrets ?? []),
    say: (text) => `${dialect}: ${action ? `${action}: ` : ''}${text}`,
    options: { cause: err },
  };
}
