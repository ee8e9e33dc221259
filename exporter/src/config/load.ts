/**
 * Loads `schema-drift.yaml` once into an {@link AgentConfig} ("parse, don't validate"): YAML → `${ENV}`
 * interpolation → zod schema (types, defaults, one-field checks) + cross-field rules → the typed config.
 *
 * An invalid file is refused with every problem at once ({@link ConfigFileError}), each naming the field's path and
 * line: `schema-drift.yaml:14: targets[2].desired.dir: directory does not exist: /srv/app/migrations`.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import type { FilterKind } from '../core/diff/filter.ts';
import type { MigrationFormat } from '../migrations/index.ts';
import { type PasswordSource, passwordCommandEnvironment } from '../connection/password-source.ts';
import { redactUrl } from '../connection/url.ts';
import { ConfigFileError, formatPath } from './issues.ts';
import { crossFieldIssues } from './rules.ts';
import { configSchema, issueMessage, type ParsedConfigFile, type ParsedTarget, urlDialect } from './schema.ts';
import { interpolateEnv, withPassword } from './secrets.ts';
import type { AgentConfig, DesiredConfig, DiscoverConfig, StoreConfig, TargetConfig, WebConfig } from './types.ts';
import { loadWebConfig } from './web-config.ts';
import { locate, parseYamlFile, zodIssues } from './yaml-document.ts';
import type { DialectName } from '../core/model/schema.ts';

export { ConfigFileError, type ConfigIssue } from './issues.ts';

/**
 * Reads and validates a configuration file. Relative paths in it (`desired.dir`, `dataDir`, `passwordFile`,
 * `bearerTokenFile`) resolve against the file's directory, not the working directory.
 * @throws ConfigError when the file cannot be read; {@link ConfigFileError} listing every problem when it is invalid.
 */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unreadable';
    throw new ConfigError(`cannot read the configuration file (${code})`, { file }, { cause: err });
  }
  return parseConfig(text, file, env);
}

/**
 * Validates configuration text. `file` names it in messages and anchors relative paths (its directory); it need not
 * exist. `env` supplies `${VAR}` values. A `webConfigFile` it names is loaded too (`web-config.ts`).
 * @throws {@link ConfigFileError} listing every problem, in file order (the web configuration file's own problems
 *   name that file).
 */
export async function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Promise<AgentConfig> {
  const yaml = parseYamlFile(text, file);
  const { tree } = yaml;
  if (tree === null || tree === undefined) {
    throw new ConfigFileError(file, [{ path: [], message: 'the file is empty: configure at least one target' }]);
  }
  if (typeof tree !== 'object' || Array.isArray(tree)) {
    throw new ConfigFileError(file, [{ path: [], message: 'expected a mapping of options at the top level', line: 1 }]);
  }

  const interpolated = interpolateEnv(withoutExtensionKeys(tree), env);
  const baseDir = dirname(resolve(file));
  const result = configSchema(baseDir).safeParse(interpolated.value, { error: issueMessage });
  // A failed `${VAR}` leaves a half-built value behind; its follow-up errors (a broken URL) would only add noise.
  const spoiled = new Set(interpolated.issues.map((issue) => formatPath(issue.path)));
  const issues = [
    ...interpolated.issues,
    ...(result.success ? [] : zodIssues(result.error)).filter((issue) => !spoiled.has(formatPath(issue.path))),
    ...crossFieldIssues(interpolated.value, env),
  ];
  if (!result.success || issues.length > 0) throw new ConfigFileError(file, locate(yaml, issues));
  const web = result.data.webConfigFile !== undefined ? loadWebConfig(result.data.webConfigFile) : undefined;
  return toAgentConfig(result.data, resolve(file), web, env, interpolated.names);
}

/**
 * Drops top-level `x-*` keys: like docker-compose's extension fields they hold YAML anchors shared by targets
 * (`x-migrations: &migrations {dir: ./migrations}`), and are not options themselves.
 */
function withoutExtensionKeys(tree: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(tree).filter(([key]) => !key.startsWith('x-')));
}

/** Builds the typed config from the validated file. */
function toAgentConfig(parsed: ParsedConfigFile, file: string, web: WebConfig | undefined, env: NodeJS.ProcessEnv, interpolated: ReadonlySet<string>): AgentConfig {
  const bearerToken = parsed.bearerTokenFile ?? parsed.bearerToken;
  const baseDir = dirname(file);
  const targets = parsed.targets.map((target) => toTargetConfig(target, baseDir, env, interpolated));
  return {
    file,
    listen: parsed.listen,
    dataDir: parsed.dataDir,
    ...(parsed.store ? { store: toStoreConfig(parsed.store) } : {}),
    ...(bearerToken !== undefined ? { bearerToken } : {}),
    ...(web ? { web } : {}),
    concurrency: parsed.concurrency,
    manualCheckIntervalMs: parsed.manualCheckInterval,
    retention: parsed.retention,
    retry: { attempts: parsed.retry.attempts, initialDelayMs: parsed.retry.initialDelay, maxDelayMs: parsed.retry.maxDelay },
    logLevel: parsed.logLevel,
    labelNames: Object.keys(targets[0]?.labels ?? {}).sort(),
    targets,
  };
}

function toStoreConfig(store: NonNullable<ParsedConfigFile['store']>): StoreConfig {
  return {
    url: store.url,
    displayUrl: redactUrl(store.url),
    ...(store.passwordFile !== undefined ? { passwordFile: store.passwordFile } : {}),
    ...(store.schema !== undefined ? { schema: store.schema } : {}),
  };
}

/** The schema rejected every URL without a dialect, so a problem here is a bug, not a user's mistake. */
function dialectName(parsed: ReturnType<typeof urlDialect>): DialectName {
  if ('problem' in parsed) throw new Error(`internal: a validated target URL has no dialect (${parsed.problem})`);
  return parsed.dialect.name;
}

/** Default time limit of a migration command (`desired.timeout`). */
const DEFAULT_COMMAND_TIMEOUT_MS = 5 * 60_000;

/** The directory, or the command and its working directory (also `dir`, the folder the desired state comes from). */
function desiredSource(desired: ParsedTarget['desired'], baseDir: string): Pick<DesiredConfig, 'dir' | 'command'> {
  if (desired.command === undefined) return { dir: desired.dir ?? baseDir };
  const cwd = desired.cwd ?? baseDir;
  return {
    dir: cwd,
    command: {
      command: desired.command,
      cwd,
      timeoutMs: desired.timeout ?? DEFAULT_COMMAND_TIMEOUT_MS,
      inputs: desired.inputs ?? [],
      env: desired.env ?? {},
    },
  };
}

/**
 * `passwordCommand` or `awsIam` as the connection layer takes it; the rules made sure there is at most one. The
 * command's environment is fixed here: the cloud tools' variables of `env` without those the file interpolated.
 */
function passwordSource(target: ParsedTarget, env: NodeJS.ProcessEnv, interpolated: ReadonlySet<string>): PasswordSource | undefined {
  if (target.passwordCommand !== undefined) {
    return {
      kind: 'command',
      command: target.passwordCommand,
      timeoutMs: target.passwordCommandTimeout,
      env: passwordCommandEnvironment(env, interpolated, target.passwordCommandEnv),
      ...(target.passwordCommandCacheFor !== undefined ? { cacheForMs: target.passwordCommandCacheFor } : {}),
    };
  }
  if (target.awsIam !== undefined) return { kind: 'awsIam', region: target.awsIam.region ?? env.AWS_REGION ?? '' };
  return undefined;
}

function toTargetConfig(target: ParsedTarget, baseDir: string, env: NodeJS.ProcessEnv, interpolated: ReadonlySet<string>): TargetConfig {
  const source = passwordSource(target, env, interpolated);
  const dialect = urlDialect(target.url);
  const url = target.password !== undefined ? withPassword(target.url, target.password) : target.url;
  const desired: DesiredConfig = {
    ...desiredSource(target.desired, baseDir),
    ...(target.desired.format !== undefined ? { format: target.desired.format as MigrationFormat } : {}),
    ...(target.desired.devUrl !== undefined ? { devUrl: target.desired.devUrl } : {}),
  };
  const exclude: Partial<Record<FilterKind, string[]>> = {};
  for (const [kind, globs] of Object.entries(target.exclude)) if (globs) exclude[kind as FilterKind] = globs;
  return {
    name: target.name,
    dialect: dialectName(dialect),
    url,
    displayUrl: redactUrl(url),
    ...(target.passwordFile !== undefined ? { passwordFile: target.passwordFile } : {}),
    ...(source ? { passwordSource: source } : {}),
    desired,
    ...(target.schemas !== undefined ? { schemas: target.schemas } : {}),
    exclude,
    schedule: target.schedule,
    ...(target.timezone !== undefined ? { timezone: target.timezone } : {}),
    labels: target.labels,
    connectTimeoutMs: target.connectTimeout,
    statementTimeoutMs: target.statementTimeout,
    checkTimeoutMs: target.checkTimeout,
    watchMs: target.watch,
    ...(target.watchCounters === false ? { watchCounters: false } : {}),
    deployingRetryMs: target.deployingRetry,
    deployingLimitMs: target.deployingLimit,
    checkColumnOrder: target.checkColumnOrder,
    ignoreExtensionVersions: target.ignoreExtensionVersions,
    privileges: target.privileges,
    // On by default where the dialect has events; `events: false` opts out.
    ...((target.events ?? ('dialect' in dialect && dialect.dialect.capabilities.events)) ? { events: true } : {}),
    ...(target.discover ? { discover: discoverConfig(target.discover) } : {}),
  };
}

/** The validated `discover` mapping (the schema made sure exactly one of databases and schemas is there). */
function discoverConfig(discover: NonNullable<ParsedTarget['discover']>): DiscoverConfig {
  const kind = discover.schemas !== undefined ? 'schemas' : 'databases';
  const source = discover.schemas ?? discover.databases ?? {};
  return {
    kind,
    ...(source.pattern !== undefined ? { pattern: source.pattern } : {}),
    ...(source.query !== undefined ? { query: source.query } : {}),
    intervalMs: discover.interval,
    desiredSchema: discover.desiredSchema ?? 'public',
    maxTargets: discover.maxTargets,
  };
}
