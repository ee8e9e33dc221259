/**
 * The content hash of a migration command's inputs (`desired.inputs`): the files its globs match under the command's
 * working directory, by path and content, so the desired-schema cache reruns the migrator only when one of them
 * changes, is added or is removed.
 */
import { createHash } from 'node:crypto';
import { glob, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../core/errors.ts';

/**
 * sha256 over the sorted relative paths and contents of the files `globs` match under `cwd` (directories skipped).
 * @throws ConfigError when the globs match no file: an empty input set would cache a schema for ever.
 */
export async function hashCommandInputs(cwd: string, globs: readonly string[], target?: string): Promise<string> {
  const files = new Set<string>();
  for await (const entry of glob([...globs], { cwd, withFileTypes: true, exclude: (d) => d.name === 'node_modules' })) {
    if (entry.isFile()) files.add(path.relative(cwd, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
  }
  if (files.size === 0) {
    throw new ConfigError(`desired.inputs ${JSON.stringify(globs)} match no file under ${cwd}`, { target });
  }
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    const content = await readFile(path.join(cwd, file));
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}
