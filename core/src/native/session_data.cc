#include "vitrine/session_data.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace vitrine {
namespace {

// Walks text line by line, numbering from 1. The last line needs no newline; "\r\n" counts as one line end.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  bool next(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    std::string_view l = text_.substr(pos_, end - pos_);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    *line = l;
    return true;
  }
  int64_t number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int64_t number_ = 0;
};

class LineError {
 public:
  LineError(std::string_view source, int64_t line) : source_(source), line_(line) {}
  Status operator()(StatusCode code, const std::string& what) const {
    return Status(code, std::string(source_) + ":" + std::to_string(line_) + ": " + what);
  }
  Status operator()(const std::string& what) const { return (*this)(StatusCode::kBAD_INPUT, what); }

 private:
  std::string_view source_;
  int64_t line_;
};

// Long garbage is cut so one bad line cannot flood the terminal.
std::string quoted(std::string_view token) {
  constexpr size_t kMax = 24;
  if (token.size() <= kMax) return "'" + std::string(token) + "'";
  return "'" + std::string(token.substr(0, kMax)) + "...'";
}

bool is_separator(char c) {
  return c == ' ' || c == '\t';
}

Status parse_item(std::string_view token, const LineError& err, ItemId* out) {
  int64_t value = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return err("item id " + quoted(token) + " is not a positive integer");
    value = value * 10 + (c - '0');
    if (value > kMaxItemId) {
      return err(StatusCode::kLIMIT_EXCEEDED,
                 "item id " + quoted(token) + " is past the limit " + std::to_string(kMaxItemId));
    }
  }
  if (value == 0) return err("item id " + quoted(token) + " is out of range: ids start at 1 (0 is padding)");
  *out = static_cast<ItemId>(value);
  return Status::ok_status();
}

// Space- or tab-separated ids; runs of separators count as one.
Status parse_items(std::string_view text, const LineError& err, std::vector<ItemId>* out) {
  out->clear();
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_separator(text[i])) ++i;
    if (i >= text.size()) break;
    size_t j = i;
    while (j < text.size() && !is_separator(text[j])) ++j;
    ItemId id = 0;
    VITRINE_RETURN_IF_ERROR(parse_item(text.substr(i, j - i), err, &id));
    out->push_back(id);
    i = j;
  }
  return Status::ok_status();
}

Status check_in_catalog(ItemId id, ItemId catalog_size, const LineError& err) {
  if (id > catalog_size) {
    return err("item id " + std::to_string(id) + " is outside the training catalog 1.." + std::to_string(catalog_size));
  }
  return Status::ok_status();
}

Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kBAD_INPUT, path + ": cannot open: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status(StatusCode::kBAD_INPUT, path + ": read error");
  return buffer.str();
}

}  // namespace

Result<SessionCorpus> parse_sessions(std::string_view text, std::string_view source) {
  SessionCorpus corpus;
  LineReader lines(text);
  std::string_view line;
  Session items;
  while (lines.next(&line)) {
    LineError err(source, lines.number());
    VITRINE_RETURN_IF_ERROR(parse_items(line, err, &items));
    if (items.empty()) return err("empty session (blank line)");
    for (ItemId id : items) corpus.catalog_size = std::max(corpus.catalog_size, id);
    corpus.sessions.push_back(items);
  }
  if (corpus.sessions.empty()) return Status(StatusCode::kBAD_INPUT, std::string(source) + ": no sessions");
  return corpus;
}

Result<SessionCorpus> read_sessions_file(const std::string& path) {
  Result<std::string> text = read_whole_file(path);
  if (!text.ok()) return text.status();
  return parse_sessions(text.value(), path);
}

Result<std::vector<SessionExample>> parse_examples(std::string_view text, std::string_view source,
                                                   ItemId catalog_size) {
  if (catalog_size < 1) {
    return Status(StatusCode::kINVALID_ARGUMENT,
                  std::string(source) + ": catalog size " + std::to_string(catalog_size) + " is below 1");
  }
  std::vector<SessionExample> examples;
  LineReader lines(text);
  std::string_view line;
  while (lines.next(&line)) {
    LineError err(source, lines.number());
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos) return err("expected 'label<TAB>prefix items', found no tab");
    if (line.find('\t', tab + 1) != std::string_view::npos) {
      return err("expected 'label<TAB>prefix items', found more than one tab");
    }
    std::string_view label_text = line.substr(0, tab);
    while (!label_text.empty() && label_text.back() == ' ') label_text.remove_suffix(1);
    while (!label_text.empty() && label_text.front() == ' ') label_text.remove_prefix(1);
    if (label_text.empty()) return err("empty label");
    SessionExample ex;
    VITRINE_RETURN_IF_ERROR(parse_item(label_text, err, &ex.label));
    VITRINE_RETURN_IF_ERROR(check_in_catalog(ex.label, catalog_size, err));
    VITRINE_RETURN_IF_ERROR(parse_items(line.substr(tab + 1), err, &ex.prefix));
    if (ex.prefix.empty()) return err("empty prefix");
    for (ItemId id : ex.prefix) VITRINE_RETURN_IF_ERROR(check_in_catalog(id, catalog_size, err));
    examples.push_back(std::move(ex));
  }
  if (examples.empty()) return Status(StatusCode::kBAD_INPUT, std::string(source) + ": no examples");
  return examples;
}

Result<std::vector<SessionExample>> read_examples_file(const std::string& path, ItemId catalog_size) {
  Result<std::string> text = read_whole_file(path);
  if (!text.ok()) return text.status();
  return parse_examples(text.value(), path, catalog_size);
}

std::vector<SessionExample> expand_sessions(const std::vector<Session>& sessions) {
  std::vector<SessionExample> out;
  for (const Session& s : sessions) {
    for (size_t k = s.size(); k-- > 1;) {
      SessionExample ex;
      ex.prefix.assign(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(k));
      ex.label = s[k];
      out.push_back(std::move(ex));
    }
  }
  return out;
}

Result<SessionSplit> split_validation_tail(const std::vector<Session>& sessions, double fraction) {
  if (!(fraction > 0.0 && fraction < 1.0)) {
    return Status(StatusCode::kINVALID_ARGUMENT,
                  "validation fraction " + std::to_string(fraction) + " is not strictly between 0 and 1");
  }
  const size_t n = sessions.size();
  const size_t n_valid = static_cast<size_t>(std::llround(fraction * static_cast<double>(n)));
  if (n_valid == 0 || n_valid >= n) {
    return Status(StatusCode::kINVALID_ARGUMENT, "validation fraction " + std::to_string(fraction) + " of " +
                                                     std::to_string(n) + " sessions leaves one of the two parts empty");
  }
  SessionSplit split;
  const auto cut = sessions.begin() + static_cast<std::ptrdiff_t>(n - n_valid);
  split.train.assign(sessions.begin(), cut);
  split.validation.assign(cut, sessions.end());
  return split;
}

}  // namespace vitrine
