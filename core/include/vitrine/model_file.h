// The Vitrine model file: one binary file that holds a trained model, written natively by the trainer and
// read in the browser (wasm) and by the evaluator.
//
// Byte layout (all integers little-endian; docs/ARCHITECTURE.md has the same table):
//
//   offset  size  field
//   0       8     magic            89 'V' 'T' 'M' 0D 0A 1A 0A  (like PNG: the non-ASCII first byte and
//                                  CR/LF expose text-mode transfers)
//   8       4     format_version   u32, currently 1 (kModelFormatVersion)
//   12      4     header_bytes     u32, length of the JSON header
//   16      8     file_bytes       u64, length of the whole file
//   24      4     checksum         u32, CRC-32C (Castagnoli) of every byte of the file except these 4
//   28      4     reserved         u32, must be 0
//   32      H     header           UTF-8 JSON object, H = header_bytes (may end in spaces)
//   ...           zero padding up to the next multiple of 64
//   tensors, each at a 64-byte-aligned absolute offset, in any order, with zero padding between them;
//   the file ends exactly at the end of the last tensor.
//
// Header JSON (every field required, no other fields allowed; strict RFC 8259 text as json_value.h reads it, so
// also no key twice in one object):
//   {"format_version": 1, "kind": "session_attn", "vocab_size": 3,
//    "config": {...free-form feature configuration...}, "training": {...free-form metadata...},
//    "tensors": [{"name": "vocab", "dtype": "str", "shape": [3], "offset": 192, "bytes": 40}, ...]}
//
// Tensor encodings (dtype string in the header -> bytes at `offset`):
//   "f32"  numel little-endian IEEE binary32 values, row-major.
//   "f16"  numel little-endian IEEE binary16 values; read back as f32.
//   "i8"   rows f32 scales, then numel int8 values; value = scale[row] * q. rows = shape[0] for rank >= 2,
//          else 1; cols = numel / rows. The writer quantizes symmetrically: scale = max|x| / 127.
//   "i32"  numel little-endian int32 values (per-item category/brand/price-band ids).
//   "str"  rank 1, n strings: (n+1) u32 offsets (offsets[0] = 0, non-decreasing), then offsets[n] bytes of
//          UTF-8; string i is bytes [offsets[i], offsets[i+1]).
// Every model file has a "str" tensor named "vocab" of shape [vocab_size]: the merchant's product ids in item
// index order (unique); it is empty (vocab_size 0) in a model whose items come as codes (item_codes.h). f32 and f16
// values must be finite, and i8 scales lie in [0, FLT_MAX / 128] so that dequantized values are finite too.
//
// Loading (ModelFile::parse) validates all of this before it returns anything: the caller gets either a fully
// checked ModelFile or a Status, never a partial model. Codes:
//   MODEL_TRUNCATED  the bytes end before the preamble or before the declared file_bytes (any prefix of a
//                    valid file gets this code).
//   MODEL_VERSION    format_version is not one this build reads.
//   MODEL_CORRUPT    wrong magic, checksum mismatch, malformed or ill-typed header, tensors misaligned,
//                    overlapping, out of bounds, sizes disagreeing with shapes, invalid strings, non-finite
//                    floats.
//   LIMIT_EXCEEDED   a size is past ModelLimits.
//   INVALID_ARGUMENT the caller passed a null pointer with a non-zero size, or asked for a tensor that is not
//                    there or has another dtype.
// The core does no file I/O: callers pass bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vitrine/json_value.h"
#include "vitrine/status.h"

namespace vitrine {

inline constexpr uint32_t kModelFormatVersion = 1;
inline constexpr size_t kModelPreambleBytes = 32;
inline constexpr size_t kModelTensorAlignment = 64;
inline constexpr char kVocabTensorName[] = "vocab";

enum class DType : uint8_t { kF32, kF16, kI8, kI32, kStr };

// "f32", "f16", "i8", "i32", "str": the spelling used in the header.
const char* dtype_name(DType dtype);

// A set of dtypes, for TensorSpec: dtype_bit(DType::kF32) | dtype_bit(DType::kF16).
inline constexpr uint32_t dtype_bit(DType dtype) {
  return 1u << static_cast<uint32_t>(dtype);
}
inline constexpr uint32_t kFloatDTypes = dtype_bit(DType::kF32) | dtype_bit(DType::kF16) | dtype_bit(DType::kI8);

// Sane upper bounds checked while loading. The defaults suit a browser; a caller may lower (or raise) them.
struct ModelLimits {
  uint64_t max_file_bytes = 512ull << 20;
  uint64_t max_header_bytes = 1u << 20;
  uint64_t max_tensors = 256;
  uint64_t max_rank = 4;
  uint64_t max_vocab = 4'000'000;    // header vocab_size
  uint64_t max_rows = 4'000'000;     // first dimension of any tensor (item tables have vocab_size rows)
  uint64_t max_dim = 1u << 16;       // every other dimension (embedding dim, hidden sizes)
  uint64_t max_string_bytes = 1024;  // one string of a "str" tensor (a product id)
  uint64_t max_json_depth = 32;      // nesting of the JSON header, including config and training; the header
                                     // parser (json_value.h) recurses once per level, so keep it modest
};

// One tensor of a loaded file. `data` points into the ModelFile's own buffer (64-byte aligned in memory) and
// stays valid as long as that ModelFile lives, also after it is moved.
struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<size_t> shape;
  size_t element_count = 0;  // product of shape; for "str", the number of strings
  size_t rows = 0;           // i8 scale rows: shape[0] for rank >= 2, else 1
  size_t cols = 0;           // element_count / rows
  uint64_t offset = 0;       // in the file
  size_t byte_size = 0;
  const uint8_t* data = nullptr;
};

// What a model kind expects of one tensor, for ModelFile::check_tensors. Dimensions are exact sizes or one of
// the symbolic values below.
struct TensorSpec {
  static constexpr int64_t kVocabDim = -1;  // must equal the header's vocab_size
  static constexpr int64_t kAnyDim = -2;    // any size

  std::string name;
  uint32_t dtypes = kFloatDTypes;  // allowed storage dtypes (bit set, see dtype_bit)
  std::vector<int64_t> shape;
  bool required = true;
  // For i32 tensors: every value must lie in [min_value, max_value] (e.g. category ids < category rows).
  int32_t min_value = INT32_MIN;
  int32_t max_value = INT32_MAX;
};

// A validated model file. Move-only: it owns a private, aligned copy of the bytes.
class ModelFile {
 public:
  ModelFile() = default;  // empty; only parse() makes a usable one
  ModelFile(ModelFile&&) noexcept = default;
  ModelFile& operator=(ModelFile&&) noexcept = default;
  ModelFile(const ModelFile&) = delete;
  ModelFile& operator=(const ModelFile&) = delete;

  // Checks `size` bytes at `data` completely (see the top of this header) and, if they are a valid model
  // file within `limits`, returns a ModelFile that owns a copy of them. The caller keeps ownership of `data`.
  static Result<ModelFile> parse(const uint8_t* data, size_t size, const ModelLimits& limits = ModelLimits());

  uint32_t format_version() const { return format_version_; }
  const std::string& kind() const { return kind_; }
  size_t vocab_size() const { return vocabulary_.size(); }
  // The header's "config" and "training" objects, members in file order.
  const JsonValue& config() const { return config_; }
  const JsonValue& training() const { return training_; }
  size_t file_bytes() const { return size_; }

  // Tensors in header order (the vocab tensor included).
  const std::vector<TensorView>& tensors() const { return tensors_; }
  // nullptr when there is no tensor of that name.
  const TensorView* find(std::string_view name) const;

  // The item vocabulary: product id strings in item index order. Views into this ModelFile's buffer.
  const std::vector<std::string_view>& vocabulary() const { return vocabulary_; }
  // The item of a product id: k + 1 for vocabulary()[k], 0 if the model does not know it.
  uint32_t item_of(std::string_view product_id) const;

  // A float tensor (f32, f16 or i8) as f32 values, row-major. INVALID_ARGUMENT if absent or not a float
  // dtype.
  Result<std::vector<float>> read_f32(std::string_view name) const;
  // Same into a caller buffer of exactly element_count floats.
  Status read_f32(std::string_view name, float* out, size_t count) const;
  // An i32 tensor.
  Result<std::vector<int32_t>> read_i32(std::string_view name) const;
  // A str tensor, as views into this ModelFile's buffer.
  Result<std::vector<std::string_view>> read_strings(std::string_view name) const;

  // MODEL_CORRUPT, naming the tensor and expected vs. actual, unless every spec holds: present (if required),
  // an allowed dtype, the expected shape, and i32 values in range.
  Status check_tensor(const TensorSpec& spec) const;
  Status check_tensors(const std::vector<TensorSpec>& specs) const;

 private:
  struct AlignedDelete {
    void operator()(uint8_t* p) const;
  };

  std::unique_ptr<uint8_t[], AlignedDelete> bytes_;
  size_t size_ = 0;
  uint32_t format_version_ = 0;
  std::string kind_;
  JsonValue config_;
  JsonValue training_;
  std::vector<TensorView> tensors_;
  std::vector<std::string_view> vocabulary_;
  std::unordered_map<std::string_view, uint32_t> item_index_;  // id -> item, built by the uniqueness check

  friend class ModelFileParser;
};

// ModelFileWriter, which builds model files, is in model_file_writer.h.

// ---- building blocks, public for tests and for tools that patch files

// IEEE 754 binary16 <-> binary32. f32_to_f16 rounds to nearest, ties to even; overflow gives infinity, tiny
// values become subnormals or signed zero, NaN stays NaN (quiet, top payload bits kept). f16_to_f32 is exact.
uint16_t f32_to_f16(float value);
float f16_to_f32(uint16_t half);

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, init and final xor 0xFFFFFFFF); "123456789" gives
// 0xE3069283. `crc` chains calls: crc32c(b, nb, crc32c(a, na)) == crc32c(ab, na + nb).
uint32_t crc32c(const uint8_t* data, size_t size, uint32_t crc = 0);

// The checksum a model file of `size` bytes (size >= kModelPreambleBytes) should carry: CRC-32C of all bytes
// except the checksum field at offset 24..27.
uint32_t model_file_checksum(const uint8_t* data, size_t size);

}  // namespace vitrine
