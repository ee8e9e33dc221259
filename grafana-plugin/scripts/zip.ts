/**
 * A minimal ZIP writer (PKWARE APPNOTE 6.3: local headers, central directory, end record; deflate or stored; no
 * ZIP64) on Node's own zlib. Written here instead of adding a dependency: the plugin zip holds a handful of small
 * files, and the build must work offline with what is installed. Output is deterministic for the same input.
 */
import { crc32, deflateRawSync } from 'node:zlib';

/** One entry: a file (content) or a directory (no content, name ending in `/`). */
export interface ZipEntry {
  /** Path inside the archive, `/`-separated. */
  name: string;
  content?: Uint8Array;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
/** Bit 11: names are UTF-8. */
const FLAG_UTF8 = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
/** "Made by" Unix (3), spec 2.0: the external attributes then carry Unix modes, which unzip and Grafana honour. */
const MADE_BY_UNIX = (3 << 8) | 20;
const VERSION_NEEDED = 20;
const MODE_FILE = 0o100644;
const MODE_DIR = 0o040755;
/** MS-DOS directory attribute. */
const DOS_DIR = 0x10;

/** MS-DOS date and time fields of a date (2-second resolution, local to nobody: we pass UTC parts). */
export function dosDateTime(date: Date): { date: number; time: number } {
  const year = Math.max(1980, date.getUTCFullYear());
  return {
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
  };
}

interface Prepared {
  name: Buffer;
  method: number;
  crc: number;
  size: number;
  data: Uint8Array;
  directory: boolean;
}

function prepare(entry: ZipEntry): Prepared {
  const directory = entry.name.endsWith('/');
  const content = entry.content ?? new Uint8Array();
  const deflated = directory ? content : deflateRawSync(content, { level: 9 });
  // Store when deflate does not help (tiny or already compressed files).
  const useDeflate = !directory && deflated.length < content.length;
  return {
    name: Buffer.from(entry.name, 'utf8'),
    method: useDeflate ? METHOD_DEFLATE : METHOD_STORED,
    crc: directory ? 0 : crc32(content),
    size: content.length,
    data: useDeflate ? deflated : content,
    directory,
  };
}

function localHeader(p: Prepared, stamp: { date: number; time: number }): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(LOCAL_HEADER, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(FLAG_UTF8, 6);
  header.writeUInt16LE(p.method, 8);
  header.writeUInt16LE(stamp.time, 10);
  header.writeUInt16LE(stamp.date, 12);
  header.writeUInt32LE(p.crc, 14);
  header.writeUInt32LE(p.data.length, 18);
  header.writeUInt32LE(p.size, 22);
  header.writeUInt16LE(p.name.length, 26);
  header.writeUInt16LE(0, 28);
  return Buffer.concat([header, p.name]);
}

function centralHeader(p: Prepared, stamp: { date: number; time: number }, offset: number): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(CENTRAL_HEADER, 0);
  header.writeUInt16LE(MADE_BY_UNIX, 4);
  header.writeUInt16LE(VERSION_NEEDED, 6);
  header.writeUInt16LE(FLAG_UTF8, 8);
  header.writeUInt16LE(p.method, 10);
  header.writeUInt16LE(stamp.time, 12);
  header.writeUInt16LE(stamp.date, 14);
  header.writeUInt32LE(p.crc, 16);
  header.writeUInt32LE(p.data.length, 20);
  header.writeUInt32LE(p.size, 24);
  header.writeUInt16LE(p.name.length, 28);
  // extra length (30), comment length (32), disk number (34), internal attributes (36): all 0
  const external = p.directory ? ((MODE_DIR << 16) | DOS_DIR) >>> 0 : (MODE_FILE << 16) >>> 0;
  header.writeUInt32LE(external, 38);
  header.writeUInt32LE(offset, 42);
  return Buffer.concat([header, p.name]);
}

/** The archive bytes for the entries, in the given order, all stamped with `modified`. */
export function createZip(entries: readonly ZipEntry[], modified: Date): Buffer {
  const stamp = dosDateTime(modified);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const prepared = prepare(entry);
    const local = localHeader(prepared, stamp);
    central.push(centralHeader(prepared, stamp, offset));
    parts.push(local, Buffer.from(prepared.data));
    offset += local.length + prepared.data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}
