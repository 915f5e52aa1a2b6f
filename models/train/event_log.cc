#include "event_log.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <unordered_map>

namespace vitrine::train {
namespace {

constexpr size_t kMaxRecordBytes = size_t(1) << 20;
constexpr size_t kMaxIdBytes = 1024;  // ModelLimits().max_string_bytes: a product id in a model file

// ---------------------------------------------------------------------------------------------- byte input
// gzread passes files that are not gzip through unchanged, so one reader serves .csv and .csv.gz.
class ByteSource {
 public:
  ~ByteSource() {
    if (file_ != nullptr) gzclose(file_);
  }
  Status open(const std::string& path) {
    path_ = path;
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) return Status(StatusCode::kBAD_INPUT, path + ": cannot open: " + std::strerror(errno));
    gzbuffer(file_, 1u << 18);
    buffer_.resize(1u << 20);
    return Status::ok_status();
  }
  // Next byte, or -1 at the end (or on a read error: see error()).
  int get() {
    if (pos_ == end_ && !refill()) return -1;
    return static_cast<unsigned char>(buffer_[pos_++]);
  }
  int peek() {
    if (pos_ == end_ && !refill()) return -1;
    return static_cast<unsigned char>(buffer_[pos_]);
  }
  // The bytes up to the first newline, without consuming them (for delimiter detection). Empty at the end.
  std::string_view peek_line() {
    if (pos_ == end_) refill();
    // Move the unread bytes to the front and fill up the buffer once, so a header of any sane length is visible.
    if (pos_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    while (!eof_ && end_ < buffer_.size()) {
      const int n = gzread(file_, buffer_.data() + end_, static_cast<unsigned>(buffer_.size() - end_));
      if (n <= 0) {
        eof_ = true;
        break;
      }
      end_ += static_cast<size_t>(n);
    }
    const std::string_view all(buffer_.data(), end_);
    const size_t nl = all.find('\n');
    return nl == std::string_view::npos ? all : all.substr(0, nl);
  }
  // After get() returned -1: empty, or what went wrong (a truncated or corrupt .gz).
  std::string error() const {
    int code = Z_OK;
    const char* text = gzerror(file_, &code);
    if (code == Z_OK || code == Z_STREAM_END) return {};
    return text != nullptr ? text : "read error";
  }

 private:
  bool refill() {
    if (eof_) return false;
    const int n = gzread(file_, buffer_.data(), static_cast<unsigned>(buffer_.size()));
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    pos_ = 0;
    end_ = static_cast<size_t>(n);
    return true;
  }

  std::string path_;
  gzFile file_ = nullptr;
  std::vector<char> buffer_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
};

// ---------------------------------------------------------------------------------------------- CSV records
enum class RecordStatus { kRecord, kBlank, kEnd, kMalformed, kFatal };

class CsvReader {
 public:
  CsvReader(ByteSource& in, char delimiter) : in_(in), delimiter_(delimiter) {}

  // Reads one record into fields_[0, count()). start_line() is the line it began on. kMalformed: text after a
  // closing quote (problem() says so; the rest of the line was consumed). kFatal: unterminated quote, a record
  // past kMaxRecordBytes, or a read error.
  RecordStatus next() {
    count_ = 0;
    start_line_ = line_;
    size_t bytes = 0;
    bool any = false;
    std::string* field = begin_field();
    for (;;) {
      int c = in_.get();
      if (c == -1) {
        if (const std::string e = in_.error(); !e.empty()) return fatal("read error: " + e);
        return any ? RecordStatus::kRecord : RecordStatus::kEnd;
      }
      any = true;
      if (++bytes > kMaxRecordBytes) return fatal("record longer than 1 MiB (a quote never closed?)");
      if (c == '"' && field->empty() && !quoted_field_) {
        quoted_field_ = true;
        for (;;) {
          c = in_.get();
          if (c == -1) {
            if (const std::string e = in_.error(); !e.empty()) return fatal("read error: " + e);
            return fatal("quoted field never closed");
          }
          if (++bytes > kMaxRecordBytes) return fatal("record longer than 1 MiB (a quote never closed?)");
          if (c == '"') {
            if (in_.peek() != '"') break;
            in_.get();
          } else if (c == '\n') {
            ++line_;
          }
          field->push_back(static_cast<char>(c));
        }
        // After the closing quote: a delimiter, the end of the line, or the end of the file.
        c = in_.get();
        if (c == '\r' && in_.peek() == '\n') c = in_.get();
        if (c == delimiter_) {
          field = begin_field();
          continue;
        }
        if (c == '\n' || c == -1) {
          if (c == '\n') ++line_;
          return RecordStatus::kRecord;
        }
        skip_line();
        problem_ = "text after a closing quote";
        return RecordStatus::kMalformed;
      }
      if (c == delimiter_) {
        field = begin_field();
      } else if (c == '\n') {
        ++line_;
        if (!field->empty() && field->back() == '\r') field->pop_back();
        if (count_ == 1 && field->empty() && !quoted_field_) return RecordStatus::kBlank;
        return RecordStatus::kRecord;
      } else {
        field->push_back(static_cast<char>(c));
      }
    }
  }

  size_t count() const { return count_; }
  const std::string& field(size_t i) const { return fields_[i]; }
  uint64_t start_line() const { return start_line_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string* begin_field() {
    if (count_ == fields_.size()) fields_.emplace_back();
    std::string* f = &fields_[count_++];
    f->clear();
    quoted_field_ = false;
    return f;
  }
  void skip_line() {
    for (int c = in_.get(); c != -1; c = in_.get()) {
      if (c == '\n') {
        ++line_;
        return;
      }
    }
  }
  RecordStatus fatal(std::string what) {
    problem_ = std::move(what);
    return RecordStatus::kFatal;
  }

  ByteSource& in_;
  char delimiter_;
  std::vector<std::string> fields_;
  size_t count_ = 0;
  bool quoted_field_ = false;
  uint64_t line_ = 1, start_line_ = 1;
  std::string problem_;
};

// The candidate delimiter seen most often outside quotes (',' if none).
char detect_delimiter(std::string_view line) {
  size_t comma = 0, semicolon = 0, tab = 0;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    comma += c == ',';
    semicolon += c == ';';
    tab += c == '\t';
  }
  if (tab > comma && tab >= semicolon) return '\t';
  if (semicolon > comma) return ';';
  return ',';
}

// ---------------------------------------------------------------------------------------------- interning
// Distinct strings numbered 0, 1, ... in order of insertion, stored once in 1 MiB blocks that never move. Each slot
// of the open-addressing table holds the string's number + 1 and 32 bits of its hash, so a probe rarely has to
// look at the string itself.
class Interner {
 public:
  static constexpr uint32_t kMissing = std::numeric_limits<uint32_t>::max();

  uint32_t find(std::string_view s) const {
    if (slots_.empty()) return kMissing;
    const uint64_t h = hash(s);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const uint64_t slot = slots_[i];
      if (slot == 0) return kMissing;
      if (tag(slot) == (h >> 32) && views_[index(slot)] == s) return index(slot);
    }
  }
  uint32_t intern(std::string_view s, bool* inserted = nullptr) {
    if ((views_.size() + 1) * 2 > slots_.size()) grow();
    const uint64_t h = hash(s);
    const size_t mask = slots_.size() - 1;
    size_t i = h & mask;
    for (;; i = (i + 1) & mask) {
      const uint64_t slot = slots_[i];
      if (slot == 0) break;
      if (tag(slot) == (h >> 32) && views_[index(slot)] == s) {
        if (inserted != nullptr) *inserted = false;
        return index(slot);
      }
    }
    views_.push_back(store(s));
    slots_[i] = (h & 0xFFFFFFFF00000000ull) | views_.size();
    if (inserted != nullptr) *inserted = true;
    return static_cast<uint32_t>(views_.size() - 1);
  }
  size_t size() const { return views_.size(); }
  std::string_view at(size_t i) const { return views_[i]; }
  std::vector<std::string> strings() const { return std::vector<std::string>(views_.begin(), views_.end()); }

 private:
  static uint64_t hash(std::string_view s) { return std::hash<std::string_view>()(s); }
  static uint32_t index(uint64_t slot) { return static_cast<uint32_t>(slot & 0xFFFFFFFFu) - 1; }
  static uint64_t tag(uint64_t slot) { return slot >> 32; }
  void grow() {
    std::vector<uint64_t> bigger(std::max<size_t>(1024, slots_.size() * 2), 0);
    const size_t mask = bigger.size() - 1;
    for (uint64_t slot : slots_) {
      if (slot == 0) continue;
      size_t i = hash(views_[index(slot)]) & mask;
      while (bigger[i] != 0) i = (i + 1) & mask;
      bigger[i] = slot;
    }
    slots_.swap(bigger);
  }
  std::string_view store(std::string_view s) {
    if (s.empty()) return {};
    if (blocks_.empty() || block_used_ + s.size() > block_size_) {
      block_size_ = std::max<size_t>(size_t(1) << 20, s.size());
      blocks_.emplace_back(new char[block_size_]);
      block_used_ = 0;
    }
    char* at = blocks_.back().get() + block_used_;
    std::memcpy(at, s.data(), s.size());
    block_used_ += s.size();
    return std::string_view(at, s.size());
  }

  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_size_ = 0, block_used_ = 0;
  std::vector<std::string_view> views_;
  std::vector<uint64_t> slots_;  // hash bits 32..63 | (number + 1); 0 = empty
};

// A growing array in fixed blocks: no doubling copy while reading millions of rows.
template <class T>
class BlockArray {
 public:
  static constexpr size_t kBlock = size_t(1) << 16;
  void push_back(const T& v) {
    if (size_ % kBlock == 0) blocks_.emplace_back(new T[kBlock]);
    blocks_.back()[size_ % kBlock] = v;
    ++size_;
  }
  size_t size() const { return size_; }
  const T& operator[](size_t i) const { return blocks_[i / kBlock][i % kBlock]; }
  // Moves everything into one vector, freeing each block once copied.
  std::vector<T> release() {
    std::vector<T> out;
    out.reserve(size_);
    for (size_t b = 0; b < blocks_.size(); ++b) {
      const size_t n = std::min(kBlock, size_ - b * kBlock);
      out.insert(out.end(), blocks_[b].get(), blocks_[b].get() + n);
      blocks_[b].reset();
    }
    blocks_.clear();
    size_ = 0;
    return out;
  }
  void clear() {
    blocks_.clear();
    blocks_.shrink_to_fit();
    size_ = 0;
  }

 private:
  std::vector<std::unique_ptr<T[]>> blocks_;
  size_t size_ = 0;
};

// ---------------------------------------------------------------------------------------------- columns
enum Field {
  kTimestamp,
  kDate,
  kTimeframe,
  kVisitor,
  kSession,
  kItem,
  kEvent,
  kQuery,
  kPrice,
  kQuantity,
  kCategory,
  kBrand,
  kPosition,
  kShopPosition,
  kFieldCount
};

struct FieldAliases {
  const char* name;
  std::vector<const char*> aliases;  // normalized: lower case, no separators
};

const std::vector<FieldAliases>& field_aliases() {
  static const std::vector<FieldAliases> table = {
      {"timestamp", {"timestamp", "time", "eventtime", "eventtimestamp", "ts", "datetime", "createdat"}},
      {"date", {"eventdate", "date"}},
      {"timeframe", {"timeframe"}},
      {"visitor_id",
       {"visitorid", "userid", "userpseudoid", "clientid", "customerid", "fullvisitorid", "user", "visitor"}},
      {"session_id", {"sessionid", "usersession", "gasessionid", "visitid", "session"}},
      {"item_id", {"itemid", "productid", "sku", "item", "product", "offerid"}},
      {"event", {"event", "eventtype", "eventname", "behaviortype", "behavior", "action", "type"}},
      {"query", {"query", "searchterm", "searchquery", "q"}},
      {"price", {"price", "itemprice", "unitprice"}},
      {"quantity", {"quantity", "qty"}},
      {"category", {"category", "categoryid", "categorycode", "itemcategory", "categoryname"}},
      {"brand", {"brand", "itembrand", "brandname"}},
      {"position", {"position", "itemlistindex", "itemindex", "listposition", "positioninlist"}},
      {"shop_position", {"shopposition", "merchantposition", "defaultposition", "originalposition"}},
  };
  return table;
}

std::string normalize_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '_' || c == '-' || c == '.' || c == ' ' || c == '\t' || c == '\r') continue;
    out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  return out;
}

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

const std::map<std::string, int>& default_event_names() {
  static const std::map<std::string, int> names = {
      {"view", kEventVIEW},
      {"pv", kEventVIEW},
      {"view_item", kEventVIEW},
      {"product_view", kEventVIEW},
      {"detail", kEventVIEW},
      {"click", kEventCLICK},
      {"select_item", kEventCLICK},
      {"product_click", kEventCLICK},
      {"fav", kEventCLICK},
      {"add_to_cart", kEventADD_TO_CART},
      {"addtocart", kEventADD_TO_CART},
      {"cart", kEventADD_TO_CART},
      {"add", kEventADD_TO_CART},
      {"purchase", kEventPURCHASE},
      {"transaction", kEventPURCHASE},
      {"buy", kEventPURCHASE},
      {"order", kEventPURCHASE},
      {"search", kEventSEARCH},
      {"view_search_results", kEventSEARCH},
      {"category_visit", kEventCATEGORY_VISIT},
      {"view_category", kEventCATEGORY_VISIT},
      {"category", kEventCATEGORY_VISIT},
      {"impression", kEventIMPRESSION},
      {"view_item_list", kEventIMPRESSION},
      {"list_view", kEventIMPRESSION},
  };
  return names;
}

// ---------------------------------------------------------------------------------------------- times
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  // Days since 1970-01-01 in the proleptic Gregorian calendar; March-based years put the leap day last.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t year_of_era = y - era * 400;
  const int64_t day_of_year = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

bool leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

class TimeParser {
 public:
  explicit TimeParser(std::string_view s) : s_(s) {
    while (!s_.empty() && (s_.front() == ' ' || s_.front() == '\t')) s_.remove_prefix(1);
    while (!s_.empty() && (s_.back() == ' ' || s_.back() == '\t')) s_.remove_suffix(1);
  }
  bool parse(int64_t* ms) {
    if (s_.empty()) return false;
    if (s_.size() >= 10 && s_[4] == '-') return parse_iso(ms);
    return parse_epoch(ms);
  }

 private:
  bool digits(size_t n, int64_t* out) {
    if (i_ + n > s_.size()) return false;
    int64_t v = 0;
    for (size_t k = 0; k < n; ++k) {
      const char c = s_[i_ + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    i_ += n;
    *out = v;
    return true;
  }
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool parse_epoch(int64_t* ms) {
    uint64_t whole = 0;
    size_t n = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
      if (++n > 19) return false;
      whole = whole * 10 + static_cast<uint64_t>(s_[i_++] - '0');
    }
    if (n == 0) return false;
    double fraction = 0.0;
    if (eat('.')) {
      double scale = 0.1;
      size_t f = 0;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
        fraction += scale * (s_[i_++] - '0');
        scale *= 0.1;
        ++f;
      }
      if (f == 0) return false;
    }
    if (i_ != s_.size()) return false;
    if (whole < 100'000'000'000ull) {  // seconds
      *ms = static_cast<int64_t>(whole) * 1000 + static_cast<int64_t>(std::floor(fraction * 1000.0));
    } else if (whole < 100'000'000'000'000ull) {  // milliseconds
      *ms = static_cast<int64_t>(whole);
    } else if (whole < 100'000'000'000'000'000ull) {  // microseconds
      *ms = static_cast<int64_t>(whole / 1000);
    } else {  // nanoseconds
      *ms = static_cast<int64_t>(whole / 1'000'000);
    }
    return true;
  }
  bool parse_iso(int64_t* ms) {
    int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, frac_ms = 0;
    if (!digits(4, &y) || !eat('-') || !digits(2, &mo) || !eat('-') || !digits(2, &d)) return false;
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] + (mo == 2 && leap(y) ? 1 : 0)) return false;
    if (i_ < s_.size()) {
      if (!eat('T') && !eat('t') && !eat(' ')) return false;
      if (!digits(2, &h) || !eat(':') || !digits(2, &mi)) return false;
      if (eat(':')) {
        if (!digits(2, &sec)) return false;
        if (eat('.') || eat(',')) {
          int64_t scale = 100;
          size_t f = 0;
          while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
            frac_ms += scale * (s_[i_++] - '0');
            scale /= 10;
            ++f;
          }
          if (f == 0) return false;
        }
      }
      if (h > 23 || mi > 59 || sec > 60) return false;
    }
    int64_t offset_minutes = 0;
    eat(' ');
    if (i_ < s_.size()) {
      const std::string_view zone = s_.substr(i_);
      if (zone == "Z" || zone == "z" || zone == "UTC" || zone == "GMT") {
        i_ = s_.size();
      } else if (zone[0] == '+' || zone[0] == '-') {
        const int64_t sign = zone[0] == '-' ? -1 : 1;
        ++i_;
        int64_t oh = 0, om = 0;
        if (!digits(2, &oh)) return false;
        if (eat(':')) {
          if (!digits(2, &om)) return false;
        } else if (i_ < s_.size() && !digits(2, &om)) {
          return false;
        }
        if (oh > 23 || om > 59) return false;
        offset_minutes = sign * (oh * 60 + om);
      }
      if (i_ != s_.size()) return false;
    }
    const int64_t seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_minutes * 60;
    *ms = seconds * 1000 + frac_ms;
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

bool parse_non_negative(const std::string& text, double* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  while (*end == ' ') ++end;
  if (*end != '\0' || !std::isfinite(v) || v < 0.0) return false;
  *out = v;
  return true;
}

// An empty field leaves *out as it is (no position); past kLastPosition a position is kept as kLastPosition.
bool parse_position(const std::string& text, uint8_t* out) {
  if (text.empty()) return true;
  double value = 0.0;
  if (!parse_non_negative(text, &value) || value != std::floor(value)) return false;
  *out = static_cast<uint8_t>(std::min(value, double{kLastPosition}));
  return true;
}

bool unknown_visitor(std::string_view v) {
  return v.empty() || v == "NA" || v == "N/A" || v == "null" || v == "NULL" || v == "None" || v == "-";
}

std::string plural(uint64_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

// ---------------------------------------------------------------------------------------------- public API
bool is_item_kind(uint8_t kind) {
  return kind != kEventSEARCH && kind != kEventCATEGORY_VISIT;
}

const char* event_kind_name(uint8_t kind) {
  switch (kind) {
#define VITRINE_EVENT_LOG_NAME(name, value, js) \
  case value:                                   \
    return js;
    VITRINE_EVENT_KINDS(VITRINE_EVENT_LOG_NAME)
#undef VITRINE_EVENT_LOG_NAME
  }
#if VITRINE_EVENT_KIND_COUNT < 7
  if (kind == kEventIMPRESSION) return "impression";  // TODO(event kinds): see event_log.h
#endif
  return "?";
}

const char* bad_row_name(BadRow reason) {
  switch (reason) {
    case BadRow::kRaggedRow:
      return "ragged row";
    case BadRow::kBadTimestamp:
      return "bad timestamp";
    case BadRow::kUnknownEvent:
      return "unknown event";
    case BadRow::kMissingItem:
      return "missing item";
    case BadRow::kMissingVisitor:
      return "missing visitor/session";
    case BadRow::kBadNumber:
      return "bad price/quantity";
    case BadRow::kTooLong:
      return "id too long";
    case BadRow::kCount:
      break;
  }
  return "?";
}

uint64_t EventLog::skipped_total() const {
  uint64_t n = 0;
  for (uint64_t s : skipped) n += s;
  return n;
}

std::string EventLog::summary() const {
  std::string out;
  for (size_t r = 0; r < skipped.size(); ++r) {
    if (skipped[r] == 0) continue;
    out += "skipped " + plural(skipped[r], "row") + ": " + bad_row_name(static_cast<BadRow>(r)) +
           " (first: " + first_skipped[r] + ")\n";
  }
  if (ignored > 0) out += "ignored " + plural(ignored, "row") + " by event name\n";
  if (unseen_item_events > 0)
    out += plural(unseen_item_events, "event") + " on items outside the training vocabulary (kept as item 0)\n";
  return out;
}

Status scan_event_log(const std::string& path, const EventLogOptions& options, EventLog* log_out,
                      const std::function<Status(const ScannedRow&)>& on_row) {
  if (options.session_gap_ms <= 0) return Status(StatusCode::kINVALID_ARGUMENT, "session gap must be positive");
  EventLog& log = *log_out;
  log = EventLog();
  ByteSource in;
  VITRINE_RETURN_IF_ERROR(in.open(path));
  // Line 0 is the --columns list of a headerless file.
  auto fail = [&](uint64_t line, const std::string& what) {
    return Status(StatusCode::kBAD_INPUT, path + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + what);
  };

  // A UTF-8 byte order mark, then the header (or the first row of a headerless file) picks the delimiter.
  if (in.peek() == 0xEF) {
    const std::string_view first = in.peek_line();
    if (first.size() >= 3 && first.substr(0, 3) == "\xEF\xBB\xBF") {
      in.get();
      in.get();
      in.get();
    }
  }
  const std::string_view first_line = in.peek_line();
  if (first_line.empty() && in.peek() == -1) {
    if (const std::string e = in.error(); !e.empty()) return fail(1, "read error: " + e);
    return fail(1, "empty file: a header line is required");
  }
  const char delimiter = detect_delimiter(first_line);
  CsvReader csv(in, delimiter);

  std::vector<std::string> header = options.columns;
  if (header.empty()) {
    const RecordStatus st = csv.next();
    if (st == RecordStatus::kFatal || st == RecordStatus::kMalformed) return fail(1, csv.problem());
    if (st != RecordStatus::kRecord) return fail(1, "a header line is required");
    for (size_t i = 0; i < csv.count(); ++i) header.push_back(csv.field(i));
  }

  // Each field's column: the header column of its earliest alias.
  const auto& aliases = field_aliases();
  std::array<int, kFieldCount> column;
  column.fill(-1);
  for (size_t f = 0; f < kFieldCount; ++f) {
    for (const char* alias : aliases[f].aliases) {
      for (size_t c = 0; c < header.size() && column[f] < 0; ++c)
        if (normalize_name(header[c]) == alias) column[f] = static_cast<int>(c);
      if (column[f] >= 0) break;
    }
    if (column[f] >= 0) log.columns.emplace_back(aliases[f].name, header[static_cast<size_t>(column[f])]);
  }
  auto names_of = [&](Field f) {
    std::string s;
    for (const char* a : aliases[f].aliases) s += std::string(s.empty() ? "" : ", ") + a;
    return s;
  };
  const uint64_t header_line = options.columns.empty() ? 1 : 0;
  const std::string where_header = options.columns.empty() ? "header" : "column list";
  if (column[kItem] < 0)
    return fail(header_line, where_header + " has no item column (one of " + names_of(kItem) + ")");
  if (column[kTimestamp] < 0 && column[kDate] < 0)
    return fail(header_line,
                where_header + " has no time column (one of " + names_of(kTimestamp) + ", or " + names_of(kDate) + ")");
  if (column[kVisitor] < 0 && column[kSession] < 0)
    return fail(header_line, where_header + " has neither a visitor column (" + names_of(kVisitor) +
                                 ") nor a session column (" + names_of(kSession) + ")");
  log.has_session_column = column[kSession] >= 0;
  const bool by_session = log.has_session_column;

  std::map<std::string, int> event_names = default_event_names();
  for (const auto& [name, kind] : options.event_names) {
    if (kind != kIgnoreEvent && (kind < 0 || kind >= static_cast<int>(kEventKindCount)))
      return Status(StatusCode::kINVALID_ARGUMENT, "event name '" + name + "' maps to no kind");
    event_names[lower_trimmed(name)] = kind;
  }

  Interner items, categories, brands;
  items.intern("");
  categories.intern("");
  brands.intern("");
  const bool fixed_vocabulary = options.vocabulary != nullptr;
  if (fixed_vocabulary) {
    const std::vector<std::string>& vocab = *options.vocabulary;
    for (size_t i = 1; i < vocab.size(); ++i) {
      bool inserted = false;
      items.intern(vocab[i], &inserted);
      if (!inserted || vocab[i].empty())
        return Status(StatusCode::kINVALID_ARGUMENT, "vocabulary item " + std::to_string(i) + " is empty or repeated");
    }
  }
  std::vector<uint32_t> item_category(items.size(), 0), item_brand(items.size(), 0);
  std::vector<float> item_price(items.size(), -1.0f);

  Status fatal;
  uint64_t line = 0;
  // Returns false when the read must stop (fatal is set).
  auto bad = [&](BadRow reason, const std::string& problem) {
    const std::string where = path + ":" + std::to_string(line) + ": " + problem;
    if (!options.skip_bad_rows) {
      fatal = Status(StatusCode::kBAD_INPUT, where);
      return false;
    }
    const auto r = static_cast<size_t>(reason);
    if (log.skipped[r]++ == 0) log.first_skipped[r] = where;
    return true;
  };
  const auto field = [&](Field f) -> const std::string& {
    static const std::string kEmpty;
    return column[f] >= 0 ? csv.field(static_cast<size_t>(column[f])) : kEmpty;
  };

  for (;;) {
    const RecordStatus st = csv.next();
    line = csv.start_line();
    if (st == RecordStatus::kEnd) break;
    if (st == RecordStatus::kBlank) continue;
    if (st == RecordStatus::kFatal) return fail(line, csv.problem());
    ++log.rows;
    if (st == RecordStatus::kMalformed) {
      if (!bad(BadRow::kRaggedRow, csv.problem())) return fatal;
      continue;
    }
    if (csv.count() != header.size()) {
      if (!bad(BadRow::kRaggedRow, "row has " + plural(csv.count(), "field") + ", the " + where_header + " has " +
                                       std::to_string(header.size())))
        return fatal;
      continue;
    }
    // Event kind.
    int kind = kEventVIEW;
    if (column[kEvent] >= 0) {
      const std::string name = lower_trimmed(field(kEvent));
      const auto it = event_names.find(name);
      if (it == event_names.end()) {
        if (!bad(BadRow::kUnknownEvent, "unknown event '" + field(kEvent) + "'")) return fatal;
        continue;
      }
      kind = it->second;
      if (kind == kIgnoreEvent) {
        ++log.ignored;
        continue;
      }
    }
    // Time.
    int64_t time_ms = 0;
    if (column[kTimestamp] >= 0) {
      if (!TimeParser(field(kTimestamp)).parse(&time_ms)) {
        if (!bad(BadRow::kBadTimestamp, "bad timestamp '" + field(kTimestamp) + "'")) return fatal;
        continue;
      }
    } else {
      const std::string& date = field(kDate);
      bool good = date.size() == 10 && TimeParser(date).parse(&time_ms);
      if (good && column[kTimeframe] >= 0) {
        int64_t offset = 0;
        const std::string& frame = field(kTimeframe);
        good = !frame.empty() && frame.size() < 12 &&
               std::all_of(frame.begin(), frame.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (good) offset = std::atoll(frame.c_str());
        time_ms += offset;
        if (!good) {
          if (!bad(BadRow::kBadTimestamp, "bad timeframe '" + frame + "'")) return fatal;
          continue;
        }
      }
      if (!good) {
        if (!bad(BadRow::kBadTimestamp, "bad date '" + date + "'")) return fatal;
        continue;
      }
    }
    // Item.
    const bool item_kind = is_item_kind(static_cast<uint8_t>(kind));
    const std::string& sku = field(kItem);
    if (item_kind && sku.empty()) {
      if (!bad(BadRow::kMissingItem,
               std::string("no item for a ") + event_kind_name(static_cast<uint8_t>(kind)) + " event"))
        return fatal;
      continue;
    }
    if (item_kind && sku.size() > kMaxIdBytes) {
      if (!bad(BadRow::kTooLong, "item id longer than " + std::to_string(kMaxIdBytes) + " bytes")) return fatal;
      continue;
    }
    // Price and quantity: checked, price kept per item.
    double price = -1.0, quantity = 0.0;
    if (!field(kPrice).empty() && !parse_non_negative(field(kPrice), &price)) {
      if (!bad(BadRow::kBadNumber, "bad price '" + field(kPrice) + "'")) return fatal;
      continue;
    }
    if (!field(kQuantity).empty() && !parse_non_negative(field(kQuantity), &quantity)) {
      if (!bad(BadRow::kBadNumber, "bad quantity '" + field(kQuantity) + "'")) return fatal;
      continue;
    }
    // Positions: read on impressions only (on another row a list index says nothing about a choice).
    uint8_t position = kNoPosition, shop_position = kNoPosition;
    if (kind == kEventIMPRESSION) {
      if (!parse_position(field(kPosition), &position) || !parse_position(field(kShopPosition), &shop_position)) {
        if (!bad(BadRow::kBadNumber,
                 "bad position '" + field(kPosition) + "' or shop position '" + field(kShopPosition) + "'"))
          return fatal;
        continue;
      }
    }
    // Visitor and session.
    const std::string& visitor_text = field(kVisitor);
    const bool visitor_known = !unknown_visitor(visitor_text);
    if (by_session ? field(kSession).empty() : !visitor_known) {
      if (!bad(BadRow::kMissingVisitor, by_session ? "no session id" : "no visitor id")) return fatal;
      continue;
    }
    // Item index and attributes.
    uint32_t item = 0;
    if (item_kind) {
      if (fixed_vocabulary) {
        item = items.find(sku);
        if (item == Interner::kMissing) {
          item = 0;
          ++log.unseen_item_events;
        }
      } else {
        bool inserted = false;
        item = items.intern(sku, &inserted);
        if (inserted) {
          if (items.size() - 1 > static_cast<size_t>(kMaxItemId))
            return Status(StatusCode::kLIMIT_EXCEEDED, path + ":" + std::to_string(line) + ": more than " +
                                                           std::to_string(kMaxItemId) + " distinct items");
          item_category.push_back(0);
          item_brand.push_back(0);
          item_price.push_back(-1.0f);
        }
      }
      if (item != 0) {
        if (!field(kCategory).empty()) item_category[item] = categories.intern(field(kCategory));
        if (!field(kBrand).empty()) item_brand[item] = brands.intern(field(kBrand));
        if (price >= 0.0) item_price[item] = static_cast<float>(price);
      }
    }
    ScannedRow row;
    row.event.time_ms = time_ms;
    row.event.item = item;
    row.event.kind = static_cast<uint8_t>(kind);
    row.event.position = position;
    row.event.shop_position = shop_position;
    if (visitor_known) row.visitor = visitor_text;
    if (by_session) row.session = field(kSession);
    row.line = line;
    ++log.kinds[static_cast<size_t>(kind)];
    VITRINE_RETURN_IF_ERROR(on_row(row));
  }

  // Attributes and names.
  log.item_ids = items.strings();
  log.item_categories.resize(log.item_ids.size());
  log.item_brands.resize(log.item_ids.size());
  for (size_t i = 0; i < log.item_ids.size(); ++i) {
    log.item_categories[i] = std::string(categories.at(item_category[i]));
    log.item_brands[i] = std::string(brands.at(item_brand[i]));
  }
  log.item_prices = std::move(item_price);
  return Status();
}

Result<EventLog> read_event_log(const std::string& path, const EventLogOptions& options) {
  EventLog log;
  // One table lookup per row: with a session column the visitor is interned only with a new session.
  Interner visitors, sessions;
  visitors.intern("");
  std::vector<uint32_t> session_visitor;  // by session group, with a session column
  BlockArray<LoggedEvent> rows;
  BlockArray<uint32_t> groups;
  std::string key;
  VITRINE_RETURN_IF_ERROR(scan_event_log(path, options, &log, [&](const ScannedRow& row) {
    uint32_t group = 0;
    if (log.has_session_column) {
      key.assign(row.session);
      key.push_back('\0');
      key.append(row.visitor);
      bool inserted = false;
      group = sessions.intern(key, &inserted);
      if (inserted) session_visitor.push_back(row.visitor.empty() ? 0 : visitors.intern(row.visitor));
    } else {
      group = visitors.intern(row.visitor);
    }
    if (rows.size() >= std::numeric_limits<uint32_t>::max() - 1)
      return Status(StatusCode::kLIMIT_EXCEEDED,
                    path + ": more than 4 billion events: train with --stream-dir, which groups them on disk");
    rows.push_back(row.event);
    groups.push_back(group);
    return Status();
  }));
  log.visitor_ids = visitors.strings();
  const bool by_session = log.has_session_column;
  const size_t group_count = by_session ? sessions.size() : visitors.size();
  sessions = Interner();  // the session keys are no longer needed

  // Group the events by session (or visitor) without moving them twice: a counting sort gives each event's
  // place, and the permutation is applied in place, cycle by cycle.
  const size_t n = rows.size();
  std::vector<uint32_t> group_begin(group_count + 1, 0);
  for (size_t i = 0; i < n; ++i) ++group_begin[groups[i] + 1];
  for (size_t g = 0; g < group_count; ++g) group_begin[g + 1] += group_begin[g];
  std::vector<uint32_t> source(n);  // source[p]: the file-order index of the event that goes to place p
  {
    std::vector<uint32_t> next(group_begin.begin(), group_begin.end() - 1);
    for (size_t i = 0; i < n; ++i) source[next[groups[i]]++] = static_cast<uint32_t>(i);
  }
  groups.clear();
  log.events = rows.release();
  for (size_t p = 0; p < n; ++p) {
    if (source[p] == p) continue;
    const LoggedEvent first = log.events[p];
    size_t j = p;
    for (;;) {
      const size_t k = source[j];
      source[j] = static_cast<uint32_t>(j);
      if (k == p) {
        log.events[j] = first;
        break;
      }
      log.events[j] = log.events[k];
      j = k;
    }
  }
  source = std::vector<uint32_t>();

  // Time order within each group (file order among equal times), then the sessions.
  const auto earlier = [](const LoggedEvent& a, const LoggedEvent& b) { return a.time_ms < b.time_ms; };
  for (size_t g = 0; g < group_count; ++g) {
    const auto begin = log.events.begin() + group_begin[g], end = log.events.begin() + group_begin[g + 1];
    if (begin == end) continue;
    if (!std::is_sorted(begin, end, earlier)) std::stable_sort(begin, end, earlier);
    const uint32_t visitor = by_session ? session_visitor[g] : static_cast<uint32_t>(g);
    size_t start = group_begin[g];
    for (size_t i = start + 1; i <= group_begin[g + 1]; ++i) {
      if (i < group_begin[g + 1] &&
          (by_session || log.events[i].time_ms - log.events[i - 1].time_ms <= options.session_gap_ms))
        continue;
      log.sessions.push_back({visitor, static_cast<uint32_t>(start), static_cast<uint32_t>(i - start)});
      start = i;
    }
  }
  std::sort(log.sessions.begin(), log.sessions.end(), [&](const LoggedSession& a, const LoggedSession& b) {
    const int64_t ta = log.events[a.begin].time_ms, tb = log.events[b.begin].time_ms;
    return ta != tb ? ta < tb : a.begin < b.begin;
  });
  return log;
}

EventSession EarlierVisits::before(EventSession visit) {
  if (history_ == 0) return visit;
  EventSession with_past;
  with_past.reserve(past_.size() + visit.size());
  for (SessionEvent e : past_) {
    e.earlier_visit = 1;
    with_past.push_back(e);
  }
  with_past.insert(with_past.end(), visit.begin(), visit.end());
  past_.insert(past_.end(), visit.begin(), visit.end());
  if (past_.size() > history_) past_.erase(past_.begin(), past_.end() - static_cast<std::ptrdiff_t>(history_));
  return with_past;
}

std::vector<std::vector<SessionEvent>> training_sessions(const EventLog& log, std::vector<size_t>* from,
                                                         size_t history) {
  std::vector<std::vector<SessionEvent>> out;
  out.reserve(log.sessions.size());
  if (from != nullptr) from->clear();
  std::unordered_map<uint32_t, EarlierVisits> earlier;  // by visitor
  for (size_t k = 0; k < log.sessions.size(); ++k) {
    const LoggedSession& s = log.sessions[k];
    std::vector<SessionEvent> events;
    for (size_t i = s.begin; i < s.begin + s.size; ++i) {
      const LoggedEvent& e = log.events[i];
      if (e.item != 0 && is_item_kind(e.kind)) events.push_back({e.item, e.kind});
    }
    if (events.empty()) continue;
    if (history > 0 && s.visitor != 0)
      events = earlier.try_emplace(s.visitor, history).first->second.before(std::move(events));
    out.push_back(std::move(events));
    if (from != nullptr) from->push_back(k);
  }
  return out;
}

namespace {
bool is_interaction(uint8_t kind) {
  return kind == kEventVIEW || kind == kEventCLICK || kind == kEventADD_TO_CART || kind == kEventPURCHASE;
}
}  // namespace

SessionCorpus item_corpus(const EventLog& log) {
  SessionCorpus corpus;
  corpus.catalog_size = static_cast<ItemId>(log.item_ids.empty() ? 0 : log.item_ids.size() - 1);
  for (const LoggedSession& s : log.sessions) {
    Session session;
    for (size_t i = s.begin; i < s.begin + s.size; ++i) {
      const LoggedEvent& e = log.events[i];
      if (e.item != 0 && is_interaction(e.kind)) session.push_back(static_cast<ItemId>(e.item));
    }
    if (!session.empty()) corpus.sessions.push_back(std::move(session));
  }
  return corpus;
}

Catalog log_catalog(const EventLog& log) {
  Catalog c;
  c.product_ids = log.item_ids;
  c.categories = log.item_categories;
  c.brands = log.item_brands;
  c.prices = log.item_prices;
  return c;
}

LogExamples next_item_examples(const EventLog& log) {
  LogExamples out;
  for (const LoggedSession& s : log.sessions) {
    SessionExample prefix;          // every earlier item event on a known item, with its kind
    size_t known_interactions = 0;  // of them, views, clicks, carts and purchases
    bool any_before = false;        // an earlier interaction, known item or not
    for (size_t i = s.begin; i < s.begin + s.size; ++i) {
      const LoggedEvent& e = log.events[i];
      if (is_interaction(e.kind)) {
        if (any_before && (e.kind == kEventVIEW || e.kind == kEventCLICK)) {
          if (e.item == 0)
            ++out.unseen_labels;
          else if (known_interactions == 0)
            ++out.no_known_prefix;
          else
            out.examples.push_back({prefix.prefix, static_cast<ItemId>(e.item), prefix.kinds});
        }
        any_before = true;
        if (e.item != 0) ++known_interactions;
      }
      if (e.item != 0 && is_item_kind(e.kind)) {
        prefix.prefix.push_back(static_cast<ItemId>(e.item));
        prefix.kinds.push_back(e.kind);
      }
    }
  }
  return out;
}

}  // namespace vitrine::train
