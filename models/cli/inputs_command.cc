// `vitrine inputs`: what a model's encoder reads for a shopper, natively, from either side of the model:
//   --events LOG      each session of a merchant's event log as the trainer reads it (train --events);
//   --request FILE    one rank request as the browser's engine receives it: the message js/src/wire.mjs writes
//                     (wire_format.h), or the same request as JSON (wire.h rank_request_wire_from_json).
// Both print the same JSON lines, so the two can be compared (tests/browser/train_serve_parity.browser.test.mjs):
// the window's SKUs, kind rows, earlier-visit marks and reverse positions, and the session vector the encoder makes
// of them, as hex floats so that equal means bit-identical.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "commands.h"
#include "event_log.h"
#include "event_log_flags.h"
#include "flags.h"
#include "vitrine/ranker.h"
#include "vitrine/shopper.h"
#include "vitrine/wire.h"

namespace vitrine::cli {
namespace {

// The usage lines and what the command does; each flag's help is declared with the flag in run_inputs.
const char kInputsHelp[] =
    "usage: vitrine inputs --model MODEL.vtm (--events LOG.csv | --request REQUEST.json) [event-log options]\n"
    "\n"
    "Prints, as JSON lines, what the model's encoder reads: for each session of an event log as training reads it\n"
    "(\"session\": its index, \"visitor\"), or for one rank request as the browser's engine reads it. Each line has\n"
    "\"items\" (SKUs, oldest first), \"kinds\" (encoder kind rows), \"earlier\" (1: from an earlier visit),\n"
    "\"positions\" (reverse positions) and\n"
    "\"vector\" (the session vector, hex floats).\n";
const char kInputsFooter[] = "Exit codes: 0 success, 1 a file is missing or malformed, 2 usage error.";

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// `prefix` opens the object ("{" or "{\"session\":3,...,"); the encoder's reading of `session` closes it.
void print_inputs(const Ranker& ranker, const std::string& prefix, const std::vector<SessionEvent>& session) {
  std::vector<float> vec(ranker.weights().config.dim);
  SessionTape tape;
  ranker.encode(session, vec.data(), &tape);
  std::string line = prefix + "\"items\":[";
  for (size_t i = 0; i < tape.items.size(); ++i)
    line += (i ? "," : "") + json_string(ranker.vocabulary()[tape.items[i] - 1]);
  line += "],\"kinds\":[";
  for (size_t i = 0; i < tape.kinds.size(); ++i) line += (i ? "," : "") + std::to_string(tape.kinds[i]);
  line += "],\"earlier\":[";
  for (size_t i = 0; i < tape.earlier.size(); ++i) line += (i ? "," : "") + std::to_string(tape.earlier[i]);
  line += "],\"positions\":[";
  for (size_t i = 0; i < tape.positions.size(); ++i) line += (i ? "," : "") + std::to_string(tape.positions[i]);
  line += "],\"vector\":[";
  for (size_t i = 0; i < vec.size(); ++i) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s\"%a\"", i ? "," : "", double{vec[i]});
    line += buf;
  }
  std::printf("%s]}\n", line.c_str());
}

}  // namespace

int run_inputs(int argc, char** argv) {
  std::string model_path, events_path, request_path;
  train::EventLogOptions log_options;
  CLI::App app{kInputsHelp, "vitrine inputs"};
  configure_command_app(app, kInputsFooter, 22);
  add_text(app, "--model", &model_path, "a session model file written by vitrine train")->required();
  CLI::Option* events =
      add_text(app, "--events", &events_path,
               "an event log (CSV or .csv.gz; see vitrine train --help), read against the model's SKUs");
  add_text(app, "--request", &request_path,
           "a rank request: the package's message (wire_format.h) or JSON {\"now\": ms, \"events\": [...], ...}")
      ->excludes(events);
  add_event_log_flags(app, "Event-log options (with --events)", events, &log_options);
  if (const int code = parse_flags(app, argc, argv); code >= 0) return code;
  if (events_path.empty() && request_path.empty()) return usage_error(app, "give --events or --request");

  std::ifstream in(model_path, std::ios::binary);
  if (!in) return command_error("inputs", model_path + ": cannot open", 1);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto loaded = Ranker::load(bytes.data(), bytes.size());
  if (!loaded.ok()) return command_error("inputs", model_path + ": " + loaded.status().to_string(), 1);
  const Ranker& ranker = loaded.value();

  if (!request_path.empty()) {
    std::ifstream req(request_path, std::ios::binary);
    if (!req) return command_error("inputs", request_path + ": cannot open", 1);
    const std::string text((std::istreambuf_iterator<char>(req)), std::istreambuf_iterator<char>());
    // A message from the package's encoder starts with its magic; anything else is read as JSON.
    const bool message = text.size() >= 4 && text.compare(0, 4, "VTQ1") == 0;
    auto request = message ? decode_rank_request(reinterpret_cast<const uint8_t*>(text.data()), text.size())
                           : decode_rank_request_json(text);
    if (!request.ok()) return command_error("inputs", request_path + ": " + request.status().to_string(), 1);
    print_inputs(ranker, "{", ranker.session_events(request.value().events, request.value().now_ms));
    return 0;
  }

  // The model's SKUs as the fixed vocabulary, so that item k of the log is the model's item k.
  std::vector<std::string> vocabulary{""};
  for (std::string_view sku : ranker.vocabulary()) vocabulary.emplace_back(sku);
  log_options.vocabulary = &vocabulary;
  auto log = read_event_log_verbose("vitrine inputs", events_path, log_options, /*quiet=*/true);
  if (!log.ok()) return command_error("inputs", log.status().to_string(), 1);
  std::vector<size_t> from;
  const SessionModelConfig& config = ranker.weights().config;
  const std::vector<std::vector<SessionEvent>> sessions =
      train::training_sessions(log.value(), &from, config.visit_inputs ? config.max_length : 0);
  for (size_t k = 0; k < sessions.size(); ++k) {
    const train::LoggedSession& s = log.value().sessions[from[k]];
    print_inputs(
        ranker,
        "{\"session\":" + std::to_string(k) + ",\"visitor\":" + json_string(log.value().visitor_ids[s.visitor]) + ",",
        sessions[k]);
  }
  return 0;
}

}  // namespace vitrine::cli
