// Native trainer of the session model (core/include/vitrine/session_model.h).
//
// The forward pass is the core's own encoder (encode_session() in its two halves, with the gate projections of a
// batch as one matrix product); this file adds the backward pass on its tape, the batched full-softmax loss over the
// whole catalog, and Adam. Gradients are checked against finite differences in
// tests/core/session_trainer_native_test.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "vitrine/session_model.h"
#include "vitrine/status.h"

namespace vitrine::train {

// A training or evaluation example: the events before `label`, stored as a span of a shared event array.
struct Example {
  uint32_t begin = 0;   // index of the first event of the prefix in the shared array
  uint32_t length = 0;  // prefix length (>= 1)
  uint32_t label = 0;   // the item that came next
};

// All events of a dataset, with examples pointing into them.
struct ExampleSet {
  std::vector<SessionEvent> events;
  std::vector<Example> examples;
};

struct TrainOptions {
  uint32_t epochs = 6;
  uint32_t batch_size = 512;
  float learning_rate = 0.003f;
  float lr_decay = 0.5f;         // multiply the learning rate by this ...
  uint32_t lr_decay_every = 2;   // ... every this many epochs
  float weight_decay = 0.0f;     // L2 on the dense (non-embedding) weights
  float init_scale = 0.0f;       // uniform init range; 0 = 1/sqrt(dim)
  float repeat_lr_scale = 1.0f;  // learning rate multiplier of the repeat terms (a few scalars)
  bool train_item_bias = true;   // false: item_bias keeps its start values (a fixed prior)
  // Share, in [0, 1), of the encoder's input values zeroed per training example (inverted dropout; serving never
  // drops; the CLI allows up to 0.9). It lets the encoder train longer before it overfits: Diginetica's validation
  // MRR@20 peaked at 18.82 with 0.2 against 18.54 without (docs/QUALITY.md).
  float input_dropout = 0.2f;
  uint64_t seed = 42;
  uint32_t threads = 0;  // 0 = all cores
};

// The encoder's gate projections x_t W2 and their two gradients as matrix products on the dense kernels instead of
// vector-matrix products per event in the portable build (those were about half of the training time with windows
// of 15 events or more). Each thread takes chunks of kEncoderChunk examples and puts every event of a chunk in one
// matrix, small enough to stay in its cache; chunks go to threads in a fixed order, so a run stays reproducible for
// a seed and thread count.
inline constexpr size_t kEncoderChunk = 32;
struct EncoderChunkScratch {
  std::vector<float> x;        // [rows][d] the chunk's encoder inputs
  std::vector<float> product;  // [rows][d] x_t W2; in the backward pass, d_pre W2^T
  std::vector<float> d_pre;    // [rows][d] backward: gradients on the gate pre-activations
  std::vector<float> w2_grad;  // [d][d] backward: the chunk's share of W2's gradient
};
struct EncoderBatch {
  std::vector<EncoderChunkScratch> threads;  // one per OpenMP thread
  // Training only: with input_dropout > 0 encode_batch() scales each example's inputs x_t by a random mask
  // (0 or 1 / (1 - input_dropout)), drawn from dropout_seed and the example's place in the batch, and keeps it in
  // masks[b] for the backward pass. Evaluation leaves input_dropout at 0.
  float input_dropout = 0.0f;
  uint64_t dropout_seed = 0;
  std::vector<std::vector<float>> masks;
  std::vector<size_t> offset;  // backward: example b's rows of d_x are [offset[b], offset[b + 1])
  std::vector<float> d_x;      // backward: [E][d] gradients on every encoder input of the batch
};

// Events an encoder reads: events[0, length).
struct EventSpan {
  const SessionEvent* events = nullptr;
  size_t length = 0;
};

// The session vectors (n x d into session_vecs) and tapes of n event spans: encode_session()'s arithmetic, except
// that x_t W2 is summed by the dense kernels (results agree to rounding). tapes is resized to n.
void encode_batch(const SessionModelWeights& weights, const float* item_vectors, const EventSpan* spans, size_t n,
                  float* session_vecs, std::vector<SessionTape>& tapes, EncoderBatch& scratch);
// The same for examples batch[0..n) of `data`.
void encode_batch(const SessionModelWeights& weights, const float* item_vectors, const ExampleSet& data,
                  const Example* batch, size_t n, float* session_vecs, std::vector<SessionTape>& tapes,
                  EncoderBatch& scratch);

// Loss and gradients of one batch, exposed for the gradient check.
struct BatchResult {
  double loss = 0.0;  // mean cross-entropy over the batch
};

class SessionTrainer {
 public:
  SessionTrainer(SessionModelWeights initial, const TrainOptions& options);

  // Random init of every parameter from the seed (uniform in +-init_scale; repeat bonus starts at 0).
  static SessionModelWeights initial_weights(const SessionModelConfig& config, const TrainOptions& options);

  // Forward + backward of one batch: fills gradients() and returns the mean loss. Does not update weights.
  BatchResult compute_gradients(const ExampleSet& data, const Example* batch, size_t n);
  // One Adam step with the gradients of the last compute_gradients() call.
  void apply_gradients(float learning_rate);

  // Items whose id embedding E[i] is zeroed and never trained, so their vector is their content alone: the
  // treatment of products with no history (cold start). Without it an item absent from the training sessions
  // still gets an id embedding, pushed away from every session by the softmax. Fails on ids outside 1..V.
  Status set_content_only_items(std::vector<uint32_t> items);

  const SessionModelWeights& weights() const { return weights_; }
  SessionModelWeights& mutable_weights() { return weights_; }
  const SessionModelWeights& gradients() const { return grads_; }
  // Adam's state, for checkpoints (checkpoint.h): its two moments, shaped like the weights, and the steps taken.
  SessionModelWeights& mutable_first_moment() { return adam_m_; }
  SessionModelWeights& mutable_second_moment() { return adam_v_; }
  uint64_t steps() const { return step_; }
  void set_steps(uint64_t steps) { step_ = steps; }

 private:
  SessionModelWeights weights_;
  SessionModelWeights grads_;
  SessionModelWeights adam_m_;
  SessionModelWeights adam_v_;
  TrainOptions options_;
  uint64_t step_ = 0;
  std::vector<uint32_t> content_only_items_;
  // Per-batch scratch, kept to avoid reallocating large buffers every step.
  std::vector<float> item_vectors_, item_norms_, logits_, session_vecs_, d_session_, d_item_vectors_;
  std::vector<SessionTape> tapes_;
  EncoderBatch encoder_batch_;
};

// Rank of each example's label among all items under the model: 1 + number of items with a strictly higher
// score. Runs the same scorer as the engine (batched), on `threads` threads.
std::vector<uint32_t> label_ranks(const SessionModelWeights& weights, const ExampleSet& data, uint32_t threads);

}  // namespace vitrine::train
