/**
 * Child processes are forked from files beside the module that forks them: `.ts` when running from the sources, `.js` in the
 * compiled npm package (tsc rewrites import specifiers, not the strings passed to `new URL`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The URL of module `name` (no extension) beside the module whose `import.meta.url` is `from`. */
export function siblingModule(name: string, from: string): URL {
  return new URL(`./${name}${path.extname(fileURLToPath(from))}`, from);
}
