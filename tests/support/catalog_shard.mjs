// The product ids of a catalog index shard (core/include/vitrine/catalog_index.h), read from its layout by the tests
// and benchmarks themselves, apart from the engine: "VTS1", n, code bytes, n + 1 end offsets, then the ids' bytes.
export function shardIds(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== 0x31535456) throw new Error('not a VTS1 shard');
  const n = view.getUint32(4, true);
  const text = 12 + 4 * (n + 1);
  const end = (i) => view.getUint32(12 + 4 * i, true);
  const decoder = new TextDecoder();
  return Array.from({ length: n }, (_, i) => decoder.decode(bytes.subarray(text + end(i), text + end(i + 1))));
}
