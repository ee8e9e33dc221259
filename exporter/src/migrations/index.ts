/**
 * Migration directory reader: the public API of `exporter/src/migrations`.
 */
export { migrationFormatOf, readMigrationDirectory } from './read-directory.ts';
export type { IgnoredFile, MigrationDirectory, MigrationFile, MigrationFormat, ReadMigrationOptions } from './types.ts';
export { MIGRATION_FORMATS } from './types.ts';
export { compareVersions } from './versions.ts';
export type { SqlStatement } from './split-scan.ts';
export { filesUpTo, hashMigrationFiles, hashUpTo } from './hash.ts';
export { detectFormat } from './detect.ts';
export { computeAtlasSum, formatAtlasSum, parseAtlasSum, verifyAtlasSum } from './atlas-sum.ts';
export type { AtlasSum, AtlasSumEntry, AtlasSumInput } from './atlas-sum.ts';
export { breakpointStatements } from './format-drizzle.ts';
