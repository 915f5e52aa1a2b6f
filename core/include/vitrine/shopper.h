// The shopper side of a ranking request: events, candidates and the profile built from them.
//
// Requests arrive from JS as one message per batch in the byte layout of wire_format.h, decoded by wire.h's
// decode_rank_request. Decoding is strict about types and bounds but forgiving about content: a malformed event is
// reported with its index, never half-used, and strings are kept as data (they never become markup here or
// anywhere else).
//
// An event needs a kind and a time; "item" is required for view, click, add_to_cart, purchase and impression.
// A candidate needs only an id; its position is its place in the shop's own order (default: its index), boost the
// merchant's boost or bury in score units (|boost| <= kMaxBoost), available = false an out-of-stock product.
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
  std::string code;     // the product's item code (item_codes.h), for a model whose catalog is out of it; may be empty
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
  std::string code;       // the product's item code (item_codes.h); may be empty
};

// What a ranking orders by (ranker.h step 2): the shopper's interest, the conversion head's purchase probability, or
// that probability times the price.
enum class RankBy : uint8_t { kRelevance, kConversion, kValue };

struct RankRequest {
  double now_ms = 0.0;
  RankBy rank_by = RankBy::kRelevance;
  std::vector<ShopperEvent> events;
  std::vector<Candidate> candidates;
  // Weight of the shop's order in the final score; negative: the model's own (Ranker::default_blend).
  float blend = -1.0f;
};

// Bounds on one request; past them decoding fails with LIMIT_EXCEEDED.
struct RequestLimits {
  size_t max_request_bytes = 8u << 20;
  size_t max_events = 10'000;
  size_t max_candidates = 50'000;
  size_t max_string_bytes = 512;
};

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

}  // namespace vitrine
