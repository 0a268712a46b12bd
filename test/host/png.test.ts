// The screenshot PNG encoder: CRC-32 check values, chunk layout, and pixels
// that survive the round trip through zlib.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { crc32, encodePng } from '../../src/host/png.js';

describe('PNG encoder', () => {
  test('CRC-32 gives the standard check value and the well-known IEND chunk CRC', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf4_3926);
    assert.equal(crc32(new TextEncoder().encode('IEND')), 0xae42_6082);
  });

  test('writes the signature, IHDR for 8-bit RGBA, IDAT with filter-0 rows, and IEND', () => {
    const rgba = Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 1, 2, 3, 4]);
    const png = Buffer.from(encodePng(2, 2, rgba));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunks: Array<{ type: string; data: Buffer; crc: number }> = [];
    for (let p = 8; p < png.length;) {
      const len = png.readUInt32BE(p);
      chunks.push({ type: png.toString('latin1', p + 4, p + 8), data: png.subarray(p + 8, p + 8 + len), crc: png.readUInt32BE(p + 8 + len) });
      p += 12 + len;
    }
    assert.deepEqual(chunks.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
    for (const c of chunks) assert.equal(c.crc, crc32(Buffer.concat([Buffer.from(c.type, 'latin1'), c.data])), `${c.type} CRC`);
    const ihdr = chunks[0].data;
    assert.deepEqual([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9], ihdr[10], ihdr[11], ihdr[12]], [2, 2, 8, 6, 0, 0, 0]);
    assert.deepEqual([...inflateSync(chunks[1].data)], [0, ...rgba.subarray(0, 8), 0, ...rgba.subarray(8)]);
  });

  test('rejects an empty size or too few pixels', () => {
    assert.throws(() => encodePng(0, 1, new Uint8Array(0)), RangeError);
    assert.throws(() => encodePng(2, 2, new Uint8Array(15)), RangeError);
  });
});
