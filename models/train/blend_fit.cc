#include "blend_fit.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <unordered_map>

namespace vitrine::train {
namespace {

ShopperEvent shopper_event(const EventLog& log, const LoggedEvent& e) {
  ShopperEvent out;
  out.kind = static_cast<vitrine::EventKind>(e.kind);
  out.time_ms = static_cast<double>(e.time_ms);
  out.item = log.item_ids[e.item];
  out.category = log.item_categories[e.item];
  out.brand = log.item_brands[e.item];
  out.price = log.item_prices[e.item];
  return out;
}

bool is_opening(uint8_t kind) {
  return kind == kEventVIEW || kind == kEventCLICK;
}

double log_place(uint32_t place) {
  return -std::log1p(static_cast<double>(place));
}

// Solves the K x K system h * x = g in place (h symmetric positive definite, Gaussian elimination with pivoting).
template <size_t K>
bool solve(std::array<std::array<double, K>, K> h, std::array<double, K>& x, size_t k_used) {
  for (size_t col = 0; col < k_used; ++col) {
    size_t pivot = col;
    for (size_t r = col + 1; r < k_used; ++r)
      if (std::fabs(h[r][col]) > std::fabs(h[pivot][col])) pivot = r;
    if (!(std::fabs(h[pivot][col]) > 1e-12)) return false;
    std::swap(h[col], h[pivot]);
    std::swap(x[col], x[pivot]);
    for (size_t r = 0; r < k_used; ++r) {
      if (r == col) continue;
      const double f = h[r][col] / h[col][col];
      for (size_t c = col; c < k_used; ++c) h[r][c] -= f * h[col][c];
      x[r] -= f * x[col];
    }
  }
  for (size_t r = 0; r < k_used; ++r) x[r] /= h[r][r];
  return true;
}

// Reciprocal rank of the chosen product when the list is ordered by `score` (ties share their places).
template <typename Score>
double reciprocal_rank(const ListFeatures& c, Score score) {
  const double mine = score(c.x[c.chosen]);
  double above = 0.0, tied = 0.0;
  for (size_t i = 0; i < c.x.size(); ++i) {
    if (i == c.chosen) continue;
    const double other = score(c.x[i]);
    above += other > mine ? 1.0 : 0.0;
    tied += other == mine ? 1.0 : 0.0;
  }
  return 1.0 / (1.0 + above + 0.5 * tied);
}

}  // namespace

std::vector<BlendChoice> blend_choices(const EventLog& log, const std::vector<size_t>& sessions, size_t history) {
  std::vector<BlendChoice> out;
  std::unordered_map<uint32_t, std::vector<ShopperEvent>> earlier;  // visitor -> their last `history` item events
  size_t next = 0;                                                  // into `sessions`
  for (size_t k = 0; k < log.sessions.size() && next < sessions.size(); ++k) {
    const LoggedSession& s = log.sessions[k];
    const bool wanted = sessions[next] == k;
    if (wanted) ++next;
    std::vector<ShopperEvent>* past = history > 0 && s.visitor != 0 ? &earlier[s.visitor] : nullptr;
    if (wanted) {
      std::vector<ShopperEvent> before = past != nullptr ? *past : std::vector<ShopperEvent>();
      const size_t end = size_t{s.begin} + s.size;
      for (size_t i = s.begin; i < end;) {
        const LoggedEvent& e = log.events[i];
        if (e.kind != kEventIMPRESSION || e.position == kNoPosition) {
          if (e.item != 0 && is_item_kind(e.kind)) before.push_back(shopper_event(log, e));
          ++i;
          continue;
        }
        // A list: the run of impressions with positions from here; then the first of its products opened.
        size_t list_end = i;
        while (list_end < end && log.events[list_end].kind == kEventIMPRESSION &&
               log.events[list_end].position != kNoPosition)
          ++list_end;
        BlendChoice choice;
        uint8_t first_shown = kNoPosition, first_shop = kNoPosition;
        std::unordered_map<uint32_t, uint32_t> index;  // item -> candidate
        for (size_t j = i; j < list_end; ++j) {
          const LoggedEvent& l = log.events[j];
          const uint8_t shop = l.shop_position != kNoPosition ? l.shop_position : l.position;
          if (l.item == 0 || l.position >= kLastPosition || shop >= kLastPosition) continue;
          if (!index.emplace(l.item, static_cast<uint32_t>(choice.shown.size())).second) continue;
          Candidate c;
          c.id = log.item_ids[l.item];
          c.category = log.item_categories[l.item];
          c.brand = log.item_brands[l.item];
          c.price = log.item_prices[l.item];
          c.position = shop;
          choice.request.candidates.push_back(std::move(c));
          choice.shown.push_back(l.position);
          first_shown = std::min(first_shown, l.position);
          first_shop = std::min(first_shop, shop);
        }
        // 0- or 1-based alike: the list's smallest place is its first.
        for (size_t c = 0; c < choice.shown.size(); ++c) {
          choice.shown[c] = static_cast<uint8_t>(choice.shown[c] - first_shown);
          choice.request.candidates[c].position -= first_shop;
        }
        bool found = false;
        for (size_t j = list_end; j < end && !found; ++j) {
          const LoggedEvent& o = log.events[j];
          if (o.kind == kEventIMPRESSION && o.position != kNoPosition) break;  // the next list
          if (!is_opening(o.kind)) continue;
          if (const auto it = index.find(o.item); it != index.end()) {
            choice.chosen = it->second;
            found = true;
          }
        }
        if (found && choice.shown.size() >= 2) {
          choice.request.events = before;
          choice.request.now_ms = static_cast<double>(log.events[i].time_ms);
          choice.request.blend = 0.0f;
          out.push_back(std::move(choice));
        }
        for (size_t j = i; j < list_end; ++j)
          if (log.events[j].item != 0) before.push_back(shopper_event(log, log.events[j]));
        i = list_end;
      }
    }
    if (past != nullptr) {
      for (size_t i = s.begin; i < size_t{s.begin} + s.size; ++i) {
        const LoggedEvent& e = log.events[i];
        if (e.item != 0 && is_item_kind(e.kind)) past->push_back(shopper_event(log, e));
      }
      if (past->size() > history) past->erase(past->begin(), past->end() - static_cast<std::ptrdiff_t>(history));
    }
  }
  return out;
}

BlendFit fit_blend(const Ranker& ranker, const std::vector<BlendChoice>& choices, const BlendFitOptions& options) {
  // Score every list as served at blend 0. Products the ranker sinks (bought once: ranker.h step 3) leave the
  // list: their place is a rule, not a score.
  std::vector<ListFeatures> scored;
  std::vector<float> scores;
  std::vector<Explanation> explanations;
  for (const BlendChoice& choice : choices) {
    const size_t n = choice.request.candidates.size();
    scores.resize(n);
    if (!ranker.rank(choice.request, scores.data(), &explanations).ok()) continue;
    ListFeatures s;
    bool chosen_kept = false;
    for (size_t i = 0; i < n; ++i) {
      const auto& factors = explanations[i].factors;
      if (std::any_of(factors.begin(), factors.end(), [](const auto& f) { return f.kind == "bought"; })) continue;
      if (i == choice.chosen) {
        s.chosen = static_cast<uint32_t>(s.x.size());
        chosen_kept = true;
      }
      const auto shop = static_cast<uint32_t>(choice.request.candidates[i].position);
      s.x.push_back({static_cast<double>(scores[i]), log_place(shop), log_place(choice.shown[i])});
    }
    if (!chosen_kept || s.x.size() < 2) continue;
    scored.push_back(std::move(s));
  }
  return fit_blend_logit(scored, options);
}

BlendFit fit_blend_logit(const std::vector<ListFeatures>& scored, const BlendFitOptions& options) {
  BlendFit fit;
  size_t lists_in_another_order = 0;
  for (const ListFeatures& c : scored)
    lists_in_another_order += std::any_of(c.x.begin(), c.x.end(), [](const auto& x) { return x[1] != x[2]; }) ? 1 : 0;
  const bool another_order = lists_in_another_order > 0;
  fit.report = {{"choices", scored.size()}, {"lists_shown_in_another_order", lists_in_another_order}};
  if (scored.size() < options.min_choices) {
    fit.report["reason"] = "fewer than " + std::to_string(options.min_choices) + " lists with a product opened";
    return fit;
  }

  // Conditional logit by Newton's method; the place shown is a parameter only when some list was reordered.
  const size_t k_used = another_order ? 3 : 2;
  std::array<double, 3> w{};
  std::array<std::array<double, 3>, 3> information{};
  double log_likelihood = 0.0;  // at the weights of the last step
  for (int iteration = 0; iteration < 50; ++iteration) {
    std::array<double, 3> gradient{};
    information = {};
    log_likelihood = 0.0;
    for (const ListFeatures& c : scored) {
      double top = -INFINITY;
      std::vector<double> u(c.x.size());
      for (size_t i = 0; i < c.x.size(); ++i) {
        u[i] = 0.0;
        for (size_t k = 0; k < k_used; ++k) u[i] += w[k] * c.x[i][k];
        top = std::max(top, u[i]);
      }
      double total = 0.0;
      for (double& v : u) total += v = std::exp(v - top);
      log_likelihood += std::log(u[c.chosen] / total);
      std::array<double, 3> mean{};
      for (size_t i = 0; i < c.x.size(); ++i)
        for (size_t k = 0; k < k_used; ++k) mean[k] += u[i] / total * c.x[i][k];
      for (size_t k = 0; k < k_used; ++k) gradient[k] += c.x[c.chosen][k] - mean[k];
      for (size_t i = 0; i < c.x.size(); ++i)
        for (size_t a = 0; a < k_used; ++a)
          for (size_t b = 0; b < k_used; ++b)
            information[a][b] += u[i] / total * (c.x[i][a] - mean[a]) * (c.x[i][b] - mean[b]);
    }
    for (size_t k = 0; k < k_used; ++k) information[k][k] += 1e-9;  // keeps a flat direction solvable
    std::array<double, 3> step = gradient;
    if (!solve(information, step, k_used)) {
      fit.report["reason"] = "the shopper's terms and the shop's places are collinear in these lists";
      return fit;
    }
    double size = 0.0;
    for (size_t k = 0; k < k_used; ++k) {
      w[k] += step[k];
      size = std::max(size, std::fabs(step[k]));
    }
    if (size < 1e-7) break;
  }
  // Standard errors: the diagonal of the inverse information.
  std::array<double, 3> se{};
  for (size_t k = 0; k < k_used; ++k) {
    std::array<double, 3> unit{};
    unit[k] = 1.0;
    if (solve(information, unit, k_used)) se[k] = std::sqrt(std::max(0.0, unit[k]));
  }
  fit.report["log_likelihood"] = log_likelihood / static_cast<double>(scored.size());
  const char* names[] = {"a", "b", "c"};
  for (size_t k = 0; k < k_used; ++k) fit.report[names[k]] = {{"value", w[k]}, {"standard_error", se[k]}};

  if (!(w[0] > options.min_z * se[0])) {
    char why[120];
    std::snprintf(why, sizeof why,
                  "the shopper's terms do not predict the opened product here (a below %g standard errors)",
                  options.min_z);
    fit.report["reason"] = why;
    return fit;
  }
  const double ratio = w[1] / w[0];
  const double blend = std::clamp(ratio, 0.0, static_cast<double>(kSearchPageBlend));
  // Delta method, ignoring the covariance of a and b: a rough interval, reported, never used to decide.
  const double ratio_se =
      std::fabs(ratio) * std::sqrt(std::pow(se[0] / w[0], 2) + std::pow(se[1] / std::max(std::fabs(w[1]), 1e-12), 2));
  fit.fitted = true;
  fit.blend = static_cast<float>(blend);
  fit.report["blend"] = blend;
  fit.report["blend_unclamped"] = ratio;
  fit.report["blend_standard_error"] = ratio_se;

  // Where the opened product would have placed in each order. Lists shown in another order are the fair test: there
  // the place shown favours no order. Lists shown in the shop's order favour it (a description, not a test).
  double mrr_learned = 0.0, mrr_default = 0.0, mrr_personal = 0.0, mrr_shop = 0.0, lists = 0.0;
  for (const ListFeatures& c : scored) {
    const bool reordered = std::any_of(c.x.begin(), c.x.end(), [](const auto& x) { return x[1] != x[2]; });
    if (another_order && !reordered) continue;
    lists += 1.0;
    mrr_learned += reciprocal_rank(c, [&](const auto& x) { return x[0] + blend * x[1]; });
    mrr_default += reciprocal_rank(c, [&](const auto& x) { return x[0] + double{kDefaultBlend} * x[1]; });
    mrr_personal += reciprocal_rank(c, [](const auto& x) { return x[0]; });
    mrr_shop += reciprocal_rank(c, [](const auto& x) { return x[1]; });
  }
  fit.report["click_mrr"] = {{"lists", another_order ? "shown in another order" : "all, shown in the shop's order"},
                             {"learned", mrr_learned / lists},
                             {"default", mrr_default / lists},
                             {"personal_only", mrr_personal / lists},
                             {"shop_only", mrr_shop / lists}};
  return fit;
}

}  // namespace vitrine::train
