#include "session_trainer.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "vitrine/native/dense.h"

namespace vitrine::train {
namespace {

// Gradients of the small (non-catalog) parameters, one copy per thread, summed after the batch.
struct EncoderGrads {
  std::vector<float> pos_emb, kind_emb, att_w1, att_w2, att_b, att_q, out_w, out_b, repeat_bonus, repeat_count,
      repeat_kind, visit_emb;

  void reset(const SessionModelWeights& w) {
    const auto zero_like = [](std::vector<float>& g, const std::vector<float>& p) { g.assign(p.size(), 0.0f); };
    zero_like(pos_emb, w.pos_emb);
    zero_like(kind_emb, w.kind_emb);
    zero_like(att_w1, w.att_w1);
    zero_like(att_w2, w.att_w2);
    zero_like(att_b, w.att_b);
    zero_like(att_q, w.att_q);
    zero_like(out_w, w.out_w);
    zero_like(out_b, w.out_b);
    zero_like(repeat_bonus, w.repeat_bonus);
    zero_like(repeat_count, w.repeat_count);
    zero_like(repeat_kind, w.repeat_kind);
    zero_like(visit_emb, w.visit_emb);
  }
};

void add_into(std::vector<float>& dst, const std::vector<float>& src) {
  for (size_t i = 0; i < dst.size(); ++i) dst[i] += src[i];
}

// Backward of encode_session(), first half: d_out is the gradient on the unit session vector. Writes, per event of
// the window, the gradient on the gate pre-activation (d_pre, n x d) and on x_t through every path but x_t W2 (d_x,
// n x d); compute_gradients() adds the path through x_t W2. Both are zero for an empty window.
void backward_session_head(const SessionModelWeights& w, const SessionTape& t, const float* d_out, EncoderGrads& g,
                           float* d_pre_rows, float* d_x) {
  const size_t d = w.config.dim, n = t.length;
  std::fill(d_pre_rows, d_pre_rows + n * d, 0.0f);
  std::fill(d_x, d_x + n * d, 0.0f);
  if (n == 0 || t.raw_norm <= 1e-12f) return;
  // s = raw / |raw|
  std::vector<float> s(d), d_raw(d);
  float s_dot = 0.0f;
  for (size_t j = 0; j < d; ++j) {
    s[j] = t.raw[j] / t.raw_norm;
    s_dot += s[j] * d_out[j];
  }
  for (size_t j = 0; j < d; ++j) d_raw[j] = (d_out[j] - s[j] * s_dot) / t.raw_norm;
  // raw = concat W3 + b3
  std::vector<float> d_concat(2 * d, 0.0f);
  for (size_t i = 0; i < 2 * d; ++i) {
    const float ci = t.concat[i];
    const float* w_row = w.out_w.data() + i * d;
    float* gw_row = g.out_w.data() + i * d;
    float acc = 0.0f;
    for (size_t j = 0; j < d; ++j) {
      gw_row[j] += ci * d_raw[j];
      acc += w_row[j] * d_raw[j];
    }
    d_concat[i] = acc;
  }
  for (size_t j = 0; j < d; ++j) g.out_b[j] += d_raw[j];
  const float* d_g = d_concat.data();
  float* d_x_last = d_x + (n - 1) * d;
  for (size_t j = 0; j < d; ++j) d_x_last[j] += d_concat[d + j];

  // g = sum_t alpha_t x_t ; alpha_t = q . gate_t ; gate_t = sigmoid(x_last W1 + x_t W2 + b)
  std::vector<float> d_pre_sum(d, 0.0f);
  for (size_t i = 0; i < n; ++i) {
    const float* x = t.x.data() + i * d;
    const float* gate = t.gate.data() + i * d;
    const float d_alpha = dot_lanes(d_g, x, d);
    float* dx = d_x + i * d;
    float* d_pre = d_pre_rows + i * d;
    for (size_t j = 0; j < d; ++j) {
      dx[j] += t.alpha[i] * d_g[j];
      g.att_q[j] += d_alpha * gate[j];
      d_pre[j] = d_alpha * w.att_q[j] * gate[j] * (1.0f - gate[j]);
      d_pre_sum[j] += d_pre[j];
    }
  }
  const float* x_last = t.x.data() + (n - 1) * d;
  for (size_t k = 0; k < d; ++k) {
    const float* w1_row = w.att_w1.data() + k * d;
    float* gw1_row = g.att_w1.data() + k * d;
    float acc = 0.0f;
    for (size_t j = 0; j < d; ++j) {
      gw1_row[j] += x_last[k] * d_pre_sum[j];
      acc += w1_row[j] * d_pre_sum[j];
    }
    d_x_last[k] += acc;
  }
  for (size_t j = 0; j < d; ++j) g.att_b[j] += d_pre_sum[j];
}

// Second half: d_x (n x d) is now the whole gradient on each x_t = n[item] + pos[r] + kind[k] (+ visit for events of
// an earlier visit). Adds the position, kind and visit shares; compute_gradients() gives the items theirs.
void backward_session_inputs(const SessionModelWeights& w, const SessionTape& t, const float* d_x, EncoderGrads& g) {
  const size_t d = w.config.dim, n = t.length;
  for (size_t i = 0; i < n; ++i) {
    const float* dx = d_x + i * d;
    float* gp = g.pos_emb.data() + size_t{t.positions[i]} * d;
    float* gk = g.kind_emb.data() + size_t{t.kinds[i]} * d;
    for (size_t j = 0; j < d; ++j) {
      gp[j] += dx[j];
      gk[j] += dx[j];
    }
    if (w.config.visit_inputs && t.earlier[i] != 0) {
      for (size_t j = 0; j < d; ++j) g.visit_emb[j] += dx[j];
    }
  }
}

// Inverted dropout on one example's encoder inputs: each value is zeroed with probability `rate`, the others scaled
// by 1 / (1 - rate), so the expected input is the one served. The mask depends only on (seed, example), not on the
// thread that draws it, so a run stays reproducible.
void apply_input_dropout(float rate, uint64_t seed, size_t example, std::vector<float>& x, std::vector<float>& mask) {
  uint64_t state = seed ^ (0x9E3779B97F4A7C15ull * (example + 1));
  const auto next = [&state] {  // splitmix64
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  const auto threshold = static_cast<uint64_t>(static_cast<double>(rate) * 18446744073709551616.0);
  const float keep = 1.0f / (1.0f - rate);
  mask.resize(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    mask[i] = next() < threshold ? 0.0f : keep;
    x[i] *= mask[i];
  }
}

// Z = tau * S N^T, split over threads by column blocks of the catalog.
void catalog_logits(const DenseKernels& dense, const float* session_vecs, size_t batch, const float* item_vectors,
                    size_t items, size_t d, float tau, float* logits) {
  const size_t block = 2048;
  const size_t n_blocks = (items + block - 1) / block;
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t bi = 0; bi < n_blocks; ++bi) {
    const size_t c0 = bi * block, c1 = std::min(items, c0 + block);
    dense.f32_gemm_nt(batch, c1 - c0, d, tau, session_vecs, d, item_vectors + c0 * d, d, logits + c0, items);
  }
}

}  // namespace

void encode_batch(const SessionModelWeights& weights, const float* item_vectors, const ExampleSet& data,
                  const Example* batch, size_t n, float* session_vecs, std::vector<SessionTape>& tapes,
                  EncoderBatch& scratch) {
  std::vector<EventSpan> spans(n);
  for (size_t b = 0; b < n; ++b) spans[b] = {&data.events[batch[b].begin], batch[b].length};
  encode_batch(weights, item_vectors, spans.data(), n, session_vecs, tapes, scratch);
}

void encode_batch(const SessionModelWeights& weights, const float* item_vectors, const EventSpan* spans, size_t n,
                  float* session_vecs, std::vector<SessionTape>& tapes, EncoderBatch& scratch) {
  const size_t d = weights.config.dim;
  const DenseKernels& dense = native_dense_kernels();
  tapes.resize(n);
  scratch.threads.resize(static_cast<size_t>(omp_get_max_threads()));
  const bool dropout = scratch.input_dropout > 0.0f;
  if (dropout) scratch.masks.resize(n);
  const size_t chunks = (n + kEncoderChunk - 1) / kEncoderChunk;
#pragma omp parallel for schedule(static)
  for (size_t chunk = 0; chunk < chunks; ++chunk) {
    EncoderChunkScratch& s = scratch.threads[static_cast<size_t>(omp_get_thread_num())];
    const size_t first = chunk * kEncoderChunk, last = std::min(n, first + kEncoderChunk);
    size_t rows = 0;
    for (size_t b = first; b < last; ++b) {
      rows += encoder_inputs(weights, item_vectors, spans[b].events, spans[b].length, tapes[b]);
      if (dropout) apply_input_dropout(scratch.input_dropout, scratch.dropout_seed, b, tapes[b].x, scratch.masks[b]);
    }
    s.x.resize(rows * d);
    s.product.resize(rows * d);
    for (size_t b = first, row = 0; b < last; row += tapes[b].length, ++b)
      std::copy(tapes[b].x.begin(), tapes[b].x.end(), s.x.begin() + static_cast<std::ptrdiff_t>(row * d));
    if (rows > 0) dense.f32_gemm_nn(rows, d, d, 1.0f, s.x.data(), d, weights.att_w2.data(), d, s.product.data(), d);
    for (size_t b = first, row = 0; b < last; row += tapes[b].length, ++b) {
      std::copy_n(s.product.begin() + static_cast<std::ptrdiff_t>(row * d), tapes[b].length * d, tapes[b].gate.begin());
      encoder_output(weights, tapes[b], session_vecs + b * d);
    }
  }
}

SessionModelWeights SessionTrainer::initial_weights(const SessionModelConfig& config, const TrainOptions& options) {
  auto zeros = SessionModelWeights::zeros(config);
  SessionModelWeights w = std::move(zeros).value();
  const float scale = options.init_scale > 0.0f ? options.init_scale : 1.0f / std::sqrt(static_cast<float>(config.dim));
  std::mt19937_64 rng(options.seed);
  std::uniform_real_distribution<float> uniform(-scale, scale);
  w.for_each_param([&](const char* name, std::vector<float>& p) {
    const std::string n(name);
    if (n == "repeat_bonus" || n == "repeat_count" || n == "repeat_kind" || n == "item_bias") return;  // neutral
    for (float& x : p) x = uniform(rng);
  });
  // Row 0 of every table is padding / unknown.
  std::fill(w.item_emb.begin(), w.item_emb.begin() + config.dim, 0.0f);
  return w;
}

SessionTrainer::SessionTrainer(SessionModelWeights initial, const TrainOptions& options)
    : weights_(std::move(initial)), options_(options) {
  grads_ = weights_;
  adam_m_ = weights_;
  adam_v_ = weights_;
  for (SessionModelWeights* w : {&grads_, &adam_m_, &adam_v_}) {
    w->for_each_param([](const char*, std::vector<float>& p) { std::fill(p.begin(), p.end(), 0.0f); });
  }
  if (options_.threads > 0) omp_set_num_threads(static_cast<int>(options_.threads));
}

BatchResult SessionTrainer::compute_gradients(const ExampleSet& data, const Example* batch, size_t n) {
  const SessionModelConfig& c = weights_.config;
  const size_t d = c.dim, items = size_t{c.vocab_size} + 1;
  const float tau = c.temperature;
  compute_item_vectors(weights_, item_vectors_, &item_norms_);

  session_vecs_.assign(n * d, 0.0f);
  encoder_batch_.input_dropout = options_.input_dropout;
  encoder_batch_.dropout_seed = options_.seed * 0x2545F4914F6CDD1Dull + step_;
  encode_batch(weights_, item_vectors_.data(), data, batch, n, session_vecs_.data(), tapes_, encoder_batch_);

  const DenseKernels& dense = native_dense_kernels();
  logits_.resize(n * items);
  catalog_logits(dense, session_vecs_.data(), n, item_vectors_.data(), items, d, tau, logits_.data());

  const int n_threads = omp_get_max_threads();
  std::vector<EncoderGrads> thread_grads(static_cast<size_t>(n_threads));
  for (auto& g : thread_grads) g.reset(weights_);
  std::vector<std::vector<RepeatFeature>> thread_repeats(static_cast<size_t>(n_threads));
  double loss = 0.0;
  const float inv_batch = 1.0f / static_cast<float>(n);
#pragma omp parallel for schedule(static) reduction(+ : loss)
  for (size_t b = 0; b < n; ++b) {
    EncoderGrads& g = thread_grads[static_cast<size_t>(omp_get_thread_num())];
    float* z = logits_.data() + b * items;
    const SessionEvent* events = &data.events[batch[b].begin];
    finish_catalog_scores(weights_, events, batch[b].length, z);
    const float sum = dense.f32_exp_shifted(z, items);
    const uint32_t label = batch[b].label;
    loss += std::log(static_cast<double>(sum)) - std::log(static_cast<double>(z[label]));
    const float scale = inv_batch / sum;
    for (size_t i = 0; i < items; ++i) z[i] *= scale;
    z[label] -= inv_batch;
    // Repeat terms: one gradient per distinct item of the window, into each term its features select.
    std::vector<RepeatFeature>& repeats = thread_repeats[static_cast<size_t>(omp_get_thread_num())];
    session_repeat_features(c, events, batch[b].length, repeats);
    for (const RepeatFeature& f : repeats) {
      const float dz = z[f.item];
      g.repeat_bonus[f.last_position] += dz;
      if (c.repeat_counts > 0) g.repeat_count[std::min(f.count, c.repeat_counts) - 1] += dz;
      if (c.repeat_kinds) {
        for (uint32_t r = 0; r < c.num_kinds; ++r)
          if ((f.kind_rows >> r) & 1u) g.repeat_kind[r] += dz;
      }
    }
  }
  // Item bias: the column sums of dZ.
  if (c.item_bias && options_.train_item_bias) {
    const size_t block = 2048;
    const size_t n_blocks = (items + block - 1) / block;
#pragma omp parallel for schedule(static)
    for (size_t bi = 0; bi < n_blocks; ++bi) {
      const size_t c0 = bi * block, c1 = std::min(items, c0 + block);
      float* acc = grads_.item_bias.data();
      std::fill(acc + c0, acc + c1, 0.0f);
      for (size_t b = 0; b < n; ++b) {
        const float* row = logits_.data() + b * items;
        for (size_t j = c0; j < c1; ++j) acc[j] += row[j];
      }
    }
    grads_.item_bias[0] = 0.0f;  // the unknown item's prior is never a label: it keeps its start value
  }

  // d_session = tau * dZ N ; d_item_vectors = tau * dZ^T S. The products overwrite every row: no zero fill.
  d_session_.resize(n * d);
  {
    const size_t block = 64;
    const size_t n_blocks = (n + block - 1) / block;
#pragma omp parallel for schedule(static)
    for (size_t bi = 0; bi < n_blocks; ++bi) {
      const size_t r0 = bi * block, rows = std::min(n, r0 + block) - r0;
      dense.f32_gemm_nn(rows, d, items, tau, logits_.data() + r0 * items, items, item_vectors_.data(), d,
                        d_session_.data() + r0 * d, d);
    }
  }
  d_item_vectors_.resize(items * d);
  {
    const size_t block = 2048;
    const size_t n_blocks = (items + block - 1) / block;
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t bi = 0; bi < n_blocks; ++bi) {
      const size_t c0 = bi * block, cols = std::min(items, c0 + block) - c0;
      dense.f32_gemm_tn(cols, d, n, tau, logits_.data() + c0, items, session_vecs_.data(), d,
                        d_item_vectors_.data() + c0 * d, d);
    }
  }

  // The encoder, a chunk of examples at a time as encode_batch() ran it: each window's own terms, then x_t W2's two
  // gradients as products over the chunk, then the inputs. d_x is kept for the items' share (below).
  EncoderBatch& scratch = encoder_batch_;
  scratch.offset.assign(n + 1, 0);
  for (size_t b = 0; b < n; ++b) scratch.offset[b + 1] = scratch.offset[b] + tapes_[b].length;
  scratch.d_x.resize(scratch.offset[n] * d);
  const size_t chunks = (n + kEncoderChunk - 1) / kEncoderChunk;
#pragma omp parallel for schedule(static)
  for (size_t chunk = 0; chunk < chunks; ++chunk) {
    const auto thread = static_cast<size_t>(omp_get_thread_num());
    EncoderChunkScratch& s = scratch.threads[thread];
    EncoderGrads& g = thread_grads[thread];
    const size_t first = chunk * kEncoderChunk, last = std::min(n, first + kEncoderChunk);
    const size_t base = scratch.offset[first], rows = scratch.offset[last] - base;
    s.x.resize(rows * d);
    s.d_pre.resize(rows * d);
    s.product.resize(rows * d);
    s.w2_grad.resize(d * d);
    for (size_t b = first; b < last; ++b) {
      const size_t row = scratch.offset[b] - base;
      std::copy(tapes_[b].x.begin(), tapes_[b].x.end(), s.x.begin() + static_cast<std::ptrdiff_t>(row * d));
      backward_session_head(weights_, tapes_[b], d_session_.data() + b * d, g, s.d_pre.data() + row * d,
                            scratch.d_x.data() + scratch.offset[b] * d);
    }
    if (rows == 0) continue;
    dense.f32_gemm_tn(d, d, rows, 1.0f, s.x.data(), d, s.d_pre.data(), d, s.w2_grad.data(), d);
    for (size_t k = 0; k < d * d; ++k) g.att_w2[k] += s.w2_grad[k];
    dense.f32_gemm_nt(rows, d, d, 1.0f, s.d_pre.data(), d, weights_.att_w2.data(), d, s.product.data(), d);
    float* dx = scratch.d_x.data() + base * d;
    for (size_t k = 0; k < rows * d; ++k) dx[k] += s.product[k];
    for (size_t b = first; b < last; ++b) {
      float* dx_b = scratch.d_x.data() + scratch.offset[b] * d;
      if (scratch.input_dropout > 0.0f) {  // the gradient reaches only the inputs the mask kept
        const std::vector<float>& mask = scratch.masks[b];
        for (size_t k = 0; k < mask.size(); ++k) dx_b[k] *= mask[k];
      }
      backward_session_inputs(weights_, tapes_[b], dx_b, g);
    }
  }

  // Reduce the thread-local gradients.
  EncoderGrads& total = thread_grads[0];
  for (size_t i = 1; i < thread_grads.size(); ++i) {
    const EncoderGrads& g = thread_grads[i];
    add_into(total.pos_emb, g.pos_emb);
    add_into(total.kind_emb, g.kind_emb);
    add_into(total.att_w1, g.att_w1);
    add_into(total.att_w2, g.att_w2);
    add_into(total.att_b, g.att_b);
    add_into(total.att_q, g.att_q);
    add_into(total.out_w, g.out_w);
    add_into(total.out_b, g.out_b);
    add_into(total.repeat_bonus, g.repeat_bonus);
    add_into(total.repeat_count, g.repeat_count);
    add_into(total.repeat_kind, g.repeat_kind);
    add_into(total.visit_emb, g.visit_emb);
  }
  // The encoder inputs' share of the item vectors' gradient: each window row's d_x goes to its item.
  for (size_t b = 0; b < n; ++b) {
    const SessionTape& t = tapes_[b];
    for (size_t i = 0; i < t.length; ++i) {
      float* dst = d_item_vectors_.data() + size_t{t.items[i]} * d;
      const float* src = scratch.d_x.data() + (scratch.offset[b] + i) * d;
      for (size_t j = 0; j < d; ++j) dst[j] += src[j];
    }
  }
  grads_.pos_emb = total.pos_emb;
  grads_.kind_emb = total.kind_emb;
  grads_.att_w1 = total.att_w1;
  grads_.att_w2 = total.att_w2;
  grads_.att_b = total.att_b;
  grads_.att_q = total.att_q;
  grads_.out_w = total.out_w;
  grads_.out_b = total.out_b;
  grads_.repeat_bonus = total.repeat_bonus;
  grads_.repeat_count = total.repeat_count;
  grads_.repeat_kind = total.repeat_kind;
  grads_.visit_emb = total.visit_emb;

  // n_i = v_i / |v_i| ; v_i = E_i + content rows
  std::fill(grads_.item_emb.begin(), grads_.item_emb.end(), 0.0f);
  for (auto* table : {&grads_.category_emb, &grads_.brand_emb, &grads_.price_band_emb, &grads_.image_proj})
    std::fill(table->begin(), table->end(), 0.0f);
#pragma omp parallel for schedule(static)
  for (size_t i = 1; i < items; ++i) {
    const float norm = item_norms_[i];
    if (norm <= 1e-12f) continue;
    const float* nv = item_vectors_.data() + i * d;
    const float* dn = d_item_vectors_.data() + i * d;
    float dot = 0.0f;
    for (size_t j = 0; j < d; ++j) dot += nv[j] * dn[j];
    float* de = grads_.item_emb.data() + i * d;
    for (size_t j = 0; j < d; ++j) de[j] = (dn[j] - nv[j] * dot) / norm;
  }
  const auto content_grad = [&](std::vector<float>& table_grad, const std::vector<int32_t>& ids) {
    if (table_grad.empty()) return;
    for (size_t i = 1; i < items; ++i) {
      const float* de = grads_.item_emb.data() + i * d;
      float* dst = table_grad.data() + static_cast<size_t>(ids[i]) * d;
      for (size_t j = 0; j < d; ++j) dst[j] += de[j];
    }
  };
  content_grad(grads_.category_emb, weights_.item_category);
  content_grad(grads_.brand_emb, weights_.item_brand);
  content_grad(grads_.price_band_emb, weights_.item_price_band);
  // v_i += img_i W_img: dW_img = IMG^T dV over the items (row 0 of both is zero).
  if (c.image_dim > 0) {
    dense.f32_gemm_tn(c.image_dim, d, items, 1.0f, weights_.item_image.data(), c.image_dim, grads_.item_emb.data(), d,
                      grads_.image_proj.data(), d);
  }
  // Items kept content-only get no id embedding at all (after the content terms have taken their share).
  for (uint32_t item : content_only_items_)
    std::fill_n(grads_.item_emb.begin() + static_cast<std::ptrdiff_t>(size_t{item} * d), d, 0.0f);

  BatchResult result;
  result.loss = loss / static_cast<double>(n);
  return result;
}

void SessionTrainer::apply_gradients(float learning_rate) {
  constexpr float kBeta1 = 0.9f, kBeta2 = 0.999f, kEps = 1e-8f;
  ++step_;
  const float correction1 = 1.0f - std::pow(kBeta1, static_cast<float>(step_));
  const float correction2 = 1.0f - std::pow(kBeta2, static_cast<float>(step_));
  const float step_size = learning_rate * std::sqrt(correction2) / correction1;
  std::vector<std::vector<float>*> params, grads, m, v;
  std::vector<bool> decayed;
  std::vector<float> rate_scale;
  weights_.for_each_param([&](const char* name, std::vector<float>& p) {
    params.push_back(&p);
    const std::string n(name);
    decayed.push_back(n == "att_w1" || n == "att_w2" || n == "out_w");
    // The repeat terms are a handful of scalars that must travel several units (they compete with tau-scaled
    // cosines): at the embeddings' rate they would still be near zero when a small shop's data is used up.
    const bool repeat_term = n == "repeat_bonus" || n == "repeat_count" || n == "repeat_kind";
    rate_scale.push_back(repeat_term ? options_.repeat_lr_scale : 1.0f);
  });
  grads_.for_each_param([&](const char*, std::vector<float>& p) { grads.push_back(&p); });
  adam_m_.for_each_param([&](const char*, std::vector<float>& p) { m.push_back(&p); });
  adam_v_.for_each_param([&](const char*, std::vector<float>& p) { v.push_back(&p); });
  const size_t d = weights_.config.dim;
  for (size_t t = 0; t < params.size(); ++t) {
    float* p = params[t]->data();
    const float* g = grads[t]->data();
    float* mt = m[t]->data();
    float* vt = v[t]->data();
    const size_t size = params[t]->size();
    const float decay = decayed[t] ? options_.weight_decay : 0.0f;
    const float param_step = step_size * rate_scale[t];
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < size; ++i) {
      const float gi = g[i] + decay * p[i];
      mt[i] = kBeta1 * mt[i] + (1.0f - kBeta1) * gi;
      vt[i] = kBeta2 * vt[i] + (1.0f - kBeta2) * gi * gi;
      p[i] -= param_step * mt[i] / (std::sqrt(vt[i]) + kEps);
    }
  }
  std::fill(weights_.item_emb.begin(), weights_.item_emb.begin() + static_cast<std::ptrdiff_t>(d), 0.0f);
}

Status SessionTrainer::set_content_only_items(std::vector<uint32_t> items) {
  const size_t d = weights_.config.dim;
  for (uint32_t item : items) {
    if (item == 0 || item > weights_.config.vocab_size)
      return Status(StatusCode::kINVALID_ARGUMENT, "content-only item " + std::to_string(item) + " is not in 1.." +
                                                       std::to_string(weights_.config.vocab_size));
    std::fill_n(weights_.item_emb.begin() + static_cast<std::ptrdiff_t>(size_t{item} * d), d, 0.0f);
  }
  content_only_items_ = std::move(items);
  return Status();
}

std::vector<uint32_t> label_ranks(const SessionModelWeights& weights, const ExampleSet& data, uint32_t threads) {
  if (threads > 0) omp_set_num_threads(static_cast<int>(threads));
  const SessionModelConfig& c = weights.config;
  const size_t d = c.dim, items = size_t{c.vocab_size} + 1;
  std::vector<float> item_vectors;
  compute_item_vectors(weights, item_vectors);
  std::vector<uint32_t> ranks(data.examples.size(), 0);
  const size_t chunk = 512;
  std::vector<float> session_vecs(chunk * d), logits(chunk * items);
  std::vector<SessionTape> tapes;
  EncoderBatch scratch;
  for (size_t start = 0; start < data.examples.size(); start += chunk) {
    const size_t n = std::min(chunk, data.examples.size() - start);
    encode_batch(weights, item_vectors.data(), data, &data.examples[start], n, session_vecs.data(), tapes, scratch);
    catalog_logits(native_dense_kernels(), session_vecs.data(), n, item_vectors.data(), items, d, c.temperature,
                   logits.data());
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < n; ++b) {
      const Example& ex = data.examples[start + b];
      float* z = logits.data() + b * items;
      finish_catalog_scores(weights, &data.events[ex.begin], ex.length, z);
      const float target = z[ex.label];
      uint32_t above = 0;
      for (size_t j = 1; j < items; ++j) above += z[j] > target ? 1u : 0u;
      ranks[start + b] = above + 1;
    }
  }
  return ranks;
}

}  // namespace vitrine::train
