/**
 * Does a migration file still match the checksum its tool recorded when it was deployed? Mirrors Prisma's
 * `script_matches_checksum` (prisma-engines `schema-connector/src/checksum.rs`): sha256 hex of the script as it is,
 * with CRLF turned into LF, or LF into CRLF (git rewrites line endings), and old checksums written without
 * zero-padding. drizzle-orm hashes the file text (1.x after turning CRLF into LF), which the same variants cover.
 */
import { createHash } from 'node:crypto';

const CHECKSUM_LENGTH = 64;

/** True when `checksum` is the sha256 of the file (`sha256`: of its raw bytes; `sql`: its text) in any variant. */
export function matchesChecksum(file: { readonly sha256: string; readonly sql: string }, checksum: string): boolean {
  const wanted = checksum.toLowerCase();
  const unpadded = wanted.length !== CHECKSUM_LENGTH && wanted !== '';
  // Runs on every check for every deployed file: the raw bytes' digest (already known) decides the usual case, the
  // variants are hashed only when it does not match.
  const digests = [
    () => Buffer.from(file.sha256, 'hex'),
    () => sha256(file.sql),
    () => sha256(file.sql.replaceAll('\r\n', '\n')),
    () => sha256(file.sql.replaceAll('\n', '\r\n')),
  ];
  return digests.some((digest) => render(digest(), unpadded) === wanted);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Hex, two digits a byte; or one digit for bytes below 16, as an early Prisma version wrote them. */
function render(digest: Buffer, unpadded: boolean): string {
  if (!unpadded) return digest.toString('hex');
  return [...digest].map((byte) => byte.toString(16)).join('');
}
