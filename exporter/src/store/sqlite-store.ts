/**
 * The embedded default store: {@link ReportStore} (`<dataDir>/reports.sqlite`) behind the asynchronous
 * {@link Store} contract. Each call runs synchronously before its Promise is returned, so nothing changes in what a
 * save or a read does; there are no claims (the data directory's lock already allows one agent) and the desired cache
 * stays in the data directory's files.
 */
import type { Report } from '../core/model/report.ts';
import { ReportStore, type ListOptions, type ReportStoreOptions, type RetentionPolicy } from './report-store.ts';
import type { ReportSummary, StatusSince, StatusTransition, Store } from './store.ts';

/** {@link ReportStore} as a {@link Store}. */
export class SqliteStore implements Store {
  /** The synchronous store underneath (tests and the crash checks read it directly). */
  readonly reports: ReportStore;

  constructor(reports: ReportStore) {
    this.reports = reports;
  }

  /** Opens `<dataDir>/reports.sqlite` (see {@link ReportStore.open}). */
  static open(dataDir: string, options: ReportStoreOptions = {}): SqliteStore {
    return new SqliteStore(ReportStore.open(dataDir, options));
  }

  get display(): string {
    return this.reports.file;
  }

  get isOpen(): boolean {
    return this.reports.isOpen;
  }

  save(report: Report): Promise<number> {
    return run(() => this.reports.save(report));
  }

  latest(target: string): Promise<Report | null> {
    return run(() => this.reports.latest(target));
  }

  latestAll(): Promise<Report[]> {
    return run(() => this.reports.latestAll());
  }

  get(target: string, id: number): Promise<Report | null> {
    return run(() => this.reports.get(target, id));
  }

  list(target: string, options?: ListOptions): Promise<ReportSummary[]> {
    return run(() => this.reports.list(target, options));
  }

  transitions(target: string, options?: { readonly limit?: number }): Promise<StatusTransition[]> {
    return run(() => this.reports.transitions(target, options));
  }

  statusSince(target: string): Promise<StatusSince | null> {
    return run(() => this.reports.statusSince(target));
  }

  driftSince(target: string): Promise<string | null> {
    return run(() => this.reports.driftSince(target));
  }

  prune(retention: RetentionPolicy, now?: Date, target?: string): Promise<number> {
    return run(() => this.reports.prune(retention, now, target));
  }

  close(): Promise<void> {
    return run(() => this.reports.close());
  }
}

/** Runs `fn` now; its result or throw becomes the Promise's (a throw never escapes synchronously). */
function run<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
