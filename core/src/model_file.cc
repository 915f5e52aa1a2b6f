// ModelFile: the validating loader and the typed readers. The writer is in model_file/writer.cc.
//
// parse() runs in stages, each relying only on what the previous ones proved: preamble (sizes, version), a
// private copy, checksum, header JSON (types, limits), each tensor entry (dtype, shape, offset, byte size),
// layout (overlaps, padding), contents (finite floats, string offsets, UTF-8, unique vocabulary). Only after
// the last stage is a ModelFile returned.
#include "vitrine/model_file.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <unordered_set>

#include "model_file/internal.h"

namespace vitrine {

using namespace model_file_internal;  // NOLINT: file-local helpers

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return "f32";
    case DType::kF16:
      return "f16";
    case DType::kI8:
      return "i8";
    case DType::kI32:
      return "i32";
    case DType::kStr:
      return "str";
  }
  return "?";
}

void ModelFile::AlignedDelete::operator()(uint8_t* p) const {
  ::operator delete[](p, std::align_val_t(kModelTensorAlignment));
}

namespace {

constexpr float kMaxI8Scale = std::numeric_limits<float>::max() / 128.0f;

Status corrupt(std::string message) {
  return Status(StatusCode::kMODEL_CORRUPT, std::move(message));
}
Status limit(std::string message) {
  return Status(StatusCode::kLIMIT_EXCEEDED, std::move(message));
}
std::string str(uint64_t v) {
  return std::to_string(v);
}

std::string hex(uint64_t v) {
  return "0x" + model_file_internal::hex_digits(v, 8, true);
}

std::string shape_string(const std::vector<size_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

bool parse_dtype(const std::string& name, DType* out) {
  for (DType d : {DType::kF32, DType::kF16, DType::kI8, DType::kI32, DType::kStr}) {
    if (name == dtype_name(d)) {
      *out = d;
      return true;
    }
  }
  return false;
}

// Checked accessors: each names the header field ("tensors[2].offset") in its error.
Status require_field(const JsonValue& object, const char* key, const std::string& where, const JsonValue** out) {
  *out = object.find(key);
  if (*out == nullptr) return corrupt("header field '" + where + key + "' is missing");
  return Status();
}

Status get_u64(const JsonValue& object, const char* key, const std::string& where, uint64_t* out) {
  const JsonValue* value = nullptr;
  VITRINE_RETURN_IF_ERROR(require_field(object, key, where, &value));
  const auto u = value->as_uint64();
  if (!u) {
    return corrupt("header field '" + where + key + "' must be a non-negative integer, got " + value->type_name() +
                   " " + write_json(*value));
  }
  *out = *u;
  return Status();
}

Status get_string(const JsonValue& object, const char* key, const std::string& where, std::string* out) {
  const JsonValue* value = nullptr;
  VITRINE_RETURN_IF_ERROR(require_field(object, key, where, &value));
  if (!value->is_string()) {
    return corrupt("header field '" + where + key + "' must be a string, got " + value->type_name());
  }
  *out = value->as_string();
  return Status();
}

Status only_fields(const JsonValue& object, std::initializer_list<const char*> allowed, const std::string& where) {
  for (const JsonMember& m : object.members()) {
    bool known = false;
    for (const char* a : allowed) known = known || m.key == a;
    if (!known) return corrupt("header has unknown field '" + where + m.key + "'");
  }
  return Status();
}

}  // namespace

// The staged validation behind ModelFile::parse. A friend of ModelFile: fills one in and hands it over only
// when every stage passed.
class ModelFileParser {
 public:
  ModelFileParser(const uint8_t* data, size_t size, const ModelLimits& limits)
      : in_(data), size_(size), limits_(limits) {}

  Result<ModelFile> run() {
    VITRINE_RETURN_IF_ERROR(check_preamble());
    VITRINE_RETURN_IF_ERROR(copy_and_checksum());
    VITRINE_RETURN_IF_ERROR(parse_header());
    for (size_t i = 0; i < entries_->size(); ++i) VITRINE_RETURN_IF_ERROR(parse_tensor_entry(i));
    VITRINE_RETURN_IF_ERROR(check_layout());
    for (const auto& t : file_.tensors_) VITRINE_RETURN_IF_ERROR(check_contents(t));
    VITRINE_RETURN_IF_ERROR(load_vocabulary());
    return std::move(file_);
  }

 private:
  Status check_preamble() {
    if (in_ == nullptr && size_ > 0) {
      return Status(StatusCode::kINVALID_ARGUMENT, "model bytes are null but size is " + str(size_));
    }
    const size_t magic_seen = std::min(size_, sizeof kMagic);
    if (magic_seen > 0 && std::memcmp(in_, kMagic, magic_seen) != 0) {
      std::string seen;
      for (size_t i = 0; i < magic_seen; ++i) seen += (i ? " " : "") + hex(in_[i]).substr(8);
      return corrupt("not a Vitrine model file: magic bytes are " + seen + ", expected 89 56 54 4D 0D 0A 1A 0A");
    }
    if (size_ >= kVersionAt + 4) {
      version_ = load_u32(in_ + kVersionAt);
      if (version_ != kModelFormatVersion) {
        return Status(StatusCode::kMODEL_VERSION, "model file format version " + str(version_) +
                                                      (version_ > kModelFormatVersion ? " (newer)" : "") +
                                                      ", this build reads version " + str(kModelFormatVersion));
      }
    }
    if (size_ < kModelPreambleBytes) {
      return Status(StatusCode::kMODEL_TRUNCATED, "model file is " + str(size_) + " bytes, shorter than the " +
                                                      str(kModelPreambleBytes) + "-byte preamble");
    }
    header_bytes_ = load_u32(in_ + kHeaderBytesAt);
    file_bytes_ = load_u64(in_ + kFileBytesAt);
    if (size_ > limits_.max_file_bytes) {
      return limit("model file is " + str(size_) + " bytes, max_file_bytes is " + str(limits_.max_file_bytes));
    }
    if (file_bytes_ > limits_.max_file_bytes) {
      return limit("preamble file_bytes is " + str(file_bytes_) + ", max_file_bytes is " + str(limits_.max_file_bytes));
    }
    if (size_ < file_bytes_) {
      return Status(StatusCode::kMODEL_TRUNCATED,
                    "model file is " + str(size_) + " bytes, preamble file_bytes declares " + str(file_bytes_));
    }
    if (size_ > file_bytes_) {
      return corrupt("model file is " + str(size_) + " bytes, preamble file_bytes declares only " + str(file_bytes_));
    }
    if (header_bytes_ > limits_.max_header_bytes) {
      return limit("preamble header_bytes is " + str(header_bytes_) + ", max_header_bytes is " +
                   str(limits_.max_header_bytes));
    }
    if (kModelPreambleBytes + header_bytes_ > file_bytes_) {
      return corrupt("preamble header_bytes " + str(header_bytes_) + " runs past the end of the " + str(file_bytes_) +
                     "-byte file");
    }
    return Status();
  }

  // Everything after this works on the private copy, so a caller that changes its buffer meanwhile cannot
  // make a checked byte differ from a used one.
  Status copy_and_checksum() {
    auto* raw = static_cast<uint8_t*>(::operator new[](size_, std::align_val_t(kModelTensorAlignment), std::nothrow));
    if (raw == nullptr) return Status(StatusCode::kOUT_OF_MEMORY, "no memory for a " + str(size_) + "-byte model");
    file_.bytes_.reset(raw);
    file_.size_ = size_;
    std::memcpy(raw, in_, size_);
    const uint32_t stored = load_u32(raw + kChecksumAt);
    const uint32_t computed = model_file_checksum(raw, size_);
    if (stored != computed) {
      return corrupt("checksum mismatch: preamble says " + hex(stored) + ", the bytes give " + hex(computed) +
                     " (the file is damaged)");
    }
    const uint32_t reserved = load_u32(raw + kReservedAt);
    if (reserved != 0) return corrupt("preamble reserved field is " + hex(reserved) + ", must be 0");
    return Status();
  }

  Status parse_header() {
    const auto* text = reinterpret_cast<const char*>(file_.bytes_.get() + kModelPreambleBytes);
    const size_t text_size = static_cast<size_t>(header_bytes_);
    // JSON text never holds a NUL byte; said as plainly as the other checks of the raw header.
    if (const void* nul = std::memchr(text, '\0', text_size); nul != nullptr) {
      return corrupt("header holds a NUL byte at offset " +
                     str(static_cast<uint64_t>(static_cast<const char*>(nul) - text)) + "; JSON text cannot");
    }
    size_t error_at = 0;
    const auto max_depth = static_cast<size_t>(std::min<uint64_t>(limits_.max_json_depth, SIZE_MAX));
    auto parsed = parse_json(std::string_view(text, text_size), max_depth, &error_at);
    if (!parsed.ok()) {
      if (parsed.status().code() == StatusCode::kLIMIT_EXCEEDED) {
        return limit("header JSON nests deeper than max_json_depth " + str(limits_.max_json_depth) + " at byte " +
                     str(error_at));
      }
      return corrupt("header is not valid JSON: " + parsed.status().message());
    }
    header_ = std::move(parsed).value();
    if (!header_.is_object()) return corrupt(std::string("header must be a JSON object, got ") + header_.type_name());
    VITRINE_RETURN_IF_ERROR(
        only_fields(header_, {"format_version", "kind", "vocab_size", "config", "training", "tensors"}, ""));

    uint64_t version = 0;
    VITRINE_RETURN_IF_ERROR(get_u64(header_, "format_version", "", &version));
    if (version != version_) {
      return corrupt("header field 'format_version' is " + str(version) + ", preamble says " + str(version_));
    }
    file_.format_version_ = version_;
    VITRINE_RETURN_IF_ERROR(get_string(header_, "kind", "", &file_.kind_));
    if (file_.kind_.empty()) return corrupt("header field 'kind' is empty");
    VITRINE_RETURN_IF_ERROR(get_u64(header_, "vocab_size", "", &vocab_size_));
    if (vocab_size_ > limits_.max_vocab) {
      return limit("header vocab_size is " + str(vocab_size_) + ", max_vocab is " + str(limits_.max_vocab));
    }
    for (const char* key : {"config", "training"}) {
      const JsonValue* value = nullptr;
      VITRINE_RETURN_IF_ERROR(require_field(header_, key, "", &value));
      if (!value->is_object()) {
        return corrupt(std::string("header field '") + key + "' must be an object, got " + value->type_name());
      }
    }
    file_.config_ = std::move(*header_.find("config"));
    file_.training_ = std::move(*header_.find("training"));

    const JsonValue* tensors = nullptr;
    VITRINE_RETURN_IF_ERROR(require_field(header_, "tensors", "", &tensors));
    if (!tensors->is_array()) {
      return corrupt(std::string("header field 'tensors' must be an array, got ") + tensors->type_name());
    }
    if (tensors->size() > limits_.max_tensors) {
      return limit("header lists " + str(tensors->size()) + " tensors, max_tensors is " + str(limits_.max_tensors));
    }
    entries_ = &tensors->items();
    data_start_ = kModelPreambleBytes + header_bytes_;
    file_.tensors_.reserve(tensors->size());
    return Status();
  }

  Status parse_tensor_entry(size_t index) {
    const JsonValue& entry = (*entries_)[index];
    std::string where = "tensors[" + str(index) + "].";
    if (!entry.is_object()) {
      return corrupt("header field 'tensors[" + str(index) + "]' must be an object, got " + entry.type_name());
    }
    VITRINE_RETURN_IF_ERROR(only_fields(entry, {"name", "dtype", "shape", "offset", "bytes"}, where));
    TensorView t;
    VITRINE_RETURN_IF_ERROR(get_string(entry, "name", where, &t.name));
    if (t.name.empty() || t.name.size() > 128) {
      return corrupt("header field '" + where + "name' must be 1..128 bytes, got " + str(t.name.size()));
    }
    if (!names_.insert(t.name).second) return corrupt("tensor '" + t.name + "' appears twice in the header");
    const std::string what = "tensor '" + t.name + "' (" + where.substr(0, where.size() - 1) + ")";

    std::string dtype;
    VITRINE_RETURN_IF_ERROR(get_string(entry, "dtype", where, &dtype));
    if (!parse_dtype(dtype, &t.dtype)) return corrupt(what + ": unknown dtype " + quote_for_message(dtype));

    const JsonValue* shape = nullptr;
    VITRINE_RETURN_IF_ERROR(require_field(entry, "shape", where, &shape));
    if (!shape->is_array()) return corrupt(what + ": shape must be an array, got " + shape->type_name());
    if (shape->size() == 0) return corrupt(what + ": shape is empty (rank 0)");
    if (shape->size() > limits_.max_rank) {
      return limit(what + ": rank " + str(shape->size()) + ", max_rank is " + str(limits_.max_rank));
    }
    if (t.dtype == DType::kStr && shape->size() != 1) {
      return corrupt(what + ": a str tensor has rank 1, shape has rank " + str(shape->size()));
    }
    uint64_t numel = 1;
    std::vector<uint64_t> dims;
    for (size_t d = 0; d < shape->size(); ++d) {
      const JsonValue& dim = shape->items()[d];
      const uint64_t v = dim.as_uint64().value_or(0);
      // The one empty tensor: the vocabulary of a model whose items come as codes (item_codes.h).
      const bool empty_vocab = t.name == kVocabTensorName && dim.as_uint64() && v == 0;
      if (v == 0 && !empty_vocab)
        return corrupt(what + ": shape[" + str(d) + "] must be a positive integer, got " + write_json(dim));
      const uint64_t cap = d == 0 ? limits_.max_rows : limits_.max_dim;
      if (v > cap) {
        return limit(what + ": shape[" + str(d) + "] is " + str(v) + ", " + (d == 0 ? "max_rows" : "max_dim") + " is " +
                     str(cap));
      }
      // Overflow here means the shape cannot match any byte size within the file.
      if (v != 0 && numel > file_bytes_ / v)
        return corrupt(what + ": shape holds more elements than the file has bytes");
      numel *= v;
      dims.push_back(v);
    }

    uint64_t offset = 0, bytes = 0;
    VITRINE_RETURN_IF_ERROR(get_u64(entry, "offset", where, &offset));
    VITRINE_RETURN_IF_ERROR(get_u64(entry, "bytes", where, &bytes));
    if (offset % kModelTensorAlignment != 0) {
      return corrupt(what + ": offset " + str(offset) + " is not a multiple of " + str(kModelTensorAlignment));
    }
    if (offset < data_start_) {
      return corrupt(what + ": offset " + str(offset) + " is inside the preamble and header, which end at " +
                     str(data_start_));
    }
    if (bytes > file_bytes_ || offset > file_bytes_ - bytes) {
      return corrupt(what + ": bytes [" + str(offset) + ", " + str(offset) + "+" + str(bytes) +
                     ") run past the end of the " + str(file_bytes_) + "-byte file");
    }

    // numel <= file_bytes here, so none of these overflow.
    const uint64_t rows = dims.size() >= 2 ? dims[0] : 1;
    uint64_t expected = 0;
    switch (t.dtype) {
      case DType::kF32:
      case DType::kI32:
        expected = 4 * numel;
        break;
      case DType::kF16:
        expected = 2 * numel;
        break;
      case DType::kI8:
        expected = 4 * rows + numel;
        break;
      case DType::kStr:
        expected = 4 * (numel + 1);
        break;  // plus the text, checked with the contents
    }
    const bool size_ok = t.dtype == DType::kStr ? bytes >= expected : bytes == expected;
    if (!size_ok) {
      std::string shape_text = "[";
      for (size_t d = 0; d < dims.size(); ++d) shape_text += (d ? "," : "") + str(dims[d]);
      return corrupt(what + ": dtype " + dtype + " shape " + shape_text + "] needs " +
                     (t.dtype == DType::kStr ? "at least " : "") + str(expected) + " bytes, header says " + str(bytes));
    }

    // Every count is now bounded by the in-memory file size, so size_t holds it.
    for (uint64_t v : dims) t.shape.push_back(static_cast<size_t>(v));
    t.element_count = static_cast<size_t>(numel);
    t.rows = static_cast<size_t>(rows);
    t.cols = static_cast<size_t>(numel / rows);
    t.offset = offset;
    t.byte_size = static_cast<size_t>(bytes);
    t.data = file_.bytes_.get() + static_cast<size_t>(offset);
    file_.tensors_.push_back(std::move(t));
    return Status();
  }

  // No two tensors share a byte, every byte between header and tensors is zero, nothing follows the last one.
  Status check_layout() {
    std::vector<const TensorView*> order;
    for (const auto& t : file_.tensors_) order.push_back(&t);
    std::sort(order.begin(), order.end(),
              [](const TensorView* a, const TensorView* b) { return a->offset < b->offset; });
    uint64_t cursor = data_start_;
    const TensorView* previous = nullptr;
    for (const TensorView* t : order) {
      if (previous != nullptr && t->offset < cursor) {
        return corrupt("tensors '" + previous->name + "' [" + str(previous->offset) + ", " + str(cursor) + ") and '" +
                       t->name + "' [" + str(t->offset) + ", " + str(t->offset + t->byte_size) + ") overlap");
      }
      VITRINE_RETURN_IF_ERROR(check_zero_padding(cursor, t->offset));
      cursor = t->offset + t->byte_size;
      previous = t;
    }
    if (cursor != file_bytes_) {
      return corrupt("the file has " + str(file_bytes_ - cursor) + " bytes after its last tensor (ends at " +
                     str(cursor) + ", file_bytes is " + str(file_bytes_) + ")");
    }
    return Status();
  }

  Status check_zero_padding(uint64_t begin, uint64_t end) const {
    for (uint64_t i = begin; i < end; ++i) {
      const uint8_t b = file_.bytes_[static_cast<size_t>(i)];
      if (b != 0) return corrupt("padding byte at offset " + str(i) + " is " + hex(b) + ", must be 0");
    }
    return Status();
  }

  Status check_contents(const TensorView& t) const {
    const std::string what = "tensor '" + t.name + "'";
    switch (t.dtype) {
      case DType::kF32:
        for (size_t i = 0; i < t.element_count; ++i) {
          const float v = load_f32(t.data + 4 * i);
          if (!std::isfinite(v)) return corrupt(what + ": element " + str(i) + " is not finite");
        }
        break;
      case DType::kF16:
        for (size_t i = 0; i < t.element_count; ++i) {
          if ((load_u16(t.data + 2 * i) & 0x7c00u) == 0x7c00u) {
            return corrupt(what + ": f16 element " + str(i) + " is not finite");
          }
        }
        break;
      case DType::kI8:
        for (size_t r = 0; r < t.rows; ++r) {
          const float scale = load_f32(t.data + 4 * r);
          // Bounded so that scale * q (|q| <= 128) stays finite when dequantized.
          if (!(scale >= 0.0f && scale <= kMaxI8Scale)) {
            return corrupt(what + ": scale of row " + str(r) + " is " + shortest_decimal(scale) +
                           ", must be in [0, FLT_MAX / 128]");
          }
        }
        break;
      case DType::kI32:
        break;  // every bit pattern is a valid id; model kinds check ranges (TensorSpec)
      case DType::kStr:
        return check_strings(t);
    }
    return Status();
  }

  Status check_strings(const TensorView& t) const {
    const std::string what = "tensor '" + t.name + "'";
    const size_t n = t.element_count;
    const size_t text_bytes = t.byte_size - 4 * (n + 1);
    if (load_u32(t.data) != 0) return corrupt(what + ": string offsets[0] is " + str(load_u32(t.data)) + ", must be 0");
    const uint64_t last = load_u32(t.data + 4 * n);
    if (last != text_bytes) {
      return corrupt(what + ": string offsets[" + str(n) + "] is " + str(last) + ", but " + str(text_bytes) +
                     " text bytes follow the offsets");
    }
    const auto* text = reinterpret_cast<const char*>(t.data + 4 * (n + 1));
    uint32_t begin = 0;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t end = load_u32(t.data + 4 * (i + 1));
      if (end < begin) {
        return corrupt(what + ": string offsets[" + str(i + 1) + "] = " + str(end) + " is below offsets[" + str(i) +
                       "] = " + str(begin));
      }
      // end <= last == text_bytes follows once offsets are non-decreasing up to offsets[n]; check directly
      // anyway.
      if (end > text_bytes) return corrupt(what + ": string offsets[" + str(i + 1) + "] is past the text");
      const std::string_view s(text + begin, end - begin);
      if (s.size() > limits_.max_string_bytes) {
        return limit(what + ": string " + str(i) + " is " + str(s.size()) + " bytes, max_string_bytes is " +
                     str(limits_.max_string_bytes));
      }
      const size_t bad = find_invalid_utf8(s);
      if (bad != std::string_view::npos) {
        return corrupt(what + ": string " + str(i) + " " + quote_for_message(s) + " is not valid UTF-8 at byte " +
                       str(bad));
      }
      begin = end;
    }
    return Status();
  }

  Status load_vocabulary() {
    const TensorView* vocab = file_.find(kVocabTensorName);
    if (vocab == nullptr) return corrupt("the file has no 'vocab' tensor");
    if (vocab->dtype != DType::kStr)
      return corrupt(std::string("tensor 'vocab' is ") + dtype_name(vocab->dtype) + ", must be str");
    if (vocab->element_count != vocab_size_) {
      return corrupt("tensor 'vocab' has " + str(vocab->element_count) + " strings, header vocab_size is " +
                     str(vocab_size_));
    }
    auto strings = file_.read_strings(kVocabTensorName);
    if (!strings.ok()) return strings.status();
    // Unique ids, checked while building the index the ranker looks products up in (one pass of hashing).
    const auto& ids = strings.value();
    auto& index = file_.item_index_;
    index.reserve(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      const auto [at, added] = index.emplace(ids[i], static_cast<uint32_t>(i + 1));
      if (!added) {
        return corrupt("vocabulary id " + quote_for_message(ids[i]) + " occurs at indices " + str(at->second - 1) +
                       " and " + str(i));
      }
    }
    file_.vocabulary_ = std::move(strings).value();
    return Status();
  }

  const uint8_t* in_;
  size_t size_;
  const ModelLimits& limits_;
  uint32_t version_ = 0;
  uint64_t header_bytes_ = 0;
  uint64_t file_bytes_ = 0;
  uint64_t data_start_ = 0;
  uint64_t vocab_size_ = 0;
  JsonValue header_;
  const std::vector<JsonValue>* entries_ = nullptr;
  std::unordered_set<std::string> names_;
  ModelFile file_;
};

Result<ModelFile> ModelFile::parse(const uint8_t* data, size_t size, const ModelLimits& limits) {
  return ModelFileParser(data, size, limits).run();
}

uint32_t ModelFile::item_of(std::string_view product_id) const {
  const auto it = item_index_.find(product_id);
  return it == item_index_.end() ? 0 : it->second;
}

const TensorView* ModelFile::find(std::string_view name) const {
  for (const auto& t : tensors_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

namespace {
Status missing(std::string_view name) {
  return Status(StatusCode::kINVALID_ARGUMENT, "the model has no tensor '" + std::string(name) + "'");
}
Status wrong_dtype(const TensorView& t, const char* wanted) {
  return Status(StatusCode::kINVALID_ARGUMENT,
                "tensor '" + t.name + "' is stored as " + dtype_name(t.dtype) + ", not " + wanted);
}
}  // namespace

Status ModelFile::read_f32(std::string_view name, float* out, size_t count) const {
  const TensorView* t = find(name);
  if (t == nullptr) return missing(name);
  if (t->dtype != DType::kF32 && t->dtype != DType::kF16 && t->dtype != DType::kI8) {
    return wrong_dtype(*t, "a float dtype (f32, f16, i8)");
  }
  if (count != t->element_count || out == nullptr) {
    return Status(StatusCode::kINVALID_ARGUMENT, "tensor '" + t->name + "' has " + str(t->element_count) +
                                                     " elements, the buffer holds " + str(count));
  }
  switch (t->dtype) {
    case DType::kF32:
      for (size_t i = 0; i < count; ++i) out[i] = load_f32(t->data + 4 * i);
      break;
    case DType::kF16:
      for (size_t i = 0; i < count; ++i) out[i] = f16_to_f32(load_u16(t->data + 2 * i));
      break;
    case DType::kI8: {
      const uint8_t* q = t->data + 4 * t->rows;
      for (size_t r = 0; r < t->rows; ++r) {
        const float scale = load_f32(t->data + 4 * r);
        for (size_t c = 0; c < t->cols; ++c) {
          const size_t i = r * t->cols + c;
          out[i] = scale * static_cast<float>(static_cast<int8_t>(q[i]));
        }
      }
      break;
    }
    default:
      break;
  }
  return Status();
}

Result<std::vector<float>> ModelFile::read_f32(std::string_view name) const {
  const TensorView* t = find(name);
  if (t == nullptr) return missing(name);
  std::vector<float> out(t->dtype == DType::kStr || t->dtype == DType::kI32 ? 0 : t->element_count);
  VITRINE_RETURN_IF_ERROR(read_f32(name, out.data(), out.size()));
  return out;
}

Result<std::vector<int32_t>> ModelFile::read_i32(std::string_view name) const {
  const TensorView* t = find(name);
  if (t == nullptr) return missing(name);
  if (t->dtype != DType::kI32) return wrong_dtype(*t, "i32");
  std::vector<int32_t> out(t->element_count);
  for (size_t i = 0; i < out.size(); ++i) out[i] = load_i32(t->data + 4 * i);
  return out;
}

Result<std::vector<std::string_view>> ModelFile::read_strings(std::string_view name) const {
  const TensorView* t = find(name);
  if (t == nullptr) return missing(name);
  if (t->dtype != DType::kStr) return wrong_dtype(*t, "str");
  const size_t n = t->element_count;
  const auto* text = reinterpret_cast<const char*>(t->data + 4 * (n + 1));
  std::vector<std::string_view> out(n);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t begin = load_u32(t->data + 4 * i), end = load_u32(t->data + 4 * (i + 1));
    out[i] = std::string_view(text + begin, end - begin);
  }
  return out;
}

Status ModelFile::check_tensor(const TensorSpec& spec) const {
  const TensorView* t = find(spec.name);
  if (t == nullptr) {
    if (!spec.required) return Status();
    return corrupt("model kind '" + kind_ + "' needs tensor '" + spec.name + "', the file has none");
  }
  if ((spec.dtypes & dtype_bit(t->dtype)) == 0) {
    std::string allowed;
    for (DType d : {DType::kF32, DType::kF16, DType::kI8, DType::kI32, DType::kStr}) {
      if (spec.dtypes & dtype_bit(d)) allowed += std::string(allowed.empty() ? "" : "/") + dtype_name(d);
    }
    return corrupt("tensor '" + t->name + "' is stored as " + dtype_name(t->dtype) + ", model kind '" + kind_ +
                   "' expects " + allowed);
  }
  for (int64_t want : spec.shape) {
    if (want < TensorSpec::kAnyDim) {
      return Status(StatusCode::kINVALID_ARGUMENT,
                    "spec for tensor '" + spec.name + "' has dimension " + std::to_string(want));
    }
  }
  bool match = spec.shape.size() == t->shape.size();
  std::string expected = "[";
  for (size_t d = 0; d < spec.shape.size(); ++d) {
    const int64_t want = spec.shape[d];
    expected += d ? "," : "";
    if (want == TensorSpec::kAnyDim) {
      expected += "*";
      continue;
    }
    const uint64_t size = want == TensorSpec::kVocabDim ? vocab_size() : static_cast<uint64_t>(want);
    expected += want == TensorSpec::kVocabDim ? str(size) + " (vocab_size)" : str(size);
    if (d >= t->shape.size() || t->shape[d] != size) match = false;
  }
  expected += "]";
  if (!match) {
    return corrupt("tensor '" + t->name + "' has shape " + shape_string(t->shape) + ", model kind '" + kind_ +
                   "' expects " + expected);
  }
  if (t->dtype == DType::kI32) {
    for (size_t i = 0; i < t->element_count; ++i) {
      const int32_t v = load_i32(t->data + 4 * i);
      if (v < spec.min_value || v > spec.max_value) {
        return corrupt("tensor '" + t->name + "' element " + str(i) + " is " + std::to_string(v) + ", expected " +
                       std::to_string(spec.min_value) + ".." + std::to_string(spec.max_value));
      }
    }
  }
  return Status();
}

Status ModelFile::check_tensors(const std::vector<TensorSpec>& specs) const {
  for (const auto& spec : specs) VITRINE_RETURN_IF_ERROR(check_tensor(spec));
  return Status();
}

}  // namespace vitrine
