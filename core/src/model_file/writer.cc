// ModelFileWriter: encodes tensors as they are added, lays out the file at serialize().
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_set>

#include "internal.h"
#include "vitrine/model_file_writer.h"

namespace vitrine {

using namespace model_file_internal;  // NOLINT: file-local helpers

namespace {

Status invalid(std::string message) {
  return Status(StatusCode::kINVALID_ARGUMENT, std::move(message));
}

std::string shape_string(const std::vector<size_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

// "str" payload: (n+1) u32 offsets then the concatenated bytes.
Result<std::vector<uint8_t>> encode_strings(const std::string& what, const std::vector<std::string>& strings) {
  const uint64_t max_len = ModelLimits().max_string_bytes;
  uint64_t total = 0;
  for (size_t i = 0; i < strings.size(); ++i) {
    if (strings[i].size() > max_len) {
      return invalid(what + ": string " + std::to_string(i) + " is " + std::to_string(strings[i].size()) +
                     " bytes, max_string_bytes is " + std::to_string(max_len));
    }
    const size_t bad = find_invalid_utf8(strings[i]);
    if (bad != std::string_view::npos) {
      return invalid(what + ": string " + std::to_string(i) + " " + quote_for_message(strings[i]) +
                     " is not valid UTF-8 at byte " + std::to_string(bad));
    }
    total += strings[i].size();
  }
  if (total > UINT32_MAX) return invalid(what + ": " + std::to_string(total) + " string bytes, the format holds 4 GiB");
  std::vector<uint8_t> out(4 * (strings.size() + 1) + static_cast<size_t>(total));
  uint32_t end = 0;
  uint8_t* text = out.data() + 4 * (strings.size() + 1);
  store_u32(out.data(), 0);
  for (size_t i = 0; i < strings.size(); ++i) {
    std::memcpy(text + end, strings[i].data(), strings[i].size());
    end += static_cast<uint32_t>(strings[i].size());
    store_u32(out.data() + 4 * (i + 1), end);
  }
  return out;
}

}  // namespace

Status ModelFileWriter::set_vocabulary(std::vector<std::string> ids) {
  auto encoded = encode_strings("vocabulary", ids);  // checks UTF-8 and lengths
  if (!encoded.ok()) return encoded.status();
  std::unordered_set<std::string_view> seen;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!seen.insert(ids[i]).second) {
      return invalid("vocabulary id " + quote_for_message(ids[i]) + " occurs twice (index " + std::to_string(i) + ")");
    }
  }
  vocabulary_ = std::move(ids);
  vocabulary_set_ = true;
  return Status();
}

Status ModelFileWriter::check_new_tensor(const std::string& name, const std::vector<size_t>& shape,
                                         size_t count) const {
  if (name.empty() || name.size() > 128)
    return invalid("tensor name must be 1..128 bytes, got " + quote_for_message(name));
  if (find_invalid_utf8(name) != std::string_view::npos) {
    return invalid("tensor name " + quote_for_message(name) + " is not valid UTF-8");
  }
  if (name == kVocabTensorName) return invalid("tensor name 'vocab' is reserved for the vocabulary");
  for (const auto& t : tensors_) {
    if (t.name == name) return invalid("tensor '" + name + "' is added twice");
  }
  if (shape.empty()) return invalid("tensor '" + name + "': shape is empty (rank 0 is not supported)");
  uint64_t numel = 1;
  for (size_t d : shape) {
    if (d == 0) return invalid("tensor '" + name + "': shape " + shape_string(shape) + " has a zero dimension");
    if (numel > UINT64_MAX / d) return invalid("tensor '" + name + "': shape " + shape_string(shape) + " overflows");
    numel *= d;
  }
  if (numel != count) {
    return invalid("tensor '" + name + "': shape " + shape_string(shape) + " has " + std::to_string(numel) +
                   " elements, got " + std::to_string(count) + " values");
  }
  return Status();
}

Status ModelFileWriter::add_f32(const std::string& name, const std::vector<size_t>& shape, const float* data,
                                size_t count, DType storage) {
  VITRINE_RETURN_IF_ERROR(check_new_tensor(name, shape, count));
  if (data == nullptr) return invalid("tensor '" + name + "': data is null");
  for (size_t i = 0; i < count; ++i) {
    if (!std::isfinite(data[i])) {
      return invalid("tensor '" + name + "': element " + std::to_string(i) + " is not finite");
    }
  }
  PendingTensor t{name, storage, shape, {}};
  switch (storage) {
    case DType::kF32:
      t.payload.resize(4 * count);
      for (size_t i = 0; i < count; ++i) store_f32(t.payload.data() + 4 * i, data[i]);
      break;
    case DType::kF16:
      t.payload.resize(2 * count);
      for (size_t i = 0; i < count; ++i) {
        const uint16_t h = f32_to_f16(data[i]);
        if ((h & 0x7c00u) == 0x7c00u) {
          return invalid("tensor '" + name + "': element " + std::to_string(i) + " (" + std::to_string(data[i]) +
                         ") is outside the f16 range");
        }
        store_u16(t.payload.data() + 2 * i, h);
      }
      break;
    case DType::kI8: {
      // Symmetric per-row quantization: q = round(x / scale), scale = max|x| / 127, so q fits in [-127, 127].
      const size_t rows = shape.size() >= 2 ? shape[0] : 1;
      const size_t cols = count / rows;
      t.payload.resize(4 * rows + count);
      uint8_t* q = t.payload.data() + 4 * rows;
      for (size_t r = 0; r < rows; ++r) {
        const float* row = data + r * cols;
        float max_abs = 0.0f;
        for (size_t c = 0; c < cols; ++c) max_abs = std::max(max_abs, std::fabs(row[c]));
        const float scale = max_abs / 127.0f;
        // The loader bounds scales so that dequantizing can never overflow; stay inside that bound.
        if (scale > std::numeric_limits<float>::max() / 128.0f) {
          return invalid("tensor '" + name + "': row " + std::to_string(r) + " has values too large for i8 storage");
        }
        store_f32(t.payload.data() + 4 * r, scale);
        for (size_t c = 0; c < cols; ++c) {
          float v = scale > 0.0f ? std::nearbyint(row[c] / scale) : 0.0f;
          v = std::min(127.0f, std::max(-127.0f, v));
          q[r * cols + c] = static_cast<uint8_t>(static_cast<int8_t>(v));
        }
      }
      break;
    }
    default:
      return invalid("tensor '" + name + "': storage dtype " + dtype_name(storage) + " is not a float dtype");
  }
  tensors_.push_back(std::move(t));
  return Status();
}

Status ModelFileWriter::add_i32(const std::string& name, const std::vector<size_t>& shape, const int32_t* data,
                                size_t count) {
  VITRINE_RETURN_IF_ERROR(check_new_tensor(name, shape, count));
  if (data == nullptr) return invalid("tensor '" + name + "': data is null");
  PendingTensor t{name, DType::kI32, shape, std::vector<uint8_t>(4 * count)};
  for (size_t i = 0; i < count; ++i) store_u32(t.payload.data() + 4 * i, static_cast<uint32_t>(data[i]));
  tensors_.push_back(std::move(t));
  return Status();
}

Status ModelFileWriter::add_strings(const std::string& name, const std::vector<std::string>& strings) {
  VITRINE_RETURN_IF_ERROR(check_new_tensor(name, {strings.size()}, strings.size()));
  auto payload = encode_strings("tensor '" + name + "'", strings);
  if (!payload.ok()) return payload.status();
  tensors_.push_back(PendingTensor{name, DType::kStr, {strings.size()}, std::move(payload).value()});
  return Status();
}

Result<std::vector<uint8_t>> ModelFileWriter::serialize() const {
  if (kind_.empty() || find_invalid_utf8(kind_) != std::string_view::npos) {
    return invalid("model kind must be a non-empty UTF-8 string, got " + quote_for_message(kind_));
  }
  if (!config_.is_object()) return invalid(std::string("config must be a JSON object, got ") + config_.type_name());
  if (!training_.is_object()) {
    return invalid(std::string("training must be a JSON object, got ") + training_.type_name());
  }
  if (!vocabulary_set_) return invalid("vocabulary is not set");
  auto vocab_payload = encode_strings("vocabulary", vocabulary_);
  if (!vocab_payload.ok()) return vocab_payload.status();

  // The vocabulary goes first, then the tensors in the order they were added.
  struct Entry {
    const std::string* name;
    DType dtype;
    const std::vector<size_t>* shape;
    const std::vector<uint8_t>* payload;
  };
  const std::string vocab_name = kVocabTensorName;
  const std::vector<size_t> vocab_shape = {vocabulary_.size()};
  std::vector<Entry> entries;
  entries.push_back({&vocab_name, DType::kStr, &vocab_shape, &vocab_payload.value()});
  for (const auto& t : tensors_) entries.push_back({&t.name, t.dtype, &t.shape, &t.payload});

  // Offsets are absolute and the header's length depends on them, so lay out until the data start is stable.
  // The header only grows as the data start grows, so this settles in a couple of rounds.
  uint64_t data_start = align_up(kModelPreambleBytes, kModelTensorAlignment);
  std::string header_text;
  std::vector<uint64_t> offsets(entries.size());
  uint64_t file_end = 0;
  for (int round = 0;; ++round) {
    nlohmann::json tensors = nlohmann::json::array();
    uint64_t at = data_start;
    for (size_t i = 0; i < entries.size(); ++i) {
      offsets[i] = at;
      nlohmann::json entry = {{"name", *entries[i].name},
                              {"dtype", dtype_name(entries[i].dtype)},
                              {"shape", *entries[i].shape},
                              {"offset", at},
                              {"bytes", static_cast<uint64_t>(entries[i].payload->size())}};
      tensors.push_back(std::move(entry));
      file_end = at + entries[i].payload->size();
      at = align_up(file_end, kModelTensorAlignment);
    }
    nlohmann::json header = {{"format_version", kModelFormatVersion},
                             {"kind", kind_},
                             {"vocab_size", static_cast<uint64_t>(vocabulary_.size())},
                             {"config", config_},
                             {"training", training_},
                             {"tensors", std::move(tensors)}};
    // `replace` instead of the default `strict`: invalid UTF-8 inside config/training must not throw.
    header_text = header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const uint64_t needed = align_up(kModelPreambleBytes + header_text.size(), kModelTensorAlignment);
    if (needed <= data_start) break;
    data_start = needed;
    if (round > 16) return Status(StatusCode::kINTERNAL, "model file layout did not settle");
  }
  if (header_text.size() > UINT32_MAX) return invalid("header is too large");
  if (file_end != static_cast<size_t>(file_end)) return invalid("model file is too large for this platform");

  std::vector<uint8_t> out(static_cast<size_t>(file_end), 0);
  std::memcpy(out.data(), kMagic, sizeof kMagic);
  store_u32(out.data() + kVersionAt, kModelFormatVersion);
  store_u32(out.data() + kHeaderBytesAt, static_cast<uint32_t>(header_text.size()));
  store_u64(out.data() + kFileBytesAt, file_end);
  store_u32(out.data() + kReservedAt, 0);
  std::memcpy(out.data() + kModelPreambleBytes, header_text.data(), header_text.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& payload = *entries[i].payload;
    if (!payload.empty()) std::memcpy(out.data() + static_cast<size_t>(offsets[i]), payload.data(), payload.size());
  }
  store_u32(out.data() + kChecksumAt, model_file_checksum(out.data(), out.size()));
  return out;
}

}  // namespace vitrine
