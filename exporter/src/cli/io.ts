/**
 * Where the command line writes: the process's streams, or a test's buffers; and the text lines more than one
 * command writes.
 */
import { oneLine } from '../core/report/build.ts';
import type { RevisionState } from '../revision/revision-state.ts';

/** Where output goes; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /**
   * A step that takes a while has begun (reading a database, replaying migrations), for a person watching: absent,
   * or quiet, when nobody is (stderr not a terminal), so scripts and logs get only the results.
   */
  progress?(step: string): void;
}

/** The process's standard output and error; progress lines on stderr only when it is a terminal. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  progress: (step) => {
    if (process.stderr.isTTY) process.stderr.write(`schema-drift: ${step}…\n`);
  },
};

/** What the database's revision table says, as one line of the text output (`diff`, `demo`). */
export function revisionText(revision: RevisionState): string {
  const deployed = revision.version === null ? 'no migration deployed' : `version ${revision.version} deployed`;
  const line = `Migrations: ${revision.tool} (${revision.table}), ${deployed}`;
  if (revision.deploying) return `${line}; DEPLOYING: ${oneLine(revision.deploying)} (the comparison is of a schema between two versions)`;
  if (!revision.dirty) return line;
  const failed = revision.failedVersion !== undefined ? ` at ${revision.failedVersion}` : '';
  const error = revision.error ? `: ${oneLine(revision.error)}` : '';
  return `${line}; DIRTY: a migration failed${failed}${error}`;
}
