#include "event_log_flags.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace vitrine::cli {

namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Reads `--event-name NAME=KIND` into options->event_names; false if it is not that.
bool add_event_name(const std::string& value, train::EventLogOptions* options) {
  const size_t eq = value.find('=');
  const std::string name = lower(value.substr(0, eq == std::string::npos ? 0 : eq));
  const std::string kind = eq == std::string::npos ? std::string() : lower(value.substr(eq + 1));
  int code = -2;
  if (kind == "ignore") code = train::kIgnoreEvent;
  for (size_t k = 0; k < train::kEventKindCount; ++k)
    if (kind == train::event_kind_name(static_cast<uint8_t>(k))) code = static_cast<int>(k);
  if (name.empty() || code == -2) return false;
  options->event_names[name] = code;
  return true;
}

}  // namespace

void add_event_log_flags(CLI::App& app, const std::string& group, CLI::Option* events,
                         train::EventLogOptions* options) {
  constexpr double kMinutesPerYear = 60.0 * 24 * 365;
  CLI::Option* flags[4];
  flags[0] = app.add_option_function<double>(
                    "--session-gap",
                    [options](double minutes) {
                      options->session_gap_ms = std::max<int64_t>(1, static_cast<int64_t>(minutes * 60'000.0));
                    },
                    "without a session column, a visitor's session ends after MIN minutes without an\n"
                    "event (default 30)")
                 ->check(CLI::Validator(
                     [](std::string& text) {
                       char* end = nullptr;
                       const double minutes = std::strtod(text.c_str(), &end);
                       if (!text.empty() && *end == '\0' && minutes > 0 && minutes <= kMinutesPerYear)
                         return std::string();
                       return "wants minutes > 0 (at most a year), got '" + text + "'";
                     },
                     ""))
                 ->option_text("MIN");
  flags[1] = app.add_flag("--skip-bad-rows", options->skip_bad_rows,
                          "skip malformed rows (unknown event, bad time, wrong number of fields, missing item or\n"
                          "visitor, bad price) and print how many were skipped for each reason, instead of\n"
                          "stopping at the first with 'file:line: problem'");
  flags[2] = app.add_option_function<std::string>(
                    "--columns",
                    [options](const std::string& list) {
                      options->columns.clear();
                      size_t start = 0;
                      for (;;) {
                        const size_t comma = list.find(',', start);
                        options->columns.push_back(
                            list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
                        if (comma == std::string::npos) break;
                        start = comma + 1;
                      }
                    },
                    "the log has no header: its column names, comma-separated, e.g.\n"
                    "user_id,item_id,category,event,timestamp (Taobao UserBehavior)")
                 ->option_text("LIST");
  // Repeatable: every --event-name adds a name, one value each.
  flags[3] = app.add_option_function<std::vector<std::string>>(
                    "--event-name",
                    [options](const std::vector<std::string>& values) {
                      for (const std::string& value : values) {
                        if (!add_event_name(value, options))
                          throw CLI::ValidationError(
                              "--event-name",
                              "wants NAME=KIND with KIND one of view, click, add_to_cart, purchase, search, "
                              "category_visit, impression, ignore; got '" +
                                  value + "'");
                      }
                    },
                    "read event name N as KIND (view, click, add_to_cart, purchase, search, category_visit,\n"
                    "impression) or 'ignore' to skip such rows on purpose (counted); repeatable")
                 ->take_all()
                 ->allow_extra_args(false)
                 ->option_text("N=KIND");
  for (CLI::Option* flag : flags) {
    flag->group(group);
    if (events != nullptr) flag->needs(events);
  }
}

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

void print_event_log_summary(const char* command, const std::string& path, const train::EventLog& l, size_t sessions,
                             const char* visitors) {
  std::string kinds;
  for (size_t k = 0; k < train::kEventKindCount; ++k) {
    if (l.kinds[k] == 0) continue;
    kinds += std::string(kinds.empty() ? "" : ", ") + train::event_kind_name(static_cast<uint8_t>(k)) + " " +
             with_commas(l.kinds[k]);
  }
  std::fprintf(stderr, "%s: %s: %s rows, %s sessions (%s), %s items, %s; %s\n", command, path.c_str(),
               with_commas(l.rows).c_str(), with_commas(sessions).c_str(),
               l.has_session_column ? "by session column" : "cut at gaps per visitor",
               with_commas(l.item_ids.size() - 1).c_str(), visitors, kinds.empty() ? "no events" : kinds.c_str());
  std::string columns;
  for (const auto& [field, column] : l.columns)
    columns += std::string(columns.empty() ? "" : ", ") + field + " <- '" + column + "'";
  std::fprintf(stderr, "%s: columns: %s\n", command, columns.c_str());
  const std::string summary = l.summary();
  size_t start = 0;
  while (start < summary.size()) {
    const size_t nl = summary.find('\n', start);
    std::fprintf(stderr, "%s: %s\n", command, summary.substr(start, nl - start).c_str());
    start = nl + 1;
  }
}

Result<train::EventLog> read_event_log_verbose(const char* command, const std::string& path,
                                               const train::EventLogOptions& options, bool quiet) {
  auto log = train::read_event_log(path, options);
  if (!log.ok() || quiet) return log;
  const train::EventLog& l = log.value();
  print_event_log_summary(command, path, l, l.sessions.size(),
                          (with_commas(l.visitor_ids.size() - 1) + " visitors").c_str());
  return log;
}

}  // namespace vitrine::cli
