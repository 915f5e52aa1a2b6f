#include "image_cnn.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <string>

namespace vitrine::image {
namespace {

// out[oc][y][x] = b[oc] + sum_ic,ky,kx w[oc][ic][ky][kx] * in[ic][y+ky][x+kx]; then ReLU.
void conv3x3_relu(const float* in, uint32_t in_ch, uint32_t in_side, const float* w, const float* b, uint32_t out_ch,
                  float* out) {
  const uint32_t s = in_side - 2;
  for (uint32_t oc = 0; oc < out_ch; ++oc) {
    float* o = out + size_t{oc} * s * s;
    std::fill(o, o + size_t{s} * s, b[oc]);
    for (uint32_t ic = 0; ic < in_ch; ++ic) {
      const float* src = in + size_t{ic} * in_side * in_side;
      const float* k = w + (size_t{oc} * in_ch + ic) * 9;
      for (uint32_t ky = 0; ky < 3; ++ky)
        for (uint32_t kx = 0; kx < 3; ++kx) {
          const float kw = k[ky * 3 + kx];
          for (uint32_t y = 0; y < s; ++y) {
            const float* row = src + size_t{y + ky} * in_side + kx;
            float* dst = o + size_t{y} * s;
            for (uint32_t x = 0; x < s; ++x) dst[x] += kw * row[x];
          }
        }
    }
    for (size_t i = 0; i < size_t{s} * s; ++i) o[i] = std::max(o[i], 0.0f);
  }
}

// Gradients of conv3x3_relu: d_out is on the ReLU output (`out` is that output). Adds into d_w, d_b and, when
// d_in is non-null, d_in.
void conv3x3_relu_backward(const float* in, uint32_t in_ch, uint32_t in_side, const float* w, const float* out,
                           uint32_t out_ch, float* d_out, float* d_w, float* d_b, float* d_in) {
  const uint32_t s = in_side - 2;
  for (uint32_t oc = 0; oc < out_ch; ++oc) {
    float* g = d_out + size_t{oc} * s * s;
    const float* o = out + size_t{oc} * s * s;
    float bias = 0.0f;
    for (size_t i = 0; i < size_t{s} * s; ++i) {
      if (o[i] <= 0.0f) g[i] = 0.0f;  // ReLU was off here
      bias += g[i];
    }
    d_b[oc] += bias;
    for (uint32_t ic = 0; ic < in_ch; ++ic) {
      const float* src = in + size_t{ic} * in_side * in_side;
      const float* k = w + (size_t{oc} * in_ch + ic) * 9;
      float* dk = d_w + (size_t{oc} * in_ch + ic) * 9;
      float* d_src = d_in != nullptr ? d_in + size_t{ic} * in_side * in_side : nullptr;
      for (uint32_t ky = 0; ky < 3; ++ky)
        for (uint32_t kx = 0; kx < 3; ++kx) {
          float acc = 0.0f;
          const float kw = k[ky * 3 + kx];
          for (uint32_t y = 0; y < s; ++y) {
            const float* row = src + size_t{y + ky} * in_side + kx;
            const float* grow = g + size_t{y} * s;
            for (uint32_t x = 0; x < s; ++x) acc += grow[x] * row[x];
            if (d_src != nullptr) {
              float* drow = d_src + size_t{y + ky} * in_side + kx;
              for (uint32_t x = 0; x < s; ++x) drow[x] += kw * grow[x];
            }
          }
          dk[ky * 3 + kx] += acc;
        }
    }
  }
}

// 2x2 max pool, stride 2, odd last row/column dropped; arg holds the index of each maximum within `in`.
void max_pool2(const float* in, uint32_t ch, uint32_t in_side, float* out, uint32_t* arg) {
  const uint32_t s = in_side / 2;
  for (uint32_t c = 0; c < ch; ++c) {
    const size_t base = size_t{c} * in_side * in_side;
    for (uint32_t y = 0; y < s; ++y)
      for (uint32_t x = 0; x < s; ++x) {
        size_t best = base + size_t{2 * y} * in_side + 2 * x;
        for (uint32_t dy = 0; dy < 2; ++dy)
          for (uint32_t dx = 0; dx < 2; ++dx) {
            const size_t at = base + size_t{2 * y + dy} * in_side + 2 * x + dx;
            if (in[at] > in[best]) best = at;
          }
        const size_t o = (size_t{c} * s + y) * s + x;
        out[o] = in[best];
        arg[o] = static_cast<uint32_t>(best);
      }
  }
}

void to_unit(const uint8_t* pixels, size_t n, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(pixels[i]) * (1.0f / 255.0f);
}

}  // namespace

Status CnnConfig::validate() const {
  if (side < 10 || side > 256)
    return Status(StatusCode::kINVALID_ARGUMENT, "image side " + std::to_string(side) + " outside 10..256");
  if (conv1 == 0 || conv2 == 0 || embed_dim == 0 || classes < 2 || conv1 > 256 || conv2 > 256 || embed_dim > 1024 ||
      classes > 1000)
    return Status(StatusCode::kINVALID_ARGUMENT, "CNN layer sizes must be positive (classes >= 2) and small");
  return Status();
}

Result<CnnWeights> CnnWeights::zeros(const CnnConfig& c) {
  VITRINE_RETURN_IF_ERROR(c.validate());
  CnnWeights w;
  w.config = c;
  w.conv1_w.assign(size_t{c.conv1} * 9, 0.0f);
  w.conv1_b.assign(c.conv1, 0.0f);
  w.conv2_w.assign(size_t{c.conv2} * c.conv1 * 9, 0.0f);
  w.conv2_b.assign(c.conv2, 0.0f);
  w.embed_w.assign(c.flat_size() * c.embed_dim, 0.0f);
  w.embed_b.assign(c.embed_dim, 0.0f);
  w.out_w.assign(size_t{c.embed_dim} * c.classes, 0.0f);
  w.out_b.assign(c.classes, 0.0f);
  return w;
}

Result<CnnWeights> CnnWeights::initial(const CnnConfig& c, uint64_t seed) {
  auto zero = zeros(c);
  if (!zero.ok()) return zero.status();
  CnnWeights w = std::move(zero).value();
  std::mt19937_64 rng(seed);
  const auto he = [&](std::vector<float>& p, size_t fan_in) {
    const float limit = std::sqrt(6.0f / static_cast<float>(fan_in));
    std::uniform_real_distribution<float> uniform(-limit, limit);
    for (float& x : p) x = uniform(rng);
  };
  he(w.conv1_w, 9);
  he(w.conv2_w, size_t{c.conv1} * 9);
  he(w.embed_w, c.flat_size());
  he(w.out_w, c.embed_dim);
  return w;
}

void cnn_forward(const CnnWeights& w, const float* image, CnnTape& t) {
  const CnnConfig& c = w.config;
  const uint32_t s1 = c.conv1_side(), p1 = c.pool1_side(), s2 = c.conv2_side();
  const size_t flat = c.flat_size();
  t.conv1.resize(size_t{c.conv1} * s1 * s1);
  t.pool1.resize(size_t{c.conv1} * p1 * p1);
  t.arg1.resize(t.pool1.size());
  t.conv2.resize(size_t{c.conv2} * s2 * s2);
  t.pool2.resize(flat);
  t.arg2.resize(flat);
  t.embedding.assign(w.embed_b.begin(), w.embed_b.end());
  t.probs.assign(w.out_b.begin(), w.out_b.end());

  conv3x3_relu(image, 1, c.side, w.conv1_w.data(), w.conv1_b.data(), c.conv1, t.conv1.data());
  max_pool2(t.conv1.data(), c.conv1, s1, t.pool1.data(), t.arg1.data());
  conv3x3_relu(t.pool1.data(), c.conv1, p1, w.conv2_w.data(), w.conv2_b.data(), c.conv2, t.conv2.data());
  max_pool2(t.conv2.data(), c.conv2, s2, t.pool2.data(), t.arg2.data());
  const size_t e = c.embed_dim;
  for (size_t i = 0; i < flat; ++i) {
    const float xi = t.pool2[i];
    if (xi == 0.0f) continue;
    const float* row = w.embed_w.data() + i * e;
    for (size_t j = 0; j < e; ++j) t.embedding[j] += xi * row[j];
  }
  for (float& h : t.embedding) h = std::max(h, 0.0f);
  for (size_t i = 0; i < e; ++i) {
    const float* row = w.out_w.data() + i * c.classes;
    for (size_t k = 0; k < c.classes; ++k) t.probs[k] += t.embedding[i] * row[k];
  }
  const float max = *std::max_element(t.probs.begin(), t.probs.end());
  float sum = 0.0f;
  for (float& z : t.probs) sum += (z = std::exp(z - max));
  for (float& z : t.probs) z /= sum;
}

double cnn_backward(const CnnWeights& w, const float* image, uint32_t label, const CnnTape& t, CnnWeights& g) {
  const CnnConfig& c = w.config;
  const size_t e = c.embed_dim, flat = c.flat_size();
  const double loss = -std::log(std::max(double{t.probs[label]}, 1e-30));
  // Softmax + cross-entropy: d logits = probs - onehot.
  std::vector<float> d_logits(t.probs);
  d_logits[label] -= 1.0f;
  std::vector<float> d_h(e, 0.0f);
  for (size_t i = 0; i < e; ++i) {
    const float* row = w.out_w.data() + i * c.classes;
    float* grow = g.out_w.data() + i * c.classes;
    float acc = 0.0f;
    for (size_t k = 0; k < c.classes; ++k) {
      grow[k] += t.embedding[i] * d_logits[k];
      acc += row[k] * d_logits[k];
    }
    d_h[i] = t.embedding[i] > 0.0f ? acc : 0.0f;  // through the ReLU
  }
  for (size_t k = 0; k < c.classes; ++k) g.out_b[k] += d_logits[k];
  for (size_t j = 0; j < e; ++j) g.embed_b[j] += d_h[j];
  std::vector<float> d_conv2(t.conv2.size(), 0.0f);
  for (size_t i = 0; i < flat; ++i) {
    const float* row = w.embed_w.data() + i * e;
    float* grow = g.embed_w.data() + i * e;
    const float xi = t.pool2[i];
    float acc = 0.0f;
    for (size_t j = 0; j < e; ++j) {
      grow[j] += xi * d_h[j];
      acc += row[j] * d_h[j];
    }
    d_conv2[t.arg2[i]] += acc;
  }
  std::vector<float> d_pool1(t.pool1.size(), 0.0f);
  conv3x3_relu_backward(t.pool1.data(), c.conv1, c.pool1_side(), w.conv2_w.data(), t.conv2.data(), c.conv2,
                        d_conv2.data(), g.conv2_w.data(), g.conv2_b.data(), d_pool1.data());
  std::vector<float> d_conv1(t.conv1.size(), 0.0f);
  for (size_t i = 0; i < d_pool1.size(); ++i) d_conv1[t.arg1[i]] += d_pool1[i];
  conv3x3_relu_backward(image, 1, c.side, w.conv1_w.data(), t.conv1.data(), c.conv1, d_conv1.data(), g.conv1_w.data(),
                        g.conv1_b.data(), nullptr);
  return loss;
}

Status train_cnn(CnnWeights& w, const ImageSet& train, const CnnTrainOptions& options,
                 const std::function<void(const CnnEpochReport&)>& after_epoch) {
  VITRINE_RETURN_IF_ERROR(w.config.validate());
  if (train.side != w.config.side)
    return Status(StatusCode::kINVALID_ARGUMENT, "images are " + std::to_string(train.side) +
                                                     " pixels wide, the "
                                                     "CNN expects " +
                                                     std::to_string(w.config.side));
  if (train.count == 0) return Status(StatusCode::kINVALID_ARGUMENT, "no training images");
  for (size_t i = 0; i < train.count; ++i)
    if (train.labels[i] >= w.config.classes)
      return Status(StatusCode::kINVALID_ARGUMENT, "image " + std::to_string(i) + " has label " +
                                                       std::to_string(train.labels[i]) + ", outside the classes");
  if (options.threads > 0) omp_set_num_threads(static_cast<int>(options.threads));
  const int n_threads = omp_get_max_threads();
  const size_t pixels = size_t{train.side} * train.side;

  auto zero = CnnWeights::zeros(w.config);
  if (!zero.ok()) return zero.status();
  CnnWeights adam_m = zero.value(), adam_v = zero.value();
  std::vector<CnnWeights> thread_grads(static_cast<size_t>(n_threads), zero.value());
  std::vector<std::vector<float>*> params, moment1, moment2;
  w.for_each_param([&](const char*, std::vector<float>& p) { params.push_back(&p); });
  adam_m.for_each_param([&](const char*, std::vector<float>& p) { moment1.push_back(&p); });
  adam_v.for_each_param([&](const char*, std::vector<float>& p) { moment2.push_back(&p); });
  std::vector<std::vector<std::vector<float>*>> grads(thread_grads.size());
  for (size_t k = 0; k < thread_grads.size(); ++k)
    thread_grads[k].for_each_param([&](const char*, std::vector<float>& p) { grads[k].push_back(&p); });

  std::vector<size_t> order(train.count);
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  const size_t batch = std::max<uint32_t>(1, options.batch_size);
  float learning_rate = options.learning_rate;
  uint64_t step = 0;
  for (uint32_t epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    std::mt19937_64 rng(options.seed + epoch);
    std::shuffle(order.begin(), order.end(), rng);
    double loss_sum = 0.0;
    size_t correct = 0;
    for (size_t b0 = 0; b0 < order.size(); b0 += batch) {
      const size_t n = std::min(batch, order.size() - b0);
      for (auto& tg : grads)
        for (auto* p : tg) std::fill(p->begin(), p->end(), 0.0f);
#pragma omp parallel reduction(+ : loss_sum, correct)
      {
        CnnTape tape;
        std::vector<float> image(pixels);
        CnnWeights& g = thread_grads[static_cast<size_t>(omp_get_thread_num())];
#pragma omp for schedule(static)
        for (size_t k = 0; k < n; ++k) {
          const size_t index = order[b0 + k];
          to_unit(train.pixels.data() + index * pixels, pixels, image.data());
          cnn_forward(w, image.data(), tape);
          const uint32_t label = train.labels[index];
          const auto best = std::max_element(tape.probs.begin(), tape.probs.end()) - tape.probs.begin();
          correct += static_cast<size_t>(best) == label ? 1 : 0;
          loss_sum += cnn_backward(w, image.data(), label, tape, g);
        }
      }
      // Adam on the mean gradient; thread copies are summed in thread order, so a run repeats exactly.
      constexpr float kBeta1 = 0.9f, kBeta2 = 0.999f, kEps = 1e-8f;
      ++step;
      const float c1 = 1.0f - std::pow(kBeta1, static_cast<float>(step));
      const float c2 = 1.0f - std::pow(kBeta2, static_cast<float>(step));
      const float step_size = learning_rate * std::sqrt(c2) / c1;
      const float inv_n = 1.0f / static_cast<float>(n);
      for (size_t t = 0; t < params.size(); ++t) {
        float* p = params[t]->data();
        float* m = moment1[t]->data();
        float* v = moment2[t]->data();
        for (size_t i = 0; i < params[t]->size(); ++i) {
          float gi = 0.0f;
          for (const auto& tg : grads) gi += (*tg[t])[i];
          gi *= inv_n;
          m[i] = kBeta1 * m[i] + (1.0f - kBeta1) * gi;
          v[i] = kBeta2 * v[i] + (1.0f - kBeta2) * gi * gi;
          p[i] -= step_size * m[i] / (std::sqrt(v[i]) + kEps);
        }
      }
    }
    CnnEpochReport report;
    report.epoch = epoch;
    report.loss = loss_sum / static_cast<double>(train.count);
    report.accuracy = static_cast<double>(correct) / static_cast<double>(train.count);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (after_epoch) after_epoch(report);
    learning_rate *= 0.5f;
  }
  return Status();
}

double cnn_accuracy(const CnnWeights& w, const ImageSet& images, uint32_t threads) {
  if (threads > 0) omp_set_num_threads(static_cast<int>(threads));
  const size_t pixels = size_t{images.side} * images.side;
  size_t correct = 0;
#pragma omp parallel reduction(+ : correct)
  {
    CnnTape tape;
    std::vector<float> image(pixels);
#pragma omp for schedule(static)
    for (size_t i = 0; i < images.count; ++i) {
      to_unit(images.pixels.data() + i * pixels, pixels, image.data());
      cnn_forward(w, image.data(), tape);
      const auto best = std::max_element(tape.probs.begin(), tape.probs.end()) - tape.probs.begin();
      correct += static_cast<size_t>(best) == images.labels[i] ? 1 : 0;
    }
  }
  return images.count ? static_cast<double>(correct) / static_cast<double>(images.count) : 0.0;
}

void cnn_embed(const CnnWeights& w, const ImageSet& images, size_t index, float* out) {
  const size_t pixels = size_t{images.side} * images.side;
  std::vector<float> image(pixels);
  to_unit(images.pixels.data() + index * pixels, pixels, image.data());
  CnnTape tape;
  cnn_forward(w, image.data(), tape);
  std::copy(tape.embedding.begin(), tape.embedding.end(), out);
}

double nearest_centroid_accuracy(const ImageSet& train, const ImageSet& test) {
  const size_t pixels = size_t{train.side} * train.side;
  if (test.side != train.side || train.count == 0 || test.count == 0) return 0.0;
  const size_t classes = size_t{*std::max_element(train.labels.begin(), train.labels.end())} + 1;
  std::vector<double> centroid(classes * pixels, 0.0);
  std::vector<size_t> members(classes, 0);
  for (size_t i = 0; i < train.count; ++i) {
    const size_t label = train.labels[i];
    ++members[label];
    for (size_t p = 0; p < pixels; ++p) centroid[label * pixels + p] += train.pixels[i * pixels + p];
  }
  for (size_t k = 0; k < classes; ++k)
    for (size_t p = 0; p < pixels; ++p)
      centroid[k * pixels + p] /= static_cast<double>(std::max<size_t>(members[k], 1));
  size_t correct = 0;
  for (size_t i = 0; i < test.count; ++i) {
    size_t best = 0;
    double best_distance = INFINITY;
    for (size_t k = 0; k < classes; ++k) {
      if (members[k] == 0) continue;
      double distance = 0.0;
      for (size_t p = 0; p < pixels; ++p) {
        const double diff = test.pixels[i * pixels + p] - centroid[k * pixels + p];
        distance += diff * diff;
      }
      if (distance < best_distance) best_distance = distance, best = k;
    }
    correct += best == test.labels[i] ? 1 : 0;
  }
  return static_cast<double>(correct) / static_cast<double>(test.count);
}

}  // namespace vitrine::image
