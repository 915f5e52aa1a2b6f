#include "train_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "calibrate.h"
#include "checkpoint.h"
#include "conversion_fit.h"
#include "vitrine/metrics.h"

namespace vitrine::train {
namespace {

Status bad_line(const std::string& path, size_t line, const std::string& what) {
  return Status(StatusCode::kBAD_INPUT, path + ":" + std::to_string(line) + ": " + what);
}

// Unique non-empty names, sorted, and each item's 1-based row (0 = unknown).
void index_names(const std::vector<std::string>& per_item, std::vector<std::string>& names,
                 std::vector<int32_t>& rows) {
  std::map<std::string, int32_t> index;
  for (const std::string& n : per_item)
    if (!n.empty()) index.emplace(n, 0);
  names.clear();
  for (auto& [name, row] : index) {
    names.push_back(name);
    row = static_cast<int32_t>(names.size());
  }
  rows.assign(per_item.size(), 0);
  for (size_t i = 0; i < per_item.size(); ++i)
    if (!per_item[i].empty()) rows[i] = index[per_item[i]];
}

std::vector<float> price_band_edges(const std::vector<float>& prices, uint32_t bands) {
  std::vector<float> known;
  for (float p : prices)
    if (p >= 0.0f) known.push_back(p);
  std::vector<float> edges;
  if (known.size() < 2 || bands < 2) return edges;
  std::sort(known.begin(), known.end());
  for (uint32_t b = 1; b < bands; ++b) {
    const float edge = known[known.size() * b / bands];
    if (edges.empty() || edge > edges.back()) edges.push_back(edge);
  }
  return edges;
}

MetricValues validation_metrics(const SessionModelWeights& weights, const ExampleSet& valid, uint32_t threads) {
  MetricAccumulator acc(20);
  for (uint32_t rank : label_ranks(weights, valid, threads)) (void)acc.add_rank(rank);
  return acc.at(20).value();
}

}  // namespace

Result<Catalog> read_catalog_file(const std::string& path, ItemId catalog_size) {
  std::ifstream in(path);
  if (!in) return Status(StatusCode::kBAD_INPUT, path + ": cannot open");
  if (catalog_size == 0) {
    // Sized by the file: the largest well-formed id (the pass below reports any bad line).
    std::string line;
    long largest = 0;
    while (std::getline(in, line)) {
      char* end = nullptr;
      const long id = std::strtol(line.c_str(), &end, 10);
      if (end != line.c_str() && *end == '\t' && id > largest && id < std::numeric_limits<ItemId>::max()) largest = id;
    }
    if (largest == 0) return Status(StatusCode::kBAD_INPUT, path + ": no product lines");
    catalog_size = static_cast<ItemId>(largest);
    in.clear();
    in.seekg(0);
  }
  Catalog c;
  const size_t n = static_cast<size_t>(catalog_size) + 1;
  c.product_ids.assign(n, "");
  c.categories.assign(n, "");
  c.brands.assign(n, "");
  c.prices.assign(n, -1.0f);
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && line.rfind("id\t", 0) == 0) continue;
    // Split at every tab, keeping empty fields (a catalog without brands or prices ends its lines with tabs).
    std::vector<std::string> fields(1);
    for (const char ch : line) {
      if (ch == '\t')
        fields.emplace_back();
      else
        fields.back() += ch;
    }
    if (fields.size() != 5)
      return bad_line(path, line_no, "expected 5 tab-separated fields, got " + std::to_string(fields.size()));
    char* end = nullptr;
    const long id = std::strtol(fields[0].c_str(), &end, 10);
    if (end == fields[0].c_str() || *end != '\0' || id < 1 || id > catalog_size)
      return bad_line(path, line_no, "item id '" + fields[0] + "' is not in 1.." + std::to_string(catalog_size));
    if (fields[1].empty()) return bad_line(path, line_no, "empty product id");
    const auto i = static_cast<size_t>(id);
    c.product_ids[i] = fields[1];
    c.categories[i] = fields[2];
    c.brands[i] = fields[3];
    if (!fields[4].empty()) {
      const double price = std::strtod(fields[4].c_str(), &end);
      if (*end != '\0' || !(price >= 0.0))
        return bad_line(path, line_no, "price '" + fields[4] + "' is not a number >= 0");
      c.prices[i] = static_cast<float>(price);
    }
  }
  for (size_t i = 1; i < n; ++i)
    if (c.product_ids[i].empty()) c.product_ids[i] = std::to_string(i);  // items without a catalog row
  return c;
}

Result<ImageFeatures> read_image_features_file(const std::string& path, ItemId catalog_size) {
  std::ifstream in(path);
  if (!in) return Status(StatusCode::kBAD_INPUT, path + ": cannot open");
  ImageFeatures f;
  std::vector<bool> seen;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1) {
      if (line.rfind("id\t", 0) != 0)
        return bad_line(path, line_no, "expected the header 'id<TAB>product_id<TAB>features'");
      continue;
    }
    if (line.empty()) continue;
    const size_t tab1 = line.find('\t'), tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string::npos) return bad_line(path, line_no, "expected 3 tab-separated fields");
    const std::string id_text = line.substr(0, tab1);
    char* end = nullptr;
    const long id = std::strtol(id_text.c_str(), &end, 10);
    if (end == id_text.c_str() || *end != '\0' || id < 1)
      return bad_line(path, line_no, "item id '" + id_text + "' is not >= 1");
    std::vector<float> values;
    std::stringstream ss(line.substr(tab2 + 1));
    std::string token;
    while (ss >> token) {
      const float v = std::strtof(token.c_str(), &end);
      if (*end != '\0' || !std::isfinite(v)) return bad_line(path, line_no, "'" + token + "' is not a finite number");
      values.push_back(v);
    }
    if (values.empty()) return bad_line(path, line_no, "no feature values");
    if (f.dim == 0) {
      if (values.size() > 1024) return bad_line(path, line_no, "more than 1024 values");
      f.dim = static_cast<uint32_t>(values.size());
      f.table.assign((static_cast<size_t>(catalog_size) + 1) * f.dim, 0.0f);
      seen.assign(static_cast<size_t>(catalog_size) + 1, false);
    } else if (values.size() != f.dim) {
      return bad_line(path, line_no,
                      std::to_string(values.size()) + " values, earlier rows have " + std::to_string(f.dim));
    }
    if (id > catalog_size) continue;
    const auto i = static_cast<size_t>(id);
    if (seen[i]) return bad_line(path, line_no, "item id " + id_text + " appears twice");
    seen[i] = true;
    ++f.rows;
    std::copy(values.begin(), values.end(), f.table.begin() + static_cast<std::ptrdiff_t>(i * f.dim));
  }
  if (f.dim == 0) return Status(StatusCode::kBAD_INPUT, path + ": no feature rows");
  return f;
}

namespace {
// The tensors of the weights, Adam's moments and the best weights, side by side in for_each_param's order.
struct TrainerTensors {
  std::vector<const char*> names;
  std::vector<std::vector<float>*> weights, first, second, best;
  TrainerTensors(SessionTrainer& trainer, SessionModelWeights& best_weights) {
    trainer.mutable_weights().for_each_param([&](const char* name, std::vector<float>& p) {
      names.push_back(name);
      weights.push_back(&p);
    });
    trainer.mutable_first_moment().for_each_param([&](const char*, std::vector<float>& p) { first.push_back(&p); });
    trainer.mutable_second_moment().for_each_param([&](const char*, std::vector<float>& p) { second.push_back(&p); });
    best_weights.for_each_param([&](const char*, std::vector<float>& p) { best.push_back(&p); });
  }
};

TrainingCheckpoint make_checkpoint(uint64_t fingerprint, uint32_t epochs_done, double best_mrr, float learning_rate,
                                   const RunResult& result, SessionTrainer& trainer, SessionModelWeights& best) {
  TrainingCheckpoint c;
  c.fingerprint = fingerprint;
  c.epochs_done = epochs_done;
  c.best_epoch = result.best_epoch;
  c.best_mrr = best_mrr;
  c.learning_rate = learning_rate;
  c.steps = trainer.steps();
  c.epochs = result.epochs;
  const TrainerTensors tensors(trainer, best);
  for (size_t k = 0; k < tensors.names.size(); ++k)
    c.tensors.push_back(
        {tensors.names[k], *tensors.weights[k], *tensors.first[k], *tensors.second[k], *tensors.best[k]});
  return c;
}

// Puts a checkpoint's tensors and step count into the trainer, and its best weights into `best` (which starts as a
// copy of the trainer's weights, so the fixed tables are the run's own).
Status restore_checkpoint(const TrainingCheckpoint& c, SessionTrainer& trainer, SessionModelWeights& best) {
  best = trainer.weights();
  const TrainerTensors tensors(trainer, best);
  if (c.tensors.size() != tensors.names.size())
    return Status(StatusCode::kBAD_INPUT, "the checkpoint holds " + std::to_string(c.tensors.size()) +
                                              " tensors, this model " + std::to_string(tensors.names.size()));
  for (size_t k = 0; k < c.tensors.size(); ++k) {
    const TrainingCheckpoint::Tensor& t = c.tensors[k];
    if (t.name != tensors.names[k] || t.weights.size() != tensors.weights[k]->size())
      return Status(StatusCode::kBAD_INPUT, "the checkpoint's tensor " + t.name + " does not fit this model");
    *tensors.weights[k] = t.weights;
    *tensors.first[k] = t.adam_m;
    *tensors.second[k] = t.adam_v;
    *tensors.best[k] = t.best;
  }
  trainer.set_steps(c.steps);
  return Status();
}

}  // namespace

size_t validation_count(size_t sessions, double validation_fraction) {
  if (!(validation_fraction > 0.0)) return 0;
  return static_cast<size_t>(std::llround(validation_fraction * static_cast<double>(sessions)));
}

namespace {
// A view or click of the visit itself: what a label can be, and what S-POP counts.
bool is_label_event(const SessionEvent& e) {
  return e.earlier_visit == 0 &&
         (e.kind == event_kind_code(EventKind::kVIEW) || e.kind == event_kind_code(EventKind::kCLICK));
}
}  // namespace

bool is_label(const EventSession& session, size_t k) {
  return k > 0 && is_label_event(session[k]);
}

Result<size_t> checked_validation_count(size_t sessions, double validation_fraction) {
  const size_t n_valid = validation_count(sessions, validation_fraction);
  if (validation_fraction > 0.0 && (!(validation_fraction < 1.0) || n_valid == 0 || n_valid >= sessions))
    return Status(StatusCode::kINVALID_ARGUMENT, "validation fraction " + std::to_string(validation_fraction) + " of " +
                                                     std::to_string(sessions) +
                                                     " sessions leaves one of the two parts empty");
  return n_valid;
}

ExampleSet make_examples(const std::vector<EventSession>& sessions) {
  ExampleSet set;
  for (const EventSession& s : sessions) {
    const auto begin = static_cast<uint32_t>(set.events.size());
    set.events.insert(set.events.end(), s.begin(), s.end());
    for (size_t k = 1; k < s.size(); ++k)
      if (is_label(s, k)) set.examples.push_back({begin, static_cast<uint32_t>(k), s[k].item});
  }
  return set;
}

Result<RunResult> run_training(const SessionCorpus& corpus, const Catalog* catalog, const RunOptions& options,
                               const std::string& dataset, const Progress& progress) {
  std::vector<EventSession> sessions;
  sessions.reserve(corpus.sessions.size());
  for (const Session& s : corpus.sessions) {
    EventSession& e = sessions.emplace_back();
    for (ItemId item : s) e.push_back({static_cast<uint32_t>(item), event_kind_code(EventKind::kVIEW)});
  }
  return run_training(std::move(sessions), corpus.catalog_size, catalog, options, dataset, progress);
}

void TrainingStats::reset(ItemId catalog_size) {
  const size_t n = static_cast<size_t>(catalog_size) + 1;
  kind_counts.assign(VITRINE_EVENT_KIND_COUNT, 0);
  seen.assign(n, false);
  label_counts.assign(n, 0.0);
  label_popularity.assign(n, 0.0);
  all_label_popularity.assign(n, 0.0);
  earlier_visits = false;
  examples = 0;
}

void TrainingStats::add_training(const EventSession& session) {
  for (size_t k = 0; k < session.size(); ++k) {
    const SessionEvent& e = session[k];
    ++kind_counts[e.kind];
    seen[e.item] = true;
    earlier_visits = earlier_visits || e.earlier_visit != 0;
    if (!is_label_event(e)) continue;
    label_popularity[e.item] += 1.0;
    all_label_popularity[e.item] += 1.0;
    if (is_label(session, k)) {
      label_counts[e.item] += 1.0;
      ++examples;
    }
  }
}

void TrainingStats::add_held_out(const EventSession& session) {
  for (const SessionEvent& e : session)
    if (is_label_event(e)) all_label_popularity[e.item] += 1.0;
}

void TrainingStats::drop_unseen(EventSession& held_out) const {
  held_out.erase(std::remove_if(held_out.begin(), held_out.end(), [&](const SessionEvent& e) { return !seen[e.item]; }),
                 held_out.end());
}

Status check_events(const EventSession& session, ItemId catalog_size) {
  for (const SessionEvent& e : session) {
    if (e.item > static_cast<uint32_t>(catalog_size) || e.kind >= VITRINE_EVENT_KIND_COUNT)
      return Status(StatusCode::kINVALID_ARGUMENT, "a training event has item " + std::to_string(e.item) + " or kind " +
                                                       std::to_string(e.kind) + " out of range");
  }
  return Status();
}

Result<RunResult> run_training(std::vector<EventSession> sessions, ItemId catalog_size, const Catalog* catalog,
                               const RunOptions& options, const std::string& dataset, const Progress& progress) {
  if (catalog_size <= 0) return Status(StatusCode::kBAD_INPUT, "no items in the training sessions");
  for (const EventSession& s : sessions) VITRINE_RETURN_IF_ERROR(check_events(s, catalog_size));
  const size_t session_count = sessions.size();
  std::vector<EventSession> train_sessions = std::move(sessions), valid_sessions;
  if (options.validation_fraction > 0.0) {
    const Result<size_t> held_out = checked_validation_count(session_count, options.validation_fraction);
    if (!held_out.ok()) return held_out.status();
    const size_t n_valid = held_out.value();
    valid_sessions.assign(std::make_move_iterator(train_sessions.end() - static_cast<std::ptrdiff_t>(n_valid)),
                          std::make_move_iterator(train_sessions.end()));
    train_sessions.resize(session_count - n_valid);
  }
  TrainingStats stats;
  stats.reset(catalog_size);
  for (const EventSession& s : train_sessions) stats.add_training(s);
  for (EventSession& s : valid_sessions) {
    stats.add_held_out(s);  // before dropping unseen items: S-POP counts every session
    stats.drop_unseen(s);
  }
  const ExampleSet train = make_examples(train_sessions);
  const ExampleSet valid = make_examples(valid_sessions);

  // Each pass over the examples starts from the order the last one left, shuffled with a seed of its own.
  std::vector<Example> order = train.examples;
  const size_t batch = std::max<uint32_t>(1, options.train.batch_size);
  const size_t steps_per_pass = (order.size() + batch - 1) / batch;
  const size_t passes =
      order.empty() ? 1 : std::max<size_t>(1, (options.min_steps_per_epoch + steps_per_pass - 1) / steps_per_pass);
  const size_t epoch_examples = passes * order.size();
  const auto shuffle_for = [&](uint32_t epoch, size_t i) {
    std::mt19937_64 rng(options.train.seed + epoch + 1000003 * (i / order.size()));
    std::shuffle(order.begin(), order.end(), rng);
  };
  EpochFeed feed;
  feed.examples_per_epoch = epoch_examples;
  feed.passes = passes;
  feed.run = [&](uint32_t epoch, const BatchStep& step) {
    for (size_t i = 0; i < epoch_examples; i += batch) {
      const size_t at = i % order.size();
      if (at == 0) shuffle_for(epoch, i);
      step(train, &order[at], std::min(batch, order.size() - at));
    }
    return Status();
  };
  feed.fingerprint = [&](const SessionModelWeights& initial, const TrainOptions& train_options, float temperature) {
    return training_fingerprint(train, valid, initial, train_options, temperature);
  };
  feed.replay = [&](uint32_t epochs_done) {
    for (uint32_t epoch = 1; epoch <= epochs_done; ++epoch)
      for (size_t i = 0; i < epoch_examples; i += batch)
        if (i % order.size() == 0) shuffle_for(epoch, i);
  };
  return train_model(stats, catalog_size, catalog, options, dataset, progress, feed, valid, train_sessions,
                     valid_sessions);
}

Result<RunResult> train_model(const TrainingStats& stats, ItemId catalog_size, const Catalog* catalog,
                              const RunOptions& options, const std::string& dataset, const Progress& progress,
                              EpochFeed& feed, const ExampleSet& valid,
                              const std::vector<EventSession>& conversion_train,
                              const std::vector<EventSession>& conversion_valid) {
  if (catalog_size <= 0) return Status(StatusCode::kBAD_INPUT, "no items in the training sessions");
  if (stats.examples == 0 || feed.examples_per_epoch == 0)
    return Status(StatusCode::kBAD_INPUT, "no training examples: sessions need a view or click after another event");
  const auto corpus_catalog_size = catalog_size;
  SessionModelConfig config = options.model;
  config.vocab_size = static_cast<uint32_t>(corpus_catalog_size);
  config.num_kinds = VITRINE_EVENT_KIND_COUNT;
  config.repeat_counts = options.repeat_counts;
  config.repeat_kinds = options.repeat_kinds;
  config.item_bias = options.item_bias;
  // Visits: read where the sessions carry visitors' earlier visits (training_sessions with history).
  config.visit_inputs = false;
  config.visit_inputs = stats.earlier_visits;
  // Every kind the training data holds gets its own row. Absent kinds never reach an untrained row: a click, cart
  // add or purchase reads as a view when views were trained (each implies the shopper looked at the item), and
  // anything else is left out of the input.
  const std::vector<size_t>& kind_counts = stats.kind_counts;
  const uint8_t view = event_kind_code(EventKind::kVIEW);
  config.kind_inputs.assign(VITRINE_EVENT_KIND_COUNT, -1);
  for (uint32_t k = 0; k < VITRINE_EVENT_KIND_COUNT; ++k) {
    const bool implies_view = k == event_kind_code(EventKind::kCLICK) ||
                              k == event_kind_code(EventKind::kADD_TO_CART) ||
                              k == event_kind_code(EventKind::kPURCHASE);
    if (kind_counts[k] > 0)
      config.kind_inputs[k] = static_cast<int32_t>(k);
    else if (implies_view && kind_counts[view] > 0)
      config.kind_inputs[k] = view;
  }
  if (!options.impression_inputs) config.kind_inputs[event_kind_code(EventKind::kIMPRESSION)] = -1;
  SessionModelContent content;
  std::vector<int32_t> item_category, item_brand, item_band;
  std::vector<std::string> vocabulary;
  if (catalog != nullptr) {
    index_names(catalog->categories, content.category_names, item_category);
    index_names(catalog->brands, content.brand_names, item_brand);
    content.price_band_edges = price_band_edges(catalog->prices, options.price_bands);
    config.num_categories = static_cast<uint32_t>(content.category_names.size());
    config.num_brands = static_cast<uint32_t>(content.brand_names.size());
    config.num_price_bands =
        content.price_band_edges.empty() ? 0 : static_cast<uint32_t>(content.price_band_edges.size() + 1);
    if (config.num_price_bands == 0) content.price_band_edges.clear();
    item_band.assign(catalog->prices.size(), 0);
    for (size_t i = 0; i < item_band.size(); ++i)
      item_band[i] = static_cast<int32_t>(price_band_of(content.price_band_edges, catalog->prices[i]));
    vocabulary.assign(catalog->product_ids.begin() + 1, catalog->product_ids.end());
  } else {
    for (ItemId i = 1; i <= corpus_catalog_size; ++i) vocabulary.push_back(std::to_string(i));
  }
  const ImageFeatures& images = options.image_features;
  if (images.dim > 0) {
    if (images.table.size() != (static_cast<size_t>(corpus_catalog_size) + 1) * images.dim)
      return Status(StatusCode::kINVALID_ARGUMENT, "image features were read for another catalog size");
    config.image_dim = images.dim;
  }
  VITRINE_RETURN_IF_ERROR(config.validate());

  SessionModelWeights initial = SessionTrainer::initial_weights(config, options.train);
  // Rows of kinds absent from the data stay zero: never trained, and never read (kind_inputs above).
  for (uint32_t k = 0; k < config.num_kinds; ++k) {
    if (kind_counts[k] == 0)
      std::fill_n(initial.kind_emb.begin() + static_cast<std::ptrdiff_t>(size_t{k} * config.dim), config.dim, 0.0f);
  }
  if (config.num_categories > 0) initial.item_category = item_category;
  if (config.num_brands > 0) initial.item_brand = item_brand;
  if (config.num_price_bands > 0) initial.item_price_band = item_band;
  if (config.image_dim > 0) initial.item_image = images.table;
  VITRINE_RETURN_IF_ERROR(initial.validate());

  TrainOptions train_options = options.train;
  train_options.train_item_bias = false;  // a fixed prior, weighted after training (see the calibration below)
  SessionTrainer trainer(std::move(initial), train_options);
  if (options.content_only_unseen) {
    std::vector<uint32_t> unseen;
    for (size_t i = 1; i < stats.seen.size(); ++i)
      if (!stats.seen[i]) unseen.push_back(static_cast<uint32_t>(i));
    VITRINE_RETURN_IF_ERROR(trainer.set_content_only_items(std::move(unseen)));
  }
  RunResult result;
  result.train_examples = stats.examples;
  result.valid_examples = valid.examples.size();
  SessionModelWeights best = trainer.weights();
  double best_mrr = -1.0;
  float learning_rate = options.train.learning_rate;
  const bool validated = !valid.examples.empty();
  const auto stops_after = [&](uint32_t epoch) {
    return validated && options.patience > 0 && epoch - result.best_epoch >= options.patience;
  };

  // Checkpoints belong to this training input (checkpoint.h); a resumed run picks up after the checkpoint's epochs.
  const bool checkpoints = options.save_checkpoint || options.resume_from != nullptr;
  if (checkpoints && !feed.fingerprint)
    return Status(StatusCode::kINVALID_ARGUMENT, "this training input does not support checkpoints");
  const uint64_t fingerprint = checkpoints ? feed.fingerprint(trainer.weights(), train_options, config.temperature) : 0;
  uint32_t first_epoch = 1;
  if (options.resume_from != nullptr) {
    const TrainingCheckpoint& checkpoint = *options.resume_from;
    if (checkpoint.fingerprint != fingerprint)
      return Status(StatusCode::kBAD_INPUT,
                    "the checkpoint was written for other training data or options (the sessions, the model's shape, "
                    "the seed or the optimizer's settings differ); train without --resume");
    VITRINE_RETURN_IF_ERROR(restore_checkpoint(checkpoint, trainer, best));
    best_mrr = checkpoint.best_mrr;
    result.best_epoch = checkpoint.best_epoch;
    result.epochs = checkpoint.epochs;
    learning_rate = static_cast<float>(checkpoint.learning_rate);
    feed.replay(checkpoint.epochs_done);
    first_epoch = stops_after(checkpoint.epochs_done) ? options.train.epochs + 1 : checkpoint.epochs_done + 1;
    if (progress.resumed) progress.resumed(checkpoint.epochs_done);
  }
  for (uint32_t epoch = first_epoch; epoch <= options.train.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    double loss_sum = 0.0;
    size_t batches = 0, seen = 0;
    auto last_report = start;
    VITRINE_RETURN_IF_ERROR(feed.run(epoch, [&](const ExampleSet& data, const Example* examples, size_t n) {
      loss_sum += trainer.compute_gradients(data, examples, n).loss;
      trainer.apply_gradients(learning_rate);
      ++batches;
      seen += n;
      const auto now = std::chrono::steady_clock::now();
      if (progress.during && now - last_report > std::chrono::seconds(5)) {
        last_report = now;
        const double elapsed = std::chrono::duration<double>(now - start).count();
        progress.during(epoch, std::min(1.0, double(seen) / double(feed.examples_per_epoch)),
                        loss_sum / double(batches), double(seen) / elapsed, elapsed);
      }
    }));
    EpochReport report;
    report.epoch = epoch;
    report.loss = loss_sum / double(std::max<size_t>(batches, 1));
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.examples_per_second = double(seen) / report.seconds;
    if (!valid.examples.empty()) {
      const MetricValues m = validation_metrics(trainer.weights(), valid, options.train.threads);
      report.valid_hr20 = m.hit_rate;
      report.valid_mrr20 = m.mrr;
    }
    // Without validation the last epoch wins; with it, the best MRR@20.
    if (valid.examples.empty() || report.valid_mrr20 > best_mrr) {
      best_mrr = report.valid_mrr20;
      best = trainer.weights();
      result.best_epoch = epoch;
    }
    result.epochs.push_back(report);
    if (progress.after) progress.after(report);
    const bool stop = stops_after(epoch);
    if (!stop && options.train.lr_decay_every > 0 && epoch % options.train.lr_decay_every == 0)
      learning_rate *= options.train.lr_decay;
    if (options.save_checkpoint)
      VITRINE_RETURN_IF_ERROR(
          options.save_checkpoint(make_checkpoint(fingerprint, epoch, best_mrr, learning_rate, result, trainer, best)));
    if (stop) break;
  }

  // The scorer is chosen on the validation split among: the trained one, the same with its linear terms fitted on
  // the held-out sessions (calibrate.h), and S-POP's order in the model's own terms (the default, see below).
  nlohmann::json scorers = nlohmann::json::object();
  std::string chosen = "trained";
  const auto choosing_start = std::chrono::steady_clock::now();
  if (!valid.examples.empty() && options.calibrate) {
    scorers["trained"] = {{"valid_hr@20", result.epochs[result.best_epoch - 1].valid_hr20}, {"valid_mrr@20", best_mrr}};
    std::vector<std::pair<std::string, SessionModelWeights>> candidates;
    // The prior enters here: log popularity of the training part, its weight fitted with the rest. Trained
    // jointly with the embeddings it cost Diginetica 0.3-0.9 points of validation MRR@20 in every epoch (they lean on
    // it early and learn less), so training leaves it at zero.
    SessionModelWeights calibrated = best;
    if (config.item_bias) {
      const std::vector<double>& counts = stats.label_counts;
      for (size_t j = 0; j < counts.size(); ++j) calibrated.item_bias[j] = static_cast<float>(std::log1p(counts[j]));
    }
    CalibrationOptions copts;
    copts.threads = options.train.threads;
    const CalibrationResult fit = calibrate_scorer(calibrated, valid, copts);
    scorers["calibrated"] = {{"examples", fit.examples},
                             {"loss_before", fit.loss_before},
                             {"loss_after", fit.loss_after},
                             {"similarity_scale", fit.similarity_scale},
                             {"prior_scale", fit.prior_scale}};
    candidates.emplace_back("calibrated", std::move(calibrated));
    if (config.repeat_counts > 0 && config.item_bias) {
      // Judged with the training part's popularity, as the other candidates.
      SessionModelWeights counting = best;
      use_session_popularity_scorer(counting, stats.label_popularity);
      scorers["session_popularity"] = nlohmann::json::object();
      candidates.emplace_back("session_popularity", std::move(counting));
    }
    // Learned scorers compete on MRR@20. Counting is the default they must beat: a learned scorer is kept only if
    // its mean reciprocal rank (to 20) exceeds counting's by more than two standard errors of the paired
    // per-example difference. On a small validation split a noisy lead is not evidence (a Taobao slice with 298
    // held-out examples: calibrated led counting by 0.24 points, 1.35 standard errors, and lost to S-POP by 1.0 on the
    // test split).
    const auto reciprocal_ranks = [&](const SessionModelWeights& w) {
      std::vector<double> rr;
      for (uint32_t rank : label_ranks(w, valid, options.train.threads)) rr.push_back(rank <= 20 ? 1.0 / rank : 0.0);
      return rr;
    };
    std::vector<double> best_rr = reciprocal_ranks(best);
    std::vector<double> counting_rr;
    SessionModelWeights counting_weights;
    for (auto& [name, weights] : candidates) {
      const MetricValues m = validation_metrics(weights, valid, options.train.threads);
      scorers[name]["valid_hr@20"] = m.hit_rate;
      scorers[name]["valid_mrr@20"] = m.mrr;
      if (name == "session_popularity") {
        counting_rr = reciprocal_ranks(weights);
        counting_weights = std::move(weights);
      } else if (m.mrr > best_mrr) {
        best_mrr = m.mrr;
        best_rr = reciprocal_ranks(weights);
        best = std::move(weights);
        chosen = name;
      }
    }
    if (!counting_rr.empty()) {
      const size_t n = best_rr.size();
      double mean = 0.0, sq = 0.0;
      for (size_t i = 0; i < n; ++i) mean += best_rr[i] - counting_rr[i];
      mean /= static_cast<double>(n);
      for (size_t i = 0; i < n; ++i) sq += (best_rr[i] - counting_rr[i] - mean) * (best_rr[i] - counting_rr[i] - mean);
      const double standard_error = n > 1 ? std::sqrt(sq / static_cast<double>(n - 1) / static_cast<double>(n)) : 0.0;
      scorers["lead_over_counting"] = {{"mrr@20", mean}, {"standard_error", standard_error}};
      if (!(mean > 2.0 * standard_error)) {
        best = std::move(counting_weights);
        chosen = "session_popularity";
      }
    }
    if (chosen == "session_popularity") {
      // Shipped with the popularity of every training session, the held-out ones included (as S-POP would be).
      use_session_popularity_scorer(best, stats.all_label_popularity);
    }
  }

  scorers["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - choosing_start).count();
  // The conversion head, on the chosen encoder, where the log has carts or purchases (conversion_fit.h).
  nlohmann::json conversion = {{"fitted", false}};
  if (options.conversion_head && (kind_counts[event_kind_code(EventKind::kADD_TO_CART)] > 0 ||
                                  kind_counts[event_kind_code(EventKind::kPURCHASE)] > 0)) {
    ConversionFitOptions fit;
    fit.threads = options.train.threads;
    const auto start = std::chrono::steady_clock::now();
    conversion = fit_conversion_head(best, conversion_train, conversion_valid, fit);
    conversion["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  SessionModelExport exported;
  exported.item_storage = options.item_storage;
  exported.item_bits = options.item_bits;
  nlohmann::json epochs = nlohmann::json::array();
  for (const EpochReport& e : result.epochs)
    epochs.push_back({{"epoch", e.epoch},
                      {"loss", e.loss},
                      {"seconds", e.seconds},
                      {"valid_hr@20", e.valid_hr20},
                      {"valid_mrr@20", e.valid_mrr20}});
  exported.training = {{"dataset", dataset},
                       {"trainer", "vitrine train (native, full softmax, Adam)"},
                       {"seed", options.train.seed},
                       {"threads", options.train.threads},
                       {"epochs", options.train.epochs},
                       {"epochs_run", result.epochs.size()},
                       {"item_storage", std::string(dtype_name(options.item_storage))},
                       {"item_bits", options.item_bits},
                       {"image_dim", config.image_dim},
                       {"content_only_unseen", options.content_only_unseen},
                       {"best_epoch", result.best_epoch},
                       {"batch_size", options.train.batch_size},
                       {"learning_rate", options.train.learning_rate},
                       {"input_dropout", options.train.input_dropout},
                       {"train_examples", result.train_examples},
                       {"passes_per_epoch", feed.passes},
                       {"kind_counts", kind_counts},
                       {"impression_inputs", config.kind_inputs[event_kind_code(EventKind::kIMPRESSION)] >= 0},
                       {"valid_examples", result.valid_examples},
                       {"history", epochs},
                       {"scorers", scorers},
                       {"scorer", chosen},
                       {"conversion", conversion}};
  auto bytes = write_session_model(best, vocabulary, content, exported);
  if (!bytes.ok()) return bytes.status();
  if (options.fit_blend) {
    // The weight of the shop's order needs the finished model as served; the file is written again with it.
    nlohmann::json report = nlohmann::json::object();
    const auto start = std::chrono::steady_clock::now();
    const float blend = options.fit_blend(bytes.value(), &report);
    report["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    exported.training["blend"] = std::move(report);
    exported.blend = blend;
    bytes = write_session_model(best, vocabulary, content, exported);
    if (!bytes.ok()) return bytes.status();
  }
  result.model_bytes = std::move(bytes).value();
  return result;
}

}  // namespace vitrine::train
