/**
 * Reading a file that a migration format names (a Sqitch deploy script, a Liquibase include, a Supabase
 * `schema_paths` match) with the same guarantees as the directory listing (`read-directory.ts`): it must resolve inside
 * the folder the user pointed at (a symlink to `/run/secrets/...` would otherwise put a password into a replay error
 * and from there into the log, the API and the store), be a regular file (a FIFO would block the check for ever), and
 * be UTF-8 text. A refusal names the file as the directory names it, never what a link points at.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ReplayError } from '../core/errors.ts';

/** A file read under the guarantees above. */
export interface ContainedFile {
  readonly bytes: Buffer;
  readonly text: string;
}

/** What a name under `root` is, after the checks: a regular file, a directory, or nothing (it does not exist). */
export type ContainedKind = 'file' | 'directory' | 'missing';

/** Checks `full` (under `root`, shown as `shown`), following links only inside `root`. */
export async function containedKind(root: string, full: string, shown: string): Promise<ContainedKind> {
  const realRoot = await realpath(root).catch(() => path.resolve(root));
  const real = await realpath(full).catch((cause: NodeJS.ErrnoException) => missingOr(cause, shown, full));
  if (real === undefined) return 'missing';
  return kindOf(realRoot, real, await stat(real), shown, full);
}

/** {@link containedKind}, synchronously (for readers that walk folders synchronously). */
export function containedKindSync(root: string, full: string, shown: string): ContainedKind {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    realRoot = path.resolve(root);
  }
  let real: string | undefined;
  try {
    real = realpathSync(full);
  } catch (cause) {
    real = missingOr(cause as NodeJS.ErrnoException, shown, full);
  }
  if (real === undefined) return 'missing';
  return kindOf(realRoot, real, statSync(real), shown, full);
}

/** Reads a checked file; `undefined` when it does not exist. */
export async function readContained(root: string, full: string, shown: string): Promise<ContainedFile | undefined> {
  const kind = await containedKind(root, full, shown);
  if (kind === 'missing') return undefined;
  if (kind === 'directory') throw new ReplayError(`${shown} is a directory, not a file`, { file: full });
  const bytes = await readFile(full).catch((cause: unknown) => cannotRead(cause, shown, full));
  return checkedText(bytes, shown, full);
}

/** {@link readContained}, synchronously. */
export function readContainedSync(root: string, full: string, shown: string): ContainedFile | undefined {
  const kind = containedKindSync(root, full, shown);
  if (kind === 'missing') return undefined;
  if (kind === 'directory') throw new ReplayError(`${shown} is a directory, not a file`, { file: full });
  let bytes: Buffer;
  try {
    bytes = readFileSync(full);
  } catch (cause) {
    return cannotRead(cause, shown, full);
  }
  return checkedText(bytes, shown, full);
}

/** Line (from 1) holding the first byte that is not valid UTF-8, or undefined. `\n` is never inside a UTF-8 sequence. */
export function firstInvalidUtf8Line(bytes: Buffer): number | undefined {
  if (isUtf8(bytes)) return undefined;
  let line = 1;
  let from = 0;
  for (;;) {
    const end = bytes.indexOf(0x0a, from);
    if (!isUtf8(bytes.subarray(from, end < 0 ? bytes.length : end))) return line;
    if (end < 0) return line;
    line += 1;
    from = end + 1;
  }
}

/** The refusal of a file that is not UTF-8, naming it and the line of the first bad byte. */
export function notUtf8Error(shown: string, full: string, line: number): ReplayError {
  return new ReplayError(`${shown} is not valid UTF-8 text; save it as UTF-8`, { file: full, line });
}

function checkedText(bytes: Buffer, shown: string, full: string): ContainedFile {
  const line = firstInvalidUtf8Line(bytes);
  if (line !== undefined) throw notUtf8Error(shown, full, line);
  return { bytes, text: bytes.toString('utf8') };
}

function kindOf(realRoot: string, real: string, info: Stats, shown: string, full: string): ContainedKind {
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw new ReplayError(`${shown} resolves outside the migration directory: refused`, { file: full });
  }
  if (info.isDirectory()) return 'directory';
  if (info.isFile()) return 'file';
  throw new ReplayError(`${shown} is not a regular file (a FIFO, socket or device): refused`, { file: full });
}

function missingOr(cause: NodeJS.ErrnoException, shown: string, full: string): undefined {
  if (cause.code === 'ENOENT' || cause.code === 'ENOTDIR') return undefined;
  return cannotRead(cause, shown, full);
}

function cannotRead(cause: unknown, shown: string, full: string): never {
  const message = cause instanceof Error ? (cause.message.split('\n')[0] ?? '') : String(cause);
  throw new ReplayError(`cannot read ${shown}: ${message}`, { file: full }, { cause });
}
