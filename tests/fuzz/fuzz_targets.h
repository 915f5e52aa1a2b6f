// The bodies of the fuzz targets, shared by the libFuzzer executables (fuzz_<name>.cc, which trap when one returns
// false) and by tests/core/fuzz_regressions_test.cc (which replays committed inputs natively, under ASan and in
// wasm). Each returns false only when the code under test broke a promise; a refused input is a success.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_inputs.h"
#include "vitrine/catalog_index.h"
#include "vitrine/item_index.h"
#include "vitrine/kernels.h"
#include "vitrine/ranker.h"
#include "vitrine/shopper.h"
#include "vitrine/wire.h"
#include "vitrine_api.h"

namespace vitrine::fuzz {

// ModelFile::parse: a Status or a fully valid file whose every float tensor reads back.
inline bool run_model_file(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes = with_valid_checksum(data, size);
  auto file = ModelFile::parse(bytes.data(), bytes.size());
  if (!file.ok()) return true;
  for (const TensorView& t : file.value().tensors()) {
    if (t.dtype == DType::kStr)
      (void)file.value().read_strings(t.name);
    else if (t.dtype == DType::kI32)
      (void)file.value().read_i32(t.name);
    else if (!file.value().read_f32(t.name).ok())
      return false;
  }
  return true;
}

// Ranker::load: a model that loads must also rank (with explanations) and give a top-K.
inline bool run_ranker_load(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes = with_valid_checksum(data, size);
  auto ranker = Ranker::load(bytes.data(), bytes.size());
  if (!ranker.ok()) return true;
  const std::string events = R"({"kind":0,"item":"sku-1","t":1},{"kind":2,"item":"sku-2","t":2,"category":"shoes"})";
  auto request =
      decode_rank_request_json(events_request(reinterpret_cast<const uint8_t*>(events.data()), events.size()));
  std::vector<float> scores(request.value().candidates.size());
  std::vector<Explanation> explanations;
  if (!ranker.value().rank(request.value(), scores.data(), &explanations).ok()) return false;
  uint32_t items[4];
  float top[4];
  return ranker.value().top_k(ranker.value().session_events(request.value().events, request.value().now_ms), 4, items,
                              top) <= 4;
}

// Two decoded requests hold the same values.
inline bool same_request(const RankRequest& a, const RankRequest& b) {
  const auto same_event = [](const ShopperEvent& x, const ShopperEvent& y) {
    return x.kind == y.kind && x.time_ms == y.time_ms && x.dwell_ms == y.dwell_ms && x.item == y.item &&
           x.category == y.category && x.brand == y.brand && x.query == y.query && x.price == y.price;
  };
  const auto same_candidate = [](const Candidate& x, const Candidate& y) {
    return x.id == y.id && x.category == y.category && x.brand == y.brand && x.price == y.price &&
           x.position == y.position && x.boost == y.boost && x.available == y.available;
  };
  return a.now_ms == b.now_ms && a.rank_by == b.rank_by && a.blend == b.blend &&
         std::equal(a.events.begin(), a.events.end(), b.events.begin(), b.events.end(), same_event) &&
         std::equal(a.candidates.begin(), a.candidates.end(), b.candidates.begin(), b.candidates.end(), same_candidate);
}

// decode_rank_request on raw message bytes: a decoded request gives a profile with price fits in [0, 1], and its
// own encoding decodes to the same request.
inline bool run_rank_request(const uint8_t* data, size_t size) {
  auto request = decode_rank_request(data, size);
  if (!request.ok()) return true;
  const Profile profile = build_profile(request.value().events, request.value().now_ms);
  for (const Candidate& c : request.value().candidates) {
    const float fit = price_fit(profile, c.price);
    if (!(fit >= 0.0f && fit <= 1.0f)) return false;
  }
  const std::vector<uint8_t> again = encode_rank_request(request.value());
  auto back = decode_rank_request(again.data(), again.size());
  return back.ok() && same_request(back.value(), request.value()) && !encode_profile(profile).empty();
}

// Stored events as they reach the engine: the fuzz bytes are the "events" array of a request sent through the C API
// to an engine holding a real model, as the JS package does.
inline bool run_stored_events(const uint8_t* data, size_t size) {
  static vt_engine* engine = [] {
    vt_engine* e = nullptr;
    const std::vector<uint8_t> model = tiny_model_bytes(DType::kI8);
    if (vt_engine_create(&e) != VT_OK || vt_engine_load_model(e, model.data(), model.size()) != VT_OK) return e;
    return e;
  }();
  // The package sends what its encoder makes of the events (js/src/wire.mjs); text that is not JSON never gets there.
  const auto wire = rank_request_wire_from_json(events_request(data, size));
  if (!wire.ok()) return true;
  const std::vector<uint8_t>& request = wire.value();
  float scores[3], conversion[6];
  const uint8_t* message = nullptr;
  uint32_t message_size = 0;
  const vt_status ranked =
      vt_engine_rank(engine, request.data(), request.size(), scores, 3, conversion, &message, &message_size);
  if (ranked == VT_OK &&
      (message == nullptr || message_size < VT_WIRE_EXPLANATIONS_HEADER || message[0] != 'V' || message[2] != 'X'))
    return false;
  uint32_t items[4], count = 0;
  float top[4];
  const vt_status topped = vt_engine_top_k(engine, request.data(), request.size(), 4, items, top, &count);
  if (topped == VT_OK && count > 4) return false;
  // The three calls decode the same request: they must agree on whether it is valid.
  const vt_status profiled = vt_engine_profile(engine, request.data(), request.size(), &message, &message_size);
  return (ranked == VT_OK) == (profiled == VT_OK) && (ranked == VT_OK) == (topped == VT_OK);
}

// The catalog index's head and shard parsers (what vt_engine_load_index and vt_engine_top_k_shards read from the
// network). Byte 0 even: the rest is a head; odd: a shard whose codes are 2 + byte 1 % 64 bytes, from byte 2. A head
// that parses writes back to one that parses the same; a shard that parses writes back to its very bytes (the
// format has one encoding), with one code per id.
inline bool run_catalog_index(const uint8_t* data, size_t size) {
  if (size < 1) return true;
  if (data[0] % 2 == 0) {
    auto head = parse_catalog_head(data + 1, size - 1);
    if (!head.ok()) return true;
    const std::vector<uint8_t> again = write_catalog_head(head.value());
    auto reparsed = parse_catalog_head(again.data(), again.size());
    return reparsed.ok() && write_catalog_head(reparsed.value()) == again &&
           reparsed.value().clusters.size() == head.value().clusters.size();
  }
  if (size < 2) return true;
  const uint32_t code_bytes = 2 + data[1] % 64;
  auto shard = parse_catalog_shard(data + 2, size - 2, code_bytes);
  if (!shard.ok()) return true;
  if (shard.value().codes.size() != shard.value().ids.size() * code_bytes) return false;
  return write_catalog_shard(shard.value()) == std::vector<uint8_t>(data + 2, data + size);
}

// ItemIndex::top_k against a float scan of every row: the same rows, in the same order, with the same bits.
// Bytes: dim, k, then rows of one scale byte (10^((b - 128) / 8)) and dim int16 values (/ 256; -32768 is NaN and
// -32767 infinity), the first row being the query. So tables span 32 orders of magnitude and hold non-finite values.
inline bool run_item_index(const uint8_t* data, size_t size) {
  if (size < 2) return true;
  const size_t dim = 1 + data[0] % 48, k = 1 + data[1] % 24, row_bytes = 1 + 2 * dim;
  const size_t rows = (size - 2) / row_bytes;
  if (rows < 2) return true;
  std::vector<float> values(rows * dim);
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* in = data + 2 + r * row_bytes;
    const float scale = std::pow(10.0f, (float(in[0]) - 128.0f) / 8.0f);
    for (size_t d = 0; d < dim; ++d) {
      const int16_t v = static_cast<int16_t>(uint16_t(in[1 + 2 * d]) | uint16_t(in[2 + 2 * d]) << 8);
      values[r * dim + d] = v == -32768 ? NAN : v == -32767 ? INFINITY : scale * float(v) / 256.0f;
    }
  }
  const float* query = values.data();
  const float* table = values.data() + dim;
  const size_t n = rows - 1, room = std::min(k, n);
  const KernelTable& kernels = select_kernel_table();
  std::vector<float> scores(n), want_score(room), got_score(room);
  std::vector<uint32_t> want_index(room), got_index(room);
  kernels.f32_dot_rows(query, table, n, dim, dim, scores.data());
  const size_t want = kernels.f32_topk(scores.data(), n, k, want_index.data(), want_score.data());
  auto index = ItemIndex::build(table, n, dim, n);
  if (!index.ok()) return false;
  if (index.value().top_k(query, k, kernels, got_index.data(), got_score.data()) != want) return false;
  return std::equal(want_index.begin(), want_index.begin() + want, got_index.begin()) &&
         std::memcmp(want_score.data(), got_score.data(), want * sizeof(float)) == 0;
}

}  // namespace vitrine::fuzz

#include "vitrine/json_value.h"

namespace vitrine::fuzz {

// parse_json: refused text names a byte within it; accepted text writes compact JSON that reads back to an equal
// value and writes again to the same text.
inline bool run_json_value(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t offset = SIZE_MAX;
  auto parsed = parse_json(text, 32, &offset);
  if (!parsed.ok()) {
    const StatusCode code = parsed.status().code();
    return offset <= size && (code == StatusCode::kBAD_INPUT || code == StatusCode::kLIMIT_EXCEEDED);
  }
  // A bare number reads as the C library's strtod reads it: both round to nearest, ties to even.
  if (parsed.value().is_number() && parsed.value().as_double() != std::strtod(std::string(text).c_str(), nullptr)) {
    return false;
  }
  const std::string written = write_json(parsed.value());
  auto again = parse_json(written, 32);
  return again.ok() && again.value() == parsed.value() && write_json(again.value()) == written;
}

}  // namespace vitrine::fuzz
