// A minimal ONNX writer: just enough protobuf (varints, length-delimited fields, packed int64) to express the
// benchmark's graphs, so no Python or converter is needed. Field numbers follow onnx.proto (IR version 8).
const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

// Data types of TensorProto.DataType.
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

const utf8 = new TextEncoder();

class Writer {
  #chunks = [];
  #length = 0;

  #push(bytes) {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
  }

  // Unsigned varint of a non-negative safe integer (or a BigInt for int64 values).
  #varint(value) {
    let v = BigInt(value);
    if (v < 0n) v += 1n << 64n; // int64 negatives are ten-byte two's complement
    const out = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.#push(Uint8Array.from(out));
  }

  #tag(field, wire) {
    this.#varint(field * 8 + wire);
  }

  int(field, value) {
    this.#tag(field, WIRE_VARINT);
    this.#varint(value);
    return this;
  }
  float(field, value) {
    this.#tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.#push(b);
    return this;
  }
  bytes(field, value) {
    this.#tag(field, WIRE_BYTES);
    this.#varint(value.length);
    this.#push(value);
    return this;
  }
  string(field, value) {
    return this.bytes(field, utf8.encode(value));
  }
  message(field, writer) {
    return this.bytes(field, writer.finish());
  }
  packedInts(field, values) {
    const inner = new Writer();
    for (const v of values) inner.#varint(v);
    return this.bytes(field, inner.finish());
  }

  finish() {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

// TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian values).
function tensor(name, dims, dataType, raw) {
  return new Writer()
    .packedInts(1, dims)
    .int(2, dataType)
    .string(8, name)
    .bytes(9, new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
}

// ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 {value = 1 | param = 2}}}}}
function valueInfo(name, elemType, dims) {
  const shape = new Writer();
  for (const d of dims) {
    shape.message(1, typeof d === 'string' ? new Writer().string(2, d) : new Writer().int(1, d));
  }
  const tensorType = new Writer().int(1, elemType).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tensorType));
}

// NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
// AttributeProto: name = 1, f = 2, i = 3, type = 20 (FLOAT = 1, INT = 2).
function node(opType, inputs, outputs, attributes = {}) {
  const w = new Writer();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, `${opType}_${outputs[0]}`).string(4, opType);
  for (const [name, value] of Object.entries(attributes)) {
    const a = new Writer().string(1, name);
    if (Number.isInteger(value)) a.int(3, value).int(20, 2);
    else a.float(2, value).int(20, 1);
    w.message(5, a);
  }
  return w;
}

// ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 { domain = 1, version = 2 }.
// GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
function model({ nodes, initializers, inputs, outputs, name }) {
  const g = new Writer();
  for (const n of nodes) g.message(1, n);
  g.string(2, name);
  for (const t of initializers) g.message(5, t);
  for (const i of inputs) g.message(11, i);
  for (const o of outputs) g.message(12, o);
  return new Writer()
    .int(1, 8)
    .string(2, 'vitrine-bench')
    .message(7, g)
    .message(8, new Writer().string(1, '').int(2, 13))
    .finish();
}

/**
 * The MLP as Gemm (+ Relu | Sigmoid) nodes. `layers`: [{in, out, activation, weights: [in*out] row-major
 * [in][out], bias: [out]}]. Input "features" [N, in0], output "scores" [N, outLast].
 */
export function onnxMlp(layers) {
  const nodes = [],
    initializers = [];
  let x = 'features';
  layers.forEach((l, i) => {
    initializers.push(tensor(`fc${i}_w`, [l.in, l.out], ONNX_FLOAT, Float32Array.from(l.weights)));
    initializers.push(tensor(`fc${i}_b`, [l.out], ONNX_FLOAT, Float32Array.from(l.bias)));
    const z = `fc${i}_z`;
    nodes.push(node('Gemm', [x, `fc${i}_w`, `fc${i}_b`], [z]));
    const y = i + 1 === layers.length ? 'scores' : `fc${i}_y`;
    if (l.activation === 'relu') nodes.push(node('Relu', [z], [y]));
    else if (l.activation === 'sigmoid') nodes.push(node('Sigmoid', [z], [y]));
    else nodes.push(node('Identity', [z], [y]));
    x = y;
  });
  return model({
    name: 'reference_mlp',
    nodes,
    initializers,
    inputs: [valueInfo('features', ONNX_FLOAT, ['N', layers[0].in])],
    outputs: [valueInfo('scores', ONNX_FLOAT, ['N', layers.at(-1).out])],
  });
}

/**
 * Full-catalog top-K by dot product: scores = MatMul(query [1, dim], items_t [dim, nItems]); TopK(scores, k).
 * `itemsT` is the item table transposed ([dim][nItems]), the layout MatMul streams best.
 */
export function onnxTopK(itemsT, nItems, dim, k) {
  return model({
    name: 'catalog_top_k',
    nodes: [
      node('MatMul', ['query', 'items_t'], ['scores']),
      node('TopK', ['scores', 'k'], ['values', 'indices'], { axis: -1, largest: 1, sorted: 1 }),
    ],
    initializers: [
      tensor('items_t', [dim, nItems], ONNX_FLOAT, itemsT),
      tensor('k', [1], ONNX_INT64, BigInt64Array.from([BigInt(k)])),
    ],
    inputs: [valueInfo('query', ONNX_FLOAT, [1, dim])],
    outputs: [valueInfo('values', ONNX_FLOAT, [1, k]), valueInfo('indices', ONNX_INT64, [1, k])],
  });
}
