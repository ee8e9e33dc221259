/**
 * Structured JSON logs (pino), one object per line on stdout, like other Prometheus exporters run under systemd or
 * Kubernetes. Secrets are never passed to the logger; the redaction list is a second line of defence.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/types.ts';

export type { Logger };

/** Keys that could hold a secret if someone logged a config object by mistake. */
const REDACT = ['url', 'devUrl', 'password', 'passwordFile', 'passwordSource', 'bearerToken', '*.url', '*.devUrl', '*.password', '*.passwordSource', '*.bearerToken'];

/** Creates the agent's logger. `destination` is for tests (a stream to read lines from). */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'schema-drift' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
