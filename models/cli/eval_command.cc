// `vitrine eval`: reads the sessions and the test examples, ranks every label with each baseline (and the model
// when one is given), prints a table and writes the report.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "conversion_fit.h"
#include "eval/baselines.h"
#include "eval/evaluate.h"
#include "eval/model_scorer.h"
#include "eval/report.h"
#include "event_log_flags.h"
#include "flags.h"
#include "vitrine/ranker.h"
#include "vitrine/session_data.h"

namespace vitrine::cli {
namespace {

// The usage lines and what the command does; each flag's help is declared with the flag in parse_args.
const char kEvalHelp[] =
    "usage: vitrine eval --train FILE --test FILE [options]\n"
    "       vitrine eval --events LOG.csv[.gz] --test-events LOG2.csv[.gz] [options]\n"
    "\n"
    "Ranks the label of every test example among all catalog items with each method and reports\n"
    "HR@K, MRR@K and NDCG@K for K = 5, 10, 20 (rank = 1 + items scored strictly higher).\n";
const char kEvalFooter[] =
    "Exit codes: 0 success, 1 a file is missing or malformed (message 'file:line: problem'), 2 usage error.";

struct EvalOptions {
  std::string train, test, out, model, item_codes, index, name, events, test_events;
  train::EventLogOptions log;
  std::vector<std::string> baselines = eval::baseline_keys();
  long long limit = -1;
  int threads = 2;
  bool json = false;
};

int data_error(const Status& status) {
  std::fprintf(stderr, "vitrine eval: %s\n", status.message().c_str());
  return 1;
}

// Reads `--baselines LIST` into *baselines: a comma-separated subset of the known keys, or 'none'.
void read_baselines(const std::string& list, std::vector<std::string>* baselines) {
  baselines->clear();
  if (list == "none") return;
  size_t start = 0;
  for (;;) {
    const size_t comma = list.find(',', start);
    const std::string key = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const std::vector<std::string> known = eval::baseline_keys();
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw CLI::ValidationError("--baselines",
                                 "unknown baseline '" + key + "' (known: pop, spop, markov, itemknn, none)");
    if (std::find(baselines->begin(), baselines->end(), key) != baselines->end())
      throw CLI::ValidationError("--baselines", "baseline '" + key + "' listed twice");
    baselines->push_back(key);
    if (comma == std::string::npos) return;
    start = comma + 1;
  }
}

// Declares the flags on `app` and parses argv into *o. Returns -1 to go on, or the exit code (help, usage error).
int parse_args(CLI::App& app, int argc, char** argv, EvalOptions* o) {
  configure_command_app(app, kEvalFooter, 22);
  CLI::Option* train = add_text(app, "--train", &o->train,
                                "training sessions: one session per line, item ids (1, 2, ...) separated by spaces;\n"
                                "the catalog is ids 1..largest id in this file");
  CLI::Option* test =
      add_text(app, "--test", &o->test, "test examples: one per line, 'label<TAB>prefix items separated by spaces'");
  CLI::Option* events =
      add_text(app, "--events", &o->events,
               "instead of --train: the shop's training event log (as for vitrine train --events); the\n"
               "catalog is its SKUs, the sessions its views, clicks, carts and purchases");
  CLI::Option* test_events =
      add_text(app, "--test-events", &o->test_events,
               "with --events: a later event log, read against the training log's SKUs. Each view or\n"
               "click after a session's first item event is one example: the earlier views, clicks,\n"
               "carts and purchases are the prefix, its product the label. Labels the training log\n"
               "never saw are skipped and counted");
  // The two pairs exclude each other, and each log needs the other.
  for (CLI::Option* log : {events, test_events}) log->excludes(train)->excludes(test);
  events->needs(test_events);
  test_events->needs(events);
  add_text(app, "--out", &o->out,
           "write DIR/report.md, DIR/chart.svg (HR@20 and MRR@20 bars) and DIR/summary.json\n"
           "(nothing is written without --out)",
           "DIR");
  app.add_flag("--json", o->json,
               "print the summary as one JSON object on stdout (the table goes to stderr);\n"
               "metrics are fractions in [0, 1], times in seconds");
  app.add_option_function<std::string>(
         "--baselines", [o](const std::string& list) { read_baselines(list, &o->baselines); },
         "comma-separated subset of pop,spop,markov,itemknn, or 'none'\n"
         "(default: all four)")
      ->option_text("LIST");
  add_text(app, "--model", &o->model,
           "also evaluate a trained session model file; with --events and a model that has the\n"
           "conversion head, also its AUC and log loss on every showing (impression, view,\n"
           "click) of the test log, against 'added to the cart / bought later in the visit', beside\n"
           "the product's own rate and 'already in cart' (both from the training log)");
  add_text(app, "--item-codes", &o->item_codes,
           "with --model: the codes file vitrine export-codes wrote with that model (its\n"
           "products, each ranked by the vector its code decodes to)");
  add_text(app, "--index", &o->index,
           "with --model and --item-codes: rank through the vitrine build-index folder DIR,\n"
           "as the browser does (only the products of the shards the query probes, and the\n"
           "session's own); the summary's \"index\" gives recall@20 against the exact scan and the\n"
           "shards and bytes read per query",
           "DIR");
  add_whole_number(app, "--limit", &o->limit, 1LL, 999'999'999'999'999LL, "evaluate only the first N test examples");
  add_text(app, "--name", &o->name, "dataset name in reports (default: the test file's directory name)", "NAME");
  add_whole_number(app, "--threads", &o->threads, 1, 256, "worker threads, 1..256 (default 2)");
  add_event_log_flags(app, "With --events (the same flags as vitrine train, applied to both logs)", events, &o->log);
  if (const int code = parse_flags(app, argc, argv); code >= 0) return code;

  if (o->events.empty()) {
    if (o->train.empty()) return usage_error(app, "--train FILE is required");
    if (o->test.empty()) return usage_error(app, "--test FILE is required");
  }
  if (!o->item_codes.empty() && o->model.empty()) return usage_error(app, "--item-codes needs --model");
  if (!o->index.empty() && o->item_codes.empty()) return usage_error(app, "--index needs --model and --item-codes");
  if (o->baselines.empty() && o->model.empty())
    return usage_error(app, "nothing to evaluate: no baseline and no --model");
  return -1;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string default_dataset_name(const std::string& test_path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(test_path, ec);
  if (ec) p = test_path;
  std::string dir = p.parent_path().filename().string();
  return dir.empty() ? p.stem().string() : dir;
}

// The model file's vocabulary must be the SKUs (index 1..) of the training log.
Status model_names_skus(const std::string& path, const std::string& item_codes, const std::vector<std::string>& skus) {
  auto ranker = eval::load_ranker(path, item_codes);
  if (!ranker.ok()) return ranker.status();
  const auto& vocab = ranker.value().vocabulary();
  for (size_t k = 0; k < vocab.size() && k + 1 < skus.size(); ++k) {
    if (vocab[k] != skus[k + 1])
      return Status(StatusCode::kBAD_INPUT, path + ": model item " + std::to_string(k + 1) + " is '" +
                                                std::string(vocab[k]) + "' but the training log's is '" + skus[k + 1] +
                                                "': was it trained on this log?");
  }
  return Status::ok_status();
}

}  // namespace

int run_eval(int argc, char** argv) {
  EvalOptions o;
  CLI::App app{kEvalHelp, "vitrine eval"};
  if (const int code = parse_args(app, argc, argv, &o); code >= 0) return code;
  FILE* log = stderr;

  auto t0 = std::chrono::steady_clock::now();
  const bool from_logs = !o.events.empty();
  Result<SessionCorpus> train = SessionCorpus();
  Result<std::vector<SessionExample>> test = std::vector<SessionExample>();
  std::vector<std::string> skus;  // with event logs: the training log's SKUs, by item index
  std::vector<train::EventSession> train_events, test_events;
  // With logs, the model is read first for its conversion head: the sessions it is measured on carry earlier
  // visits up to the encoder's length, as `vitrine train --events` made them.
  std::unique_ptr<Ranker> head;
  size_t history = 0;
  if (from_logs && !o.model.empty()) {
    auto ranker = eval::load_ranker(o.model, o.item_codes);
    if (!ranker.ok()) return data_error(ranker.status());
    if (ranker.value().weights().config.has_conversion_head()) {
      head = std::make_unique<Ranker>(std::move(ranker).value());
      history = head->weights().config.max_length;
    }
  }
  if (from_logs) {
    auto train_log = read_event_log_verbose("vitrine eval", o.events, o.log, false);
    if (!train_log.ok()) return data_error(train_log.status());
    train = train::item_corpus(train_log.value());
    // For the conversion head's measures (kept only when a model is given): events with their kinds and visits.
    if (head) train_events = train::training_sessions(train_log.value(), nullptr, history);
    skus = std::move(train_log.value().item_ids);
    train_log = train::EventLog();
    train::EventLogOptions test_options = o.log;
    test_options.vocabulary = &skus;
    auto test_log = read_event_log_verbose("vitrine eval", o.test_events, test_options, false);
    if (!test_log.ok()) return data_error(test_log.status());
    if (head) test_events = train::training_sessions(test_log.value(), nullptr, history);
    train::LogExamples made = train::next_item_examples(test_log.value());
    std::fprintf(log,
                 "vitrine eval: %zu test examples; skipped %llu with a label the training log never saw, %llu "
                 "with no earlier item it saw\n",
                 made.examples.size(), static_cast<unsigned long long>(made.unseen_labels),
                 static_cast<unsigned long long>(made.no_known_prefix));
    if (made.examples.empty())
      return data_error(Status(StatusCode::kBAD_INPUT, o.test_events + ": no test examples (a view or click after "
                                                                       "an earlier item event, on known items)"));
    test = std::move(made.examples);
  } else {
    train = read_sessions_file(o.train);
    if (!train.ok()) return data_error(train.status());
    test = read_examples_file(o.test, train.value().catalog_size);
  }
  if (!test.ok()) return data_error(test.status());
  const SessionCorpus& corpus = train.value();
  std::vector<SessionExample>& examples = test.value();
  const std::string train_path = from_logs ? o.events : o.train, test_path = from_logs ? o.test_events : o.test;

  eval::EvalSummary summary;
  summary.dataset = o.name.empty() ? default_dataset_name(test_path) : o.name;
  summary.train_path = train_path;
  summary.test_path = test_path;
  summary.train_sessions = static_cast<int64_t>(corpus.sessions.size());
  summary.catalog_size = corpus.catalog_size;
  summary.test_examples_in_file = static_cast<int64_t>(examples.size());
  if (o.limit > 0 && static_cast<size_t>(o.limit) < examples.size()) examples.resize(static_cast<size_t>(o.limit));
  summary.examples = static_cast<int64_t>(examples.size());
  size_t repeats = 0;
  for (const SessionExample& e : examples)
    repeats += std::find(e.prefix.begin(), e.prefix.end(), e.label) != e.prefix.end() ? 1 : 0;
  summary.repeat_share = examples.empty() ? 0.0 : static_cast<double>(repeats) / static_cast<double>(examples.size());
  summary.threads = o.threads;
  std::fprintf(log,
               "read %lld sessions (catalog %d items) and %lld test examples in %.1f s; %.1f%% of labels repeat an "
               "item of their prefix\n",
               static_cast<long long>(summary.train_sessions), corpus.catalog_size,
               static_cast<long long>(summary.test_examples_in_file), seconds_since(t0), 100.0 * summary.repeat_share);

  auto run_method = [&](const std::string& key, const eval::SessionScorer& scorer, double fit_seconds,
                        long long file_bytes) -> Status {
    eval::MethodResult m;
    m.key = key;
    m.name = scorer.name();
    m.fit_seconds = fit_seconds;
    m.model_bytes = file_bytes;
    auto start = std::chrono::steady_clock::now();
    VITRINE_RETURN_IF_ERROR(eval::evaluate_scorer(scorer, examples, o.threads, &m.metrics));
    m.eval_seconds = seconds_since(start);
    std::fprintf(log, "%-10s HR@20 %6.2f%%  MRR@20 %6.2f%%  (%.1f s)\n", m.name.c_str(),
                 100.0 * m.metrics.at(20).value().hit_rate, 100.0 * m.metrics.at(20).value().mrr,
                 m.fit_seconds + m.eval_seconds);
    summary.methods.push_back(std::move(m));
    return Status::ok_status();
  };

  // The model first: a bad model file should fail before minutes of baselines.
  std::unique_ptr<eval::SessionScorer> model;
  auto index_stats = std::make_shared<eval::IndexStats>();
  double model_seconds = 0;
  long long model_bytes = -1;
  if (!o.model.empty()) {
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(o.model, ec);
    if (ec) return data_error(Status(StatusCode::kBAD_INPUT, o.model + ": cannot read: " + ec.message()));
    model_bytes = static_cast<long long>(bytes);
    auto start = std::chrono::steady_clock::now();
    Result<std::unique_ptr<eval::SessionScorer>> loaded =
        eval::load_model_scorer(o.model, corpus.catalog_size, o.item_codes, o.index, index_stats);
    if (!loaded.ok()) {
      // Not built yet is a missing feature, not bad data.
      if (loaded.status().code() == StatusCode::kNO_MODEL) return usage_error(app, loaded.status().message());
      return data_error(loaded.status());
    }
    model = std::move(loaded.value());
    model_seconds = seconds_since(start);
    if (from_logs) {
      // Same size is not enough: the model must name its items by this log's SKUs, in this order.
      Status same = model_names_skus(o.model, o.item_codes, skus);
      if (!same.ok()) return data_error(same);
    }
  }

  if (!o.baselines.empty()) {
    auto start = std::chrono::steady_clock::now();
    auto popularity = std::make_shared<const eval::Popularity>(corpus.sessions, corpus.catalog_size);
    const double popularity_seconds = seconds_since(start);
    for (const std::string& key : o.baselines) {
      start = std::chrono::steady_clock::now();
      Result<std::unique_ptr<eval::SessionScorer>> scorer = eval::make_baseline(key, corpus, popularity);
      if (!scorer.ok()) return data_error(scorer.status());
      Status st = run_method(key, *scorer.value(), popularity_seconds + seconds_since(start), -1);
      if (!st.ok()) return data_error(st);
    }
  }

  if (model) {
    Status st = run_method("model", *model, model_seconds, model_bytes);
    if (!st.ok()) return data_error(st);
  }
  if (!o.index.empty() && index_stats->queries > 0) {
    const auto q = static_cast<double>(index_stats->queries);
    summary.index = {{"clusters", index_stats->clusters},
                     {"probe", index_stats->probe},
                     {"queries", index_stats->queries},
                     {"recall@20", index_stats->recall_sum / q},
                     {"shards_per_query", static_cast<double>(index_stats->shards) / q},
                     {"shard_bytes_per_query", static_cast<double>(index_stats->bytes) / q},
                     {"head_bytes", index_stats->head_bytes},
                     {"all_shard_bytes", index_stats->all_shard_bytes}};
    if (index_stats->pages > 0) {
      summary.index["pages"] = index_stats->pages;
      summary.index["page_probe"] = index_stats->page_probe;
      summary.index["page_bytes_per_query"] = static_cast<double>(index_stats->page_bytes) / q;
    }
    std::fprintf(log,
                 "index: recall@20 %.4f against the exact scan; %.1f shards, %.0f bytes read per query (head %llu)\n",
                 index_stats->recall_sum / q, static_cast<double>(index_stats->shards) / q,
                 static_cast<double>(index_stats->bytes) / q, static_cast<unsigned long long>(index_stats->head_bytes));
    if (index_stats->pages > 0)
      std::fprintf(log, "index: the head in %u pages; %u pages, %.0f bytes of them read per query\n",
                   index_stats->pages, index_stats->page_probe, static_cast<double>(index_stats->page_bytes) / q);
  }

  // The conversion head, where the model has one and the logs have kinds.
  if (head) {
    auto start = std::chrono::steady_clock::now();
    summary.conversion = train::evaluate_conversion(*head, train_events, test_events);
    if (!summary.conversion.is_null())
      std::fprintf(log, "conversion head measured on %lld showings (%.1f s)\n",
                   static_cast<long long>(summary.conversion["examples"].get<int64_t>()), seconds_since(start));
  }

  const std::string table = eval::format_table(summary);
  std::fputs(table.c_str(), o.json ? stderr : stdout);
  if (!o.out.empty()) {
    Status st = eval::write_report(summary, o.out);
    if (!st.ok()) return data_error(st);
    std::fprintf(log, "wrote %s/report.md, chart.svg, summary.json\n", o.out.c_str());
  }
  if (o.json) std::printf("%s\n", eval::summary_json(summary).dump().c_str());
  return 0;
}

}  // namespace vitrine::cli
