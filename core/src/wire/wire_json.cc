// A rank request written as JSON, mapped to wire bytes the way js/src/wire.mjs maps the package's request object.
// Never linked into the shipped engine (nothing there calls it), so JSON stays out of the module.
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "vitrine/wire.h"
#include "wire_writer.h"

namespace vitrine {
namespace {

using Json = nlohmann::json;
using wire_internal::WireWriter;

constexpr float kNotANumber = std::numeric_limits<float>::quiet_NaN();

// The field or nullptr when it is absent or null.
const Json* field(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

uint32_t text_ref(WireWriter& w, const Json& object, const char* key) {
  const Json* value = field(object, key);
  if (value == nullptr) return 0;
  return value->is_string() ? w.ref(value->get_ref<const std::string&>()) : VT_WIRE_NOT_A_STRING;
}

// A number as a float, as js/src/wire.mjs writes it: a finite value past the float range saturates, so that the
// decoder judges its size rather than calling it "not a number".
float number(const Json& object, const char* key, float absent) {
  const Json* value = field(object, key);
  if (value == nullptr) return absent;
  if (!value->is_number()) return kNotANumber;
  const double x = value->get<double>();
  constexpr double kMax = std::numeric_limits<float>::max();
  return static_cast<float>(x > kMax ? kMax : x < -kMax ? -kMax : x);
}

}  // namespace

Result<std::vector<uint8_t>> rank_request_wire_from_json(std::string_view json) {
  // nlohmann/json stops reading at a NUL byte and would accept `{...}\0<anything>`; JSON text never holds one.
  if (const size_t nul = json.find('\0'); nul != std::string_view::npos)
    return Status(StatusCode::kBAD_INPUT, "request: not valid JSON: a NUL byte at offset " + std::to_string(nul));
  const Json doc = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status(StatusCode::kBAD_INPUT, "request: not valid JSON");
  if (!doc.is_object()) return Status(StatusCode::kBAD_INPUT, "request: expected a JSON object");
  static const Json kNone = Json::array();
  static const Json kEmpty = Json::object();
  const auto list = [&](const char* key) -> const Json& {
    const Json* value = field(doc, key);
    return value != nullptr && value->is_array() ? *value : kNone;
  };
  for (const char* key : {"events", "candidates"})
    if (field(doc, key) != nullptr && !doc[key].is_array())
      return Status(StatusCode::kBAD_INPUT, std::string("request.") + key + ": expected an array");
  const Json& events = list("events");
  const Json& candidates = list("candidates");

  const size_t events_at = VT_WIRE_REQUEST_HEADER;
  const size_t candidates_at = events_at + events.size() * VT_WIRE_EVENT_BYTES;
  WireWriter w(candidates_at + candidates.size() * VT_WIRE_CANDIDATE_BYTES);
  w.put<uint32_t>(0, VT_WIRE_REQUEST_MAGIC);
  w.put(VT_WIRE_REQUEST_N_EVENTS, static_cast<uint32_t>(events.size()));
  w.put(VT_WIRE_REQUEST_N_CANDIDATES, static_cast<uint32_t>(candidates.size()));
  const Json* now = field(doc, "now");
  w.put(VT_WIRE_REQUEST_NOW, now != nullptr && now->is_number() ? now->get<double>() : std::nan(""));
  // Absent: -1, the default. Given, a negative blend is the caller's mistake: NaN, which the decoder names.
  const float blend = number(doc, "blend", -1.0f);
  w.put(VT_WIRE_REQUEST_BLEND, field(doc, "blend") != nullptr && blend < 0.0f ? kNotANumber : blend);
  uint32_t rank_by = 0;
  if (const Json* by = field(doc, "rank_by")) {
    rank_by = VT_WIRE_INVALID;
#define VT_RANK_BY_NAME(name, value, text) \
  if (*by == text) rank_by = value;
    VT_WIRE_RANK_BY(VT_RANK_BY_NAME)
#undef VT_RANK_BY_NAME
  }
  w.put(VT_WIRE_REQUEST_RANK_BY, rank_by);

  for (size_t i = 0; i < events.size(); ++i) {
    const size_t at = events_at + i * VT_WIRE_EVENT_BYTES;
    const Json& e = events[i].is_object() ? events[i] : kEmpty;
    // An entry that is not an object has no kind: the decoder names it.
    uint32_t kind = VT_WIRE_INVALID;
    if (const Json* k = field(e, "kind"); k != nullptr && k->is_number_unsigned() && k->get<uint64_t>() < 0xFFFFFFFFu)
      kind = k->get<uint32_t>();
    w.put(at + VT_WIRE_EVENT_KIND, kind);
    const Json* t = field(e, "t");
    w.put(at + VT_WIRE_EVENT_TIME, t != nullptr && t->is_number() ? t->get<double>() : std::nan(""));
    w.put(at + VT_WIRE_EVENT_DWELL, number(e, "dwell", 0.0f));
    w.put(at + VT_WIRE_EVENT_PRICE, number(e, "price", -1.0f));
    w.put(at + VT_WIRE_EVENT_ITEM, text_ref(w, e, "item"));
    w.put(at + VT_WIRE_EVENT_CATEGORY, text_ref(w, e, "category"));
    w.put(at + VT_WIRE_EVENT_BRAND, text_ref(w, e, "brand"));
    w.put(at + VT_WIRE_EVENT_QUERY, text_ref(w, e, "query"));
    w.put(at + VT_WIRE_EVENT_CODE, text_ref(w, e, "code"));
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    const size_t at = candidates_at + i * VT_WIRE_CANDIDATE_BYTES;
    const Json& c = candidates[i].is_object() ? candidates[i] : kEmpty;
    w.put(at + VT_WIRE_CANDIDATE_ID, text_ref(w, c, "id"));
    w.put(at + VT_WIRE_CANDIDATE_CATEGORY, text_ref(w, c, "category"));
    w.put(at + VT_WIRE_CANDIDATE_BRAND, text_ref(w, c, "brand"));
    w.put(at + VT_WIRE_CANDIDATE_CODE, text_ref(w, c, "code"));
    w.put(at + VT_WIRE_CANDIDATE_PRICE, number(c, "price", -1.0f));
    int32_t position = -1;
    if (const Json* p = field(c, "position"))
      position = p->is_number_unsigned() && p->get<uint64_t>() <= INT32_MAX ? p->get<int32_t>() : -2;
    w.put(at + VT_WIRE_CANDIDATE_POSITION, position);
    w.put(at + VT_WIRE_CANDIDATE_BOOST, number(c, "boost", 0.0f));
    const Json* available = field(c, "available");
    w.put(at + VT_WIRE_CANDIDATE_AVAILABLE, available == nullptr      ? 1u
                                            : available->is_boolean() ? uint32_t{available->get<bool>()}
                                                                      : 2u);
  }
  w.put(VT_WIRE_REQUEST_N_STRINGS, w.string_count());
  return std::move(w).finish();
}

Result<RankRequest> decode_rank_request_json(std::string_view json, const RequestLimits& limits) {
  auto bytes = rank_request_wire_from_json(json);
  if (!bytes.ok()) return bytes.status();
  return decode_rank_request(bytes.value().data(), bytes.value().size(), limits);
}

}  // namespace vitrine
