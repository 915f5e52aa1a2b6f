// `vitrine train`: trains the session model on a sessions file or a merchant event log and writes a model file for
// the storefront.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "blend_fit.h"
#include "checkpoint.h"
#include "commands.h"
#include "event_log_flags.h"
#include "event_stream.h"
#include "flags.h"
#include "output_file.h"
#include "train_run.h"

namespace vitrine::cli {
namespace {

// The usage lines and what the command does; each flag's help is declared with the flag in run_train.
const char kTrainHelp[] =
    "usage: vitrine train --train FILE --out MODEL.vtm [options]\n"
    "       vitrine train --events LOG.csv[.gz] --out MODEL.vtm [options]\n"
    "\n"
    "Trains the session model (attention over the recent items, normalized item embeddings, repeat-aware\n"
    "scoring; docs/ARCHITECTURE.md) with a full softmax over the catalog, and writes a model file that\n"
    "the storefront package loads. The newest sessions are held out as a validation split: progress shows\n"
    "its HR@20 and MRR@20 after every epoch, and the epoch with the best MRR@20 is the one written.\n"
    "The defaults are the ones to use; the options exist for experiments.\n";
const char kTrainFooter[] =
    "A log with add_to_cart or purchase rows also gets the conversion head: the probability that a shown product\n"
    "is added to the cart, and bought, later in the visit (what data-rank-by=\"conversion|value\" ranks by). It is\n"
    "fitted after the encoder; the validation split chooses its penalty, and the file's training.conversion\n"
    "records the validation AUC and log loss beside the products' own rates.\n"
    "\n"
    "Exit codes: 0 success, 1 a file is missing or malformed (message 'file:line: problem'), 2 usage error.";

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
  std::string train_path, events_path, out_path, catalog_path, image_path, name, item_dtype = "i8", stream_dir;
  bool one_visit = false;
  bool check_only = false;
  bool resume = false;
  bool keep_checkpoint = false;
  train::EventLogOptions log_options;
  bool quiet = false;
  bool json = false;
  train::RunOptions options;
  options.train.threads = std::max(1u, std::thread::hardware_concurrency());

  CLI::App app{kTrainHelp, "vitrine train"};
  configure_command_app(app, kTrainFooter, 24);
  CLI::Option* train_flag = add_text(app, "--train", &train_path,
                                     "sessions, one per line, item ids (1, 2, ...) separated by spaces, oldest first");
  CLI::Option* events_flag =
      add_text(app, "--events", &events_path,
               "instead of --train: the shop's event log, CSV (or .csv.gz) with a header naming\n"
               "timestamp, visitor_id and/or session_id, item_id, event, and optionally price,\n"
               "category, brand (docs/ARCHITECTURE.md, 'Event logs'). The model's products are the\n"
               "log's SKUs, with the log's categories, brands and prices as content features; its\n"
               "sessions are the views, clicks, carts and purchases")
          ->excludes(train_flag);
  add_text(app, "--out", &out_path, "where to write the model file (required, except with --check)");
  add_text(app, "--catalog", &catalog_path,
           "optional product attributes, one line per item:\n"
           "'id<TAB>product_id<TAB>category<TAB>brand<TAB>price'; adds content features\n"
           "(category, brand, price band) and names the products by product_id. With\n"
           "--events its product_ids are the model's products: the log is read against them\n"
           "(events on other SKUs are counted and left out) and its attributes replace the log's");
  add_text(app, "--image-features", &image_path,
           "with --train, or --events and --catalog: fixed image embeddings per item, from\n"
           "`vitrine image-features` ('id<TAB>product_id<TAB>v1 v2 ...'); adds a trained\n"
           "projection of them to every item vector");
  app.add_flag("--unseen-content-only", options.content_only_unseen,
               "items absent from the training sessions get no id embedding: their vector is their\n"
               "content alone (category, brand, price band, image), as for a brand-new product");
  add_whole_number(app, "--epochs", &options.train.epochs, 1u, 1000u,
                   "most passes over the training examples, 1..1000 (default 6)");
  add_whole_number(app, "--dim", &options.model.dim, 2u, 1024u, "embedding width, 2..1024 (default 64)");
  add_whole_number(app, "--max-length", &options.model.max_length, 1u, 512u,
                   "most recent items the encoder reads, 1..512 (default 20)");
  add_whole_number(app, "--batch", &options.train.batch_size, 1u, 65536u, "examples per step, 1..65536 (default 512)");
  add_real_number(app, "--lr", &options.train.learning_rate, 1e-6, 1.0,
                  "Adam learning rate, 1e-6..1 (default 0.003), halved every --lr-decay-every epochs");
  add_whole_number(app, "--lr-decay-every", &options.train.lr_decay_every, 0u, 1000u, "0..1000 (default 2)");
  add_real_number(app, "--dropout", &options.train.input_dropout, 0.0, 0.9,
                  "share of the encoder's input values zeroed in training, 0..0.9 (default 0.2)");
  add_real_number(app, "--temperature", &options.model.temperature, 0.01, 1000.0,
                  "scale of the cosine scores, 0.01..1000 (default 12)");
  add_real_number(app, "--validation", &options.validation_fraction, 0.0, 0.9,
                  "fraction of the newest sessions held out, 0..0.9 (default 0.1; 0 = none, last\n"
                  "epoch wins)");
  add_text(app, "--item-dtype", &item_dtype, "item table storage: i8 (default, per-row scale), f16 or f32", "T")
      ->check(CLI::IsMember({"i8", "f16", "f32"}).description(""));
  add_whole_number(app, "--item-bits", &options.item_bits, 2u, 8u,
                   "effective precision of an i8 item table, 2..8 (default 6): fewer levels make the\n"
                   "file compress far better for a small loss");
  add_whole_number(app, "--patience", &options.patience, 0u, 1000u,
                   "stop after N epochs without a better validation MRR@20 (default 1; 0 = never)");
  add_whole_number(app, "--seed", &options.train.seed, uint64_t{0}, uint64_t{4'000'000'000'000'000},
                   "random seed (default 42); a run is reproducible for a seed and thread count");
  add_whole_number(app, "--threads", &options.train.threads, 1u, 256u, "worker threads, 1..256 (default: all cores)");
  add_text(app, "--name", &name, "dataset name recorded in the model file (default: the sessions file's folder)",
           "NAME");
  app.add_flag("--quiet", quiet, "no progress lines");
  app.add_flag("--resume", resume,
               "continue the run that wrote OUT.checkpoint (written after every epoch and removed\n"
               "once the model is written): same data and options, --epochs may be larger; with\n"
               "the same --seed and --threads the model is the one an uninterrupted run writes");
  app.add_flag("--keep-checkpoint", keep_checkpoint,
               "keep OUT.checkpoint after the run, to continue it later with more --epochs");
  app.add_flag("--json", json,
               "print a summary as one JSON object on stdout at the end: the model file, its size,\n"
               "the epoch written and every epoch's loss and validation HR@20 and MRR@20");
  const std::string with_events = "With --events";
  add_event_log_flags(app, with_events, events_flag, &log_options);
  app.add_flag("--one-visit", one_visit,
               "train each session alone; by default a known visitor's session starts with their\n"
               "earlier visits' last events (marked as such), as the browser's stored history does")
      ->group(with_events)
      ->needs(events_flag);
  add_text(app, "--stream-dir", &stream_dir,
           "for logs larger than memory: group the log's rows into sessions on disk, in this\n"
           "folder (it must exist; about 40 bytes per row while grouping, 8 per item event\n"
           "after), and train by reading them back in shuffled chunks. Memory stays bounded by\n"
           "the catalog. Writes no checkpoint, leaves the shop order's weight at its default and\n"
           "keeps impressions as encoder inputs (models/train/event_stream.h)",
           "DIR")
      ->group(with_events)
      ->needs(events_flag);
  app.add_flag("--check", check_only,
               "read the log (and --catalog), print what training would use, and stop: no --out,\n"
               "no training; exit 1 on the first bad row as training would")
      ->group(with_events)
      ->needs(events_flag);
  if (const int code = parse_flags(app, argc, argv); code >= 0) return code;

  if (train_path.empty() && events_path.empty()) return usage_error(app, "give either --train or --events");
  if (!events_path.empty() && !image_path.empty() && catalog_path.empty())
    return usage_error(app, "--image-features with --events needs --catalog: the features are keyed by its ids");
  if (out_path.empty() && !check_only) return usage_error(app, "--out is required");
  if (!stream_dir.empty() && (check_only || resume || keep_checkpoint))
    return usage_error(app, "--stream-dir trains without checkpoints and has no --check");
  options.item_storage = item_dtype == "f32" ? DType::kF32 : item_dtype == "f16" ? DType::kF16 : DType::kI8;
  if (name.empty()) name = folder_name(events_path.empty() ? train_path : events_path);

  const auto started = std::chrono::steady_clock::now();
  Result<SessionCorpus> corpus = SessionCorpus();
  std::vector<train::EventSession> kinded;        // an event log's sessions with every event's kind
  std::vector<train::BlendChoice> blend_choices;  // the held-out sessions' lists, for the shop order's weight
  uint64_t impression_events = 0;
  train::Catalog catalog;
  std::optional<train::SessionStream> stream;  // with --stream-dir: the log's sessions, on disk
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
    options.model.visit_gap_minutes =
        static_cast<uint32_t>(std::max<int64_t>(1, (log_options.session_gap_ms + 30'000) / 60'000));
  }
  if (!events_path.empty() && !stream_dir.empty()) {
    train::StreamOptions stream_options;
    stream_options.dir = stream_dir;
    stream_options.history = one_visit ? 0 : options.model.max_length;
    stream_options.validation_fraction = options.validation_fraction;
    auto streamed = train::stream_event_log(events_path, log_options, stream_options);
    if (!streamed.ok()) {
      std::fprintf(stderr, "vitrine train: %s\n", streamed.status().message().c_str());
      return 1;
    }
    stream = std::move(streamed).value();
    const train::EventLog& log = stream->log();
    if (!quiet) {
      print_event_log_summary("vitrine train", events_path, log, stream->sessions(), "visitors not counted (streamed)");
      std::fprintf(stderr, "vitrine train: %s item events in %s sessions on disk (%s bytes), %s held out\n",
                   with_commas(stream->events()).c_str(), with_commas(stream->sessions()).c_str(),
                   with_commas(stream->file_bytes()).c_str(), with_commas(stream->held_out_sessions()).c_str());
    }
    SessionCorpus sized;
    sized.catalog_size = static_cast<ItemId>(log.item_ids.size() - 1);
    corpus = std::move(sized);
    if (catalog_path.empty()) catalog = train::log_catalog(log);
  } else if (!events_path.empty()) {
    // Only the corpus and the catalog outlive the log.
    auto log = read_event_log_verbose("vitrine train", events_path, log_options, quiet);
    if (!log.ok()) {
      std::fprintf(stderr, "vitrine train: %s\n", log.status().message().c_str());
      return 1;
    }
    corpus = train::item_corpus(log.value());
    impression_events = log.value().kinds[train::kEventIMPRESSION];
    // Each session starts with the visitor's earlier visits (their last max_length item events), as the browser's
    // stored events do when a shopper comes back; a visit ends where the log's sessions do.
    const size_t history = one_visit ? 0 : options.model.max_length;
    std::vector<size_t> from;
    kinded = train::training_sessions(log.value(), &from, history);
    // The lists the validation split's sessions were shown (blend_fit.h): run_training holds out the newest sessions.
    const size_t held_out = std::min(from.size(), train::validation_count(from.size(), options.validation_fraction));
    blend_choices = train::blend_choices(
        log.value(), std::vector<size_t>(from.end() - static_cast<std::ptrdiff_t>(held_out), from.end()), history);
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
                 stream ? stream->sessions() : corpus.value().sessions.size(), corpus.value().catalog_size,
                 options.model.dim, options.train.epochs, options.train.threads);

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
  nlohmann::json last_fit;  // the blend fit of the latest run
  if (stream) {
    options.save_checkpoint = nullptr;  // the stream's run writes none (event_stream.h)
  } else if (!events_path.empty()) {
    options.fit_blend = [&](const std::vector<uint8_t>& model_bytes, nlohmann::json* report) -> float {
      auto ranker = Ranker::load(model_bytes.data(), model_bytes.size());
      if (!ranker.ok()) {
        *report = {{"fitted", false}, {"reason", ranker.status().message()}};
        return -1.0f;
      }
      const train::BlendFit fit = train::fit_blend(ranker.value(), blend_choices, train::BlendFitOptions());
      *report = fit.report;
      (*report)["fitted"] = fit.fitted;
      last_fit = *report;
      if (!quiet) {
        if (fit.fitted)
          std::fprintf(stderr, "vitrine train: weight of the shop's order %.3g, learned from %zu lists\n", fit.blend,
                       fit.report.value("choices", size_t{0}));
        else
          std::fprintf(stderr, "vitrine train: weight of the shop's order left at %.3g: %s\n", kDefaultBlend,
                       fit.report.value("reason", std::string()).c_str());
      }
      return fit.fitted ? fit.blend : -1.0f;
    };
  }
  const bool with_catalog = !catalog_path.empty() || !events_path.empty();
  // Impressions as the encoder's input (RunOptions::impression_inputs): where the held-out sessions have lists, the
  // model is trained both ways and the lists' clicks decide. The first run writes no checkpoint; --resume continues
  // the run that reads them, without the comparison.
  nlohmann::json impression_choice;
  std::optional<train::RunResult> without_impressions;
  if (impression_events > 0 && !blend_choices.empty() && !resume) {
    if (!quiet)
      std::fprintf(stderr,
                   "vitrine train: the held-out lists decide whether the encoder reads impressions; "
                   "training without them first\n");
    train::RunOptions first = options;
    first.impression_inputs = false;
    first.save_checkpoint = nullptr;
    auto run = train::run_training(kinded, corpus.value().catalog_size, &catalog, first, name, progress);
    if (!run.ok()) {
      std::fprintf(stderr, "vitrine train: %s\n", run.status().message().c_str());
      return 1;
    }
    without_impressions = std::move(run).value();
    impression_choice["without"] = last_fit.value("log_likelihood", -INFINITY);
    if (!quiet) std::fprintf(stderr, "vitrine train: and with them\n");
  }
  auto result =
      stream ? train::run_streamed_training(*stream, corpus.value().catalog_size, &catalog, options,
                                            train::StreamTrainingOptions(), name, progress)
      : events_path.empty()
          ? train::run_training(corpus.value(), with_catalog ? &catalog : nullptr, options, name, progress)
          : train::run_training(std::move(kinded), corpus.value().catalog_size, &catalog, options, name, progress);
  if (!result.ok()) {
    std::fprintf(stderr, "vitrine train: %s\n", result.status().message().c_str());
    return 1;
  }
  if (without_impressions) {
    impression_choice["with"] = last_fit.value("log_likelihood", -INFINITY);
    const bool read = !(impression_choice["without"].get<double>() > impression_choice["with"].get<double>());
    impression_choice["lists"] = last_fit.value("choices", size_t{0});
    impression_choice["chosen"] = read ? "with" : "without";
    if (!read) result = std::move(*without_impressions);
    if (!quiet)
      std::fprintf(stderr,
                   "vitrine train: the encoder %s impressions (log-likelihood of the held-out lists' clicks per list: "
                   "%.4f with them, %.4f without)\n",
                   read ? "reads" : "does not read", impression_choice["with"].get<double>(),
                   impression_choice["without"].get<double>());
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
                                       {"epochs", std::move(reports)},
                                       {"impression_inputs", impression_choice}}
                            .dump()
                            .c_str());
  }
  if (!quiet)
    std::fprintf(stderr, "vitrine train: wrote %s (%zu bytes), best epoch %u, %s in all\n", out_path.c_str(),
                 result.value().model_bytes.size(), result.value().best_epoch, format_duration(total).c_str());
  return 0;
}

}  // namespace vitrine::cli
