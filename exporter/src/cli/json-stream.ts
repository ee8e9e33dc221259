/**
 * `inspect --format json` written a piece at a time. The text is exactly `JSON.stringify(value, null, 2)` and a
 * newline, but it is never one string: the outer levels (snapshot, schemas, the tables of a schema) are walked here and
 * each object below them (a table with its columns, indexes, ...) is stringified alone, so the memory the output needs
 * is one table's text and a write buffer, not the text of every table at once (the whole text of 10,000 tables is
 * tens of megabytes, held twice while it is converted for the stream).
 */

/** Levels walked here; anything deeper is stringified whole (snapshot → schemas → schema → tables → one table). */
const WALKED_LEVELS = 4;

/** Characters gathered before one write: few enough writes to be cheap, small enough to keep memory flat. */
const WRITE_CHARS = 64 * 1024;

/** Values `JSON.stringify` leaves out of objects and writes as `null` in arrays. */
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** `JSON.stringify(value, null, 2)` of a value nested `indent` deep: its own lines shifted by the indent. */
function stringifyAt(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2);
  // A JSON text has raw newlines only between its tokens (newlines in strings are escaped), so this shifts lines only.
  return indent ? text.replaceAll('\n', `\n${indent}`) : text;
}

/** The pieces of `JSON.stringify(value, null, 2)`, in order. */
export function* jsonPieces(value: unknown, indent = '', level = 0): Generator<string> {
  const walked =
    level < WALKED_LEVELS && value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
  if (!walked) {
    yield stringifyAt(value, indent);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i === 0 ? '\n' : ',\n'}${inner}`;
      const item: unknown = value[i];
      if (isOmitted(item)) yield 'null';
      else yield* jsonPieces(item, inner, level + 1);
    }
    yield `\n${indent}]`;
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((key) => !isOmitted(record[key]));
  if (keys.length === 0) {
    yield '{}';
    return;
  }
  yield '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    yield `${i === 0 ? '\n' : ',\n'}${inner}${JSON.stringify(key)}: `;
    yield* jsonPieces(record[key], inner, level + 1);
  }
  yield `\n${indent}}`;
}

/**
 * Writes `JSON.stringify(value, null, 2)` and a newline to `write` in chunks of about {@link WRITE_CHARS} characters.
 * `process.stdout.write` is synchronous for files and pipes on Linux, so chunks do not pile up in memory.
 */
export function writeJson(value: unknown, write: (text: string) => void): void {
  let parts: string[] = [];
  let size = 0;
  for (const piece of jsonPieces(value)) {
    parts.push(piece);
    size += piece.length;
    if (size >= WRITE_CHARS) {
      write(parts.join(''));
      parts = [];
      size = 0;
    }
  }
  parts.push('\n');
  write(parts.join(''));
}
