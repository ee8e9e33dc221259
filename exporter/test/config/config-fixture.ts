/**
 * A scratch directory for configuration tests: a migration directory, a password file, and helpers that parse YAML
 * as if it were `<dir>/schema-drift.yaml` and return the problems as a person sees them (paths relative to it).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFileError, parseConfig } from '../../src/config/load.ts';
import type { AgentConfig } from '../../src/config/types.ts';

export interface ConfigFixture {
  /** The scratch directory; holds `migrations/`, `other/`, `secrets/db-password` and `secrets/token`. */
  readonly dir: string;
  /** Where the parsed text pretends to live. */
  readonly file: string;
  parse(yaml: string, env?: NodeJS.ProcessEnv): Promise<AgentConfig>;
  /** The `describe()` lines of the `ConfigFileError` the text must produce, with the directory stripped. */
  problems(yaml: string, env?: NodeJS.ProcessEnv): Promise<string[]>;
  remove(): void;
}

export function createConfigFixture(): ConfigFixture {
  const dir = mkdtempSync(join(tmpdir(), 'sd-config-'));
  mkdirSync(join(dir, 'migrations'));
  mkdirSync(join(dir, 'other'));
  mkdirSync(join(dir, 'secrets'));
  writeFileSync(join(dir, 'secrets', 'db-password'), 'hunter2\n');
  writeFileSync(join(dir, 'secrets', 'token'), '  tok-123  \n');
  writeFileSync(join(dir, 'secrets', 'empty'), '\n');
  const file = join(dir, 'schema-drift.yaml');
  const parse = (yaml: string, env: NodeJS.ProcessEnv = {}) => parseConfig(yaml, file, env);
  return {
    dir,
    file,
    parse,
    async problems(yaml, env = {}) {
      try {
        await parse(yaml, env);
      } catch (err) {
        if (!(err instanceof ConfigFileError)) throw err;
        return err.describe().split(`${dir}/`).join('').split('\n');
      }
      throw new Error('expected the configuration to be refused');
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
