/**
 * Discovery (`targets[].discover`): a configured entry stands for every database of its server, or every schema of its
 * database, whose name matches its pattern or query. The list is read at start and again every `discover.interval`;
 * targets that appear are handed to `onAdded` (scheduled, given series), those gone to `onRemoved` (unscheduled, series
 * removed). A listing that fails keeps the previous list and says so (log, `schema_drift_discovery_errors_total`), and
 * so does one that suddenly names nothing while there were targets. At most `discover.maxTargets` targets are made
 * (the first names in sort order; the rest are counted as unmapped).
 *
 * A discovered target is the entry with the tenant filled in: named `<entry>.<tenant>` (the `target` label, bounded by
 * the pattern), the URL's database replaced (`databases`) or its one schema inspected and compared with the replayed
 * `desiredSchema` (`schemas`, `run-check.ts`). A name that cannot become a target name ([A-Za-z0-9_.-]+) or that is
 * already taken is left out, logged and counted (`schema_drift_discovery_unmapped`); it never stops the agent.
 */
import { DEFAULT_DISCOVER_MAX_TARGETS, type TargetConfig } from '../config/types.ts';
import { TARGET_NAME } from '../config/schema.ts';
import { redactUrl } from '../connection/url.ts';
import { dialectNamed } from '../dialects/registry.ts';
import { type CheckLogger, silentLogger } from './logger.ts';

/** A discovered target, or why the tenant's name cannot be one. */
export type DiscoveredTarget = { readonly target: TargetConfig } | { readonly problem: string };

/** The target `entry` stands for on tenant `name`. */
export function discoveredTarget(entry: TargetConfig, name: string): DiscoveredTarget {
  const discover = entry.discover;
  if (!discover) throw new Error(`internal: target ${JSON.stringify(entry.name)} does not discover`);
  const targetName = `${entry.name}.${name}`;
  if (!TARGET_NAME.test(name)) {
    return { problem: `${JSON.stringify(name)} cannot be part of a target name (only letters, digits, _ . - are allowed)` };
  }
  const { discover: _template, ...rest } = entry;
  const base = { ...rest, name: targetName, watchMs: 0 };
  if (discover.kind === 'schemas') {
    return { target: { ...base, schemas: [name], tenant: { fleet: entry.name, name, schema: { live: name, desired: discover.desiredSchema } } } };
  }
  const url = new URL(entry.url);
  url.pathname = `/${encodeURIComponent(name)}`;
  return { target: { ...base, url: url.toString(), displayUrl: redactUrl(url.toString()), tenant: { fleet: entry.name, name } } };
}

/** What the agent does with the targets that come and go. */
export interface DiscoveryOptions {
  /** The discovering entries (`discover` set). */
  readonly entries: readonly TargetConfig[];
  /** Names already taken by configured targets: a discovered name equal to one is left out. */
  readonly reserved: ReadonlySet<string>;
  readonly onAdded: (target: TargetConfig) => Promise<void>;
  readonly onRemoved: (name: string) => Promise<void>;
  /** After each listing of an entry: how many targets and unmapped names, or that it failed. */
  readonly onListed?: (fleet: string, listing: { readonly targets: number; readonly unmapped: number } | { readonly failed: true }) => void;
  /** Lists an entry's names; default: its dialect's `discover`, one short read-only session. */
  readonly list?: (entry: TargetConfig) => Promise<string[]>;
  readonly logger?: CheckLogger;
}

/** Lists the entries' tenants at start and on their intervals; keeps the discovered targets current. */
export class Discovery {
  readonly #options: DiscoveryOptions;
  readonly #log: CheckLogger;
  /** Per entry: its discovered targets by name. */
  readonly #current = new Map<string, Map<string, TargetConfig>>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #busy = new Set<string>();
  #stopped = false;

  constructor(options: DiscoveryOptions) {
    this.#options = options;
    this.#log = options.logger ?? silentLogger;
    for (const entry of options.entries) this.#current.set(entry.name, new Map());
  }

  /** Lists every entry once (their targets are added before this resolves), then again on each entry's interval. */
  async start(): Promise<void> {
    await Promise.all(this.#options.entries.map((entry) => this.refresh(entry.name)));
    if (this.#stopped) return;
    for (const entry of this.#options.entries) {
      const timer = setInterval(() => void this.refresh(entry.name), entry.discover?.intervalMs ?? 300_000);
      timer.unref();
      this.#timers.push(timer);
    }
  }

  /** The discovered targets of one entry (a fleet), or of all. */
  targets(fleet?: string): TargetConfig[] {
    const maps = fleet === undefined ? [...this.#current.values()] : [this.#current.get(fleet) ?? new Map<string, TargetConfig>()];
    return maps.flatMap((m) => [...m.values()]);
  }

  /** Lists one entry now; a listing already running for it is not doubled. Never throws. */
  async refresh(fleet: string): Promise<void> {
    const entry = this.#options.entries.find((e) => e.name === fleet);
    if (!entry || this.#busy.has(fleet) || this.#stopped) return;
    this.#busy.add(fleet);
    try {
      let names: string[];
      try {
        names = await (this.#options.list ?? listNames)(entry);
      } catch (err) {
        this.#options.onListed?.(fleet, { failed: true });
        const previous = this.#current.get(fleet)?.size ?? 0;
        this.#log.warn({ target: fleet, err: err instanceof Error ? err.message : String(err), keeping: previous }, 'discovery failed: keeping the previous list');
        return;
      }
      if (this.#stopped) return;
      const previous = this.#current.get(fleet)?.size ?? 0;
      if (names.length === 0 && previous > 0) {
        // A registry emptied by mistake, a pattern no longer matching after a rename: dropping every tenant's series
        // is what a failure would do; the list is kept until a listing names something again.
        this.#options.onListed?.(fleet, { failed: true });
        this.#log.warn({ target: fleet, keeping: previous }, 'discovery listed no names: keeping the previous list');
        return;
      }
      await this.#apply(entry, names);
    } catch (err) {
      // Called from a timer as `void refresh()`: a rejection there would end the process.
      this.#log.error({ target: fleet, err: err instanceof Error ? err.message : String(err) }, 'discovery: applying the listing failed');
    } finally {
      this.#busy.delete(fleet);
    }
  }

  async #apply(entry: TargetConfig, names: readonly string[]): Promise<void> {
    const current = this.#current.get(entry.name) ?? new Map<string, TargetConfig>();
    const next = new Map<string, TargetConfig>();
    const unmapped: string[] = [];
    const max = entry.discover?.maxTargets ?? DEFAULT_DISCOVER_MAX_TARGETS;
    let beyond = 0;
    for (const name of [...new Set(names)].sort(compareNames)) {
      const made = discoveredTarget(entry, name);
      if ('problem' in made) {
        unmapped.push(made.problem);
        continue;
      }
      const taken = this.#options.reserved.has(made.target.name) || this.#otherFleetHas(entry.name, made.target.name);
      if (taken) unmapped.push(`${JSON.stringify(name)} would be target ${JSON.stringify(made.target.name)}, a name already taken`);
      else if (next.size >= max) beyond += 1;
      else next.set(made.target.name, current.get(made.target.name) ?? made.target);
    }
    const unmappedCount = unmapped.length + beyond;
    if (beyond > 0) unmapped.push(`${beyond} more name(s) beyond discover.maxTargets (${max}): the first ${max} in sort order are kept`);
    if (unmapped.length > 0) this.#log.warn({ target: entry.name, unmapped }, 'discovery: names left out');
    const removed = [...current.keys()].filter((name) => !next.has(name));
    const added = [...next.values()].filter((target) => !current.has(target.name));
    // What is applied, one target at a time: a target whose removal or addition failed stays as it was, and the next
    // listing tries again; a stop in the middle leaves the rest alone.
    const applied = new Map(current);
    this.#current.set(entry.name, applied);
    let done = { added: 0, removed: 0 };
    for (const name of removed) {
      if (this.#stopped) break;
      try {
        await this.#options.onRemoved(name);
        applied.delete(name);
        done = { ...done, removed: done.removed + 1 };
      } catch (err) {
        this.#log.error({ target: entry.name, removing: name, err: err instanceof Error ? err.message : String(err) }, 'discovery: removing a target failed');
      }
    }
    for (const target of added) {
      if (this.#stopped) break;
      try {
        await this.#options.onAdded(target);
        applied.set(target.name, target);
        done = { ...done, added: done.added + 1 };
      } catch (err) {
        this.#log.error({ target: entry.name, adding: target.name, err: err instanceof Error ? err.message : String(err) }, 'discovery: adding a target failed');
      }
    }
    if (done.added > 0 || done.removed > 0) {
      this.#log.info({ target: entry.name, ...done, targets: applied.size }, 'discovery: targets changed');
    }
    this.#options.onListed?.(entry.name, { targets: applied.size, unmapped: unmappedCount });
  }

  #otherFleetHas(fleet: string, name: string): boolean {
    for (const [other, targets] of this.#current) if (other !== fleet && targets.has(name)) return true;
    return false;
  }

  /** Stops the intervals; a listing in flight finishes but changes nothing. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
  }
}

/** Code-point order, the same on every machine (the listing's own order depends on the server's collation). */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The dialect's listing of an entry's names. */
function listNames(entry: TargetConfig): Promise<string[]> {
  const discover = entry.discover;
  if (!discover) return Promise.resolve([]);
  return dialectNamed(entry.dialect).discover({
    url: entry.url,
    target: entry.name,
    ...(entry.passwordFile !== undefined ? { passwordFile: entry.passwordFile } : {}),
    connectTimeoutMs: entry.connectTimeoutMs,
    statementTimeoutMs: entry.statementTimeoutMs,
    kind: discover.kind,
    ...(discover.pattern !== undefined ? { pattern: discover.pattern } : {}),
    ...(discover.query !== undefined ? { query: discover.query } : {}),
  });
}
