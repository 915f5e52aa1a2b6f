// The weight of the shop's own order (ranker.h's blend), learned from a log's impressions with positions.
//
// A choice is a list the shopper was shown (a run of consecutive impression events with positions) and the first
// product of it they then opened (a view or click before the next list). The ranker, as served, scores every
// product of the list from what the shopper did before the list, without the shop's order (blend 0): that is s_i,
// the shopper's terms. A conditional logit then explains which product was opened:
//   P(i opened) ~ exp(a * s_i + b * shop_i + c * shown_i),  shop_i = -ln(1 + the shop's place of i),
//                                                         shown_i = -ln(1 + the place i was shown at),
// and the blend is b / a: the served score is s + blend * shop, so this is the weight at which the shop's order
// adds to the shopper's signals what it added to their clicks.
//
// Position bias. A list shown in the shop's own order cannot tell the shop's information (b) from the attention a
// high place gets (c): the two columns are the same. The fit then has only b, which takes in both, and the learned
// weight leans toward the shop's order (it keeps the shop's top products higher than their information alone would).
// When the log also says where lists were shown in another order (the shop_position column, event_log.h: sort
// options, the shop's own tests, Vitrine's ranked listings), c is fitted apart and only b counts.
//
// The fit runs on the validation split's sessions, never on the sessions the encoder was trained on, and the result
// is kept only when the data support it (BlendFitOptions). The weight is capped at kSearchPageBlend, the search
// pages' weight, so a listing never weighs the shop's order more than search results do.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "event_log.h"
#include "vitrine/ranker.h"
#include "vitrine/shopper.h"

namespace vitrine::train {

// The search pages' weight of the shop's order: js/src/dom.mjs SEARCH_BLEND (tests/js/blend.test.mjs checks it).
inline constexpr float kSearchPageBlend = 4.0f;

struct BlendChoice {
  RankRequest request;         // the shopper's events before the list; candidates: the list, position = shop's place
  std::vector<uint8_t> shown;  // per candidate, the place it was shown at (0 = the list's first)
  uint32_t chosen = 0;         // index of the candidate opened
};

// The choices in log.sessions[k] for each k in `sessions` (ascending). Each request holds the session's item events
// before the list, after up to `history` item events of the visitor's earlier sessions (as the browser's stored
// events do). Lists of fewer than two products, and lists after which no product of them is opened, give no choice.
std::vector<BlendChoice> blend_choices(const EventLog& log, const std::vector<size_t>& sessions, size_t history);

struct BlendFitOptions {
  // Fewer choices than this keep the default: a 3-parameter logit on a hundred clicks is noise.
  size_t min_choices = 200;
  // The shopper's weight `a` must be at least this many standard errors above 0, or the ratio b / a means nothing.
  double min_z = 2.0;
};

struct BlendFit {
  bool fitted = false;  // false: keep kDefaultBlend (why: report["reason"])
  float blend = kDefaultBlend;
  // {"choices", "lists_shown_in_another_order", "a", "b", "c" (each {"value", "standard_error"}), "blend",
  //  "blend_unclamped", "blend_standard_error", "reason", "log_likelihood" (of the opened products, per list, at
  //  the fitted a, b, c: how well the model's terms and the places explain the clicks),
  //  "click_mrr": {"lists", "learned", "default", "personal_only", "shop_only"}: the opened product's reciprocal
  //  rank in each order, over the lists shown in another order when there are any (there the place shown favours
  //  no order), else over all lists (which favour the shop's order: a description, not a test)}
  nlohmann::json report;
};

// One list as the logit reads it: per product {s, shop, shown} (the header's terms), and the product opened.
struct ListFeatures {
  std::vector<std::array<double, 3>> x;
  uint32_t chosen = 0;
};

// The logit and the decision on lists already scored (fit_blend's second half; tests feed it known weights).
BlendFit fit_blend_logit(const std::vector<ListFeatures>& lists, const BlendFitOptions& options);

// Fits the blend on `choices` with `ranker` (its own default blend is not used: each choice is scored at blend 0).
BlendFit fit_blend(const Ranker& ranker, const std::vector<BlendChoice>& choices, const BlendFitOptions& options);

}  // namespace vitrine::train
