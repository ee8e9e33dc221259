/**
 * How a report's JSON is kept in the `report_json` column. Small reports (errors, small schemas) stay plain JSON
 * text, readable with the `sqlite3` shell and its JSON functions; large ones are brotli-compressed.
 *
 * Measured on a generated 5,000-table report (exporter/bench generator, both DDLs plus the ERD): 15.4 MB of JSON;
 * brotli quality 5 gives 0.77 MB (20x) in ~120 ms and inflates in ~11 ms, against gzip -6 at 1.28 MB (12x) in
 * ~150 ms; quality 9 saves only 11% more for twice the time, quality 11 takes ~19 s. Twice-daily checks kept for
 * 30 days are then ~46 MB per such target instead of ~920 MB.
 */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/** `report_encoding` values. */
export type ReportEncoding = 'json' | 'br';

/** Reports whose JSON is at least this many bytes are compressed. */
export const COMPRESS_THRESHOLD_BYTES = 16 * 1024;

const BROTLI_QUALITY = 5;

/** A report ready for the `report_json` column. */
export interface EncodedReport {
  readonly encoding: ReportEncoding;
  /** Text for `json`, bytes for `br`. */
  readonly value: string | Uint8Array;
  /** Size of the JSON before compression. */
  readonly jsonBytes: number;
}

/** Encodes a report's JSON text, compressing it when it is large. */
export function encodeReportJson(json: string): EncodedReport {
  const jsonBytes = Buffer.byteLength(json);
  if (jsonBytes < COMPRESS_THRESHOLD_BYTES) return { encoding: 'json', value: json, jsonBytes };
  const value = brotliCompressSync(json, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: jsonBytes,
    },
  });
  return { encoding: 'br', value, jsonBytes };
}

/** The JSON text of a stored report. Throws when the column does not hold what its encoding says. */
export function decodeReportJson(encoding: string, value: unknown): string {
  if (encoding === 'json') {
    if (typeof value !== 'string') throw new Error(`report_json holds ${describe(value)}, expected text`);
    return value;
  }
  if (encoding === 'br') {
    if (!(value instanceof Uint8Array)) throw new Error(`report_json holds ${describe(value)}, expected a blob`);
    return brotliDecompressSync(value).toString('utf8');
  }
  throw new Error(`unknown report_encoding ${JSON.stringify(encoding)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'NULL';
  if (value instanceof Uint8Array) return 'a blob';
  return typeof value;
}
