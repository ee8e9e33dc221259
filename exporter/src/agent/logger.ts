/**
 * The logging surface the check code needs: a subset of pino's API, so the agent passes its pino logger (or a
 * child with `{ target }` bound) and tests pass a recorder. Log objects never carry URLs with passwords: targets are
 * named by `name` and `displayUrl` only.
 */

/** pino-style: a structured object first, then a one-line message. */
export type LogMethod = (fields: Record<string, unknown>, message: string) => void;

/** A pino-like logger. */
export interface CheckLogger {
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
}

const ignore: LogMethod = () => {};

/** A logger that drops everything (the default when none is given). */
export const silentLogger: CheckLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
