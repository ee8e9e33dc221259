/**
 * The shape of `schema-drift.yaml` as a zod schema: types, defaults and the checks that concern one field at a time
 * (formats, cron expressions, time zones, paths that must exist). Rules that relate fields or targets to each other
 * live in `rules.ts`, because zod skips an object's refinements once any of its fields failed and we want every
 * problem reported in one run.
 *
 * Keys are camelCase like the TypeScript types; durations are Prometheus-style strings (`10s`, `5m`, `1h30m`).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { FILTER_KINDS, type FilterKind } from '../core/diff/filter.ts';
import { MIGRATION_FORMATS } from '../migrations/index.ts';
import { type Dialect, DIALECTS, dialectForScheme, knownSchemes } from '../dialects/registry.ts';
import { DEFAULT_DISCOVER_INTERVAL, DEFAULT_DISCOVER_MAX_TARGETS, DEFAULT_PORT, DEFAULT_SCHEDULE, DEFAULT_WATCH } from './types.ts';
import { parseDuration } from './duration.ts';
import { readSecretFile, secretFileProblem } from './secrets.ts';
import { SCHEMA_NAME as STORE_SCHEMA_NAME } from '../store/pg-migrations.ts';

/** Target names become the `target` label and URL path segments. */
export const TARGET_NAME = /^[A-Za-z0-9_.-]+$/;


/** The dialect of a connection URL, or a problem that names the scheme only (the URL may hold a password). */
export function urlDialect(url: string): { dialect: Dialect } | { problem: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: `not a valid URL (expected ${DIALECTS.map((d) => d.exampleUrl).join(' or ')})` };
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  const dialect = dialectForScheme(scheme);
  if (!dialect) {
    return { problem: `unsupported URL scheme "${scheme}" (expected ${knownSchemes('')})` };
  }
  return { dialect };
}

const duration = (atLeastMs: number) =>
  z.string({ error: (issue) => (issue.input === undefined ? 'required' : 'expected a duration with a unit, e.g. 10s or 5m') }).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (write e.g. 500ms, 10s, 5m, 1h30m)` });
      return z.NEVER;
    }
    if (ms < atLeastMs) ctx.addIssue({ code: 'custom', message: `must be at least ${atLeastMs}ms` });
    // Timers take at most 2^31-1 ms (24.8 days); a longer one would fire at once.
    if (ms > MAX_TIMER_MS) ctx.addIssue({ code: 'custom', message: `must be at most 24d (${text} is longer than a timer can wait)` });
    return ms;
  });

/** The longest delay Node's timers take. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration, or `0` (the number or the string) to turn the feature off: then 0 ms. */
const durationOrOff = (atLeastMs: number) =>
  z.unknown().transform((value, ctx) => {
    if (value === 0 || value === '0') return 0;
    const parsed = duration(atLeastMs).safeParse(value, { error: issueMessage });
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: `${issue.message} (or 0 to turn it off)` });
    return z.NEVER;
  });

const nonEmpty = z.string().min(1, 'must not be empty');
const positiveInt = z.number().int('must be a whole number').min(1, 'must be at least 1');

/** A path relative to the config file's directory, made absolute. */
const path = (baseDir: string) => nonEmpty.transform((p) => resolve(baseDir, p));

/** The migration directory, or a single `.sql` schema file (format `schema`). */
const desiredSource = (baseDir: string) =>
  path(baseDir).superRefine((dir, ctx) => {
    const info = statSync(dir, { throwIfNoEntry: false });
    const sqlFile = dir.toLowerCase().endsWith('.sql');
    if (!info) ctx.addIssue({ code: 'custom', message: `${sqlFile ? 'schema file' : 'directory'} does not exist: ${dir}` });
    else if (info.isFile() && !sqlFile) {
      ctx.addIssue({ code: 'custom', message: `not a directory (nor a .sql schema file): ${dir}` });
    } else if (!info.isDirectory() && !info.isFile()) ctx.addIssue({ code: 'custom', message: `not a directory: ${dir}` });
  });

/** A directory that exists (a command's working directory). */
const existingDir = (baseDir: string) =>
  path(baseDir).superRefine((dir, ctx) => {
    const info = statSync(dir, { throwIfNoEntry: false });
    if (!info) ctx.addIssue({ code: 'custom', message: `directory does not exist: ${dir}` });
    else if (!info.isDirectory()) ctx.addIssue({ code: 'custom', message: `not a directory: ${dir}` });
  });

const secretFile = (baseDir: string) =>
  path(baseDir).superRefine((file, ctx) => {
    const problem = secretFileProblem(file);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A file holding a secret read once at start (the bearer token): the output is the trimmed content. */
const secretFileContent = (baseDir: string) =>
  path(baseDir).transform((file, ctx) => {
    const read = readSecretFile(file);
    if ('value' in read) return read.value;
    ctx.addIssue({ code: 'custom', message: read.problem });
    return z.NEVER;
  });

/**
 * RFC 6750's token68 characters, the ones `Authorization: Bearer` can carry (`http/auth.ts` parses the header with the
 * same set): a token with others could never be presented, and every request would be refused.
 */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const BEARER_TOKEN_PROBLEM = 'not usable as a bearer token: only letters, digits, - . _ ~ + / and trailing = (RFC 6750)';
const usableToken = (token: string) => BEARER_TOKEN.test(token);

const connectionUrl = nonEmpty.superRefine((url, ctx) => {
  const result = urlDialect(url);
  if ('problem' in result) ctx.addIssue({ code: 'custom', message: result.problem });
});

const cronExpression = z.string().superRefine((expression, ctx) => {
  const result = cron.validateDetailed(expression);
  if (result.valid) return;
  const first = result.errors[0];
  const why = !first || first.field === 'expression' ? (first?.message ?? 'invalid') : `bad ${first.field} field "${first.value}"`;
  ctx.addIssue({ code: 'custom', message: `invalid cron expression "${expression}": ${why} (node-cron syntax, 5 or 6 fields)` });
});

const timeZone = nonEmpty.superRefine((zone, ctx) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    ctx.addIssue({ code: 'custom', message: `unknown time zone "${zone}" (expected an IANA name such as Europe/Berlin or UTC)` });
  }
});

/** Label values are strings; unquoted YAML numbers and booleans (`shard: 3`) are taken as their text. */
const labelValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const excludeRules = z.strictObject(
  Object.fromEntries(FILTER_KINDS.map((kind) => [kind, z.array(nonEmpty).optional()])) as Record<
    FilterKind,
    z.ZodOptional<z.ZodArray<typeof nonEmpty>>
  >,
);

/** A command: a line for `/bin/sh -c`, or a program and its arguments. */
const commandLine = z.union([nonEmpty, z.array(nonEmpty).min(1, 'list the program and its arguments')], {
  error: 'expected a command line (string) or a list of program and arguments',
});

/** Environment variable names a command may be given (`desired.env`): POSIX shell names. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Variables given to a command (`desired.env`, `passwordCommandEnv`). */
const commandEnv = z.record(z.string(), labelValue).superRefine((env, ctx) => {
  for (const name of Object.keys(env)) {
    if (!ENV_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'not an environment variable name' });
  }
});

/**
 * `desired`: a migration directory (`dir`, `format`) or a migration command (`command`, `cwd`, `timeout`, `inputs`,
 * `env`), and where the scratch database lives (`devUrl`).
 */
function desiredSchema(baseDir: string) {
  return z
    .strictObject({
      dir: desiredSource(baseDir).optional(),
      format: z.enum(MIGRATION_FORMATS as [string, ...string[]]).optional(),
      devUrl: connectionUrl.optional(),
      command: commandLine.optional(),
      cwd: existingDir(baseDir).optional(),
      timeout: duration(1000).optional(),
      inputs: z.array(nonEmpty).optional(),
      env: commandEnv.optional(),
    })
    .superRefine((desired, ctx) => {
      const command = ['cwd', 'timeout', 'inputs', 'env'] as const;
      if (desired.command === undefined) {
        if (desired.dir === undefined) ctx.addIssue({ code: 'custom', path: ['dir'], message: 'required' });
        for (const key of command) {
          if (desired[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'only with command' });
        }
      } else {
        if (desired.dir !== undefined) ctx.addIssue({ code: 'custom', path: ['command'], message: 'give either dir or command, not both' });
        if (desired.format !== undefined) ctx.addIssue({ code: 'custom', path: ['format'], message: 'only with dir' });
      }
      // A single file has no layout to detect: it is the schema itself.
      if (desired.dir === undefined || desired.format === undefined || desired.format === 'schema') return;
      if (statSync(desired.dir, { throwIfNoEntry: false })?.isFile()) {
        ctx.addIssue({ code: 'custom', path: ['format'], message: `${desired.dir} is a single file, read as format schema; ${desired.format} needs a migration directory` });
      }
    });
}

/**
 * `targets[].discover`: the entry stands for every database (or schema) whose name matches a SQL LIKE `pattern` or is
 * returned by a read-only `query` (one column of names). Checked by `agent/discovery.ts`.
 */
const nameSource = z
  .strictObject({
    pattern: nonEmpty.optional(),
    query: nonEmpty.optional(),
  })
  .superRefine((source, ctx) => {
    if ((source.pattern === undefined) === (source.query === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either pattern (a LIKE pattern such as tenant\\_%, where _ alone matches any character) or query (a SELECT returning names), not both or neither' });
    }
  });

const discoverSchema = z
  .strictObject({
    databases: nameSource.optional(),
    schemas: nameSource.optional(),
    // How often the list is read again; targets that appear are scheduled, those gone are dropped.
    interval: duration(1000).prefault(DEFAULT_DISCOVER_INTERVAL),
    // schemas only: the schema of the replayed migrations each tenant schema is compared with.
    desiredSchema: nonEmpty.optional(),
    // Bound on the targets (and series) one entry makes: beyond it the first names in sort order are kept.
    maxTargets: positiveInt.default(DEFAULT_DISCOVER_MAX_TARGETS),
  })
  .superRefine((discover, ctx) => {
    if ((discover.databases === undefined) === (discover.schemas === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either databases or schemas, not both or neither' });
    }
    if (discover.desiredSchema !== undefined && discover.schemas === undefined) {
      ctx.addIssue({ code: 'custom', path: ['desiredSchema'], message: 'only with schemas' });
    }
  });

function targetSchema(baseDir: string) {
  return z.strictObject({
    name: z.string().regex(TARGET_NAME, 'must match [A-Za-z0-9_.-]+ (it becomes the target label)'),
    url: connectionUrl,
    password: z.string().optional(),
    passwordFile: secretFile(baseDir).optional(),
    // A command whose output is the password, run at connect time and again after an authentication failure.
    passwordCommand: commandLine.optional(),
    passwordCommandTimeout: duration(1).prefault('10s'),
    // Variables the command gets besides PATH, HOME, AWS_*, VAULT_*, GOOGLE_*, CLOUDSDK_* (password-source.ts).
    passwordCommandEnv: commandEnv.optional(),
    // Run the command again once its output is this old (a short-lived token); default: only after a refusal.
    passwordCommandCacheFor: duration(1000).optional(),
    // AWS RDS/Aurora IAM authentication: a token signed locally for the URL's host, port and user.
    awsIam: z.strictObject({ region: nonEmpty.optional() }).optional(),
    desired: desiredSchema(baseDir),
    schemas: z.array(nonEmpty).min(1, 'list at least one schema, or leave schemas out for all').optional(),
    exclude: excludeRules.prefault({}),
    schedule: cronExpression.default(DEFAULT_SCHEDULE),
    timezone: timeZone.optional(),
    labels: z.record(z.string(), labelValue).prefault({}),
    connectTimeout: duration(1).prefault('10s'),
    statementTimeout: duration(1).prefault('30s'),
    checkTimeout: duration(1000).prefault('10m'),
    // How often the watch reads the schema fingerprint (agent/watch.ts); 0 turns it off.
    watch: durationOrOff(1000).prefault(DEFAULT_WATCH),
    // MySQL/MariaDB only: let the server's DDL counters skip the watch's query (false where SHOW may be answered by
    // another server than the one that ran the DDL: a proxy, a reader endpoint).
    watchCounters: z.boolean().optional(),
    // A deploy in flight (a migration tool's lock held) is reported as deploying, checked again after deployingRetry,
    // and called dirty once it has lasted deployingLimit.
    deployingRetry: duration(1000).prefault('15s'),
    deployingLimit: duration(1000).prefault('30m'),
    checkColumnOrder: z.boolean().default(false),
    ignoreExtensionVersions: z.boolean().default(false),
    privileges: z.boolean().default(false),
    // MySQL/MariaDB only (rules.ts rejects it on a PostgreSQL target).
    events: z.boolean().optional(),
    // One entry, many targets: every matching database or schema (agent/discovery.ts).
    discover: discoverSchema.optional(),
  });
}

/** `host:port`, `:port` (all interfaces), `[::1]:port`, or a bare port number. */
const listenAddress = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = String(value);
  const match = /^(?:(\[[^\]]+\]|[^:[\]]*):)?(\d+)$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not an address (write host:port, e.g. 0.0.0.0:${DEFAULT_PORT} or :${DEFAULT_PORT})` });
    return z.NEVER;
  }
  const host = (match[1] ?? '').replace(/^\[|\]$/g, '') || '0.0.0.0';
  return { host, port };
});

const dataDir = (baseDir: string) =>
  path(baseDir).superRefine((dir, ctx) => {
    // The store creates it when missing; an existing file in its place is a mistake worth naming now.
    const info = statSync(dir, { throwIfNoEntry: false });
    if (info && !info.isDirectory()) ctx.addIssue({ code: 'custom', message: `not a directory: ${dir}` });
  });

/**
 * `store`: the shared PostgreSQL store (`store/pg-store.ts`) instead of `<dataDir>/reports.sqlite`. Problems name the
 * URL's scheme at most, never its text (it may hold a password).
 */
function storeSchema(baseDir: string) {
  return z.strictObject({
    url: nonEmpty.superRefine((url, ctx) => {
      let scheme: string;
      try {
        scheme = new URL(url).protocol.replace(/:$/, '');
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not a valid URL (expected postgres://user@host:5432/database)' });
        return;
      }
      if (scheme !== 'postgres' && scheme !== 'postgresql') {
        ctx.addIssue({ code: 'custom', message: `unsupported URL scheme "${scheme}" (the store is PostgreSQL: postgres:// or postgresql://)` });
      }
    }),
    passwordFile: secretFile(baseDir).optional(),
    schema: z.string().regex(STORE_SCHEMA_NAME, 'must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters)').optional(),
  });
}

/** The whole file. `baseDir` is the config file's directory: relative paths resolve against it. */
export function configSchema(baseDir: string) {
  return z.strictObject({
    listen: listenAddress.prefault(`0.0.0.0:${DEFAULT_PORT}`),
    dataDir: dataDir(baseDir).prefault('./data'),
    store: storeSchema(baseDir).optional(),
    bearerToken: nonEmpty.refine(usableToken, BEARER_TOKEN_PROBLEM).optional(),
    // Read once at start: the token guards our own API, and changing it is a restart anyway.
    bearerTokenFile: secretFileContent(baseDir).refine(usableToken, BEARER_TOKEN_PROBLEM).optional(),
    // The exporter toolkit's web configuration (TLS, basic auth, headers), loaded by `web-config.ts`.
    webConfigFile: secretFile(baseDir).optional(),
    concurrency: positiveInt.default(2),
    manualCheckInterval: duration(0).prefault('30s'),
    retention: z
      .strictObject({ maxAgeDays: positiveInt.default(30), maxReportsPerTarget: positiveInt.default(500) })
      .prefault({}),
    retry: z
      .strictObject({
        attempts: z.number().int('must be a whole number').min(0, 'must be 0 (no retry) or more').default(3),
        initialDelay: duration(1).prefault('1s'),
        maxDelay: duration(1).prefault('30s'),
      })
      .prefault({}),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    targets: z.array(targetSchema(baseDir)).min(1, 'configure at least one target'),
  });
}

/** What the schema produces, before it is turned into an `AgentConfig`. */
export type ParsedConfigFile = z.output<ReturnType<typeof configSchema>>;
/** One validated target as the schema produces it. */
export type ParsedTarget = ParsedConfigFile['targets'][number];

/**
 * Messages for zod's built-in issues, written for a person editing YAML. They describe the input's type, never its
 * value, so a secret in a mistyped field cannot leak.
 */
export function issueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required' : `expected ${article(issue.expected)}, got ${typeName(issue.input)}`;
    case 'invalid_union':
      return `expected a string, number or boolean, got ${typeName(issue.input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => String(v)).join(', ')}`;
    default:
      return undefined;
  }
}

function article(expected: string): string {
  if (expected === 'object' || expected === 'record') return 'a mapping';
  if (expected === 'array') return 'a list';
  if (expected === 'int') return 'a whole number';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return article(typeof value);
}
