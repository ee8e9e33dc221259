/**
 * Where the command line writes: the process's streams, or a test's buffers.
 */

/** Where output goes; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The process's standard output and error. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};
