import { describe, expect, it } from 'vitest';

import { createZip, dosDateTime } from '../../scripts/zip.ts';
import { readZip } from '../support/zip-reader.ts';

describe('createZip', () => {
  const text = Buffer.from('plugin '.repeat(200));
  const tiny = Buffer.from('x');
  const entries = [{ name: 'p/' }, { name: 'p/big.txt', content: text }, { name: 'p/tiny', content: tiny }, { name: 'p/ü.md', content: Buffer.from('') }];
  const stamp = new Date('2026-03-01T12:34:56Z');

  it('writes entries that read back byte for byte, in order, with Unix modes', () => {
    const read = readZip(createZip(entries, stamp));
    expect(read.map((e) => e.name)).toEqual(['p/', 'p/big.txt', 'p/tiny', 'p/ü.md']);
    expect(read[1]?.content.equals(text)).toBe(true);
    expect(read[2]?.content.toString()).toBe('x');
    expect(read[0]?.mode).toBe(0o040755);
    expect(read[1]?.mode).toBe(0o100644);
  });

  it('deflates what compresses and stores the rest', () => {
    const zip = createZip(entries, stamp);
    expect(zip.length).toBeLessThan(text.length);
    // Method field of the second local header (after the folder's 30 + 2 byte header).
    expect(zip.readUInt16LE(32 + 8)).toBe(8);
  });

  it('is deterministic', () => {
    expect(createZip(entries, stamp).equals(createZip(entries, stamp))).toBe(true);
  });

  it('encodes MS-DOS date and time', () => {
    expect(dosDateTime(stamp)).toEqual({
      date: ((2026 - 1980) << 9) | (3 << 5) | 1,
      time: (12 << 11) | (34 << 5) | 28,
    });
  });
});
