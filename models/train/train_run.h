// A whole training run: session corpus in, model file bytes out. `vitrine train` is a thin CLI over this.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "session_trainer.h"
#include "vitrine/model_file.h"
#include "vitrine/session_data.h"
#include "vitrine/session_model_io.h"
#include "vitrine/session_model_writer.h"

namespace vitrine::train {

// Product attributes for content features, by dataset item id (index 0 unused). Empty strings / negative prices
// mean unknown. When absent, the vocabulary is the decimal item ids and the model has no content tables.
struct Catalog {
  std::vector<std::string> product_ids;  // [catalog_size + 1]
  std::vector<std::string> categories;
  std::vector<std::string> brands;
  std::vector<float> prices;
};

// Reads `id<TAB>product_id<TAB>category<TAB>brand<TAB>price` lines (header line starting with "id" allowed),
// with `file:line` errors. Every id must be in 1..catalog_size; catalog_size 0 takes the file's largest id as the
// catalog size (the catalog then defines the products, as for `vitrine train --events --catalog`).
Result<Catalog> read_catalog_file(const std::string& path, ItemId catalog_size);

// Fixed per-item image embeddings (the file `vitrine image-features` writes), by dataset item id.
struct ImageFeatures {
  uint32_t dim = 0;          // 0 = none
  std::vector<float> table;  // [catalog_size + 1][dim]; row 0 and items without a row stay zero
  size_t rows = 0;           // items that got a row
};

// Reads 'id<TAB>product_id<TAB>v1 v2 ... vm' lines after a header line, with `file:line` errors. Every row has
// the same number of finite values. Rows for ids above catalog_size are skipped: the file describes the whole
// shop, the training sessions may not reach its newest products.
Result<ImageFeatures> read_image_features_file(const std::string& path, ItemId catalog_size);

// A training session with the kind of every event: items are dataset ids 1..catalog_size, oldest first.
using EventSession = std::vector<SessionEvent>;

struct TrainingCheckpoint;  // checkpoint.h

struct RunOptions {
  SessionModelConfig model;  // vocab_size and content sizes are filled in from the data
  TrainOptions train;
  double validation_fraction = 0.1;  // newest sessions held out for monitoring and choosing the best epoch
  uint32_t price_bands = 8;          // quantile bands of the catalog's prices, when a catalog has prices
  DType item_storage = DType::kI8;
  uint32_t item_bits = 6;            // effective precision of the i8 item table (SessionModelExport::item_bits)
  uint32_t patience = 1;             // stop after this many epochs without a better validation MRR@20 (0 = never)
  ImageFeatures image_features;      // dim > 0 adds the image term to the item tower
  bool content_only_unseen = false;  // items absent from the training examples get no id embedding
  // The scorer's repeat and prior terms (session_model.h); the defaults are the ones to use.
  uint32_t repeat_counts = 5;
  bool repeat_kinds = true;
  bool item_bias = true;
  // An epoch is one pass over the training examples, or this many steps when a pass is shorter (a small shop's
  // log): the schedule (learning-rate decay, validation, patience) then means the same on any data size. 100 steps:
  // on a generated 2,000-session log 1 pass per epoch stopped far short of Markov-1, 500 steps overfit within the
  // first epoch, 100 steps beat it (validation picked the epoch in each case).
  uint32_t min_steps_per_epoch = 100;
  bool calibrate = true;        // fit the scorer's linear terms on the validation split after training (calibrate.h)
  bool conversion_head = true;  // fit the conversion head where the data has carts or purchases (conversion_fit.h)
  // Whether the encoder reads impression events (where the log has them). A listing logged as impressions fills the
  // encoder's window with the page just shown, which tells the next product's page well but the shopper's choice
  // on it poorly; `vitrine train` trains both ways when the held-out sessions have lists and keeps the one that
  // explains their clicks better (blend_fit.h's log-likelihood).
  bool impression_inputs = true;
  // The weight of the shop's order, fitted on the finished model where the log has impressions with positions
  // (blend_fit.h): given the model file's bytes, returns the weight to store in it (negative: keep the default) and
  // what the training metadata records of the fit. The caller holds the validation split's lists
  // (validation_count says which sessions are held out).
  std::function<float(const std::vector<uint8_t>& model_bytes, nlohmann::json* report)> fit_blend;
  // Checkpoints (checkpoint.h): with save_checkpoint, the state after every epoch goes to it (a failure stops the
  // run); with resume_from, the run continues after that checkpoint's epochs, which must have been written for the
  // same training input.
  std::function<Status(const TrainingCheckpoint&)> save_checkpoint;
  const TrainingCheckpoint* resume_from = nullptr;
};

struct EpochReport {
  uint32_t epoch = 0;  // 1-based
  double loss = 0.0;   // mean training loss
  double seconds = 0.0;
  double examples_per_second = 0.0;
  double valid_hr20 = 0.0;  // fractions; 0 without validation
  double valid_mrr20 = 0.0;
};

// Called every few seconds during an epoch and after it.
struct Progress {
  std::function<void(uint32_t epoch, double fraction, double loss, double examples_per_second, double elapsed_seconds)>
      during;
  std::function<void(const EpochReport&)> after;
  std::function<void(uint32_t epochs_done)> resumed;  // after a checkpoint is read back, before the next epoch
};

struct RunResult {
  std::vector<uint8_t> model_bytes;
  std::vector<EpochReport> epochs;
  uint32_t best_epoch = 0;
  size_t train_examples = 0;
  size_t valid_examples = 0;
};

// Trains on `corpus` (sessions oldest first) and returns the model of the epoch with the best validation MRR@20
// (the last epoch without validation). `dataset` names the data in the file's training metadata.
Result<RunResult> run_training(const SessionCorpus& corpus, const Catalog* catalog, const RunOptions& options,
                               const std::string& dataset, const Progress& progress);
// The same from sessions whose events carry their kinds (event logs). `training.kind_counts` in the model file
// records how many training events each kind had; config.kind_inputs maps absent kinds away from their rows.
// Takes the sessions by value: a caller done with them moves them in, and training splits them without a copy.
Result<RunResult> run_training(std::vector<EventSession> sessions, ItemId catalog_size, const Catalog* catalog,
                               const RunOptions& options, const std::string& dataset, const Progress& progress);

// What a run needs to know of its whole training part besides the examples, gathered one session at a time (so a
// log streamed from disk gathers it in one pass). Tables are per item, [catalog_size + 1].
struct TrainingStats {
  std::vector<size_t> kind_counts;           // training events per kind, inputs and labels
  std::vector<bool> seen;                    // items with a training event
  std::vector<double> label_counts;          // training examples per label item: the prior's popularity
  std::vector<double> label_popularity;      // views and clicks of this visit in the training part (S-POP's)
  std::vector<double> all_label_popularity;  // the same with the held-out sessions, as shipped with S-POP
  bool earlier_visits = false;               // some session starts with earlier visits' events
  size_t examples = 0;                       // training examples (make_examples' count)

  void reset(ItemId catalog_size);
  void add_training(const EventSession& session);
  void add_held_out(const EventSession& session);  // before drop_unseen
  // Held-out sessions are read as a test file is (the SR-GNN protocol): items the training part never saw are
  // left out, since nothing could be learned about them. Otherwise validation would judge the model by the share
  // of brand-new products, which differs between shops and says nothing about the ranking.
  void drop_unseen(EventSession& held_out) const;
};

// INVALID_ARGUMENT naming the first event whose item is above catalog_size or whose kind is unknown.
Status check_events(const EventSession& session, ItemId catalog_size);

// How one epoch's batches reach the trainer: in memory (run_training) or streamed from disk (event_stream.h).
using BatchStep = std::function<void(const ExampleSet& data, const Example* batch, size_t n)>;
struct EpochFeed {
  size_t examples_per_epoch = 0;  // for progress; the feed decides the epoch's real length
  size_t passes = 1;              // over the training examples per epoch, as recorded in the model file
  std::function<Status(uint32_t epoch, const BatchStep& step)> run;
  // For checkpoints (RunOptions::save_checkpoint, resume_from); a feed without them refuses both.
  std::function<uint64_t(const SessionModelWeights& initial, const TrainOptions& options, float temperature)>
      fingerprint;
  std::function<void(uint32_t epochs_done)> replay;  // brings the feed's order to where those epochs left it
};

// The part of a run after the data is split: epochs from `feed`, the best epoch by validation on `valid`, the
// scorer's choice, the conversion head (fitted on conversion_train, its penalty chosen on conversion_valid) and the
// model file. Both run_training overloads end here, and so does the streamed run.
Result<RunResult> train_model(const TrainingStats& stats, ItemId catalog_size, const Catalog* catalog,
                              const RunOptions& options, const std::string& dataset, const Progress& progress,
                              EpochFeed& feed, const ExampleSet& valid,
                              const std::vector<EventSession>& conversion_train,
                              const std::vector<EventSession>& conversion_valid);

// How many of `sessions` (the newest) the run holds out for validation; 0 without validation.
size_t validation_count(size_t sessions, double validation_fraction);
// The same, INVALID_ARGUMENT when a fraction above 0 leaves either part empty (or is 1 or more).
Result<size_t> checked_validation_count(size_t sessions, double validation_fraction);

// Whether session[k] is the label of an example: a view or click of the visit itself after its first event
// (make_examples' rule, which TrainingStats counts by).
bool is_label(const EventSession& session, size_t k);

// Flattens sessions into the trainer's event array. Every view or click that has an earlier event in its session
// is the label of one example whose prefix is everything before it (the SR-GNN expansion when all events are
// views); other kinds are inputs only.
ExampleSet make_examples(const std::vector<EventSession>& sessions);

}  // namespace vitrine::train
