// Session text files for the merchant CLI (native only: the implementation lives in core/src/native/ because it
// reads files). Any dataset in this format works, not only Diginetica.
//
//   sessions file (train_sessions.txt)   one session per line, item ids separated by spaces (or tabs), oldest
//                                        session first
//   examples file (test_examples.tsv)    one example per line: `label<TAB>prefix items separated by spaces`
//
// Item ids are positive integers (1..kMaxItemId); 0 is reserved for padding/unknown in the model. The catalog
// is ids 1..catalog_size where catalog_size is the largest id in the training sessions: ids that never occur
// inside that range are still candidates (with no history). Examples are read against that catalog, and an id
// past it is an error, since nothing could have been learned about it.
//
// Malformed input is rejected with BAD_INPUT and a message `file:line: what is wrong` (LIMIT_EXCEEDED for ids
// past kMaxItemId). A final newline is optional, Windows line ends are accepted, blank lines are not.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vitrine/status.h"

namespace vitrine {

using ItemId = int32_t;

// Far above any real catalog; keeps catalog-sized arrays and float-encoded ranks (exact below 2^24) sane.
inline constexpr ItemId kMaxItemId = 10'000'000;

using Session = std::vector<ItemId>;

struct SessionExample {
  std::vector<ItemId> prefix;  // oldest first, never empty
  ItemId label = 0;            // the item that came next
  // Event kind of each prefix item (event_kinds.h), for examples from event logs; empty means all views (session
  // files).
  std::vector<uint8_t> kinds;
};

struct SessionCorpus {
  std::vector<Session> sessions;
  ItemId catalog_size = 0;  // largest id seen
};

// `source` names the text in error messages (usually the path).
Result<SessionCorpus> parse_sessions(std::string_view text, std::string_view source);
Result<SessionCorpus> read_sessions_file(const std::string& path);

// Every id must be in 1..catalog_size.
Result<std::vector<SessionExample>> parse_examples(std::string_view text, std::string_view source, ItemId catalog_size);
Result<std::vector<SessionExample>> read_examples_file(const std::string& path, ItemId catalog_size);

// The SR-GNN protocol: a session s of length n gives n-1 examples s[:k] -> s[k]. Within a session they come
// longest prefix first (k = n-1 down to 1), sessions in order, which reproduces the published test set exactly.
// Sessions shorter than 2 give none.
std::vector<SessionExample> expand_sessions(const std::vector<Session>& sessions);

struct SessionSplit {
  std::vector<Session> train;
  std::vector<Session> validation;  // the last sessions: the newest, like the test set
};

// Cuts the last round(fraction * n) sessions off as the validation split. The catalog size stays that of the
// whole file. INVALID_ARGUMENT unless 0 < fraction < 1 and both parts end up non-empty.
Result<SessionSplit> split_validation_tail(const std::vector<Session>& sessions, double fraction);

}  // namespace vitrine
