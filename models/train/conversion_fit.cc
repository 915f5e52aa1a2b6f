#include "conversion_fit.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string_view>

#include "vitrine/native/dense.h"
#include "vitrine/native/eigen_core.h"

namespace vitrine::train {
namespace {

bool is_showing(uint8_t kind) {
  return kind == event_kind_code(EventKind::kIMPRESSION) || kind == event_kind_code(EventKind::kVIEW) ||
         kind == event_kind_code(EventKind::kCLICK);
}

// Pseudo-showings that pull an item's rate toward the overall rate: an item shown a few times says little.
constexpr double kPriorStrength = 10.0;

// Feature rows of `examples`: [n][F] in double for the fit, f(j) as the engine computes it for a shown candidate
// (the session vector of the events before the showing, and the window counts of the same events). With
// leave_one_out the item priors of each row leave out that example's own labels.
Eigen::MatrixXd feature_rows(const SessionModelWeights& weights, const std::vector<float>& item_vectors,
                             const std::vector<EventSession>& sessions, const std::vector<ConversionExample>& examples,
                             const ConversionCounts* leave_one_out, uint32_t threads) {
  const SessionModelConfig& c = weights.config;
  const size_t f = conversion_feature_count(c), d = c.dim;
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(examples.size()), static_cast<Eigen::Index>(f));
  const double cart_rate = leave_one_out != nullptr ? leave_one_out->carted[0] / leave_one_out->shown[0] : 0.0;
  const double buy_rate = leave_one_out != nullptr ? leave_one_out->bought[0] / leave_one_out->shown[0] : 0.0;
  if (threads > 0) omp_set_num_threads(static_cast<int>(threads));
  // The session vectors a batch at a time, as the trainer encodes (one product for the batch's gate projections).
  constexpr size_t kBatch = 512;
  std::vector<EventSpan> spans(kBatch);
  std::vector<float> session_vecs(kBatch * d);
  std::vector<SessionTape> tapes;
  EncoderBatch scratch;
  for (size_t first = 0; first < examples.size(); first += kBatch) {
    const size_t n = std::min(kBatch, examples.size() - first);
    for (size_t b = 0; b < n; ++b) {
      const ConversionExample& e = examples[first + b];
      spans[b] = {sessions[e.session].data(), e.position};
    }
    encode_batch(weights, item_vectors.data(), spans.data(), n, session_vecs.data(), tapes, scratch);
#pragma omp parallel
    {
      ConversionContext context;
      std::vector<float> features(f);
#pragma omp for schedule(static)
      for (size_t b = 0; b < n; ++b) {
        const ConversionExample& e = examples[first + b];
        conversion_context(c, spans[b].events, spans[b].length, context);
        conversion_features(weights, context, session_vecs.data() + b * d, item_vectors.data() + size_t{e.item} * d,
                            e.item, features.data());
        if (leave_one_out != nullptr) {
          const ConversionCounts& counts = *leave_one_out;
          features[1] = prior_log_odds(counts.carted[e.item] - (e.carted ? 1 : 0), counts.shown[e.item] - 1, cart_rate);
          features[2] = prior_log_odds(counts.bought[e.item] - (e.bought ? 1 : 0), counts.shown[e.item] - 1, buy_rate);
        }
        const auto row = static_cast<Eigen::Index>(first + b);
        for (size_t k = 0; k < f; ++k) rows(row, static_cast<Eigen::Index>(k)) = features[k];
      }
    }
  }
  return rows;
}

struct Logistic {
  Eigen::VectorXd w;  // on standardized features
  double b = 0.0;
};

double sigmoid(double z) {
  return 1.0 / (1.0 + std::exp(-z));
}

// Log loss of each row under a logistic model on standardized rows; probabilities clamped away from 0 and 1.
Eigen::VectorXd example_log_losses(const Logistic& m, const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  const Eigen::VectorXd z = (x * m.w).array() + m.b;
  Eigen::VectorXd loss(z.size());
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    const double p = std::clamp(sigmoid(z[i]), 1e-12, 1.0 - 1e-12);
    loss[i] = y[i] > 0.5 ? -std::log(p) : -std::log1p(-p);
  }
  return loss;
}

double logistic_loss(const Logistic& m, const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  if (x.rows() == 0) return std::numeric_limits<double>::quiet_NaN();
  return example_log_losses(m, x, y).mean();
}

// Newton's method on the mean log loss plus 0.5 * sum(penalty_k * w_k^2) / n (bias not penalized), with step
// halving, from `start` (a neighbouring penalty's solution converges in a few steps).
Logistic fit_logistic(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& penalty,
                      const Logistic* start) {
  const Eigen::Index n = x.rows(), f = x.cols();
  const double mean = std::clamp(y.mean(), 1e-6, 1.0 - 1e-6);
  Logistic m{Eigen::VectorXd::Zero(f), std::log(mean / (1.0 - mean))};
  if (start != nullptr) m = *start;
  const auto objective = [&](const Logistic& l) {
    return logistic_loss(l, x, y) + 0.5 * (penalty.array() * l.w.array().square()).sum() / static_cast<double>(n);
  };
  double current = objective(m);
  for (int iteration = 0; iteration < 30; ++iteration) {
    const Eigen::VectorXd p = ((x * m.w).array() + m.b).unaryExpr([](double z) { return sigmoid(z); });
    const Eigen::VectorXd r = p - y;
    const Eigen::VectorXd s = (p.array() * (1.0 - p.array())).max(1e-12);
    // Gradient and Hessian of the summed loss over [w, b].
    Eigen::VectorXd g(f + 1);
    g.head(f) = x.transpose() * r + (penalty.array() * m.w.array()).matrix();
    g[f] = r.sum();
    // X' S X as (sqrt(S) X)' (sqrt(S) X) in single precision: the Hessian only steers the step (the gradient and
    // the loss that accepts it are in double). The float product runs on the dense kernels (the widest vectors this
    // CPU has), about twice as fast as in double and again as fast as the portable build's own Eigen.
    using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const RowMajorF scaled = (x.array().colwise() * s.array().sqrt()).matrix().cast<float>();
    RowMajorF product(f, f);
    native_dense_kernels().f32_gemm_tn(static_cast<size_t>(f), static_cast<size_t>(f), static_cast<size_t>(n), 1.0f,
                                       scaled.data(), static_cast<size_t>(f), scaled.data(), static_cast<size_t>(f),
                                       product.data(), static_cast<size_t>(f));
    Eigen::MatrixXd h = Eigen::MatrixXd::Zero(f + 1, f + 1);
    h.topLeftCorner(f, f) = product.cast<double>();
    h.topLeftCorner(f, f).diagonal().array() += penalty.array() + 1e-9;
    h.block(f, 0, 1, f) = (x.transpose() * s).transpose();
    h(f, f) = s.sum();
    const Eigen::VectorXd step = h.selfadjointView<Eigen::Lower>().ldlt().solve(g);
    if (!step.allFinite()) break;
    double scale = 1.0;
    Logistic next;
    double value = current;
    for (int halving = 0; halving < 20; ++halving, scale *= 0.5) {
      next = {m.w - scale * step.head(f), m.b - scale * step[f]};
      value = objective(next);
      if (value <= current) break;
    }
    if (!(value <= current)) break;
    const double change = current - value;
    m = next;
    current = value;
    if (change < 1e-9 * std::max(1.0, current)) break;
  }
  return m;
}

}  // namespace

std::vector<ConversionExample> conversion_examples(const std::vector<EventSession>& sessions, size_t max_examples) {
  std::vector<ConversionExample> out;
  for (size_t s = 0; s < sessions.size(); ++s) {
    const EventSession& events = sessions[s];
    for (size_t t = 0; t < events.size(); ++t) {
      const SessionEvent& e = events[t];
      if (e.earlier_visit != 0 || e.item == 0 || !is_showing(e.kind)) continue;
      ConversionExample ex{static_cast<uint32_t>(s), static_cast<uint32_t>(t), e.item, false, false};
      for (size_t u = t + 1; u < events.size(); ++u) {
        if (events[u].item != e.item) continue;
        ex.carted = ex.carted || events[u].kind == event_kind_code(EventKind::kADD_TO_CART);
        ex.bought = ex.bought || events[u].kind == event_kind_code(EventKind::kPURCHASE);
      }
      out.push_back(ex);
    }
  }
  if (max_examples > 0 && out.size() > max_examples) {
    std::vector<ConversionExample> kept;
    kept.reserve(max_examples);
    for (size_t k = 0; k < max_examples; ++k) kept.push_back(out[k * out.size() / max_examples]);
    out = std::move(kept);
  }
  return out;
}

ConversionCounts count_conversions(const std::vector<ConversionExample>& examples, uint32_t vocab_size) {
  ConversionCounts n;
  n.shown.assign(size_t{vocab_size} + 1, 0.0);
  n.carted = n.bought = n.shown;
  for (const ConversionExample& e : examples) {
    for (const uint32_t at : {e.item, 0u}) {
      n.shown[at] += 1.0;
      n.carted[at] += e.carted ? 1.0 : 0.0;
      n.bought[at] += e.bought ? 1.0 : 0.0;
    }
  }
  return n;
}

float prior_log_odds(double positives, double shown, double rate) {
  const double r = std::clamp(rate, 1e-6, 1.0 - 1e-6);
  const double p = (std::max(positives, 0.0) + kPriorStrength * r) / (std::max(shown, 0.0) + kPriorStrength);
  return static_cast<float>(std::log(p / (1.0 - p)));
}

std::vector<float> item_conversion_table(const ConversionCounts& n) {
  const size_t rows = n.shown.size();
  std::vector<float> table(rows * kConversionOutputs);
  const double shown = std::max(n.shown[0], 1.0);
  const double cart_rate = n.carted[0] / shown, buy_rate = n.bought[0] / shown;
  for (size_t j = 0; j < rows; ++j) {
    // Row 0 is the item the model does not know: the overall rate.
    const bool known = j != 0;
    table[j * kConversionOutputs + kCartOutput] =
        known ? prior_log_odds(n.carted[j], n.shown[j], cart_rate) : prior_log_odds(0, 0, cart_rate);
    table[j * kConversionOutputs + kPurchaseOutput] =
        known ? prior_log_odds(n.bought[j], n.shown[j], buy_rate) : prior_log_odds(0, 0, buy_rate);
  }
  return table;
}

double roc_auc(const std::vector<float>& scores, const std::vector<uint8_t>& labels) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  // Mann-Whitney: sum of the positives' ranks, tied scores sharing their mean rank.
  double positive_rank_sum = 0.0, positives = 0.0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double mean_rank = (static_cast<double>(i) + static_cast<double>(j) + 1.0) / 2.0;
    for (size_t k = i; k < j; ++k) {
      if (labels[order[k]] != 0) {
        positive_rank_sum += mean_rank;
        positives += 1.0;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(scores.size()) - positives;
  if (positives == 0.0 || negatives == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return (positive_rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives);
}

double mean_log_loss(const std::vector<float>& probabilities, const std::vector<uint8_t>& labels) {
  if (probabilities.empty()) return std::numeric_limits<double>::quiet_NaN();
  double loss = 0.0;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    const double p = std::clamp(double{probabilities[i]}, 1e-12, 1.0 - 1e-12);
    loss -= labels[i] != 0 ? std::log(p) : std::log1p(-p);
  }
  return loss / static_cast<double>(probabilities.size());
}

bool in_cart_before(const std::vector<EventSession>& sessions, const ConversionExample& e) {
  const EventSession& s = sessions[e.session];
  for (size_t t = 0; t < e.position; ++t) {
    if (s[t].earlier_visit == 0 && s[t].item == e.item && s[t].kind == event_kind_code(EventKind::kADD_TO_CART))
      return true;
  }
  return false;
}

nlohmann::json fit_conversion_head(SessionModelWeights& weights, const std::vector<EventSession>& train,
                                   const std::vector<EventSession>& valid, const ConversionFitOptions& options) {
  SessionModelConfig& c = weights.config;
  c.cart_head = c.purchase_head = false;
  weights.conversion_w.clear();
  weights.conversion_b.clear();
  weights.item_conversion.clear();
  nlohmann::json report = nlohmann::json::object();

  const std::vector<ConversionExample> train_examples = conversion_examples(train, options.max_examples);
  const std::vector<ConversionExample> valid_examples = conversion_examples(valid, options.max_examples);
  const ConversionCounts counts = count_conversions(train_examples, c.vocab_size);
  report["train_examples"] = train_examples.size();
  report["valid_examples"] = valid_examples.size();
  const double shown = counts.shown[0];
  const auto enough = [&](double positives) {
    return positives >= options.min_positives && shown - positives >= options.min_positives;
  };
  const bool fit_output[kConversionOutputs] = {enough(counts.carted[0]), enough(counts.bought[0])};
  if (!fit_output[kCartOutput] && !fit_output[kPurchaseOutput]) {
    report["fitted"] = false;
    return report;
  }

  // The head's tensors, zero until fitted: features read item_conversion, so it comes first.
  c.cart_head = fit_output[kCartOutput];
  c.purchase_head = fit_output[kPurchaseOutput];
  const size_t f = conversion_feature_count(c);
  weights.conversion_w.assign(size_t{kConversionOutputs} * f, 0.0f);
  weights.conversion_b.assign(kConversionOutputs, 0.0f);
  weights.item_conversion = item_conversion_table(counts);

  std::vector<float> item_vectors;
  compute_item_vectors(weights, item_vectors);
  Eigen::MatrixXd x_train = feature_rows(weights, item_vectors, train, train_examples, &counts, options.threads);
  Eigen::MatrixXd x_valid = feature_rows(weights, item_vectors, valid, valid_examples, nullptr, options.threads);
  const Eigen::MatrixXf x_valid_raw = x_valid.cast<float>();  // exact: the rows were floats
  // Standardize on the training rows; constant columns get scale 1 (their weight stays 0 under the penalty).
  const Eigen::RowVectorXd mean = x_train.colwise().mean();
  Eigen::RowVectorXd scale =
      ((x_train.rowwise() - mean).array().square().colwise().sum() / std::max<double>(1.0, double(x_train.rows())))
          .sqrt();
  for (Eigen::Index k = 0; k < scale.size(); ++k)
    if (!(scale[k] > 1e-9)) scale[k] = 1.0;
  x_train = (x_train.rowwise() - mean).array().rowwise() / scale.array();
  x_valid = (x_valid.rowwise() - mean).array().rowwise() / scale.array();

  const char* names[kConversionOutputs] = {"add_to_cart", "purchase"};
  for (uint32_t h = 0; h < kConversionOutputs; ++h) {
    nlohmann::json& out = report[names[h]];
    out["positives"] = h == kCartOutput ? counts.carted[0] : counts.bought[0];
    out["fitted"] = fit_output[h];
    if (!fit_output[h]) continue;
    Eigen::VectorXd y_train(x_train.rows()), y_valid(x_valid.rows());
    std::vector<uint8_t> labels_valid(valid_examples.size());
    for (size_t i = 0; i < train_examples.size(); ++i)
      y_train[static_cast<Eigen::Index>(i)] = (h == kCartOutput ? train_examples[i].carted : train_examples[i].bought);
    for (size_t i = 0; i < valid_examples.size(); ++i) {
      labels_valid[i] = h == kCartOutput ? valid_examples[i].carted : valid_examples[i].bought;
      y_valid[static_cast<Eigen::Index>(i)] = labels_valid[i];
    }
    const double valid_positives = y_valid.sum();
    const bool judge = valid_positives > 0.0 && valid_positives < static_cast<double>(y_valid.size());
    // The penalty, and whether the encoder's elementwise product s * n_j enters at all, are the validation split's
    // choice (log loss); without both classes there, a middle penalty with the product. The item's own rate (the
    // baseline `vitrine eval` reports) competes too, so the head is never worse than it on validation.
    Logistic best;
    double best_penalty = 100.0, best_loss = std::numeric_limits<double>::infinity();
    bool best_product = true;
    nlohmann::json tried = nlohmann::json::array();
    for (const bool product : {true, false}) {
      // Without the product, the fit sees only the scalar features (its product weights stay zero).
      const auto used = static_cast<Eigen::Index>(product ? f : kConversionScalarFeatures);
      const Eigen::MatrixXd x_fit = x_train.leftCols(used), x_judge = x_valid.leftCols(used);
      Logistic previous;
      bool warm = false;
      // Strongest penalty first: each solution starts the next.
      for (const double penalty : {10000.0, 1000.0, 100.0, 10.0, 1.0}) {
        if (!judge && (penalty != best_penalty || !product)) continue;
        Logistic m = fit_logistic(x_fit, y_train, Eigen::VectorXd::Constant(used, penalty), warm ? &previous : nullptr);
        previous = m;
        warm = true;
        const double loss = judge ? logistic_loss(m, x_judge, y_valid) : 0.0;
        m.w.conservativeResize(static_cast<Eigen::Index>(f));
        m.w.tail(static_cast<Eigen::Index>(f) - used).setZero();
        if (judge) tried.push_back({{"penalty", penalty}, {"encoder_product", product}, {"valid_log_loss", loss}});
        if (loss < best_loss) {
          best_loss = loss;
          best = std::move(m);
          best_penalty = penalty;
          best_product = product;
        }
      }
    }
    // The two baselines `vitrine eval` reports compete too: the item's own rate (weight 1 on the raw prior feature;
    // standardized, its scale) and "already in cart" (a logistic fit on that one feature). One replaces the fit only
    // when its validation log loss is lower by more than two standard errors of the paired per-showing difference:
    // on a small split a baseline often edges ahead by noise, and taking it would throw away the ranking the fit
    // learned (on the demo's shoppers "in cart" led by 0.0004 while its AUC was 0.50 against the fit's 0.52).
    const Eigen::Index prior_feature = 1 + static_cast<Eigen::Index>(h), in_cart_feature = 7;
    Logistic item_rate{Eigen::VectorXd::Zero(static_cast<Eigen::Index>(f)), mean[prior_feature]};
    item_rate.w[prior_feature] = scale[prior_feature];
    Logistic in_cart = fit_logistic(x_train.col(in_cart_feature), y_train, Eigen::VectorXd::Zero(1), nullptr);
    Logistic in_cart_full{Eigen::VectorXd::Zero(static_cast<Eigen::Index>(f)), in_cart.b};
    in_cart_full.w[in_cart_feature] = in_cart.w[0];
    const char* chosen = best_product ? "features" : "features_without_encoder_product";
    if (judge) {
      const Eigen::VectorXd fit_losses = example_log_losses(best, x_valid, y_valid);
      for (auto& [name, candidate] : {std::pair<const char*, Logistic*>{"item_rate", &item_rate},
                                      std::pair<const char*, Logistic*>{"in_cart", &in_cart_full}}) {
        const Eigen::VectorXd lead = fit_losses - example_log_losses(*candidate, x_valid, y_valid);
        const double n = static_cast<double>(lead.size()), mean_lead = lead.mean();
        const double standard_error =
            n > 1 ? std::sqrt((lead.array() - mean_lead).square().sum() / (n - 1.0) / n) : 0.0;
        tried.push_back({{"baseline", name},
                         {"valid_log_loss", best_loss - mean_lead},
                         {"lead_over_fit", mean_lead},
                         {"standard_error", standard_error}});
        if (mean_lead > 2.0 * standard_error && std::string_view(chosen).rfind("features", 0) == 0) {
          best = *candidate;
          chosen = name;
        }
      }
    }
    // Back to raw features: w_raw = w / scale, b_raw = b - sum(w * mean / scale).
    float* w = weights.conversion_w.data() + size_t{h} * f;
    double b = best.b;
    for (size_t k = 0; k < f; ++k) {
      const auto K = static_cast<Eigen::Index>(k);
      w[k] = static_cast<float>(best.w[K] / scale[K]);
      b -= best.w[K] * mean[K] / scale[K];
    }
    weights.conversion_b[h] = static_cast<float>(b);
    out["chosen"] = chosen;
    if (std::string_view(chosen).rfind("features", 0) == 0) out["penalty"] = best_penalty;
    out["valid_log_loss_by_choice"] = tried;
    out["valid_positives"] = valid_positives;
    if (judge) {
      // Measured through the served function, on raw features.
      std::vector<float> model(valid_examples.size()), prior(valid_examples.size());
      std::vector<float> features(f);
      float p[kConversionOutputs];
      for (size_t i = 0; i < valid_examples.size(); ++i) {
        const ConversionExample& e = valid_examples[i];
        for (size_t k = 0; k < f; ++k)
          features[k] = x_valid_raw(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k));
        conversion_probabilities(weights, features.data(), p);
        model[i] = p[h];
        prior[i] = static_cast<float>(sigmoid(weights.item_conversion[size_t{e.item} * kConversionOutputs + h]));
      }
      out["valid_auc"] = roc_auc(model, labels_valid);
      out["valid_log_loss"] = mean_log_loss(model, labels_valid);
      out["valid_item_rate_auc"] = roc_auc(prior, labels_valid);
      out["valid_item_rate_log_loss"] = mean_log_loss(prior, labels_valid);
    }
  }
  report["fitted"] = true;
  return report;
}

nlohmann::ordered_json evaluate_conversion(const Ranker& ranker, const std::vector<EventSession>& train,
                                           const std::vector<EventSession>& test, size_t max_examples) {
  const SessionModelConfig& c = ranker.weights().config;
  if (!c.has_conversion_head()) return nullptr;
  const std::vector<ConversionExample> examples = conversion_examples(test, max_examples);
  const std::vector<ConversionExample> train_examples = conversion_examples(train, 0);
  const ConversionCounts counts = count_conversions(train_examples, c.vocab_size);
  const std::vector<float> rates = item_conversion_table(counts);
  // "Already in cart": the training showings' rate with and without the item in the cart.
  double shown_in_cart[2] = {0, 0}, positives_in_cart[kConversionOutputs][2] = {{0, 0}, {0, 0}};
  for (const ConversionExample& e : train_examples) {
    const int in_cart = in_cart_before(train, e) ? 1 : 0;
    shown_in_cart[in_cart] += 1.0;
    positives_in_cart[kCartOutput][in_cart] += e.carted ? 1.0 : 0.0;
    positives_in_cart[kPurchaseOutput][in_cart] += e.bought ? 1.0 : 0.0;
  }

  std::vector<float> model[kConversionOutputs], item_rate[kConversionOutputs], in_cart[kConversionOutputs];
  std::vector<uint8_t> labels[kConversionOutputs];
  std::vector<SessionEvent> prefix;
  for (const ConversionExample& e : examples) {
    prefix.assign(test[e.session].begin(), test[e.session].begin() + e.position);
    float p[kConversionOutputs];
    ranker.conversion(prefix, &e.item, 1, &p[kCartOutput], &p[kPurchaseOutput]);
    const int cart = in_cart_before(test, e) ? 1 : 0;
    for (uint32_t h = 0; h < kConversionOutputs; ++h) {
      model[h].push_back(p[h]);
      item_rate[h].push_back(1.0f / (1.0f + std::exp(-rates[size_t{e.item} * kConversionOutputs + h])));
      const double rate = (positives_in_cart[h][cart] + 1.0) / (shown_in_cart[cart] + 2.0);  // Laplace
      in_cart[h].push_back(static_cast<float>(rate));
      labels[h].push_back(h == kCartOutput ? e.carted : e.bought);
    }
  }
  nlohmann::ordered_json out;
  out["examples"] = examples.size();
  out["metrics"] =
      "AUC (ties count one half) and mean log loss over every showing (impression, view or click) of an "
      "item in the test log; label: the item is added to the cart / bought later in the same visit";
  const bool fitted[kConversionOutputs] = {c.cart_head, c.purchase_head};
  const char* names[kConversionOutputs] = {"add_to_cart", "purchase"};
  for (uint32_t h = 0; h < kConversionOutputs; ++h) {
    if (!fitted[h]) continue;
    nlohmann::ordered_json& o = out[names[h]];
    o["positives"] = std::count(labels[h].begin(), labels[h].end(), uint8_t{1});
    const double positives = static_cast<double>(o["positives"].get<int64_t>());
    const double negatives = static_cast<double>(labels[h].size()) - positives;
    const auto measure = [&](const std::vector<float>& scores) {
      const double auc = roc_auc(scores, labels[h]);
      // Hanley & McNeil's standard error: with a few dozen positives an AUC is known to about +-0.05.
      const double q1 = auc / (2.0 - auc), q2 = 2.0 * auc * auc / (1.0 + auc);
      const double se =
          std::sqrt((auc * (1.0 - auc) + (positives - 1.0) * (q1 - auc * auc) + (negatives - 1.0) * (q2 - auc * auc)) /
                    (positives * negatives));
      return nlohmann::ordered_json{
          {"auc", auc}, {"auc_standard_error", se}, {"log_loss", mean_log_loss(scores, labels[h])}};
    };
    o["model"] = measure(model[h]);
    o["item_rate"] = measure(item_rate[h]);
    o["in_cart"] = measure(in_cart[h]);
  }
  return out;
}

}  // namespace vitrine::train
