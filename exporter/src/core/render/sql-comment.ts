/**
 * Comment lines of the SQL scripts we write (reconcile plans, their hints, reconcile.sql headers). A comment's text can
 * hold names read from a database or a migration file, and both PostgreSQL and MySQL allow a line break inside a
 * quoted identifier: written as it is, the rest of the name would leave the comment and run as SQL.
 */

/** `-- text`, with every run of whitespace (line breaks included) turned into one space. */
export function sqlComment(text: string): string {
  return `-- ${text.replace(/\s+/g, ' ').trim()}`;
}
