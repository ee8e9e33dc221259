/**
 * Migration directories written by a test, file by file, and removed after each test: the unit tests of every format
 * build small directories of their own (a layout the fixtures do not have, a broken file), and share this one writer.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/**
 * Registers an `afterEach` that removes the directories made since, and returns `tempDir(files)`: a fresh directory
 * (`<prefix>` + random, under the OS's temporary folder) holding `files` (name → content; a name may have folders).
 */
export function useTempDirs(prefix: string): (files: Record<string, string>) => Promise<string> {
  const temps: string[] = [];
  afterEach(async () => {
    await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return async (files) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
    temps.push(dir);
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), content);
    }
    return dir;
  };
}
