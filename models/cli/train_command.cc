// `vitrine train`: trains the session model on a sessions file or a merchant event log and writes a model file for
// the storefront.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "checkpoint.h"
#include "commands.h"
#include "event_log_flags.h"
#include "output_file.h"
#include "train_run.h"

namespace vitrine::cli {
namespace {

const char kTrainUsageHead[] =
    "usage: vitrine train --train FILE --out MODEL.vtm [options]\n"
    "       vitrine train --events LOG.csv[.gz] --out MODEL.vtm [options]\n"
    "\n"
    "Trains the session model (attention over the recent items, normalized item embeddings, repeat-aware\n"
    "scoring; docs/ARCHITECTURE.md) with a full softmax over the catalog, and writes a model file that\n"
    "the storefront package loads. The newest sessions are held out as a validation split: progress shows\n"
    "its HR@20 and MRR@20 after every epoch, and the epoch with the best MRR@20 is the one written.\n"
    "The defaults are the ones to use; the options exist for experiments.\n"
    "\n"
    "  --train FILE          sessions, one per line, item ids (1, 2, ...) separated by spaces, oldest first\n"
    "  --events FILE         instead of --train: the shop's event log, CSV (or .csv.gz) with a header naming\n"
    "                        timestamp, visitor_id and/or session_id, item_id, event, and optionally price,\n"
    "                        category, brand (docs/ARCHITECTURE.md, 'Event logs'). The model's products are the\n"
    "                        log's SKUs, with the log's categories, brands and prices as content features; its\n"
    "                        sessions are the views, clicks, carts and purchases\n"
    "  --out FILE            where to write the model file\n"
    "  --catalog FILE        optional product attributes, one line per item:\n"
    "                        'id<TAB>product_id<TAB>category<TAB>brand<TAB>price'; adds content features\n"
    "                        (category, brand, price band) and names the products by product_id. With\n"
    "                        --events its product_ids are the model's products: the log is read against them\n"
    "                        (events on other SKUs are counted and left out) and its attributes replace the log's\n"
    "  --image-features FILE with --train, or --events and --catalog: fixed image embeddings per item, from\n"
    "                        `vitrine image-features` "
    "('id<TAB>product_id<TAB>\n"
    "                        v1 v2 ...'); adds a trained projection of them to every item vector\n"
    "  --unseen-content-only items absent from the training sessions get no id embedding: their vector is their\n"
    "                        content alone (category, brand, price band, image), as for a brand-new product\n"
    "  --epochs N            most passes over the training examples (default 6)\n"
    "  --dim N               embedding width (default 64)\n"
    "  --max-length N        most recent items the encoder reads (default 20)\n"
    "  --batch N             examples per step (default 512)\n"
    "  --lr X                Adam learning rate (default 0.003), halved every --lr-decay-every epochs\n"
    "  --lr-decay-every N    (default 2)\n"
    "  --temperature X       scale of the cosine scores (default 12)\n"
    "  --validation X        fraction of the newest sessions held out (default 0.1; 0 = none, last epoch wins)\n"
    "  --item-dtype T        item table storage: i8 (default, per-row scale), f16 or f32\n"
    "  --item-bits N         effective precision of an i8 item table, 2..8 (default 6): fewer levels make the\n"
    "                        file compress far better for a small loss\n"
    "  --patience N          stop after N epochs without a better validation MRR@20 (default 1; 0 = never)\n"
    "  --seed N              random seed (default 42); a run is reproducible for a seed and thread count\n"
    "  --threads N           worker threads (default: all cores)\n"
    "  --name NAME           dataset name recorded in the model file (default: the sessions file's folder)\n"
    "  --quiet               no progress lines\n"
    "  --resume              continue the run that wrote OUT.checkpoint (written after every epoch and removed\n"
    "                        once the model is written): same data and options, --epochs may be larger; with\n"
    "                        the same --seed and --threads the model is the one an uninterrupted run writes\n"
    "  --keep-checkpoint     keep OUT.checkpoint after the run, to continue it later with more --epochs\n"
    "  --json                print a summary as one JSON object on stdout at the end: the model file, its size,\n"
    "                        the epoch written and every epoch's loss and validation HR@20 and MRR@20\n"
    "  -h, --help            show this help\n"
    "\n"
    "With --events:\n";
const char kTrainUsageTail[] =
    "  --one-visit           train each session alone; by default a known visitor's session starts with their\n"
    "                        earlier visits' last events (marked as such), as the browser's stored history does\n"
    "  --check               read the log (and --catalog), print what training would use, and stop: no --out,\n"
    "                        no training; exit 1 on the first bad row as training would\n"
    "\n"
    "A log with add_to_cart or purchase rows also gets the conversion head: the probability that a shown product\n"
    "is added to the cart, and bought, later in the visit (what data-rank-by=\"conversion|value\" ranks by). It is\n"
    "fitted after the encoder; the validation split chooses its penalty, and the file's training.conversion\n"
    "records the validation AUC and log loss beside the products' own rates.\n"
    "\n"
    "Exit codes: 0 success, 1 a file is missing or malformed (message 'file:line: problem'), 2 usage error.\n";

const char arg_needs_events[] =
    "--session-gap, --skip-bad-rows, --columns, --event-name, --one-visit and --check go with --events";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "vitrine train: %s\n(see vitrine train --help)\n", message.c_str());
  return 2;
}

bool parse_number(const std::string& text, double min, double max, double* out) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= min && v <= max)) return false;
  *out = v;
  return true;
}

std::string format_duration(double seconds) {
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  return buf;
}

std::string folder_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return "sessions";
  const size_t prev = path.find_last_of('/', slash - 1);
  return path.substr(prev == std::string::npos ? 0 : prev + 1, slash - (prev == std::string::npos ? 0 : prev + 1));
}

}  // namespace

int run_train(int argc, char** argv) {
  std::string train_path, events_path, out_path, catalog_path, image_path, name, item_dtype = "i8";
  bool one_visit = false;
  bool check_only = false;
  bool resume = false;
  bool keep_checkpoint = false;
  train::EventLogOptions log_options;
  bool log_flags = false;
  bool quiet = false;
  bool json = false;
  train::RunOptions options;
  options.train.threads = std::max(1u, std::thread::hardware_concurrency());

  // Numeric flags: name -> (min, max, setter).
  struct NumericFlag {
    double min, max;
    std::function<void(double)> set;
  };
  const std::map<std::string, NumericFlag> numeric = {
      {"--epochs", {1, 1000, [&](double v) { options.train.epochs = static_cast<uint32_t>(v); }}},
      {"--dim", {2, 1024, [&](double v) { options.model.dim = static_cast<uint32_t>(v); }}},
      {"--max-length", {1, 512, [&](double v) { options.model.max_length = static_cast<uint32_t>(v); }}},
      {"--batch", {1, 65536, [&](double v) { options.train.batch_size = static_cast<uint32_t>(v); }}},
      {"--lr", {1e-6, 1.0, [&](double v) { options.train.learning_rate = static_cast<float>(v); }}},
      {"--lr-decay-every", {0, 1000, [&](double v) { options.train.lr_decay_every = static_cast<uint32_t>(v); }}},
      {"--temperature", {0.01, 1000, [&](double v) { options.model.temperature = static_cast<float>(v); }}},
      {"--validation", {0, 0.9, [&](double v) { options.validation_fraction = v; }}},
      {"--seed", {0, 4e15, [&](double v) { options.train.seed = static_cast<uint64_t>(v); }}},
      {"--threads", {1, 256, [&](double v) { options.train.threads = static_cast<uint32_t>(v); }}},
      {"--item-bits", {2, 8, [&](double v) { options.item_bits = static_cast<uint32_t>(v); }}},
      {"--patience", {0, 1000, [&](double v) { options.patience = static_cast<uint32_t>(v); }}},
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kTrainUsageHead, stdout);
      std::fputs(kEventLogFlagsUsage, stdout);
      std::fputs(kTrainUsageTail, stdout);
      return 0;
    }
    std::string log_error;
    if (parse_event_log_flag(arg, nullptr, argc, argv, &i, &log_options, &log_error)) {
      if (!log_error.empty()) return usage_error(log_error);
      log_flags = true;
      continue;
    }
    if (arg == "--quiet") {
      quiet = true;
      continue;
    }
    if (arg == "--json") {
      json = true;
      continue;
    }
    if (arg == "--unseen-content-only") {
      options.content_only_unseen = true;
      continue;
    }
    if (arg == "--one-visit") {
      one_visit = true;
      continue;
    }
    if (arg == "--check") {
      check_only = true;
      continue;
    }
    if (arg == "--resume") {
      resume = true;
      continue;
    }
    if (arg == "--keep-checkpoint") {
      keep_checkpoint = true;
      continue;
    }
    if (i + 1 >= argc) return usage_error(arg + " needs a value");
    const std::string value = argv[++i];
    if (arg == "--train")
      train_path = value;
    else if (arg == "--events")
      events_path = value;
    else if (arg == "--out")
      out_path = value;
    else if (arg == "--catalog")
      catalog_path = value;
    else if (arg == "--image-features")
      image_path = value;
    else if (arg == "--name")
      name = value;
    else if (arg == "--item-dtype")
      item_dtype = value;
    else if (const auto it = numeric.find(arg); it != numeric.end()) {
      double v = 0;
      if (!parse_number(value, it->second.min, it->second.max, &v))
        return usage_error(arg + " '" + value + "' is not a number in " + std::to_string(it->second.min) + ".." +
                           std::to_string(it->second.max));
      it->second.set(v);
    } else {
      return usage_error("unknown option " + arg);
    }
  }
  if (train_path.empty() == events_path.empty()) return usage_error("give either --train or --events");
  if (events_path.empty() && (log_flags || one_visit || check_only)) return usage_error(arg_needs_events);
  if (!events_path.empty() && !image_path.empty() && catalog_path.empty())
    return usage_error("--image-features with --events needs --catalog: the features are keyed by its ids");
  if (out_path.empty() && !check_only) return usage_error("--out is required");
  if (item_dtype == "i8")
    options.item_storage = DType::kI8;
  else if (item_dtype == "f16")
    options.item_storage = DType::kF16;
  else if (item_dtype == "f32")
    options.item_storage = DType::kF32;
  else
    return usage_error("--item-dtype must be i8, f16 or f32");
  if (name.empty()) name = folder_name(events_path.empty() ? train_path : events_path);

  const auto started = std::chrono::steady_clock::now();
  Result<SessionCorpus> corpus = SessionCorpus();
  std::vector<train::EventSession> kinded;  // an event log's sessions with every event's kind
  train::Catalog catalog;
  if (!events_path.empty()) {
    // With --catalog the catalog's products are the model's, and the log is read against them.
    if (!catalog_path.empty()) {
      auto read = train::read_catalog_file(catalog_path, 0);
      if (!read.ok()) {
        std::fprintf(stderr, "vitrine train: %s\n", read.status().message().c_str());
        return 1;
      }
      catalog = std::move(read).value();
      log_options.vocabulary = &catalog.product_ids;
    }
    // Only the corpus and the catalog outlive the log.
    auto log = read_event_log_verbose("vitrine train", events_path, log_options, quiet);
    if (!log.ok()) {
      std::fprintf(stderr, "vitrine train: %s\n", log.status().message().c_str());
      return 1;
    }
    corpus = train::item_corpus(log.value());
    // Each session starts with the visitor's earlier visits (their last max_length item events), as the browser's
    // stored events do when a shopper comes back; a visit ends where the log's sessions do.
    kinded = train::training_sessions(log.value(), nullptr, one_visit ? 0 : options.model.max_length);
    options.model.visit_gap_minutes =
        static_cast<uint32_t>(std::max<int64_t>(1, (log_options.session_gap_ms + 30'000) / 60'000));
    if (catalog_path.empty()) catalog = train::log_catalog(log.value());
    if (check_only) {
      size_t events = 0, earlier = 0, returning = 0;
      for (const train::EventSession& session : kinded) {
        events += session.size();
        size_t from_earlier = 0;
        for (const SessionEvent& e : session) from_earlier += e.earlier_visit != 0 ? 1 : 0;
        earlier += from_earlier;
        returning += from_earlier > 0 ? 1 : 0;
      }
      std::printf(
          "vitrine train --check: %s would train on %zu sessions of %zu item events (%zu sessions start with "
          "%zu events of earlier visits), %d items; no model written\n",
          events_path.c_str(), kinded.size(), events - earlier, returning, earlier,
          corpus.ok() ? corpus.value().catalog_size : 0);
      return 0;
    }
  } else {
    corpus = read_sessions_file(train_path);
  }
  if (!corpus.ok()) {
    std::fprintf(stderr, "vitrine train: %s\n", corpus.status().message().c_str());
    return 1;
  }
  if (!catalog_path.empty() && events_path.empty()) {
    auto read = train::read_catalog_file(catalog_path, corpus.value().catalog_size);
    if (!read.ok()) {
      std::fprintf(stderr, "vitrine train: %s\n", read.status().message().c_str());
      return 1;
    }
    catalog = std::move(read).value();
  }
  if (!image_path.empty()) {
    auto read = train::read_image_features_file(image_path, corpus.value().catalog_size);
    if (!read.ok()) {
      std::fprintf(stderr, "vitrine train: %s\n", read.status().message().c_str());
      return 1;
    }
    options.image_features = std::move(read).value();
    if (!quiet)
      std::fprintf(stderr, "vitrine train: image features of width %u for %zu of %d items\n",
                   options.image_features.dim, options.image_features.rows, corpus.value().catalog_size);
  }
  if (!quiet)
    std::fprintf(stderr, "vitrine train: %zu sessions, %d items, dim %u, %u epochs, %u threads\n",
                 corpus.value().sessions.size(), corpus.value().catalog_size, options.model.dim, options.train.epochs,
                 options.train.threads);

  train::Progress progress;
  const uint32_t epochs = options.train.epochs;
  if (!quiet) {
    progress.during = [&](uint32_t epoch, double fraction, double loss, double rate, double elapsed) {
      const double epoch_total = fraction > 0 ? elapsed / fraction : 0.0;
      const double eta = epoch_total * (1.0 - fraction) + epoch_total * (epochs - epoch);
      std::fprintf(stderr, "  epoch %u/%u %5.1f%%  loss %.4f  %.0f examples/s  ETA %s\n", epoch, epochs,
                   100.0 * fraction, loss, rate, format_duration(eta).c_str());
    };
    progress.after = [&](const train::EpochReport& r) {
      const double eta = r.seconds * (epochs - r.epoch);
      std::fprintf(stderr, "epoch %u/%u  loss %.4f  %.0f examples/s  %s  valid HR@20 %.2f%%  MRR@20 %.2f%%  ETA %s\n",
                   r.epoch, epochs, r.loss, r.examples_per_second, format_duration(r.seconds).c_str(),
                   100.0 * r.valid_hr20, 100.0 * r.valid_mrr20, format_duration(eta).c_str());
    };
  }
  // Checkpoints beside the model (checkpoint.h): written after every epoch, read back by --resume.
  const std::string checkpoint_path = out_path + ".checkpoint";
  options.save_checkpoint = [&](const train::TrainingCheckpoint& checkpoint) {
    const std::vector<uint8_t> bytes = train::encode_checkpoint(checkpoint);
    const std::string problem = write_file_atomically(
        checkpoint_path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    return problem.empty() ? Status() : Status(StatusCode::kINVALID_ARGUMENT, problem);
  };
  train::TrainingCheckpoint resume_from;
  if (resume) {
    std::ifstream in(checkpoint_path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr,
                   "vitrine train: no checkpoint to resume at %s (a run with this --out writes it after every epoch)\n",
                   checkpoint_path.c_str());
      return 1;
    }
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto decoded = train::decode_checkpoint(bytes);
    if (!decoded.ok()) {
      std::fprintf(stderr, "vitrine train: %s: %s\n", checkpoint_path.c_str(), decoded.status().message().c_str());
      return 1;
    }
    resume_from = std::move(decoded).value();
    options.resume_from = &resume_from;
  }
  progress.resumed = [&](uint32_t epochs_done) {
    if (!quiet)
      std::fprintf(stderr, "vitrine train: resuming after epoch %u (%s)\n", epochs_done, checkpoint_path.c_str());
  };
  const bool with_catalog = !catalog_path.empty() || !events_path.empty();
  auto result =
      events_path.empty()
          ? train::run_training(corpus.value(), with_catalog ? &catalog : nullptr, options, name, progress)
          : train::run_training(std::move(kinded), corpus.value().catalog_size, &catalog, options, name, progress);
  if (!result.ok()) {
    std::fprintf(stderr, "vitrine train: %s\n", result.status().message().c_str());
    return 1;
  }
  const auto& bytes = result.value().model_bytes;
  // Never a half-written model, even if this run is stopped while writing (output_file.h).
  if (const std::string problem =
          write_file_atomically(out_path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
      !problem.empty()) {
    std::fprintf(stderr, "vitrine train: %s\n", problem.c_str());
    return 1;
  }
  if (!keep_checkpoint) std::remove(checkpoint_path.c_str());
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (json) {
    nlohmann::json reports = nlohmann::json::array();
    for (const train::EpochReport& r : result.value().epochs)
      reports.push_back({{"epoch", r.epoch},
                         {"loss", r.loss},
                         {"seconds", r.seconds},
                         {"examples_per_second", r.examples_per_second},
                         {"valid_hr20", r.valid_hr20},
                         {"valid_mrr20", r.valid_mrr20}});
    std::printf("%s\n", nlohmann::json{{"model", out_path},
                                       {"bytes", bytes.size()},
                                       {"best_epoch", result.value().best_epoch},
                                       {"seconds", total},
                                       {"epochs", std::move(reports)}}
                            .dump()
                            .c_str());
  }
  if (!quiet)
    std::fprintf(stderr, "vitrine train: wrote %s (%zu bytes), best epoch %u, %s in all\n", out_path.c_str(),
                 result.value().model_bytes.size(), result.value().best_epoch, format_duration(total).c_str());
  return 0;
}

}  // namespace vitrine::cli
