/**
 * What the HTTP layer is given: `AppDeps` and the narrow views of the store and the scheduler it reads through. A file
 * of its own, owned by neither the app nor its routers, so `app.ts`, `routes.ts` and `landing.ts` never import each
 * other.
 */
import type { RequestHandler } from 'express';
import type { AgentConfig, TargetConfig } from '../config/types.ts';
import type { Variant } from '../core/report/variants.ts';
import type { Report } from '../core/model/report.ts';
import type { Store } from '../store/store.ts';

/**
 * What the HTTP layer reads from the report store: the store itself in the agent, a real store on a temp dir in
 * tests. Only reads: the API never writes reports (checks do, through the scheduler).
 */
export type ReportReader = Pick<Store, 'latest' | 'get' | 'list' | 'transitions'> & Partial<Pick<Store, 'latestAll'>>;

/** What the HTTP layer asks of the scheduler. */
export interface CheckRunner {
  /** Runs a check of a configured target now (joining one already running) and resolves with its stored report. */
  runNow(name: string): Promise<Report>;
}

/** Readiness as `/readyz` reports it. */
export interface Readiness {
  readonly ready: boolean;
  /** Why not ready, one line. */
  readonly reason?: string;
}

/** Where failures inside request handlers are logged (a pino logger fits). */
export interface AppLogger {
  error(obj: object, msg: string): void;
}

/** The targets checked now: the configured ones and those discovery lists (`agent/discovery.ts`). */
export interface TargetDirectory {
  list(): readonly TargetConfig[];
  get(name: string): TargetConfig | undefined;
}

/** The fleet view (`agent/fleet-view.ts`): the discovering entries and their targets grouped into variants. */
export interface FleetReader {
  readonly names: readonly string[];
  variants(fleet: string): Variant[];
  /** Targets the fleet has now. */
  size(fleet: string): number;
}

/** Everything `createApp` needs; the agent wires the real parts, tests pass a real store on a temp dir. */
export interface AppDeps {
  readonly config: AgentConfig;
  readonly store: ReportReader;
  readonly scheduler: CheckRunner;
  /** The targets checked now; default: `config.targets` (no discovery). */
  readonly targets?: TargetDirectory;
  /** The fleets of discovering entries; default: none. */
  readonly fleets?: FleetReader;
  /** Serves `/metrics` (the OpenTelemetry Prometheus exporter's handler). */
  readonly metricsHandler: RequestHandler;
  /** Config loaded and store open? */
  ready(): Readiness;
  /** The exporter's version, shown on the landing page. */
  readonly version: string;
  /** The embedded demo: the landing page says so. */
  readonly demo?: boolean;
  readonly log?: AppLogger;
}
