// Merchant event logs: the shop's own export (CSV, or CSV.gz) read into sessions of SKUs with event kinds.
//
// The file is a CSV with a header line (or, for headerless exports, the column names passed as
// EventLogOptions::columns). The delimiter is taken from the header: `,`, `;` or TAB, whichever occurs most there
// outside quotes. Fields follow RFC 4180: a field may be quoted, `""` is a quote inside it, and a quoted field may
// span lines. CRLF line ends, a UTF-8 byte order mark and blank lines are accepted. A path ending in `.gz` is read
// through zlib.
//
// Columns are matched by name, case-insensitively and ignoring `_`, `-`, `.` and spaces, so `event_time`,
// `Event Time` and `eventTime` are the same; the first alias in the list below that a header has wins, and any
// other column is ignored (EventLog::columns says which header column fed which field):
//   timestamp   timestamp, time, event_time, event_timestamp, ts, datetime, created_at
//   date        event_date, date                 date-only, used when there is no timestamp column
//   timeframe   timeframe                        milliseconds added to `date` (Diginetica's raw export)
//   visitor_id  visitor_id, user_id, user_pseudo_id, client_id, customer_id, full_visitor_id, user, visitor
//   session_id  session_id, user_session, ga_session_id, visit_id, session
//   item_id     item_id, product_id, sku, item, product, offer_id
//   event       event, event_type, event_name, behavior_type, behavior, action, type
//   query       query, search_term, search_query, q
//   price       price, item_price, unit_price
//   quantity    quantity, qty
//   category    category, category_id, category_code, item_category, category_name
//   brand       brand, item_brand, brand_name
//   position    position, item_list_index, item_index, list_position, position_in_list
//                                                the place an impression was shown at in its list (GA4's `index`)
//   shop_position  shop_position, merchant_position, default_position, original_position
//                                                the shop's own place for it, when the list was shown in another
//                                                order (a sort option, a test, Vitrine); absent: the same as position
// A log needs an item column, a time (timestamp, or date), and a visitor or session column. Without an event
// column every row is a view (Diginetica's raw item views).
//
// Timestamps: an ISO 8601 date-time (`2019-10-01T00:00:00Z`, `2019-10-01 00:00:00 UTC`, `2019-10-01 02:00:00+02:00`,
// fractions of a second allowed; no zone means UTC), a date (`2016-05-09`, midnight UTC), or a number since the Unix
// epoch whose unit follows from its size: below 1e11 seconds, below 1e14 milliseconds, below 1e17 microseconds
// (GA4's event_timestamp), else nanoseconds. Each unit's range starts in 1973 and ends in the year 5138, so a
// plausible date is never misread. Times are kept in milliseconds.
//
// Event names (case-insensitive) and their kinds (vitrine/event_kinds.h):
//   view            view, pv, view_item, product_view, detail
//   click           click, select_item, product_click, fav (Taobao's "favourite": an interaction stronger than a
//                   view but not a cart, so carts keep meaning carts; override with event_names)
//   add_to_cart     add_to_cart, addtocart, cart, add
//   purchase        purchase, transaction, buy, order
//   search          search, view_search_results (no item needed; the event's item is 0)
//   category_visit  category_visit, view_category, category (no item needed; item 0)
//   impression      impression, view_item_list, list_view
//
// Sessions. With a session column, a session is the rows with the same (visitor, session) pair: GA4's
// ga_session_id is only unique per visitor. Without one, each visitor's rows, in time order, are cut into sessions
// wherever `session_gap_ms` passes without an event. Within a session events are in time order, rows with equal
// times in file order. Sessions are ordered by their first event's time (then by first appearance), oldest first.
//
// Bad rows: an unknown event name, a bad or missing timestamp, a row with another number of fields than the
// header, a missing item for an item kind, an empty visitor and session, a malformed price or quantity. By default
// the first one fails the read with BAD_INPUT `file:line: problem`; with skip_bad_rows each is skipped and
// counted by reason (EventLog::skipped), never silently. A quote that is never closed or a record longer than
// 1 MiB stops the read either way: nothing after it can be trusted.
//
// Positions are read on impression rows only, as whole numbers (0- or 1-based: a list's smallest is its first);
// past kLastPosition they are kept as kLastPosition. They let `vitrine train` learn how much the shop's own order
// is worth against the shopper's signals (blend_fit.h).
//
// Memory: the file is streamed; per row only the event (16 bytes) and its session key (4 bytes) are kept, with
// item, visitor and session ids interned once each: about 2 GB for 100 million rows. Query and quantity are
// checked but not stored. A log too big for that is grouped on disk instead (event_stream.h).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "train_run.h"
#include "vitrine/event_kinds.h"
#include "vitrine/session_data.h"
#include "vitrine/session_model.h"
#include "vitrine/status.h"

namespace vitrine::train {

// Event kinds, from the shared X-macro: kEventVIEW = 0, ..., kEventIMPRESSION = 6.
enum EventLogKind : uint8_t {
#define VITRINE_EVENT_LOG_KIND(name, value, js) kEvent##name = value,
  VITRINE_EVENT_KINDS(VITRINE_EVENT_LOG_KIND)
#undef VITRINE_EVENT_LOG_KIND
};
inline constexpr size_t kEventKindCount = VITRINE_EVENT_KIND_COUNT;

// Kinds that are about one product (all but search and category_visit).
bool is_item_kind(uint8_t kind);
// "add_to_cart"
const char* event_kind_name(uint8_t kind);

// Why rows were skipped; EventLog::skipped counts them.
enum class BadRow : uint8_t {
  kRaggedRow,       // another number of fields than the header
  kBadTimestamp,    // missing or unreadable time
  kUnknownEvent,    // event name not known (and not listed in event_names)
  kMissingItem,     // an item kind without an item id
  kMissingVisitor,  // neither a visitor nor a session id
  kBadNumber,       // price or quantity that is no non-negative number
  kTooLong,         // an id longer than a model file allows (1024 bytes)
  kCount
};
const char* bad_row_name(BadRow reason);

// Event name -> kind, or kIgnoreEvent for rows to skip on purpose (counted in EventLog::ignored).
inline constexpr int kIgnoreEvent = -1;

struct EventLogOptions {
  int64_t session_gap_ms = 30 * 60 * 1000;  // used only without a session column
  bool skip_bad_rows = false;
  // Headerless file: its column names, in order (e.g. {"user_id","item_id","category","event","timestamp"}).
  std::vector<std::string> columns;
  // Extra or overriding event names (lower case) -> kind or kIgnoreEvent, e.g. {"remove_from_cart", kIgnoreEvent}.
  std::map<std::string, int> event_names;
  // Read against a fixed vocabulary (a training log's item_ids, index 0 unused): items are numbered by it, and an
  // event on an item outside it is kept with item 0 and counted in EventLog::unseen_item_events. No attributes are
  // recorded for such items. Null: items are numbered in order of first appearance.
  const std::vector<std::string>* vocabulary = nullptr;
};

// Positions in a list fit a byte, so an event stays 16 bytes; a listing longer than this is rarely looked at so far.
inline constexpr uint8_t kLastPosition = 254;
inline constexpr uint8_t kNoPosition = 255;

struct LoggedEvent {
  int64_t time_ms = 0;
  uint32_t item = 0;  // index into EventLog::item_ids; 0 for search and category visits and unseen items
  uint8_t kind = 0;
  uint8_t position = kNoPosition;       // impressions: the place shown, as logged (at most kLastPosition)
  uint8_t shop_position = kNoPosition;  // impressions: the shop's own place, when the log says (else: position)
};
static_assert(sizeof(LoggedEvent) == 16, "a log of 100 million events must fit in memory");

struct LoggedSession {
  uint32_t visitor = 0;  // index into EventLog::visitor_ids; 0 = unknown visitor
  uint32_t begin = 0;    // events [begin, begin + size) of EventLog::events, oldest first (a log has < 2^32 rows)
  uint32_t size = 0;
};

struct EventLog {
  // Item k's SKU is item_ids[k]; [0] is "" (no item). With a fixed vocabulary these are the vocabulary.
  std::vector<std::string> item_ids;
  std::vector<std::string> item_categories;  // per item, the last non-empty value seen ("" = unknown)
  std::vector<std::string> item_brands;
  std::vector<float> item_prices;        // per item, the last price seen (-1 = unknown)
  std::vector<std::string> visitor_ids;  // [0] is "" (unknown)

  std::vector<LoggedEvent> events;      // grouped by session; sessions index into it
  std::vector<LoggedSession> sessions;  // oldest first

  uint64_t rows = 0;                              // data rows in the file (blank lines not counted)
  std::array<uint64_t, kEventKindCount> kinds{};  // events kept, per kind
  std::array<uint64_t, static_cast<size_t>(BadRow::kCount)> skipped{};  // with skip_bad_rows, per reason
  uint64_t ignored = 0;                                                 // rows whose event name maps to kIgnoreEvent
  uint64_t unseen_item_events = 0;  // with a fixed vocabulary: events on items outside it
  std::array<std::string, static_cast<size_t>(BadRow::kCount)> first_skipped;  // `file:line: problem`, per reason
  std::vector<std::pair<std::string, std::string>> columns;  // field -> header column it was read from
  bool has_session_column = false;

  uint64_t skipped_total() const;
  // One line per non-zero count: "skipped 1 row: ragged row (first: f.csv:17436: row has 8 fields, header 9)".
  std::string summary() const;
};

Result<EventLog> read_event_log(const std::string& path, const EventLogOptions& options);

// One good row of a log as scan_event_log hands it on, its item already numbered (EventLog::item_ids).
struct ScannedRow {
  LoggedEvent event;
  std::string_view visitor;  // "" when the log does not know the visitor
  std::string_view session;  // "" without a session column
  uint64_t line = 0;         // where the row starts in the file, for messages
};
// The reading half of read_event_log: checks every row as it does and hands each good one to on_row, in file order;
// an error from on_row stops the read and is returned. `log` gets everything but the events, the sessions and
// the visitors: the columns, the counts, and the items with their attributes (a table as long as the catalog).
// read_event_log groups the rows in memory; event_stream.h groups them on disk, for logs larger than memory.
Status scan_event_log(const std::string& path, const EventLogOptions& options, EventLog* log,
                      const std::function<Status(const ScannedRow&)>& on_row);

// Every item event (kinds view, click, add_to_cart, purchase, impression) on a known item, per session, oldest
// first, with its kind. Sessions left empty are dropped; `from` (optional) gets, per session returned, its index in
// log.sessions. With history > 0, each session of a known visitor starts with up to `history` of that visitor's
// item events from their earlier sessions, marked earlier_visit (what the browser's stored events hold when the
// shopper comes back); only the session's own events are labels (make_examples).
// One visitor's earlier visits, as training_sessions() and the streamed reader (event_stream.h) put them before each
// session: before(visit) returns the visit with the visitor's last `history` item events of the visits passed
// before it in front, marked earlier_visit, and remembers the visit's own. Visits are passed oldest first.
class EarlierVisits {
 public:
  explicit EarlierVisits(size_t history) : history_(history) {}
  EventSession before(EventSession visit);

 private:
  size_t history_;
  EventSession past_;
};

std::vector<std::vector<SessionEvent>> training_sessions(const EventLog& log, std::vector<size_t>* from = nullptr,
                                                         size_t history = 0);

// Sessions of the items of the view, click, add_to_cart and purchase events (no impressions, searches or category
// visits), for the item-only trainer and the baselines. Empty sessions are dropped. catalog_size is the number of
// items in the log, so every SKU is a candidate even if it only had impressions.
SessionCorpus item_corpus(const EventLog& log);

// The log's SKUs with their last category, brand and price: a model trained with it names its items by SKU.
Catalog log_catalog(const EventLog& log);

// Next-item test examples from a log read against the training vocabulary: in each session, one example per view
// or click that follows at least one earlier view, click, add_to_cart or purchase on a known item; the label is that
// event's item. The prefix holds every earlier item event on a known item (impressions too), oldest first, with its
// kind: the model reads it as the browser feeds it, the baselines read its interactions (SessionScorer).
struct LogExamples {
  std::vector<SessionExample> examples;
  uint64_t unseen_labels = 0;    // labels outside the training vocabulary: skipped
  uint64_t no_known_prefix = 0;  // earlier item events exist but none on a known item: skipped
};
LogExamples next_item_examples(const EventLog& log);

}  // namespace vitrine::train
