// Rewrites the JSON header of a model file (docs/ARCHITECTURE.md, "The model file") and makes its CRC-32C right
// again, so that a test can hand the engine a file that passes the checksum and lies about everything else.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; ++k) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32C (Castagnoli); `crc` chains calls as core/include/vitrine/model_file.h's crc32c does. */
export function crc32c(bytes, crc = 0) {
  let c = ~crc >>> 0;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)) >>> 0;
  return ~c >>> 0;
}

/**
 * A copy of `bytes` whose header is edit(header) (the parsed JSON, changed in place or returned), with the header
 * length and the checksum made to match. The new header must fit in the space before the first tensor.
 */
export function withHeader(bytes, edit) {
  const out = Buffer.from(bytes);
  const length = out.readUInt32LE(12);
  const header = JSON.parse(out.subarray(32, 32 + length).toString('utf8'));
  const text = Buffer.from(JSON.stringify(edit(header) ?? header), 'utf8');
  const room = Math.min(...header.tensors.map((t) => t.offset)) - 32;
  if (text.length > room) throw new Error(`the new header needs ${text.length} bytes, there are ${room}`);
  out.fill(0, 32, 32 + room);
  text.copy(out, 32);
  out.writeUInt32LE(text.length, 12);
  out.writeUInt32LE(crc32c(out.subarray(28), crc32c(out.subarray(0, 24))), 24);
  return out;
}
