import { crc32, inflateRawSync } from 'node:zlib';

/** One file or folder read back from a zip. */
export interface ReadEntry {
  name: string;
  content: Buffer;
  /** Unix mode from the external attributes (0 when the archive was not made on Unix). */
  mode: number;
}

/**
 * Reads a zip through its central directory, as unzip and Go's archive/zip (Grafana's installer) do, inflating
 * every entry and checking its CRC-32 and size against the directory. Throws on any inconsistency.
 */
export function readZip(zip: Buffer): ReadEntry[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) {
    throw new Error('no end-of-central-directory record');
  }
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) {
      throw new Error(`central header ${i} has a bad signature`);
    }
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const madeBy = zip.readUInt16LE(at + 4) >> 8;
    const external = zip.readUInt32LE(at + 38);
    const offset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (zip.readUInt32LE(offset) !== 0x04034b50) {
      throw new Error(`local header of ${name} has a bad signature`);
    }
    const localName = zip.toString('utf8', offset + 30, offset + 30 + zip.readUInt16LE(offset + 26));
    if (localName !== name) {
      throw new Error(`local name ${localName} differs from central name ${name}`);
    }
    const dataStart = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    const data = zip.subarray(dataStart, dataStart + compressed);
    const content = method === 8 ? inflateRawSync(data) : method === 0 ? Buffer.from(data) : null;
    if (!content) {
      throw new Error(`${name}: unsupported method ${method}`);
    }
    if (content.length !== size || crc32(content) !== crc) {
      throw new Error(`${name}: size or CRC-32 does not match the directory`);
    }
    entries.push({ name, content, mode: madeBy === 3 ? external >>> 16 : 0 });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
