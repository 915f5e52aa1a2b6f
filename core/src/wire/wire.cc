#include "vitrine/wire.h"

#include <cmath>
#include <string>

#include "../model_file/internal.h"
#include "wire_writer.h"

namespace vitrine {
namespace {

using wire_internal::load;
using wire_internal::WireWriter;

Status bad(const std::string& where, const std::string& what) {
  return Status(StatusCode::kBAD_INPUT, where + ": " + what);
}

bool needs_item(EventKind kind) {
  return kind == EventKind::kVIEW || kind == EventKind::kCLICK || kind == EventKind::kADD_TO_CART ||
         kind == EventKind::kPURCHASE || kind == EventKind::kIMPRESSION;
}

// A price as the ranker reads it: a negative one is the merchant's mistake, not the shopper's, so it is unknown.
Status read_price(const uint8_t* at, const std::string& where, float& out) {
  const auto price = load<float>(at);
  if (!std::isfinite(price)) return bad(where + ".price", "expected a number");
  out = price >= 0.0f && price < 1e12f ? price : -1.0f;
  return Status();
}

// The string table of a request and the checks of the strings its fields use.
class RequestStrings {
 public:
  RequestStrings(const uint8_t* ends, uint32_t count, const uint8_t* text, const RequestLimits& limits)
      : ends_(ends), count_(count), text_(text), limits_(limits), checked_(count, false) {}

  // Every end offset in order and the last one exactly at the end of the message.
  Status check_ends(size_t text_bytes) const {
    uint32_t begin = 0;
    for (uint32_t k = 0; k < count_; ++k) {
      const auto end = load<uint32_t>(ends_ + 4 * size_t{k});
      if (end < begin || end > text_bytes)
        return bad("request.strings[" + std::to_string(k) + "]", "ends at " + std::to_string(end) + ", outside " +
                                                                     std::to_string(begin) + ".." +
                                                                     std::to_string(text_bytes));
      begin = end;
    }
    if (begin != text_bytes)
      return bad("request", std::to_string(text_bytes - begin) + " bytes follow the last string");
    return Status();
  }

  // The string a field refers to ("" for ref 0), checked once: within the table, the length limit, UTF-8.
  Status read(uint32_t ref, const std::string& where, std::string& out) {
    if (ref == 0) return Status();
    if (ref == VT_WIRE_NOT_A_STRING) return bad(where, "expected a string");
    if (ref > count_)
      return bad(where, "string " + std::to_string(ref) + " is past the table's " + std::to_string(count_));
    const uint32_t begin = ref == 1 ? 0 : load<uint32_t>(ends_ + 4 * size_t{ref - 2});
    const std::string_view text(reinterpret_cast<const char*>(text_) + begin,
                                load<uint32_t>(ends_ + 4 * size_t{ref - 1}) - begin);
    if (text.size() > limits_.max_string_bytes)
      return Status(StatusCode::kLIMIT_EXCEEDED, where + ": string of " + std::to_string(text.size()) +
                                                     " bytes is longer than " +
                                                     std::to_string(limits_.max_string_bytes));
    if (!checked_[ref - 1]) {
      const size_t invalid = model_file_internal::find_invalid_utf8(text);
      if (invalid != std::string_view::npos) return bad(where, "not valid UTF-8 at byte " + std::to_string(invalid));
      checked_[ref - 1] = true;
    }
    out.assign(text);
    return Status();
  }

 private:
  const uint8_t* ends_;
  uint32_t count_;
  const uint8_t* text_;
  const RequestLimits& limits_;
  std::vector<bool> checked_;
};

Result<ShopperEvent> decode_event(const uint8_t* at, const std::string& where, RequestStrings& strings) {
  ShopperEvent e;
  const auto kind = load<uint32_t>(at + VT_WIRE_EVENT_KIND);
  if (kind >= VITRINE_EVENT_KIND_COUNT)
    return bad(where + ".kind", "expected an integer 0.." + std::to_string(VITRINE_EVENT_KIND_COUNT - 1));
  e.kind = static_cast<EventKind>(kind);
  e.time_ms = load<double>(at + VT_WIRE_EVENT_TIME);
  if (!std::isfinite(e.time_ms)) return bad(where + ".t", "expected a time in ms");
  const auto dwell = load<float>(at + VT_WIRE_EVENT_DWELL);
  if (!std::isfinite(dwell)) return bad(where + ".dwell", "expected a number");
  e.dwell_ms = dwell > 0.0f ? dwell : 0.0;
  VITRINE_RETURN_IF_ERROR(strings.read(load<uint32_t>(at + VT_WIRE_EVENT_ITEM), where + ".item", e.item));
  VITRINE_RETURN_IF_ERROR(strings.read(load<uint32_t>(at + VT_WIRE_EVENT_CATEGORY), where + ".category", e.category));
  VITRINE_RETURN_IF_ERROR(strings.read(load<uint32_t>(at + VT_WIRE_EVENT_BRAND), where + ".brand", e.brand));
  VITRINE_RETURN_IF_ERROR(strings.read(load<uint32_t>(at + VT_WIRE_EVENT_QUERY), where + ".query", e.query));
  VITRINE_RETURN_IF_ERROR(strings.read(load<uint32_t>(at + VT_WIRE_EVENT_CODE), where + ".code", e.code));
  VITRINE_RETURN_IF_ERROR(read_price(at + VT_WIRE_EVENT_PRICE, where, e.price));
  if (needs_item(e.kind) && e.item.empty()) return bad(where + ".item", "required for this kind of event");
  return e;
}

Result<Candidate> decode_candidate(const uint8_t* at, const std::string& where, RequestStrings& strings) {
  Candidate c;
  VITRINE_RETURN_IF_ERROR(strings.read(load<uint32_t>(at + VT_WIRE_CANDIDATE_ID), where + ".id", c.id));
  if (c.id.empty()) return bad(where + ".id", "required");
  VITRINE_RETURN_IF_ERROR(
      strings.read(load<uint32_t>(at + VT_WIRE_CANDIDATE_CATEGORY), where + ".category", c.category));
  VITRINE_RETURN_IF_ERROR(strings.read(load<uint32_t>(at + VT_WIRE_CANDIDATE_BRAND), where + ".brand", c.brand));
  VITRINE_RETURN_IF_ERROR(strings.read(load<uint32_t>(at + VT_WIRE_CANDIDATE_CODE), where + ".code", c.code));
  VITRINE_RETURN_IF_ERROR(read_price(at + VT_WIRE_CANDIDATE_PRICE, where, c.price));
  const auto position = load<int32_t>(at + VT_WIRE_CANDIDATE_POSITION);
  if (position < -1) return bad(where + ".position", "expected an integer >= 0");
  c.position = position;
  const auto boost = load<float>(at + VT_WIRE_CANDIDATE_BOOST);
  if (!(std::fabs(boost) <= kMaxBoost)) return bad(where + ".boost", "expected a number from -100 to 100");
  c.boost = boost;
  const auto available = load<uint32_t>(at + VT_WIRE_CANDIDATE_AVAILABLE);
  if (available > 1) return bad(where + ".available", "expected true or false");
  c.available = available == 1;
  return c;
}

// RankBy is numbered as VT_WIRE_RANK_BY, so a code is the enum's value.
#define VT_RANK_BY_CODE(name, value, text) constexpr uint32_t VT_WIRE_RANK_BY_##name##_CODE = value;
VT_WIRE_RANK_BY(VT_RANK_BY_CODE)
#undef VT_RANK_BY_CODE
static_assert(static_cast<uint32_t>(RankBy::kRelevance) == VT_WIRE_RANK_BY_RELEVANCE_CODE &&
                  static_cast<uint32_t>(RankBy::kConversion) == VT_WIRE_RANK_BY_CONVERSION_CODE &&
                  static_cast<uint32_t>(RankBy::kValue) == VT_WIRE_RANK_BY_VALUE_CODE,
              "RankBy and VT_WIRE_RANK_BY disagree");

// Names by code, in the order of their X-macro lists (each lists its codes 0, 1, 2, ...).
#define VT_WIRE_NAME(name, value, text) text,
constexpr std::string_view kFactorKindNames[] = {VT_WIRE_FACTOR_KINDS(VT_WIRE_NAME)};
constexpr std::string_view kStageNames[] = {VT_WIRE_STAGES(VT_WIRE_NAME)};
#undef VT_WIRE_NAME
#define VT_WIRE_FACTOR_AT_CODE(name, value, text) static_assert(kFactorKindNames[value] == text, "codes in order");
#define VT_WIRE_STAGE_AT_CODE(name, value, text) static_assert(kStageNames[value] == text, "codes in order");
VT_WIRE_FACTOR_KINDS(VT_WIRE_FACTOR_AT_CODE)
VT_WIRE_STAGES(VT_WIRE_STAGE_AT_CODE)
#undef VT_WIRE_FACTOR_AT_CODE
#undef VT_WIRE_STAGE_AT_CODE

// The code of `name` in `names`, or VT_WIRE_INVALID.
template <size_t N>
uint32_t code_of(const std::string_view (&names)[N], std::string_view name) {
  for (uint32_t code = 0; code < N; ++code)
    if (names[code] == name) return code;
  return VT_WIRE_INVALID;
}

}  // namespace

Result<RankRequest> decode_rank_request(const uint8_t* bytes, size_t size, const RequestLimits& limits) {
  if (bytes == nullptr && size > 0) return Status(StatusCode::kINVALID_ARGUMENT, "request is null");
  if (size > limits.max_request_bytes)
    return Status(StatusCode::kLIMIT_EXCEEDED, "request of " + std::to_string(size) + " bytes is larger than " +
                                                   std::to_string(limits.max_request_bytes));
  if (size < VT_WIRE_REQUEST_HEADER || load<uint32_t>(bytes) != VT_WIRE_REQUEST_MAGIC)
    return bad("request", "not a rank request: " + std::to_string(size) + " bytes without the VTQ1 header");
  const auto n_strings = load<uint32_t>(bytes + VT_WIRE_REQUEST_N_STRINGS);
  const auto n_events = load<uint32_t>(bytes + VT_WIRE_REQUEST_N_EVENTS);
  const auto n_candidates = load<uint32_t>(bytes + VT_WIRE_REQUEST_N_CANDIDATES);
  if (n_events > limits.max_events)
    return Status(StatusCode::kLIMIT_EXCEEDED, "request.events holds " + std::to_string(n_events) +
                                                   " entries, more than " + std::to_string(limits.max_events));
  if (n_candidates > limits.max_candidates)
    return Status(StatusCode::kLIMIT_EXCEEDED, "request.candidates holds " + std::to_string(n_candidates) +
                                                   " entries, more than " + std::to_string(limits.max_candidates));
  // In 64 bits, so that no count can wrap the sum.
  const uint64_t events_at = VT_WIRE_REQUEST_HEADER;
  const uint64_t candidates_at = events_at + uint64_t{n_events} * VT_WIRE_EVENT_BYTES;
  const uint64_t ends_at = candidates_at + uint64_t{n_candidates} * VT_WIRE_CANDIDATE_BYTES;
  const uint64_t text_at = ends_at + 4 * uint64_t{n_strings};
  if (text_at > size)
    return bad("request", std::to_string(size) + " bytes, but its counts need at least " + std::to_string(text_at));
  RequestStrings strings(bytes + ends_at, n_strings, bytes + text_at, limits);
  VITRINE_RETURN_IF_ERROR(strings.check_ends(static_cast<size_t>(size - text_at)));

  RankRequest request;
  request.now_ms = load<double>(bytes + VT_WIRE_REQUEST_NOW);
  if (!std::isfinite(request.now_ms)) return bad("request.now", "expected a time in ms");
  const auto blend = load<float>(bytes + VT_WIRE_REQUEST_BLEND);
  if (blend != -1.0f && !(blend >= 0.0f && blend <= kMaxBlend))
    return bad("request.blend", "expected a number from 0 to 100");
  request.blend = blend;
  const auto rank_by = load<uint32_t>(bytes + VT_WIRE_REQUEST_RANK_BY);
  if (rank_by > VT_WIRE_RANK_BY_VALUE_CODE)
    return bad("request.rank_by", "expected \"relevance\", \"conversion\" or \"value\"");
  request.rank_by = static_cast<RankBy>(rank_by);
  request.events.reserve(n_events);
  for (uint32_t i = 0; i < n_events; ++i) {
    auto event =
        decode_event(bytes + events_at + size_t{i} * VT_WIRE_EVENT_BYTES, "events[" + std::to_string(i) + "]", strings);
    if (!event.ok()) return event.status();
    request.events.push_back(std::move(event).value());
  }
  request.candidates.reserve(n_candidates);
  for (uint32_t i = 0; i < n_candidates; ++i) {
    auto candidate = decode_candidate(bytes + candidates_at + size_t{i} * VT_WIRE_CANDIDATE_BYTES,
                                      "candidates[" + std::to_string(i) + "]", strings);
    if (!candidate.ok()) return candidate.status();
    request.candidates.push_back(std::move(candidate).value());
  }
  return request;
}

std::vector<uint8_t> encode_rank_request(const RankRequest& request) {
  const size_t events_at = VT_WIRE_REQUEST_HEADER;
  const size_t candidates_at = events_at + request.events.size() * VT_WIRE_EVENT_BYTES;
  WireWriter w(candidates_at + request.candidates.size() * VT_WIRE_CANDIDATE_BYTES);
  w.put<uint32_t>(0, VT_WIRE_REQUEST_MAGIC);
  w.put(VT_WIRE_REQUEST_N_EVENTS, static_cast<uint32_t>(request.events.size()));
  w.put(VT_WIRE_REQUEST_N_CANDIDATES, static_cast<uint32_t>(request.candidates.size()));
  w.put(VT_WIRE_REQUEST_NOW, request.now_ms);
  w.put(VT_WIRE_REQUEST_BLEND, request.blend < 0.0f ? -1.0f : request.blend);
  w.put(VT_WIRE_REQUEST_RANK_BY, static_cast<uint32_t>(request.rank_by));
  for (size_t i = 0; i < request.events.size(); ++i) {
    const ShopperEvent& e = request.events[i];
    const size_t at = events_at + i * VT_WIRE_EVENT_BYTES;
    w.put(at + VT_WIRE_EVENT_TIME, e.time_ms);
    w.put(at + VT_WIRE_EVENT_DWELL, static_cast<float>(e.dwell_ms));
    w.put(at + VT_WIRE_EVENT_PRICE, e.price);
    w.put(at + VT_WIRE_EVENT_KIND, static_cast<uint32_t>(e.kind));
    w.put(at + VT_WIRE_EVENT_ITEM, w.ref(e.item));
    w.put(at + VT_WIRE_EVENT_CATEGORY, w.ref(e.category));
    w.put(at + VT_WIRE_EVENT_BRAND, w.ref(e.brand));
    w.put(at + VT_WIRE_EVENT_QUERY, w.ref(e.query));
    w.put(at + VT_WIRE_EVENT_CODE, w.ref(e.code));
  }
  for (size_t i = 0; i < request.candidates.size(); ++i) {
    const Candidate& c = request.candidates[i];
    const size_t at = candidates_at + i * VT_WIRE_CANDIDATE_BYTES;
    w.put(at + VT_WIRE_CANDIDATE_ID, w.ref(c.id));
    w.put(at + VT_WIRE_CANDIDATE_CATEGORY, w.ref(c.category));
    w.put(at + VT_WIRE_CANDIDATE_BRAND, w.ref(c.brand));
    w.put(at + VT_WIRE_CANDIDATE_PRICE, c.price);
    w.put(at + VT_WIRE_CANDIDATE_POSITION,
          static_cast<int32_t>(c.position < 0 || c.position > INT32_MAX ? -1 : c.position));
    w.put(at + VT_WIRE_CANDIDATE_BOOST, c.boost);
    w.put(at + VT_WIRE_CANDIDATE_AVAILABLE, uint32_t{c.available});
    w.put(at + VT_WIRE_CANDIDATE_CODE, w.ref(c.code));
  }
  w.put(VT_WIRE_REQUEST_N_STRINGS, w.string_count());
  return std::move(w).finish();
}

Result<std::vector<uint8_t>> encode_explanations(const std::vector<Explanation>& explanations) {
  size_t n_factors = 0;
  for (const Explanation& e : explanations) n_factors += e.factors.size();
  const size_t entries_at = VT_WIRE_EXPLANATIONS_HEADER;
  const size_t factors_at = entries_at + explanations.size() * VT_WIRE_ENTRY_BYTES;
  WireWriter w(factors_at + n_factors * VT_WIRE_FACTOR_BYTES);
  w.put<uint32_t>(0, VT_WIRE_EXPLANATIONS_MAGIC);
  w.put(VT_WIRE_EXPLANATIONS_N_CANDIDATES, static_cast<uint32_t>(explanations.size()));
  w.put(VT_WIRE_EXPLANATIONS_N_FACTORS, static_cast<uint32_t>(n_factors));
  size_t factor = 0;
  for (size_t i = 0; i < explanations.size(); ++i) {
    const Explanation& e = explanations[i];
    const size_t at = entries_at + i * VT_WIRE_ENTRY_BYTES;
    w.put(at + VT_WIRE_ENTRY_SCORE, e.score);
    w.put(at + VT_WIRE_ENTRY_CART, e.cart);
    w.put(at + VT_WIRE_ENTRY_PURCHASE, e.purchase);
    w.put(at + VT_WIRE_ENTRY_N_FACTORS, static_cast<uint32_t>(e.factors.size()));
    for (const ExplanationFactor& f : e.factors) {
      const uint32_t kind = code_of(kFactorKindNames, f.kind);
      if (kind == VT_WIRE_INVALID) return Status(StatusCode::kINTERNAL, "explanation factor of unknown kind " + f.kind);
      const size_t fat = factors_at + factor++ * VT_WIRE_FACTOR_BYTES;
      w.put(fat + VT_WIRE_FACTOR_KIND, kind);
      w.put(fat + VT_WIRE_FACTOR_NAME, w.ref(f.name));
      w.put(fat + VT_WIRE_FACTOR_CONTRIBUTION, f.contribution);
      w.put(fat + VT_WIRE_FACTOR_EVENTS, f.events);
      w.put(fat + VT_WIRE_FACTOR_PROBABILITY, f.probability);
    }
  }
  w.put(VT_WIRE_EXPLANATIONS_N_STRINGS, w.string_count());
  return std::move(w).finish();
}

std::vector<uint8_t> encode_profile(const Profile& profile) {
  const size_t n = profile.categories.size() + profile.brands.size();
  WireWriter w(VT_WIRE_PROFILE_HEADER + n * VT_WIRE_AFFINITY_BYTES);
  w.put<uint32_t>(0, VT_WIRE_PROFILE_MAGIC);
  w.put(VT_WIRE_PROFILE_TOTAL_EVENTS, profile.total_events);
  w.put(VT_WIRE_PROFILE_SESSION_EVENTS, profile.session_events);
  w.put(VT_WIRE_PROFILE_PRICED_EVENTS, profile.priced_events);
  // The typical price and a band of one spread either side, on the log scale the profile keeps.
  w.put(VT_WIRE_PROFILE_PRICE_TYPICAL, std::exp(profile.log_price_mean));
  w.put(VT_WIRE_PROFILE_PRICE_LOW, std::exp(profile.log_price_mean - profile.log_price_spread));
  w.put(VT_WIRE_PROFILE_PRICE_HIGH, std::exp(profile.log_price_mean + profile.log_price_spread));
  w.put(VT_WIRE_PROFILE_STAGE, code_of(kStageNames, profile.session_stage));
  w.put(VT_WIRE_PROFILE_SESSION_CATEGORY, w.ref(profile.session_category));
  w.put(VT_WIRE_PROFILE_N_CATEGORIES, static_cast<uint32_t>(profile.categories.size()));
  w.put(VT_WIRE_PROFILE_N_BRANDS, static_cast<uint32_t>(profile.brands.size()));
  size_t at = VT_WIRE_PROFILE_HEADER;
  for (const auto* list : {&profile.categories, &profile.brands}) {
    for (const Affinity& a : *list) {
      w.put(at + VT_WIRE_AFFINITY_NAME, w.ref(a.name));
      w.put(at + VT_WIRE_AFFINITY_WEIGHT, a.weight);
      w.put(at + VT_WIRE_AFFINITY_EVENTS, a.events);
      at += VT_WIRE_AFFINITY_BYTES;
    }
  }
  w.put(VT_WIRE_PROFILE_N_STRINGS, w.string_count());
  return std::move(w).finish();
}

}  // namespace vitrine
