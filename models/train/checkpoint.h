// A training run's state after an epoch, so that `vitrine train --resume` continues an interrupted run exactly
// where it stopped: the trainable tensors, Adam's two moments and step count, the best epoch's weights, the
// learning rate and the epochs' reports. Resumed with the same seed and thread count, a run writes the same model
// as one that was never interrupted (tests/js/cli_resume.test.mjs compares them).
//
// A checkpoint belongs to one training input: its fingerprint covers the training and validation examples, the
// initial weights (which the model's shape, the seed and the data's kinds decide) and the options that steer the
// optimizer. The number of epochs and the patience are not part of it, so a finished run's checkpoint can also be
// continued for more epochs.
//
// The file: 8 bytes "VTCKPT1\n", a little-endian u64 header length, the header (JSON: fingerprint, epochs done,
// best epoch and MRR@20, learning rate, steps, epoch reports, and each tensor's name and size), then for each
// tensor in the header's order its weights, first moment, second moment and best weights as f32, and last a u64
// FNV-1a of every byte before it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "session_trainer.h"
#include "train_run.h"
#include "vitrine/status.h"

namespace vitrine::train {

struct TrainingCheckpoint {
  uint64_t fingerprint = 0;
  uint32_t epochs_done = 0;
  uint32_t best_epoch = 0;
  double best_mrr = -1.0;
  double learning_rate = 0.0;  // for the next epoch
  uint64_t steps = 0;          // Adam steps taken
  std::vector<EpochReport> epochs;
  struct Tensor {
    std::string name;  // as SessionModelWeights::for_each_param names it
    std::vector<float> weights, adam_m, adam_v, best;
  };
  std::vector<Tensor> tensors;  // in for_each_param's order
};

std::vector<uint8_t> encode_checkpoint(const TrainingCheckpoint& checkpoint);
// Refuses (kBAD_INPUT, with what is wrong) a file that is not a checkpoint, is truncated or altered, or whose
// header does not match its tensors.
Result<TrainingCheckpoint> decode_checkpoint(const std::vector<uint8_t>& bytes);

// FNV-1a over what a checkpoint belongs to (see above).
uint64_t training_fingerprint(const ExampleSet& train, const ExampleSet& valid, const SessionModelWeights& initial,
                              const TrainOptions& options, float temperature);

}  // namespace vitrine::train
