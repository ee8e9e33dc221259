/**
 * Problems found in a configuration file, and the error that carries all of them at once: a person fixing the file
 * sees every problem in one run rather than one per restart.
 */
import { ConfigError } from '../core/errors.ts';

/** Where a value sits in the configuration tree: keys and sequence indices, e.g. `['targets', 2, 'desired', 'dir']`. */
export type ConfigPath = readonly (string | number)[];

/** One problem: the field at fault, what is wrong, and the 1-based line of the field when known. */
export interface ConfigIssue {
  readonly path: ConfigPath;
  /** Never contains a secret value (passwords, tokens, URLs with credentials). */
  readonly message: string;
  readonly line?: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `targets[2].desired.dir`; keys that are not identifiers are quoted: `labels["team-a"]`. Empty = the whole file. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (IDENTIFIER.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** `targets[2].desired.dir: directory does not exist: /srv/migrations` (the file itself: just the message). */
export function formatIssue(issue: ConfigIssue): string {
  const path = formatPath(issue.path);
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * An invalid configuration file. `message` is one line (the first problem in file order, plus how many more) so it
 * fits a log record; `issues` holds every problem, and {@link ConfigFileError.describe} prints them one per line as
 * `file:line: path: message`, the way compilers list errors.
 */
export class ConfigFileError extends ConfigError {
  override name = 'ConfigFileError';
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[]) {
    const first = issues[0];
    if (!first) throw new Error('ConfigFileError needs at least one issue');
    const more = issues.length - 1;
    const suffix = more > 0 ? ` (and ${more} more problem${more === 1 ? '' : 's'})` : '';
    super(`${formatIssue(first)}${suffix}`, { file, ...(first.line !== undefined ? { line: first.line } : {}) });
    this.issues = issues;
  }

  /** Every problem, one per line: `schema-drift.yaml:14: targets[2].desired.dir: directory does not exist: ...`. */
  override describe(): string {
    const file = this.context.file ?? '';
    return this.issues
      .map((issue) => `${issue.line !== undefined ? `${file}:${issue.line}` : file}: ${formatIssue(issue)}`)
      .join('\n');
  }
}
