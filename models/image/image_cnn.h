// A small convolutional network for 28x28 grayscale product photos (Fashion-MNIST), trained natively with
// hand-written gradients. Its hidden layer is the image embedding the session model takes as a content
// feature (cold start: a product with no history still has a photo).
//
//   image [side][side] in 0..1
//   conv1 3x3, c1 channels, valid padding -> ReLU -> 2x2 max pool (floor)
//   conv2 3x3, c2 channels, valid padding -> ReLU -> 2x2 max pool (floor)
//   embedding h = ReLU(flat W_embed + b)        (embed_dim values: the image features)
//   logits      = h W_out + b                   (softmax over the classes)
//
// Matrices are row-major with the input dimension first (y = x W), as in the session model. Gradients are
// checked against finite differences in tests/core/image_cnn_native_test.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "vitrine/status.h"

namespace vitrine::image {

struct CnnConfig {
  uint32_t side = 28;       // input images are side x side
  uint32_t conv1 = 8;       // channels of the first convolution
  uint32_t conv2 = 16;      // channels of the second convolution
  uint32_t embed_dim = 32;  // width of the embedding layer
  uint32_t classes = 10;

  uint32_t conv1_side() const { return side - 2; }
  uint32_t pool1_side() const { return conv1_side() / 2; }
  uint32_t conv2_side() const { return pool1_side() - 2; }
  uint32_t pool2_side() const { return conv2_side() / 2; }
  size_t flat_size() const { return size_t{conv2} * pool2_side() * pool2_side(); }
  Status validate() const;
};

struct CnnWeights {
  CnnConfig config;
  std::vector<float> conv1_w;  // [c1][3][3]
  std::vector<float> conv1_b;  // [c1]
  std::vector<float> conv2_w;  // [c2][c1][3][3]
  std::vector<float> conv2_b;  // [c2]
  std::vector<float> embed_w;  // [flat][embed_dim]
  std::vector<float> embed_b;  // [embed_dim]
  std::vector<float> out_w;    // [embed_dim][classes]
  std::vector<float> out_b;    // [classes]

  // Every parameter tensor in a fixed order: gradients, Adam state and the gradient check walk this one list.
  template <class Fn>
  void for_each_param(Fn&& fn) {
    fn("conv1_w", conv1_w), fn("conv1_b", conv1_b), fn("conv2_w", conv2_w), fn("conv2_b", conv2_b);
    fn("embed_w", embed_w), fn("embed_b", embed_b), fn("out_w", out_w), fn("out_b", out_b);
  }

  static Result<CnnWeights> zeros(const CnnConfig& config);
  // He-uniform weights from the seed, zero biases.
  static Result<CnnWeights> initial(const CnnConfig& config, uint64_t seed);
};

// Intermediates of one forward pass, kept for the backward pass and reused between images.
struct CnnTape {
  std::vector<float> conv1;      // [c1][s1][s1] after ReLU
  std::vector<float> pool1;      // [c1][p1][p1]
  std::vector<uint32_t> arg1;    // [c1][p1][p1]: index into conv1 of each pooled maximum
  std::vector<float> conv2;      // [c2][s2][s2] after ReLU
  std::vector<float> pool2;      // [flat]
  std::vector<uint32_t> arg2;    // [flat]: index into conv2
  std::vector<float> embedding;  // [embed_dim] after ReLU
  std::vector<float> probs;      // [classes] softmax
};

// Forward pass of one image (side*side values in 0..1). Fills the tape; the embedding and the class
// probabilities are in tape.embedding and tape.probs.
void cnn_forward(const CnnWeights& w, const float* image, CnnTape& tape);

// Cross-entropy of the label under the tape's probabilities, and its gradient added into `grads` (same shapes
// as `w`). `tape` must come from cnn_forward(w, image, ...).
double cnn_backward(const CnnWeights& w, const float* image, uint32_t label, const CnnTape& tape, CnnWeights& grads);

// A labelled image set: count images of side*side bytes, as in the IDX files.
struct ImageSet {
  uint32_t side = 0;
  size_t count = 0;
  std::vector<uint8_t> pixels;  // [count][side][side]
  std::vector<uint8_t> labels;  // [count]
};

struct CnnTrainOptions {
  uint32_t epochs = 2;
  uint32_t batch_size = 64;
  float learning_rate = 0.002f;  // Adam, halved after every epoch
  uint64_t seed = 42;
  uint32_t threads = 0;  // 0 = all cores; a run is reproducible for a seed and thread count
};

struct CnnEpochReport {
  uint32_t epoch = 0;
  double loss = 0.0;      // mean training cross-entropy
  double accuracy = 0.0;  // training accuracy while the epoch ran
  double seconds = 0.0;
};

// Trains `w` in place with Adam on shuffled minibatches; `after_epoch` (optional) sees each epoch's report.
Status train_cnn(CnnWeights& w, const ImageSet& train, const CnnTrainOptions& options,
                 const std::function<void(const CnnEpochReport&)>& after_epoch);

// Fraction of the images whose most probable class is the label.
double cnn_accuracy(const CnnWeights& w, const ImageSet& images, uint32_t threads);

// The embedding of image `index` of the set (embed_dim floats into `out`).
void cnn_embed(const CnnWeights& w, const ImageSet& images, size_t index, float* out);

// Baseline: nearest class centroid on raw pixels, fitted on `train`, accuracy on `test`.
double nearest_centroid_accuracy(const ImageSet& train, const ImageSet& test);

}  // namespace vitrine::image
