#include "vitrine/shopper.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace vitrine {
namespace {

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

}  // namespace vitrine
