/**
 * The smallest query interface both `pg.Client` and PGlite satisfy, so the same inspector reads a live server and
 * the embedded scratch database.
 */
export interface QueryResultLike<R> {
  readonly rows: R[];
}

/** Runs one query with bind parameters: `pg.Client` and PGlite both satisfy it. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResultLike<R>>;
}
