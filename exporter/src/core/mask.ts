/**
 * Masking secrets in text, before a message reaches a log, a report or an API answer.
 */

/** Replaces every occurrence of each non-empty secret in `text` with `***`. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out;
}
