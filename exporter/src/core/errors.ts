/**
 * Error classes. Every error says where it came from (target, file, line, field) and keeps its cause. The `reason`
 * is the fixed class the exporter reports and counts (`schema_drift_check_failures_total{reason}`).
 */

/** Failure classes of a check, a fixed enum (metric label values). */
export type FailureReason = 'connect' | 'auth' | 'timeout' | 'replay' | 'inspect' | 'config' | 'internal';

/** Where an error came from; every field optional, credentials never included. */
export interface ErrorContext {
  /** Configured target name or the source as given on the command line (credentials removed). */
  readonly target?: string;
  /** File at fault (migration, saved schema, config). */
  readonly file?: string;
  /** 1-based line in `file`. */
  readonly line?: number;
  /** 1-based column in `line`. */
  readonly column?: number;
}

/** Base class: a message that reads as one line, a reason class, and where it happened. */
export class SchemaDriftError extends Error {
  override name = 'SchemaDriftError';
  readonly reason: FailureReason;
  readonly context: ErrorContext;

  constructor(reason: FailureReason, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
    this.context = context;
  }

  /** `target "prod": file migrations/003_x.sql line 4: message` — the single line the CLI prints. */
  describe(): string {
    const where: string[] = [];
    if (this.context.target) where.push(`target ${JSON.stringify(this.context.target)}`);
    if (this.context.file) {
      let at = this.context.file;
      if (this.context.line !== undefined) at += `:${this.context.line}`;
      if (this.context.column !== undefined) at += `:${this.context.column}`;
      where.push(at);
    }
    return where.length ? `${where.join(': ')}: ${this.message}` : this.message;
  }
}

/** Cannot reach the server (DNS, refused, TLS, missing database). */
export class ConnectError extends SchemaDriftError {
  override name = 'ConnectError';
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super('connect', message, context, options);
  }
}

/** The server refused the credentials or the role lacks a privilege to read the catalogs. */
export class AuthError extends SchemaDriftError {
  override name = 'AuthError';
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super('auth', message, context, options);
  }
}

/** A statement or the whole check ran past its time limit. */
export class TimeoutError extends SchemaDriftError {
  override name = 'TimeoutError';
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super('timeout', message, context, options);
  }
}

/** The migration directory could not be read or replayed (layout, checksum, a failing migration). */
export class ReplayError extends SchemaDriftError {
  override name = 'ReplayError';
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super('replay', message, context, options);
  }
}

/** Reading the catalogs failed after connecting. */
export class InspectError extends SchemaDriftError {
  override name = 'InspectError';
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super('inspect', message, context, options);
  }
}

/** Bad configuration or command-line input (unknown URL scheme, bad option, unreadable saved schema). */
export class ConfigError extends SchemaDriftError {
  override name = 'ConfigError';
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super('config', message, context, options);
  }
}

/** A planner met a change it cannot render: an error, never an empty statement. */
export class PlanError extends SchemaDriftError {
  override name = 'PlanError';
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super('internal', message, context, options);
  }
}
