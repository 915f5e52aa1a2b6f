// Reading and writing the messages of wire_format.h, the byte layouts between the JS package and the engine.
//
// The engine (wasm/vitrine_api.cc) links decode_rank_request, encode_explanations and encode_profile, and nothing
// else of this header. encode_rank_request and rank_request_wire_from_json give tests, fuzzers and the CLI the bytes
// the package would send; they are never linked into the shipped module.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "vitrine/ranker.h"
#include "vitrine/shopper.h"
#include "vitrine/status.h"
#include "vitrine/wire_format.h"

namespace vitrine {

// Decodes a rank request (wire_format.h "VTQ1"). This is the one place that checks a request's values: the kinds,
// the times, the merchant's bounds (kMaxBoost, kMaxBlend), string lengths and UTF-8, and the limits. BAD_INPUT names
// the first bad field ("events[3].kind: expected an integer 0..6"); LIMIT_EXCEEDED names the bound. A negative,
// NaN-free price is "unknown"; a negative dwell is 0. Never throws but std::bad_alloc.
Result<RankRequest> decode_rank_request(const uint8_t* bytes, size_t size,
                                        const RequestLimits& limits = RequestLimits());

// The bytes js/src/wire.mjs would send for `request` (strings of equal text share one table entry). For tests, the
// fuzzers' seeds and the CLI.
std::vector<uint8_t> encode_rank_request(const RankRequest& request);

// A request written as JSON, the way js/src/wire.mjs maps the package's request object, as wire bytes:
//   {"now": ms, "events": [{"kind", "t", "item", "category", "brand", "price", "query", "dwell"}, ...],
//    "candidates": [{"id", "category", "brand", "price", "position", "boost", "available"}, ...],
//    "blend": 1.0, "rank_by": "relevance"}
// It only maps shapes (absent or null: the default; a value of the wrong type: the marker that makes
// decode_rank_request name the field); every check of values is decode_rank_request's. BAD_INPUT when the text is
// not JSON or not an object. For `vitrine inputs --request` and readable tests.
Result<std::vector<uint8_t>> rank_request_wire_from_json(std::string_view json);
// rank_request_wire_from_json, then decode_rank_request.
Result<RankRequest> decode_rank_request_json(std::string_view json, const RequestLimits& limits = RequestLimits());

// Explanations ("VTX1"), one entry per candidate, in candidate order. INTERNAL if a factor's kind is not one of
// VT_WIRE_FACTOR_KINDS (a ranker bug, never the shopper's input).
Result<std::vector<uint8_t>> encode_explanations(const std::vector<Explanation>& explanations);

// The shopper's profile ("VTP1"), for the "what is kept about me" view and the package's slots.
std::vector<uint8_t> encode_profile(const Profile& profile);

}  // namespace vitrine
