/**
 * Errors across the process boundary of a PGlite child (a replay's, a scratch server's): IPC in structured-clone mode
 * keeps only plain data, so the child sends an error as {@link SerializedError} and the parent rebuilds it with its
 * class, reason and context intact.
 */
import {
  AuthError,
  ConfigError,
  ConnectError,
  InspectError,
  PlanError,
  ReplayError,
  SchemaDriftError,
  TimeoutError,
  type ErrorContext,
} from '../../core/errors.ts';

/** An error as plain data, as a PGlite child process sends it. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly context?: ErrorContext;
  readonly stack?: string;
}

const CLASSES: Record<string, new (message: string, context?: ErrorContext) => SchemaDriftError> = {
  AuthError,
  ConfigError,
  ConnectError,
  InspectError,
  PlanError,
  ReplayError,
  TimeoutError,
};

/** An error as plain data (structured clone would drop the class and its fields). */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof SchemaDriftError) return { name: err.name, message: err.message, context: err.context, stack: err.stack };
  if (err instanceof Error) return { name: 'Error', message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/** Rebuilds the error a child process serialised, as the same class. */
export function deserializeError(data: SerializedError): Error {
  const Class = CLASSES[data.name];
  const error = Class ? new Class(data.message, data.context ?? {}) : new Error(data.message);
  if (data.stack) error.stack = data.stack;
  return error;
}
