/**
 * Rules that relate fields or targets to each other: unique names, one label set for all targets, credentials given
 * once, a replay server for MySQL. They run on the interpolated tree, independently of the zod schema, so they are
 * reported together with the field errors rather than after those are fixed.
 */
import type { ConfigIssue, ConfigPath } from './issues.ts';
import { DIALECTS } from '../dialects/registry.ts';
import { parseDuration } from './duration.ts';
import type { DialectName } from '../core/model/schema.ts';
import { urlDialect } from './schema.ts';

/** Prometheus label names: `[a-zA-Z_][a-zA-Z0-9_]*`, and `__` is reserved for Prometheus itself. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Label names a static label may not take: our own metric labels (`target`, `kind`, `action`, `reason`, `version`),
 * the histogram's `le`, Prometheus' target labels (`job`, `instance`) and the names CONVENTIONS.md rules out.
 */
export const RESERVED_LABELS: readonly string[] = [
  'target', 'kind', 'action', 'reason', 'version', 'le', 'quantile', 'job', 'instance', 'type', 'env',
];

/** Static labels are copied onto every per-target series: a few are plenty. */
export const MAX_LABELS = 10;

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every cross-field problem of the (interpolated) file tree. `env` is the environment the agent will run with
 * (`awsIam` takes its region from `AWS_REGION`).
 */
export function crossFieldIssues(tree: unknown, env: NodeJS.ProcessEnv = {}): ConfigIssue[] {
  if (!isObject(tree)) return [];
  const issues: ConfigIssue[] = [];
  if (tree.bearerToken !== undefined && tree.bearerTokenFile !== undefined) {
    issues.push({ path: ['bearerTokenFile'], message: 'give either bearerToken or bearerTokenFile, not both' });
  }
  if (isObject(tree.retry)) issues.push(...retryIssues(tree.retry));
  const targets = Array.isArray(tree.targets) ? tree.targets : [];
  targets.forEach((target, i) => {
    if (isObject(target)) issues.push(...targetIssues(target, ['targets', i]), ...passwordSourceIssues(target, ['targets', i], env));
  });
  issues.push(...duplicateNames(targets), ...labelIssues(targets));
  return issues;
}

/** A password in the URL's authority or as a `?password=` parameter (which both drivers read). */
function urlGivesPassword(url: string): boolean {
  const parsed = new URL(url);
  return parsed.password !== '' || parsed.searchParams.has('password');
}

function retryIssues(retry: Raw): ConfigIssue[] {
  const initialText = retry.initialDelay ?? '1s';
  const maxText = retry.maxDelay ?? '30s';
  const initial = typeof initialText === 'string' ? parseDuration(initialText) : null;
  const max = typeof maxText === 'string' ? parseDuration(maxText) : null;
  if (initial === null || max === null || max >= initial) return [];
  if (retry.maxDelay === undefined) {
    return [{ path: ['retry', 'initialDelay'], message: `must not be longer than retry.maxDelay (30s by default)` }];
  }
  return [{ path: ['retry', 'maxDelay'], message: `must not be shorter than retry.initialDelay (${String(initialText)})` }];
}

function targetIssues(target: Raw, at: ConfigPath): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const url = typeof target.url === 'string' ? target.url : undefined;
  const parsed = url === undefined ? undefined : urlDialect(url);
  const dialect = parsed && 'dialect' in parsed ? parsed.dialect : undefined;
  const urlHasPassword = url !== undefined && dialect !== undefined && urlGivesPassword(url);
  if (target.password !== undefined && urlHasPassword) {
    issues.push({ path: [...at, 'password'], message: 'the url already contains a password; give it in one place' });
  }
  if (target.passwordFile !== undefined && (urlHasPassword || target.password !== undefined)) {
    issues.push({
      path: [...at, 'passwordFile'],
      message: 'a password is already given (in the url or as password); give it in one place',
    });
  }
  const name = typeof target.name === 'string' ? ` (target "${target.name}")` : '';
  if (target.events === true && dialect && !dialect.capabilities.events) {
    const which = DIALECTS.filter((d) => d.capabilities.events).map((d) => d.label).join(' and ');
    issues.push({ path: [...at, 'events'], message: `only ${which} targets have scheduled events${name}` });
  }
  issues.push(...discoverIssues(target, at, dialect?.name, name));
  if (target.watchCounters !== undefined && dialect && dialect.name !== 'mysql') {
    issues.push({ path: [...at, 'watchCounters'], message: `only MySQL/MariaDB targets have the DDL-counter gate${name}` });
  }
  const desired = isObject(target.desired) ? target.desired : undefined;
  if (!desired) return issues;
  if (dialect && !dialect.capabilities.embeddedScratch && desired.devUrl === undefined) {
    issues.push({
      path: [...at, 'desired', 'devUrl'],
      message: `required for ${dialect.label} targets${name}: there is no embedded ${dialect.label} to replay migrations on`,
    });
  }
  const dev = typeof desired.devUrl === 'string' ? urlDialect(desired.devUrl) : undefined;
  if (dialect && dev && 'dialect' in dev && dev.dialect !== dialect) {
    issues.push({
      path: [...at, 'desired', 'devUrl'],
      message: `must be a ${dialect.label} server like the target's url${name}`,
    });
  }
  return issues;
}

/** sslmode values that may send the password (an IAM token) without TLS. */
const PLAINTEXT_SSLMODES = ['disable', 'allow', 'prefer'];

/**
 * `passwordCommand` and `awsIam` replace every other way of giving the password, and each other; `awsIam` needs a
 * PostgreSQL URL with TLS required and a region.
 */
function passwordSourceIssues(target: Raw, at: ConfigPath, env: NodeJS.ProcessEnv): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const url = typeof target.url === 'string' ? target.url : undefined;
  const parsed = url === undefined ? undefined : urlDialect(url);
  const dialect = parsed && 'dialect' in parsed ? parsed.dialect : undefined;
  const urlHasPassword = url !== undefined && dialect !== undefined && urlGivesPassword(url);
  const given = [
    ...(urlHasPassword ? ['a password in the url'] : []),
    ...(target.password !== undefined ? ['password'] : []),
    ...(target.passwordFile !== undefined ? ['passwordFile'] : []),
  ];
  for (const key of ['passwordCommand', 'awsIam'] as const) {
    if (target[key] === undefined) continue;
    const others = [...given, ...(key === 'awsIam' && target.passwordCommand !== undefined ? ['passwordCommand'] : [])];
    if (others.length > 0) {
      issues.push({ path: [...at, key], message: `give the password one way only: ${key} cannot go with ${others.join(', ')}` });
    }
  }
  for (const key of ['passwordCommandTimeout', 'passwordCommandEnv', 'passwordCommandCacheFor'] as const) {
    if (target[key] !== undefined && target.passwordCommand === undefined) issues.push({ path: [...at, key], message: 'only with passwordCommand' });
  }
  if (target.awsIam === undefined || !dialect || url === undefined) return issues;
  const iam = isObject(target.awsIam) ? target.awsIam : {};
  if (dialect.name !== 'postgres') {
    issues.push({ path: [...at, 'awsIam'], message: `IAM authentication is supported on PostgreSQL targets only (this is ${dialect.label})` });
    return issues;
  }
  if (new URL(url).username === '') {
    issues.push({ path: [...at, 'url'], message: 'awsIam signs its token for one database user: name it in the url (postgres://user@host:5432/db)' });
  }
  const sslmode = new URL(url).searchParams.get('sslmode');
  if (sslmode === null || PLAINTEXT_SSLMODES.includes(sslmode)) {
    issues.push({
      path: [...at, 'url'],
      message: `awsIam sends its token over TLS only: the url needs sslmode=require, verify-ca or verify-full (${sslmode === null ? 'none given' : `not ${sslmode}`})`,
    });
  }
  if (iam.region === undefined && !env.AWS_REGION) {
    issues.push({ path: [...at, 'awsIam', 'region'], message: 'required when the environment variable AWS_REGION is not set' });
  }
  return issues;
}

/**
 * `discover.schemas` is PostgreSQL's: on MySQL/MariaDB a schema is a database, so `discover.databases` is the way there.
 * A schema-discovering entry inspects one tenant schema per target, so its own `schemas` list would contradict it.
 */
function discoverIssues(target: Raw, at: ConfigPath, dialect: DialectName | undefined, name: string): ConfigIssue[] {
  const discover = isObject(target.discover) ? target.discover : undefined;
  if (!discover || discover.schemas === undefined) return [];
  const issues: ConfigIssue[] = [];
  if (dialect === 'mysql') {
    issues.push({ path: [...at, 'discover', 'schemas'], message: `on MySQL/MariaDB a schema is a database: use discover.databases${name}` });
  }
  if (target.schemas !== undefined) {
    issues.push({ path: [...at, 'schemas'], message: `not with discover.schemas: each discovered target inspects its own schema${name}` });
  }
  return issues;
}

function duplicateNames(targets: readonly unknown[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, number>();
  targets.forEach((target, i) => {
    if (!isObject(target) || typeof target.name !== 'string') return;
    const first = seen.get(target.name);
    if (first === undefined) seen.set(target.name, i);
    else issues.push({ path: ['targets', i, 'name'], message: `duplicate target name "${target.name}" (also targets[${first}])` });
  });
  return issues;
}

/**
 * Label names must be valid, not reserved, at most {@link MAX_LABELS}, and the same on every target: a metric has one
 * label set, and a name present on one target only is more often a typo than an intent. A target that has no value
 * for a label says so with `""` (which Prometheus treats as the label being absent).
 */
function labelIssues(targets: readonly unknown[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  let reference: { index: number; names: string[] } | undefined;
  targets.forEach((target, i) => {
    if (!isObject(target)) return;
    if (target.labels !== undefined && !isObject(target.labels)) return; // the schema reports the type
    const labels = target.labels ?? {};
    const at: ConfigPath = ['targets', i, 'labels'];
    const names = Object.keys(labels).sort();
    for (const name of names) {
      const problem = labelNameProblem(name);
      if (problem) issues.push({ path: [...at, name], message: problem });
    }
    if (names.length > MAX_LABELS) {
      issues.push({ path: at, message: `at most ${MAX_LABELS} labels (got ${names.length}): they ride on every series` });
    }
    if (!reference) {
      reference = { index: i, names };
      return;
    }
    const missing = reference.names.filter((n) => !names.includes(n));
    const unexpected = names.filter((n) => !reference?.names.includes(n));
    if (missing.length === 0 && unexpected.length === 0) return;
    const parts = [
      ...(missing.length ? [`missing ${missing.join(', ')}`] : []),
      ...(unexpected.length ? [`unexpected ${unexpected.join(', ')}`] : []),
    ];
    issues.push({
      path: at,
      message: `every target needs the same label names as targets[${reference.index}] (${reference.names.join(', ') || 'none'}): ${parts.join('; ')} (use "" for no value)`,
    });
  });
  return issues;
}

function labelNameProblem(name: string): string | null {
  if (!LABEL_NAME.test(name)) return 'not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)';
  if (name.startsWith('__')) return 'label names starting with "__" are reserved by Prometheus';
  if (RESERVED_LABELS.includes(name)) return `"${name}" is reserved (${RESERVED_LABELS.join(', ')})`;
  return null;
}
