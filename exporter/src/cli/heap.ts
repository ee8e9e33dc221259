/**
 * The heap settings of the one-shot commands that read whole catalogs (`inspect`, `diff`).
 *
 * Reading 5,000 tables allocates hundreds of thousands of short-lived objects (driver rows, then model values). V8
 * lets its young generation grow while that goes on, and the process keeps the pages it grew into: the peak RSS of
 * `inspect` at 5,000 tables was about 290 MB for PostgreSQL and 300 MB for MariaDB, against 140 MB and 140-170 MB with
 * the young generation kept at its starting size, for about the same CPU time (measured with the compiled package on
 * the bench's generated schemas; `npm run bench` prints the current figures). The agent (`serve`) is left as it is.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its starting size from now on (`--semi-space-growth-factor=1`), for this process. V8
 * reads the flag whenever it would grow the young generation, so setting it after start-up takes effect; Node's
 * `v8.setFlagsFromString` warns that a flag set late may also do nothing, which the bench would show.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
