/**
 * Secrets in the configuration: `${ENV_VAR}` interpolation, password and token files, and putting a password into a
 * connection URL. Nothing here ever puts a secret value into a message: problems name the field, the variable or the
 * file, never what they hold.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import type { ConfigIssue, ConfigPath } from './issues.ts';

/** `${NAME}`; a `$${` is the escape for a literal `${`. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Result of {@link interpolateEnv}: the tree with variables replaced, and one issue per bad reference. */
export interface Interpolated {
  readonly value: unknown;
  readonly issues: ConfigIssue[];
  /** Every variable a `${NAME}` named (set or not): a password command does not inherit them. */
  readonly names: ReadonlySet<string>;
}

/**
 * Replaces `${NAME}` in every string value of a parsed YAML tree (keys are left alone) with `env[NAME]`.
 * `$${` stands for a literal `${`. An unset variable, an unterminated `${` or a bad name is an issue naming the field
 * and the variable. Only the `${NAME}` form is recognised: a bare `$NAME` stays as written, so passwords and
 * `$` in globs need no escaping. Interpolation works on parsed values, not on the file text, so a value can never
 * change the YAML structure.
 */
export function interpolateEnv(tree: unknown, env: NodeJS.ProcessEnv): Interpolated {
  const issues: ConfigIssue[] = [];
  const names = new Set<string>();
  const walk = (node: unknown, path: ConfigPath): unknown => {
    if (typeof node === 'string') return interpolateString(node, env, path, issues, names);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value, [...path, key])]));
    }
    return node;
  };
  return { value: walk(tree, []), issues, names };
}

function interpolateString(text: string, env: NodeJS.ProcessEnv, path: ConfigPath, issues: ConfigIssue[], names: Set<string>): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const end = text.indexOf('}', i + 2);
    if (end < 0) {
      issues.push({ path, message: 'unterminated "${" (write "$${" for a literal "${")' });
      return text;
    }
    const name = text.slice(i + 2, end);
    names.add(name);
    const value = env[name];
    if (!VARIABLE_NAME.test(name)) {
      issues.push({ path, message: `"\${${name}}" is not a valid environment variable reference` });
    } else if (value === undefined) {
      issues.push({ path, message: `environment variable ${name} is not set` });
    } else {
      out += value;
    }
    i = end + 1;
  }
  return out;
}

/**
 * Why `file` cannot serve as a secret file (missing, a directory, unreadable), or `null` when it can. Only checks:
 * the content is read at connect time, so a rotated password is picked up without a restart.
 */
export function secretFileProblem(file: string): string | null {
  try {
    if (!statSync(file).isFile()) return `not a regular file: ${file}`;
    accessSync(file, constants.R_OK);
    return null;
  } catch (err) {
    return `cannot read ${file} (${(err as { code?: string }).code ?? 'unreadable'})`;
  }
}

/** Reads a secret file once (the bearer token), trimming surrounding whitespace; a problem when unreadable or empty. */
export function readSecretFile(file: string): { value: string } | { problem: string } {
  const problem = secretFileProblem(file);
  if (problem) return { problem };
  const value = readFileSync(file, 'utf8').trim();
  return value ? { value } : { problem: `file is empty: ${file}` };
}

/**
 * Puts `password` into the URL's authority, percent-encoded, so `@`, `/`, `:` or `%` in a password cannot break the
 * URL (they would when pasted into the URL text by `${VAR}`). Encoded here because the URL setter leaves `%` as is,
 * and the driver would then decode `%41` to `A` or fail on `%zz`.
 */
export function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}
