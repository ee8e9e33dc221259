/**
 * Masking secrets in text, before a message reaches a log, a report or an API answer.
 */

/** Replaces every occurrence of each non-empty secret in `text` with `replacement` (`***`). */
export function maskSecrets(text: string, secrets: readonly string[], replacement = '***'): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join(replacement);
  return out;
}

/** Runs of text between blanks and quotes: one command-line argument, one word of a message. */
const WORD = /[^\s'"`<>]+/g;
/** A password as a query parameter or a libpq keyword (`password=`, `?password=`, `&PWD=`), up to the next separator. */
const PASSWORD_PARAMETER = /((?:^|[?&;,])(?:password|passwd|pwd|pass)=)[^&;,]*/gi;

/**
 * Masks credentials in free text that may hold connection strings in any form, with or without a scheme:
 * `postgres://app:secret@db/x`, `app:secret@db:5432/x`, `--from=app:secret@db`, `host=db password=secret`,
 * `db/x?password=secret`. The password becomes `***`; the user name and the host stay (they help find the fault).
 * Over-masking is accepted: a path with `:` before an `@` is masked too.
 */
export function maskUrlCredentials(text: string): string {
  return text.replace(WORD, (word) => maskUserinfo(word.replace(PASSWORD_PARAMETER, '$1***')));
}

function maskUserinfo(word: string): string {
  const at = word.lastIndexOf('@');
  if (at <= 0) return word;
  const scheme = word.indexOf('://');
  const start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
  const colon = word.indexOf(':', start);
  // `user:password@host`: everything between the first colon of the userinfo and its last `@`.
  if (colon < 0 || colon >= at) return word;
  return `${word.slice(0, colon + 1)}***${word.slice(at)}`;
}
