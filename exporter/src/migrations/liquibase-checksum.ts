/**
 * Liquibase's identity and checksum of a formatted SQL changeset, shared by the changelog reader and the
 * `DATABASECHANGELOG` reader so both sides compute the same keys.
 */
import { createHash } from 'node:crypto';

/**
 * The `MD5SUM` Liquibase 4.24+ stores for a changeset whose only change is one SQL change (a formatted SQL
 * changeset), checksum version 9:
 * - the change: MD5 of the SQL's UTF-8 bytes with every space, tab, CR and LF removed (`AbstractSQLChange`'s
 *   `NormalizingStream`), written `9:<hex>`; the SQL is the changeset's lines without Liquibase's own directives
 *   (`--rollback`, `--comment`, `--precondition…`, ...), trimmed;
 * - the changeset: MD5 of the NFC-normalised text `<change checksum>:` (`ChangeSet.generateCheckSum`), `9:<hex>`.
 * Checked against values Liquibase 4.29 wrote (README, tests). Liquibase before 4.24 stored version 8 (`8:`),
 * computed differently; those are not compared (see `liquibase-state.ts`).
 */
export function liquibaseChecksum(sql: string): string {
  const change = `9:${md5(Buffer.from(sql.replace(/[ \t\r\n]/g, ''), 'utf8'))}`;
  return `9:${md5(Buffer.from(`${change}:`.normalize('NFC'), 'utf8'))}`;
}

/** The checksum version Liquibase writes before the `:` of an `MD5SUM` (`null` for a legacy value without one). */
export function checksumVersion(md5sum: string): number | null {
  const m = /^(\d):/.exec(md5sum);
  return m ? Number(m[1]) : null;
}

/**
 * The key a changeset is matched on between a changelog and `DATABASECHANGELOG`: `id::author::<base name>`.
 * `FILENAME` holds the path as the deploy gave it to Liquibase (relative to its search path, perhaps with
 * `classpath:` or a logicalFilePath), which the directory cannot know; id and author plus the file's base name
 * identify a changeset unless two changelogs of the same name in different folders reuse an id and author (the
 * reader refuses that).
 */
export function liquibaseKey(id: string, author: string, filename: string): string {
  return `${id}::${author}::${baseName(filename)}`;
}

/** The last path segment of a Liquibase file name (`/` or `\` separators, a `classpath:` prefix ignored). */
export function baseName(filename: string): string {
  const normalised = filename.replace(/^classpath\*?:/, '').replaceAll('\\', '/').replace(/\/+$/, '');
  return normalised.slice(normalised.lastIndexOf('/') + 1);
}

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}
