#include "vitrine/shopper.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

namespace vitrine {
namespace {

using Json = nlohmann::json;

Status bad(const std::string& where, const std::string& what) {
  return Status(StatusCode::kBAD_INPUT, where + ": " + what);
}

// Reads an optional string field; absent or null leaves `out` empty.
Status read_string(const Json& obj, const char* key, const std::string& where, const RequestLimits& limits,
                   std::string& out) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status();
  if (!it->is_string()) return bad(where + "." + key, "expected a string");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > limits.max_string_bytes)
    return Status(StatusCode::kLIMIT_EXCEEDED, where + "." + key + ": string of " + std::to_string(s.size()) +
                                                   " bytes is longer than " + std::to_string(limits.max_string_bytes));
  out = s;
  return Status();
}

// Optional finite number; absent or null leaves `out` unchanged. NaN and infinities cannot come from JSON.
Status read_number(const Json& obj, const char* key, const std::string& where, double& out) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status();
  if (!it->is_number()) return bad(where + "." + key, "expected a number");
  out = it->get<double>();
  return Status();
}

Status read_price(const Json& obj, const std::string& where, float& out) {
  double price = -1.0;
  VITRINE_RETURN_IF_ERROR(read_number(obj, "price", where, price));
  // A negative price is the merchant's mistake, not the shopper's: treat it as unknown.
  out = price >= 0.0 && price < 1e12 ? static_cast<float>(price) : -1.0f;
  return Status();
}

bool needs_item(EventKind kind) {
  return kind == EventKind::kVIEW || kind == EventKind::kCLICK || kind == EventKind::kADD_TO_CART ||
         kind == EventKind::kPURCHASE || kind == EventKind::kIMPRESSION;
}

Result<ShopperEvent> decode_event(const Json& j, const std::string& where, const RequestLimits& limits) {
  if (!j.is_object()) return bad(where, "expected an object");
  ShopperEvent e;
  const auto kind = j.find("kind");
  if (kind == j.end() || !kind->is_number_integer() || kind->get<int64_t>() < 0 ||
      kind->get<int64_t>() >= VITRINE_EVENT_KIND_COUNT)
    return bad(where + ".kind", "expected an integer 0.." + std::to_string(VITRINE_EVENT_KIND_COUNT - 1));
  e.kind = static_cast<EventKind>(kind->get<int64_t>());
  const auto t = j.find("t");
  if (t == j.end() || !t->is_number()) return bad(where + ".t", "expected a time in ms");
  e.time_ms = t->get<double>();
  VITRINE_RETURN_IF_ERROR(read_number(j, "dwell", where, e.dwell_ms));
  if (e.dwell_ms < 0.0) e.dwell_ms = 0.0;
  VITRINE_RETURN_IF_ERROR(read_string(j, "item", where, limits, e.item));
  VITRINE_RETURN_IF_ERROR(read_string(j, "category", where, limits, e.category));
  VITRINE_RETURN_IF_ERROR(read_string(j, "brand", where, limits, e.brand));
  VITRINE_RETURN_IF_ERROR(read_string(j, "query", where, limits, e.query));
  VITRINE_RETURN_IF_ERROR(read_price(j, where, e.price));
  if (needs_item(e.kind) && e.item.empty()) return bad(where + ".item", "required for this kind of event");
  return e;
}

Result<Candidate> decode_candidate(const Json& j, const std::string& where, const RequestLimits& limits) {
  if (!j.is_object()) return bad(where, "expected an object");
  Candidate c;
  VITRINE_RETURN_IF_ERROR(read_string(j, "id", where, limits, c.id));
  if (c.id.empty()) return bad(where + ".id", "required");
  VITRINE_RETURN_IF_ERROR(read_string(j, "category", where, limits, c.category));
  VITRINE_RETURN_IF_ERROR(read_string(j, "brand", where, limits, c.brand));
  VITRINE_RETURN_IF_ERROR(read_price(j, where, c.price));
  if (const auto it = j.find("position"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0) return bad(where + ".position", "expected an integer >= 0");
    c.position = it->get<int64_t>();
  }
  double boost = 0.0;
  VITRINE_RETURN_IF_ERROR(read_number(j, "boost", where, boost));
  if (!(std::fabs(boost) <= kMaxBoost)) return bad(where + ".boost", "expected a number from -100 to 100");
  c.boost = static_cast<float>(boost);
  if (const auto it = j.find("available"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) return bad(where + ".available", "expected true or false");
    c.available = it->get<bool>();
  }
  return c;
}

void add_affinity(std::map<std::string, Affinity>& table, const std::string& name, float weight) {
  if (name.empty() || weight <= 0.0f) return;
  Affinity& a = table[name];
  a.name = name;
  a.weight += weight;
  a.events += 1;
}

std::vector<Affinity> strongest(std::map<std::string, Affinity>& table, size_t keep) {
  std::vector<Affinity> out;
  float total = 0.0f;
  for (auto& [name, a] : table) {
    total += a.weight;
    out.push_back(a);
  }
  std::sort(out.begin(), out.end(), [](const Affinity& x, const Affinity& y) {
    return x.weight != y.weight ? x.weight > y.weight : x.name < y.name;
  });
  if (out.size() > keep) out.resize(keep);
  for (Affinity& a : out) a.weight = total > 0.0f ? a.weight / total : 0.0f;
  return out;
}

}  // namespace

Result<RankRequest> decode_rank_request(std::string_view json, const RequestLimits& limits) {
  if (json.size() > limits.max_request_bytes)
    return Status(StatusCode::kLIMIT_EXCEEDED, "request of " + std::to_string(json.size()) + " bytes is larger than " +
                                                   std::to_string(limits.max_request_bytes));
  // nlohmann/json stops reading at a NUL byte and would accept `{...}\0<anything>`; JSON text never holds one.
  if (const size_t nul = json.find('\0'); nul != std::string_view::npos) {
    return bad("request", "not valid JSON: a NUL byte at offset " + std::to_string(nul));
  }
  const Json doc = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return bad("request", "not valid JSON");
  if (!doc.is_object()) return bad("request", "expected a JSON object");
  RankRequest request;
  const auto now = doc.find("now");
  if (now == doc.end() || !now->is_number()) return bad("request.now", "expected a time in ms");
  request.now_ms = now->get<double>();
  if (const auto blend = doc.find("blend"); blend != doc.end() && !blend->is_null()) {
    if (!blend->is_number() || !(blend->get<double>() >= 0.0 && blend->get<double>() <= kMaxBlend))
      return bad("request.blend", "expected a number from 0 to 100");
    request.blend = blend->get<float>();
  }
  if (const auto by = doc.find("rank_by"); by != doc.end() && !by->is_null()) {
    const std::string* name = by->get_ptr<const std::string*>();
    if (name != nullptr && *name == "relevance")
      request.rank_by = RankBy::kRelevance;
    else if (name != nullptr && *name == "conversion")
      request.rank_by = RankBy::kConversion;
    else if (name != nullptr && *name == "value")
      request.rank_by = RankBy::kValue;
    else
      return bad("request.rank_by", "expected \"relevance\", \"conversion\" or \"value\"");
  }

  const auto list = [&](const char* key, size_t max, auto decode, auto& out) -> Status {
    const auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) return Status();
    if (!it->is_array()) return bad(std::string("request.") + key, "expected an array");
    if (it->size() > max)
      return Status(StatusCode::kLIMIT_EXCEEDED, std::string("request.") + key + " holds " +
                                                     std::to_string(it->size()) + " entries, more than " +
                                                     std::to_string(max));
    out.reserve(it->size());
    for (size_t i = 0; i < it->size(); ++i) {
      auto decoded = decode((*it)[i], std::string(key) + "[" + std::to_string(i) + "]", limits);
      if (!decoded.ok()) return decoded.status();
      out.push_back(std::move(decoded).value());
    }
    return Status();
  };
  VITRINE_RETURN_IF_ERROR(list("events", limits.max_events, decode_event, request.events));
  VITRINE_RETURN_IF_ERROR(list("candidates", limits.max_candidates, decode_candidate, request.candidates));
  return request;
}

float event_interest(const ShopperEvent& event) {
  switch (event.kind) {
    case EventKind::kVIEW: {
      // A glance counts half; a long look up to twice a click. Dwell beyond a minute adds nothing.
      const double seconds = std::min(event.dwell_ms / 1000.0, 60.0);
      return static_cast<float>(0.5 + 1.5 * seconds / 60.0 + (seconds >= 5.0 ? 0.5 : 0.0));
    }
    case EventKind::kCLICK:
      return 1.0f;
    case EventKind::kADD_TO_CART:
      return 3.0f;
    case EventKind::kPURCHASE:
      return 5.0f;
    case EventKind::kSEARCH:
      return 0.5f;
    case EventKind::kCATEGORY_VISIT:
      return 0.75f;
    case EventKind::kIMPRESSION:
      // A card scrolled past says little: a tenth of a click.
      return 0.1f;
  }
  return 0.0f;
}

Profile build_profile(const std::vector<ShopperEvent>& events, double now_ms, const ProfileOptions& options) {
  Profile p;
  std::map<std::string, Affinity> categories, brands;
  const double half_life_ms = options.half_life_days * 86'400'000.0;
  double price_weight = 0.0, price_sum = 0.0, price_sq = 0.0;
  for (const ShopperEvent& e : events) {
    const double age = std::max(0.0, now_ms - e.time_ms);
    const auto weight = static_cast<float>(event_interest(e) * std::exp2(-age / half_life_ms));
    add_affinity(categories, e.category, weight);
    add_affinity(brands, e.brand, weight);
    if (e.price > 0.0f && weight > 0.0f) {
      const double lp = std::log(double{e.price});
      price_weight += weight;
      price_sum += weight * lp;
      price_sq += weight * lp * lp;
      ++p.priced_events;
    }
  }
  p.categories = strongest(categories, options.max_names);
  p.brands = strongest(brands, options.max_names);
  p.total_events = static_cast<uint32_t>(events.size());
  if (price_weight > 0.0) {
    const double mean = price_sum / price_weight;
    p.log_price_mean = static_cast<float>(mean);
    p.log_price_spread = static_cast<float>(std::sqrt(std::max(0.0, price_sq / price_weight - mean * mean)));
  }

  // The current session: walk back from the newest event until a gap.
  std::vector<const ShopperEvent*> by_time;
  for (const ShopperEvent& e : events) by_time.push_back(&e);
  std::stable_sort(by_time.begin(), by_time.end(),
                   [](const ShopperEvent* a, const ShopperEvent* b) { return a->time_ms < b->time_ms; });
  const double gap_ms = options.session_gap_minutes * 60'000.0;
  std::map<std::string, Affinity> session_categories;
  std::map<std::string, uint32_t> products_per_category;
  bool carted = false;
  double next_time = now_ms;
  for (size_t i = by_time.size(); i-- > 0;) {
    const ShopperEvent& e = *by_time[i];
    if (next_time - e.time_ms > gap_ms) break;
    next_time = e.time_ms;
    ++p.session_events;
    add_affinity(session_categories, e.category, event_interest(e));
    if (!e.category.empty() && !e.item.empty()) ++products_per_category[e.category];
    carted |= e.kind == EventKind::kADD_TO_CART;
  }
  const auto session = strongest(session_categories, 1);
  if (!session.empty()) p.session_category = session[0].name;
  if (carted) {
    p.session_stage = "buying";
  } else if (!p.session_category.empty() && products_per_category[p.session_category] >= 3) {
    p.session_stage = "comparing";
  } else if (p.session_events > 0) {
    p.session_stage = "browsing";
  }
  return p;
}

float price_fit(const Profile& profile, float price) {
  if (profile.priced_events == 0 || !(price > 0.0f)) return 0.0f;
  // Gaussian on log price; the spread never goes below 25% so a single priced event does not over-fit.
  const float spread = std::max(profile.log_price_spread, 0.25f);
  const float z = (std::log(price) - profile.log_price_mean) / spread;
  return std::exp(-0.5f * z * z);
}

std::string profile_to_json(const Profile& profile) {
  const auto affinities = [](const std::vector<Affinity>& list) {
    Json out = Json::array();
    for (const Affinity& a : list) out.push_back({{"name", a.name}, {"weight", a.weight}, {"events", a.events}});
    return out;
  };
  Json j = {
      {"categories", affinities(profile.categories)},
      {"brands", affinities(profile.brands)},
      {"session",
       {{"events", profile.session_events}, {"category", profile.session_category}, {"stage", profile.session_stage}}},
      {"total_events", profile.total_events}};
  if (profile.priced_events > 0) {
    j["price"] = {{"typical", std::exp(profile.log_price_mean)},
                  {"low", std::exp(profile.log_price_mean - profile.log_price_spread)},
                  {"high", std::exp(profile.log_price_mean + profile.log_price_spread)},
                  {"events", profile.priced_events}};
  }
  // Replacement of invalid UTF-8 instead of an exception: names come from shop pages.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace vitrine
