#include "event_log_flags.h"

#include <cstdio>
#include <cstdlib>

namespace vitrine::cli {

const char kEventLogFlagsUsage[] =
    "  --session-gap MIN     without a session column, a visitor's session ends after MIN minutes without an\n"
    "                        event (default 30)\n"
    "  --skip-bad-rows       skip malformed rows (unknown event, bad time, wrong number of fields, missing item or\n"
    "                        visitor, bad price) and print how many were skipped for each reason, instead of\n"
    "                        stopping at the first with 'file:line: problem'\n"
    "  --columns LIST        the log has no header: its column names, comma-separated, e.g.\n"
    "                        user_id,item_id,category,event,timestamp (Taobao UserBehavior)\n"
    "  --event-name N=KIND   read event name N as KIND (view, click, add_to_cart, purchase, search, category_visit,\n"
    "                        impression) or 'ignore' to skip such rows on purpose (counted); repeatable\n";

namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

bool parse_event_log_flag(const std::string& flag, const std::string* inline_value, int argc, char** argv, int* i,
                          train::EventLogOptions* options, std::string* error) {
  if (flag == "--skip-bad-rows") {
    options->skip_bad_rows = true;
    return true;
  }
  if (flag != "--session-gap" && flag != "--columns" && flag != "--event-name") return false;
  std::string value;
  if (inline_value != nullptr) {
    value = *inline_value;
  } else if (*i + 1 < argc) {
    value = argv[++*i];
  } else {
    *error = flag + " needs a value";
    return true;
  }
  if (flag == "--session-gap") {
    char* end = nullptr;
    const double minutes = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !(minutes > 0 && minutes <= 60 * 24 * 365)) {
      *error = "--session-gap wants minutes > 0, got '" + value + "'";
      return true;
    }
    options->session_gap_ms = static_cast<int64_t>(minutes * 60'000.0);
    if (options->session_gap_ms < 1) options->session_gap_ms = 1;
  } else if (flag == "--columns") {
    options->columns.clear();
    size_t start = 0;
    for (;;) {
      const size_t comma = value.find(',', start);
      options->columns.push_back(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else {
    const size_t eq = value.find('=');
    const std::string name = lower(value.substr(0, eq == std::string::npos ? 0 : eq));
    const std::string kind = eq == std::string::npos ? std::string() : lower(value.substr(eq + 1));
    int code = -2;
    if (kind == "ignore") code = train::kIgnoreEvent;
    for (size_t k = 0; k < train::kEventKindCount; ++k)
      if (kind == train::event_kind_name(static_cast<uint8_t>(k))) code = static_cast<int>(k);
    if (name.empty() || code == -2) {
      *error =
          "--event-name wants NAME=KIND with KIND one of view, click, add_to_cart, purchase, search, "
          "category_visit, impression, ignore; got '" +
          value + "'";
      return true;
    }
    options->event_names[name] = code;
  }
  return true;
}

Result<train::EventLog> read_event_log_verbose(const char* command, const std::string& path,
                                               const train::EventLogOptions& options, bool quiet) {
  auto log = train::read_event_log(path, options);
  if (!log.ok() || quiet) return log;
  const train::EventLog& l = log.value();
  std::string kinds;
  for (size_t k = 0; k < train::kEventKindCount; ++k) {
    if (l.kinds[k] == 0) continue;
    kinds += std::string(kinds.empty() ? "" : ", ") + train::event_kind_name(static_cast<uint8_t>(k)) + " " +
             with_commas(l.kinds[k]);
  }
  std::fprintf(stderr, "%s: %s: %s rows, %s sessions (%s), %s items, %s visitors; %s\n", command, path.c_str(),
               with_commas(l.rows).c_str(), with_commas(l.sessions.size()).c_str(),
               l.has_session_column ? "by session column" : "cut at gaps per visitor",
               with_commas(l.item_ids.size() - 1).c_str(), with_commas(l.visitor_ids.size() - 1).c_str(),
               kinds.empty() ? "no events" : kinds.c_str());
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
  return log;
}

}  // namespace vitrine::cli
