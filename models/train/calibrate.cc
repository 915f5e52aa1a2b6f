#include "calibrate.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "vitrine/native/dense.h"

namespace vitrine::train {
namespace {

// The fitted values as one vector: [lambda, mu, repeat_bonus..., repeat_count..., repeat_kind...].
struct Layout {
  size_t bonus = 2, count = 0, kind = 0, size = 0;
  explicit Layout(const SessionModelConfig& c) {
    count = bonus + c.max_length;
    kind = count + c.repeat_counts;
    size = kind + (c.repeat_kinds ? c.num_kinds : 0);
  }
};

// Cached similarity scores stop paying above this many floats; past it they are recomputed every step.
constexpr size_t kMaxCachedScores = size_t{64} << 20;
constexpr size_t kChunk = 256;

}  // namespace

CalibrationResult calibrate_scorer(SessionModelWeights& weights, const ExampleSet& held_out,
                                   const CalibrationOptions& options) {
  CalibrationResult result;
  if (held_out.examples.empty() || options.max_examples == 0) return result;
  if (options.threads > 0) omp_set_num_threads(static_cast<int>(options.threads));
  const SessionModelConfig& c = weights.config;
  const size_t d = c.dim, items = size_t{c.vocab_size} + 1;
  const Layout layout(c);

  // Evenly spaced examples: the held-out sessions are in time order, so the subsample spans the whole period.
  const size_t n = std::min<size_t>(options.max_examples, held_out.examples.size());
  std::vector<Example> examples(n);
  for (size_t i = 0; i < n; ++i) examples[i] = held_out.examples[i * held_out.examples.size() / n];
  result.examples = n;

  std::vector<float> item_vectors;
  compute_item_vectors(weights, item_vectors);
  std::vector<float> sessions(n * d);
  {
    std::vector<SessionTape> tapes;
    EncoderBatch scratch;
    encode_batch(weights, item_vectors.data(), held_out, examples.data(), n, sessions.data(), tapes, scratch);
  }
  std::vector<std::vector<RepeatFeature>> repeats(n);
#pragma omp parallel for schedule(static)
  for (size_t b = 0; b < n; ++b)
    session_repeat_features(c, &held_out.events[examples[b].begin], examples[b].length, repeats[b]);

  const DenseKernels& dense = native_dense_kernels();
  const bool cached = n * items <= kMaxCachedScores;
  std::vector<float> similarity(cached ? n * items : kChunk * items);
  const auto similarity_rows = [&](size_t first, size_t rows) -> const float* {
    float* out = cached ? similarity.data() + first * items : similarity.data();
    dense.f32_gemm_nt(rows, items, d, c.temperature, sessions.data() + first * d, d, item_vectors.data(), d, out,
                      items);
    return out;
  };
  if (cached) similarity_rows(0, n);

  std::vector<float> theta(layout.size, 0.0f);
  theta[0] = 1.0f;
  theta[1] = c.item_bias ? 1.0f : 0.0f;
  std::copy(weights.repeat_bonus.begin(), weights.repeat_bonus.end(), theta.begin() + layout.bonus);
  std::copy(weights.repeat_count.begin(), weights.repeat_count.end(), theta.begin() + layout.count);
  std::copy(weights.repeat_kind.begin(), weights.repeat_kind.end(), theta.begin() + layout.kind);
  const std::vector<float> no_bias(items, 0.0f);
  const std::vector<float>& bias = c.item_bias ? weights.item_bias : no_bias;

  // Loss and gradient at theta, over all n examples.
  const int n_threads = omp_get_max_threads();
  std::vector<std::vector<double>> thread_grads(static_cast<size_t>(n_threads));
  std::vector<std::vector<float>> thread_logits(static_cast<size_t>(n_threads), std::vector<float>(items));
  std::vector<double> grad(layout.size);
  const auto evaluate = [&]() -> double {
    for (auto& g : thread_grads) g.assign(layout.size, 0.0);
    double loss = 0.0;
    for (size_t first = 0; first < n; first += kChunk) {
      const size_t rows = std::min(kChunk, n - first);
      const float* sim = cached ? similarity.data() + first * items : similarity_rows(first, rows);
#pragma omp parallel for schedule(static) reduction(+ : loss)
      for (size_t r = 0; r < rows; ++r) {
        const size_t b = first + r;
        const auto t = static_cast<size_t>(omp_get_thread_num());
        std::vector<double>& g = thread_grads[t];
        float* z = thread_logits[t].data();
        const float* s = sim + r * items;
        for (size_t j = 0; j < items; ++j) z[j] = theta[0] * s[j] + theta[1] * bias[j];
        const auto repeat_of = [&](const RepeatFeature& f) {
          float v = theta[layout.bonus + f.last_position];
          if (c.repeat_counts > 0) v += theta[layout.count + std::min(f.count, c.repeat_counts) - 1];
          if (c.repeat_kinds) {
            for (uint32_t k = 0; k < c.num_kinds; ++k)
              if ((f.kind_rows >> k) & 1u) v += theta[layout.kind + k];
          }
          return v;
        };
        for (const RepeatFeature& f : repeats[b]) z[f.item] += repeat_of(f);
        z[0] = -std::numeric_limits<float>::infinity();
        const float sum = dense.f32_exp_shifted(z, items);
        const uint32_t label = examples[b].label;
        loss += std::log(double{sum}) - std::log(std::max(double{z[label]}, 1e-300));
        // dL/dz_j = p_j - [j = label]
        double d_lambda = -double{s[label]}, d_mu = -double{bias[label]};
        const float inv = 1.0f / sum;
        for (size_t j = 1; j < items; ++j) {
          const double p = double{z[j]} * inv;
          d_lambda += p * s[j];
          d_mu += p * bias[j];
        }
        g[0] += d_lambda;
        g[1] += d_mu;
        for (const RepeatFeature& f : repeats[b]) {
          const double dz = double{z[f.item]} * inv - (f.item == label ? 1.0 : 0.0);
          g[layout.bonus + f.last_position] += dz;
          if (c.repeat_counts > 0) g[layout.count + std::min(f.count, c.repeat_counts) - 1] += dz;
          if (c.repeat_kinds) {
            for (uint32_t k = 0; k < c.num_kinds; ++k)
              if ((f.kind_rows >> k) & 1u) g[layout.kind + k] += dz;
          }
        }
      }
    }
    std::fill(grad.begin(), grad.end(), 0.0);
    for (const auto& g : thread_grads)
      for (size_t i = 0; i < layout.size; ++i) grad[i] += g[i] / static_cast<double>(n);
    return loss / static_cast<double>(n);
  };

  // Full-batch Adam; lambda and mu stay non-negative (similarity and popularity never count against an item).
  std::vector<double> m(layout.size, 0.0), v(layout.size, 0.0);
  std::vector<float> best_theta = theta;
  double best_loss = std::numeric_limits<double>::infinity();
  for (uint32_t step = 0; step <= options.iterations; ++step) {
    const double loss = evaluate();
    if (step == 0) result.loss_before = loss;
    if (loss < best_loss) {
      best_loss = loss;
      best_theta = theta;
    }
    if (step == options.iterations) break;
    constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;
    const double t = step + 1.0;
    for (size_t i = 0; i < layout.size; ++i) {
      if (i == 1 && !c.item_bias) continue;
      m[i] = kBeta1 * m[i] + (1 - kBeta1) * grad[i];
      v[i] = kBeta2 * v[i] + (1 - kBeta2) * grad[i] * grad[i];
      const double m_hat = m[i] / (1 - std::pow(kBeta1, t)), v_hat = v[i] / (1 - std::pow(kBeta2, t));
      theta[i] -= static_cast<float>(options.learning_rate * m_hat / (std::sqrt(v_hat) + kEps));
    }
    theta[0] = std::max(theta[0], 0.0f);
    theta[1] = std::max(theta[1], 0.0f);
  }
  result.loss_after = best_loss;

  // Write the fit back into the scorer's own tensors.
  const std::vector<float>& fit = best_theta;
  result.similarity_scale = fit[0];
  result.prior_scale = c.item_bias ? fit[1] : 1.0f;
  // A zero temperature is not a valid model: keep a trace of similarity for the order of unseen items.
  weights.config.temperature = std::max(c.temperature * fit[0], 1e-3f);
  if (c.item_bias)
    for (float& b : weights.item_bias) b *= fit[1];
  std::copy(fit.begin() + static_cast<std::ptrdiff_t>(layout.bonus),
            fit.begin() + static_cast<std::ptrdiff_t>(layout.count), weights.repeat_bonus.begin());
  std::copy(fit.begin() + static_cast<std::ptrdiff_t>(layout.count),
            fit.begin() + static_cast<std::ptrdiff_t>(layout.kind), weights.repeat_count.begin());
  std::copy(fit.begin() + static_cast<std::ptrdiff_t>(layout.kind), fit.end(), weights.repeat_kind.begin());
  return result;
}

void use_session_popularity_scorer(SessionModelWeights& weights, const std::vector<double>& popularity) {
  SessionModelConfig& c = weights.config;
  // Far above the prior's range, so a count always outranks popularity.
  constexpr float kCountStep = 100.0f, kPriorRange = 10.0f;
  c.temperature = 1e-3f;
  std::fill(weights.repeat_bonus.begin(), weights.repeat_bonus.end(), 0.0f);
  std::fill(weights.repeat_kind.begin(), weights.repeat_kind.end(), 0.0f);
  for (size_t i = 0; i < weights.repeat_count.size(); ++i)
    weights.repeat_count[i] = kCountStep * static_cast<float>(i + 1);
  // The prior follows the popularity order exactly (more occurrences first, then the smaller id, as the
  // evaluator's S-POP), in evenly spaced steps that float keeps apart for any catalog the model file allows.
  std::vector<uint32_t> order;
  for (uint32_t j = 1; j < weights.item_bias.size(); ++j) order.push_back(j);
  const auto count = [&](uint32_t j) { return j < popularity.size() ? popularity[j] : 0.0; };
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return count(a) > count(b); });
  const auto n = static_cast<float>(order.size());
  for (size_t position = 0; position < order.size(); ++position)
    weights.item_bias[order[position]] = kPriorRange * (n - static_cast<float>(position)) / n;
  weights.item_bias[0] = 0.0f;
}

}  // namespace vitrine::train
