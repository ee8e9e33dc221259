/**
 * Passwords at connect time, for every dialect: reading a password file, and masking the password in driver
 * messages. Nothing here puts a secret into a message: a failure names the file, never its content.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../core/errors.ts';

/**
 * Reads a password file (surrounding whitespace trimmed). Read on every connect, so a rotated password is used
 * without a restart. An unreadable file is a `ConfigError` naming the file and the system error code.
 */
export async function readPasswordFile(file: string, target: string | undefined): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unreadable';
    throw new ConfigError(`cannot read password file (${code})`, { target, file }, { cause: err });
  }
}
