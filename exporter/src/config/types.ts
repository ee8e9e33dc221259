/**
 * The agent's validated configuration. `loadConfig` (config/load.ts) parses `schema-drift.yaml` once into these
 * types; everything downstream takes only them ("parse, don't validate").
 */
import type { PasswordSource } from '../connection/password-source.ts';
import type { FilterKind } from '../core/diff/filter.ts';
import type { DialectName } from '../core/model/schema.ts';
import type { MigrationFormat } from '../migrations/index.ts';

/** Levels of the agent's JSON logs (`logLevel`). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The team's own migration command as the desired-state source (`targets[].desired.command`): run against a scratch
 * database whose connection is its only database credential (`engine/command.ts`).
 */
export interface DesiredCommandConfig {
  /** A shell command line (run with `/bin/sh -c`) or an argv list (run without a shell). `{{version}}` is replaced. */
  readonly command: string | readonly string[];
  /** Absolute working directory (the config's `cwd`, relative to the config file; default: its directory). */
  readonly cwd: string;
  /** Killed (its whole process group) after this long. */
  readonly timeoutMs: number;
  /** Globs relative to `cwd`: the files whose content keys the desired-schema cache. Empty: never cached. */
  readonly inputs: readonly string[];
  /** Extra environment variables, on top of PATH, HOME and the scratch database's. */
  readonly env: Readonly<Record<string, string>>;
}

/** Where a target's desired schema comes from (`targets[].desired`). */
export interface DesiredConfig {
  /**
   * Absolute path of the migration directory, or of a single `.sql` schema file (format `schema`); for a command source,
   * the command's working directory.
   */
  readonly dir: string;
  /** Set when the desired state is built by running a migration command instead of replaying `dir`. */
  readonly command?: DesiredCommandConfig;
  /** Layout; auto-detected when absent. */
  readonly format?: MigrationFormat;
  /** A server to replay on (a temporary database is created there); absent = embedded PGlite. Secret. */
  readonly devUrl?: string;
}

/**
 * `targets[].discover`: the entry is a template for many targets, one per database of its server (`databases`) or per
 * schema of its database (`schemas`, PostgreSQL only: on MySQL/MariaDB a schema is a database) whose name matches.
 */
export interface DiscoverConfig {
  readonly kind: 'databases' | 'schemas';
  /** SQL LIKE pattern (`tenant_%`) matched against the names; or */
  readonly pattern?: string;
  /** a read-only query whose first column lists the names. */
  readonly query?: string;
  /** The list is read again this often. */
  readonly intervalMs: number;
  /** `schemas`: the replayed migrations' schema that every tenant schema is compared with (default `public`). */
  readonly desiredSchema: string;
  /** At most this many targets from the entry (the first names in sort order); absent: `DEFAULT_DISCOVER_MAX_TARGETS`. */
  readonly maxTargets?: number;
}

/** What a discovered target stands for: its fleet (the discovering entry) and its tenant's name. */
export interface TenantOf {
  /** The discovering entry's name. */
  readonly fleet: string;
  /** The database or schema name as the server lists it. */
  readonly name: string;
  /**
   * Schema-per-tenant: the live schema compared (`name`) and the replayed one it stands for; the desired snapshot is
   * renamed to the tenant's schema before the diff (`core/model/rename-schema.ts`), so the SQL names the tenant.
   */
  readonly schema?: { readonly live: string; readonly desired: string };
}

/** One validated target: what the check, the metrics and the API read. Holds secrets (`url`, `passwordFile`). */
export interface TargetConfig {
  /** `[a-zA-Z0-9_.-]+`, unique; the `target` label. */
  readonly name: string;
  /** Picked by the URL's scheme (`dialects/registry.ts`). */
  readonly dialect: DialectName;
  /** Connection URL with the password resolved. Secret: never log it, use `displayUrl`. */
  readonly url: string;
  /** The URL with the password removed, for logs and the API. */
  readonly displayUrl: string;
  /** A file to read the password from at connect time (rotated secrets are picked up). */
  readonly passwordFile?: string;
  /** `passwordCommand` or `awsIam`: a password obtained at connect time (`connection/password-source.ts`). */
  readonly passwordSource?: PasswordSource;
  readonly desired: DesiredConfig;
  /** Schemas to inspect; absent = all user schemas. */
  readonly schemas?: string[];
  readonly exclude: Partial<Record<FilterKind, string[]>>;
  /** Cron expression (node-cron syntax, 5 or 6 fields). */
  readonly schedule: string;
  /** IANA time zone of the schedule; absent = the agent's. */
  readonly timezone?: string;
  /** Static labels exposed on every per-target series (small, bounded). */
  readonly labels: Record<string, string>;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /** Whole check (connect + replay + inspect + diff + plan). */
  readonly checkTimeoutMs: number;
  /** How often the watch reads the schema fingerprint (`agent/watch.ts`); 0: no watch, the schedule alone. */
  readonly watchMs: number;
  /** MySQL/MariaDB: `false` turns off the watch's DDL-counter gate (the query runs every read); absent: on. */
  readonly watchCounters?: boolean;
  /** A check that finds a deploy in flight (status `deploying`) is run again after this long. */
  readonly deployingRetryMs: number;
  /** A deploy in flight for longer than this is no longer `deploying` but `dirty` (a stuck lock). */
  readonly deployingLimitMs: number;
  readonly checkColumnOrder: boolean;
  /** Leave extension versions out of the comparison (compared by default where the migrations pin one). */
  readonly ignoreExtensionVersions: boolean;
  readonly privileges: boolean;
  /**
   * MySQL/MariaDB: inspect and compare scheduled events; on for a MySQL/MariaDB target unless its `events: false`
   * (absent = off). A user that may not read them gets a warning in the report, not a failed check.
   */
  readonly events?: boolean;
  /** A discovering entry (a template, never checked itself): `agent/discovery.ts` expands it. */
  readonly discover?: DiscoverConfig;
  /** Set on the targets discovery made from an entry. */
  readonly tenant?: TenantOf;
}

/** `store`: the report history, desired cache and check claims on PostgreSQL, shared by replicas. */
export interface StoreConfig {
  /** Connection URL. Secret: logs and errors use `displayUrl`. */
  readonly url: string;
  /** The URL without its password. */
  readonly displayUrl: string;
  /** Password file, read at start when the URL has no password. */
  readonly passwordFile?: string;
  /** Schema of the store's tables; default `schema_drift`. */
  readonly schema?: string;
}

/** The whole validated configuration (`loadConfig`); nothing downstream reads the YAML. */
export interface AgentConfig {
  /** The file it was read from (absolute), for messages. */
  readonly file: string | null;
  readonly listen: { readonly host: string; readonly port: number };
  /** Where the report store and the desired-schema cache live (unless `store` is set). */
  readonly dataDir: string;
  /** The shared PostgreSQL store; absent = `<dataDir>/reports.sqlite`. */
  readonly store?: StoreConfig;
  /** Bearer token required by the API and `/metrics` when set. Secret. */
  readonly bearerToken?: string;
  /** The web configuration file (TLS, basic auth, headers): `webConfigFile`, or `serve --web.config.file`. */
  readonly web?: WebConfig;
  /** At most this many checks at a time, across targets. */
  readonly concurrency: number;
  /** Least time between two manual checks (`POST …/check`) of one target; default 30 s (`http/manual-checks.ts`). */
  readonly manualCheckIntervalMs?: number;
  readonly retention: { readonly maxAgeDays: number; readonly maxReportsPerTarget: number };
  /** Retries of a check that failed to connect, with exponential backoff. */
  readonly retry: { readonly attempts: number; readonly initialDelayMs: number; readonly maxDelayMs: number };
  readonly logLevel: LogLevel;
  /** Names of static label keys, identical for every target (series must have one label set). */
  readonly labelNames: string[];
  readonly targets: TargetConfig[];
}

/** Default port: clashes with none of 3000, 9090, 9093, 9100, 9104, 9187, 9464. */
export const DEFAULT_PORT = 9772;
/** Default schedule: twice a day, at 06:00 and 18:00. */
export const DEFAULT_SCHEDULE = '0 6,18 * * *';
/** Default interval of discovery: the list of databases or schemas is read again every five minutes. */
export const DEFAULT_DISCOVER_INTERVAL = '5m';
/** `discover.maxTargets` when not given. */
export const DEFAULT_DISCOVER_MAX_TARGETS = 1000;
/** Default watch interval: the schema fingerprint is read once a minute. */
export const DEFAULT_WATCH = '1m';

/** A PEM document of the web configuration: a file (re-read when it changes) or the text given inline. */
export type PemSource = { readonly file: string } | { readonly inline: string };

/** How the server asks for client certificates (`client_auth_type`, named as the exporter toolkit names them). */
export type ClientAuthType =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert';

/** `tls_server_config`, translated to what `node:tls` takes. */
export interface WebTlsConfig {
  readonly cert: PemSource;
  /** Secret. */
  readonly key: PemSource;
  /** CAs that client certificates are verified against; absent = Node's bundled root CAs. */
  readonly clientCa?: PemSource;
  readonly clientAuth: ClientAuthType;
  /** `TLSv1` … `TLSv1.3`. */
  readonly minVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL names of the TLS 1.2 cipher suites, `:`-separated; absent = Node's default list. */
  readonly ciphers?: string;
  /** OpenSSL curve names, `:`-separated; absent = Node's default. */
  readonly ecdhCurve?: string;
  /** The server's cipher order wins (`prefer_server_cipher_suites`, default true). */
  readonly honorCipherOrder: boolean;
}

/**
 * The Prometheus exporter toolkit's web configuration file (`web-config.yml`), validated: what `http/` needs to serve
 * HTTPS, check basic auth, set headers and limit the request rate. Parsed by `config/web-config.ts`.
 */
export interface WebConfig {
  /** The file it was read from (absolute), for messages. */
  readonly file: string;
  /** Serve HTTPS; absent = plain HTTP. */
  readonly tls?: WebTlsConfig;
  /** Extra response headers (`http_server_config.headers`). */
  readonly headers: Readonly<Record<string, string>>;
  /** User name → bcrypt hash (`basic_auth_users`); empty = no basic auth. The hashes are secrets too. */
  readonly basicAuthUsers: Readonly<Record<string, string>>;
  /** Token bucket over every request (`rate_limit`): 429 beyond it; absent = no limit. */
  readonly rateLimit?: { readonly intervalMs: number; readonly burst: number };
}
