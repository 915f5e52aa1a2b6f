// The shopper side of a ranking request: decoded events, candidates and the profile built from them.
//
// Requests arrive from JS as one JSON document per batch (decode_rank_request). Decoding is strict about types
// and bounds but forgiving about content: a malformed event is reported with its index, never half-used, and
// strings are kept as data (they never become markup here or anywhere else).
//
//   {"now": 1733000000000,                                   // ms since epoch
//    "events": [{"kind": 0, "item": "sku-1", "t": 1732999990000, "dwell": 4200,
//                "category": "shoes", "brand": "acme", "price": 59.9, "query": "red boots"}, ...],
//    "candidates": [{"id": "sku-9", "category": "shoes", "brand": "acme", "price": 49.0,
//                    "position": 3, "boost": 1.5, "available": false}, ...],
//    "blend": 1.0,                                           // weight of the shop's order (ranker.h)
//    "rank_by": "relevance"}                                 // or "conversion", "value" (ranker.h)
//
// Only "kind" and "t" are required for an event; "item" is required for view, click, add_to_cart, purchase.
// A candidate needs only "id"; "position" is its place in the shop's own order (default: its index), "boost" the
// merchant's boost or bury in score units (|boost| <= kMaxBoost), "available": false an out-of-stock product.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vitrine/event_kinds.h"
#include "vitrine/status.h"

namespace vitrine {

struct ShopperEvent {
  EventKind kind = EventKind::kVIEW;
  double time_ms = 0.0;
  double dwell_ms = 0.0;  // views only; 0 when unknown
  std::string item;       // product id, may be empty for search and category visits
  std::string category;
  std::string brand;
  std::string query;    // searches
  float price = -1.0f;  // negative = unknown
};

// Bounds of the merchant's inputs to a ranking (decoding refuses values past them).
constexpr float kMaxBoost = 100.0f;
constexpr float kMaxBlend = 100.0f;

struct Candidate {
  std::string id;
  std::string category;
  std::string brand;
  float price = -1.0f;    // negative = unknown
  int64_t position = -1;  // the shop's own place for it, 0 first; negative: its index in the request
  float boost = 0.0f;     // the merchant's boost (> 0) or bury (< 0), added to the score
  bool available = true;  // false: out of stock, ranked after every available candidate
};

// What a ranking orders by (ranker.h step 2): the shopper's interest, the conversion head's purchase probability, or
// that probability times the price.
enum class RankBy : uint8_t { kRelevance, kConversion, kValue };

struct RankRequest {
  double now_ms = 0.0;
  RankBy rank_by = RankBy::kRelevance;
  std::vector<ShopperEvent> events;
  std::vector<Candidate> candidates;
  float blend = -1.0f;  // weight of the shop's order in the final score; negative: kDefaultBlend (ranker.h)
};

// Bounds on one request; past them decoding fails with LIMIT_EXCEEDED.
struct RequestLimits {
  size_t max_request_bytes = 8u << 20;
  size_t max_events = 10'000;
  size_t max_candidates = 50'000;
  size_t max_string_bytes = 512;
};

// Decodes the JSON request above. BAD_INPUT names the first bad field ("events[3].kind: expected an integer
// 0..5"); LIMIT_EXCEEDED names the bound. Never throws.
Result<RankRequest> decode_rank_request(std::string_view json, const RequestLimits& limits = RequestLimits());

// ------------------------------------------------------------------------------------------------ profile

struct Affinity {
  std::string name;
  float weight = 0.0f;  // share of the decayed interest, 0..1 over all names
  uint32_t events = 0;  // events that contributed
};

struct ProfileOptions {
  double half_life_days = 7.0;  // interest halves every week
  double session_gap_minutes = 30.0;
  size_t max_names = 20;  // keep the strongest names only
};

struct Profile {
  std::vector<Affinity> categories;  // strongest first
  std::vector<Affinity> brands;
  // Typical price of what the shopper engages with: decayed mean and spread of log(price). Valid when
  // priced_events > 0.
  float log_price_mean = 0.0f;
  float log_price_spread = 0.0f;
  uint32_t priced_events = 0;
  // The current session: events since the last gap of session_gap_minutes.
  uint32_t session_events = 0;
  std::string session_category;  // most engaged category this session ("" if none)
  std::string session_stage;     // "browsing", "comparing" (several products of one category), "buying" (cart)
  uint32_t total_events = 0;
};

// Weight of one event in the profile: a purchase says more than a glance. Views count more with dwell time.
float event_interest(const ShopperEvent& event);

// Builds the profile from events (any order), with exponential time decay relative to now_ms.
Profile build_profile(const std::vector<ShopperEvent>& events, double now_ms,
                      const ProfileOptions& options = ProfileOptions());

// How well a price fits the profile, 0..1 (1 = typical price, 0 = far off or unknown).
float price_fit(const Profile& profile, float price);

// The profile as JSON, for the shopper's "what is kept about me" view.
std::string profile_to_json(const Profile& profile);

}  // namespace vitrine
