#include "checkpoint.h"

#include <cstring>
#include <nlohmann/json.hpp>

namespace vitrine::train {
namespace {

constexpr char kMagic[8] = {'V', 'T', 'C', 'K', 'P', 'T', '1', '\n'};
constexpr uint64_t kFnvOffset = 14695981039346656037ull, kFnvPrime = 1099511628211ull;

struct Fnv {
  uint64_t hash = kFnvOffset;
  void bytes(const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < size; ++i) hash = (hash ^ p[i]) * kFnvPrime;
  }
  template <typename T>
  void value(T v) {
    bytes(&v, sizeof v);
  }
};

void append(std::vector<uint8_t>& out, const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  out.insert(out.end(), p, p + size);
}

Status bad(const std::string& why) {
  return Status(StatusCode::kBAD_INPUT, "not a usable training checkpoint: " + why);
}

}  // namespace

std::vector<uint8_t> encode_checkpoint(const TrainingCheckpoint& c) {
  nlohmann::json header = {{"fingerprint", std::to_string(c.fingerprint)},
                           {"epochs_done", c.epochs_done},
                           {"best_epoch", c.best_epoch},
                           {"best_mrr", c.best_mrr},
                           {"learning_rate", c.learning_rate},
                           {"steps", c.steps}};
  nlohmann::json epochs = nlohmann::json::array(), tensors = nlohmann::json::array();
  for (const EpochReport& r : c.epochs)
    epochs.push_back({r.epoch, r.loss, r.seconds, r.examples_per_second, r.valid_hr20, r.valid_mrr20});
  for (const TrainingCheckpoint::Tensor& t : c.tensors) tensors.push_back({t.name, t.weights.size()});
  header["epochs"] = std::move(epochs);
  header["tensors"] = std::move(tensors);
  const std::string text = header.dump();
  std::vector<uint8_t> out;
  append(out, kMagic, sizeof kMagic);
  const uint64_t length = text.size();
  append(out, &length, sizeof length);
  append(out, text.data(), text.size());
  for (const TrainingCheckpoint::Tensor& t : c.tensors)
    for (const std::vector<float>* values : {&t.weights, &t.adam_m, &t.adam_v, &t.best})
      append(out, values->data(), values->size() * sizeof(float));
  Fnv fnv;
  fnv.bytes(out.data(), out.size());
  append(out, &fnv.hash, sizeof fnv.hash);
  return out;
}

Result<TrainingCheckpoint> decode_checkpoint(const std::vector<uint8_t>& bytes) {
  constexpr size_t kFixed = sizeof kMagic + sizeof(uint64_t);
  if (bytes.size() < kFixed + sizeof(uint64_t) || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return bad("it does not start as one");
  uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + bytes.size() - sizeof stored, sizeof stored);
  Fnv fnv;
  fnv.bytes(bytes.data(), bytes.size() - sizeof stored);
  if (fnv.hash != stored) return bad("truncated or altered (checksum mismatch)");
  uint64_t length = 0;
  std::memcpy(&length, bytes.data() + sizeof kMagic, sizeof length);
  if (length > bytes.size() - kFixed - sizeof stored) return bad("header longer than the file");
  TrainingCheckpoint c;
  size_t at = kFixed + length;
  try {
    const auto header = nlohmann::json::parse(bytes.begin() + kFixed, bytes.begin() + static_cast<ptrdiff_t>(at));
    c.fingerprint = std::stoull(header.at("fingerprint").get<std::string>());
    c.epochs_done = header.at("epochs_done").get<uint32_t>();
    c.best_epoch = header.at("best_epoch").get<uint32_t>();
    c.best_mrr = header.at("best_mrr").get<double>();
    c.learning_rate = header.at("learning_rate").get<double>();
    c.steps = header.at("steps").get<uint64_t>();
    for (const auto& e : header.at("epochs"))
      c.epochs.push_back({e.at(0).get<uint32_t>(), e.at(1).get<double>(), e.at(2).get<double>(), e.at(3).get<double>(),
                          e.at(4).get<double>(), e.at(5).get<double>()});
    for (const auto& t : header.at("tensors")) {
      TrainingCheckpoint::Tensor& tensor = c.tensors.emplace_back();
      tensor.name = t.at(0).get<std::string>();
      const auto size = t.at(1).get<uint64_t>();
      for (std::vector<float>* values : {&tensor.weights, &tensor.adam_m, &tensor.adam_v, &tensor.best}) {
        if (size > (bytes.size() - sizeof stored - at) / sizeof(float)) return bad("tensors longer than the file");
        values->resize(size);
        std::memcpy(values->data(), bytes.data() + at, size * sizeof(float));
        at += size * sizeof(float);
      }
    }
  } catch (const std::exception& e) {
    return bad(std::string("malformed header (") + e.what() + ")");
  }
  if (at != bytes.size() - sizeof stored) return bad("bytes left after the tensors");
  if (c.best_epoch > c.epochs_done || c.epochs.size() != c.epochs_done) return bad("inconsistent epoch counts");
  return c;
}

uint64_t training_fingerprint(const ExampleSet& train, const ExampleSet& valid, const SessionModelWeights& initial,
                              const TrainOptions& options, float temperature) {
  Fnv fnv;
  for (const ExampleSet* set : {&train, &valid}) {
    fnv.value(set->events.size());
    for (const SessionEvent& e : set->events) {
      fnv.value(e.item);
      fnv.value(e.kind);
      fnv.value(e.earlier_visit);
    }
    fnv.value(set->examples.size());
    for (const Example& e : set->examples) {
      fnv.value(e.begin);
      fnv.value(e.length);
      fnv.value(e.label);
    }
  }
  initial.for_each_param([&](const char* name, const std::vector<float>& p) {
    fnv.bytes(name, std::strlen(name));
    fnv.value(p.size());
    fnv.bytes(p.data(), p.size() * sizeof(float));
  });
  for (const std::vector<int32_t>* table : {&initial.item_category, &initial.item_brand, &initial.item_price_band})
    fnv.bytes(table->data(), table->size() * sizeof(int32_t));
  fnv.bytes(initial.item_image.data(), initial.item_image.size() * sizeof(float));
  fnv.value(options.batch_size);
  fnv.value(options.learning_rate);
  fnv.value(options.lr_decay);
  fnv.value(options.lr_decay_every);
  fnv.value(options.weight_decay);
  fnv.value(options.init_scale);
  fnv.value(options.repeat_lr_scale);
  fnv.value(options.train_item_bias);
  fnv.value(options.input_dropout);
  fnv.value(options.seed);
  fnv.value(temperature);
  return fnv.hash;
}

}  // namespace vitrine::train
