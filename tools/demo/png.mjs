// Minimal PNG writer for the demo catalog: 8-bit RGB, one IDAT compressed with zlib. Enough for generated product
// sheets; no palette, no interlace, no ancillary chunks.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; ++n) {
    let c = n;
    for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC, the one PNG uses) of a byte range. */
export function crc32(bytes, crc = 0) {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; ++i) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(data.buffer, data.byteOffset, data.length).copy(out, 8);
  // The CRC covers the type and the data, not the length.
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encodes RGB pixels (width*height*3 bytes, rows top to bottom) as a PNG file.
 * Each row uses the Up filter when it is smaller than no filter: product sheets are mostly flat background.
 */
export function encodePng(width, height, rgb) {
  if (rgb.length !== width * height * 3) throw new Error(`expected ${width * height * 3} bytes, got ${rgb.length}`);
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; ++y) {
    const row = y * stride,
      out = y * (stride + 1);
    let sumNone = 0,
      sumUp = 0;
    for (let x = 0; x < stride; ++x) {
      const v = rgb[row + x],
        up = y > 0 ? rgb[row - stride + x] : 0;
      sumNone += v < 128 ? v : 256 - v;
      const d = (v - up) & 0xff;
      sumUp += d < 128 ? d : 256 - d;
    }
    const useUp = sumUp < sumNone;
    raw[out] = useUp ? 2 : 0;
    for (let x = 0; x < stride; ++x) {
      const v = rgb[row + x];
      raw[out + 1 + x] = useUp ? (v - (y > 0 ? rgb[row - stride + x] : 0)) & 0xff : v;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  header[10] = header[11] = header[12] = 0; // deflate, adaptive filtering, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
