// Event logs larger than memory: `vitrine train --events LOG --stream-dir DIR`.
//
// read_event_log keeps every row in memory: about 2 GB for 100 million rows, and more as the log grows. This reads
// the same log (scan_event_log: the same parsing, checks and item numbering) and groups its rows on disk instead:
//   1. Each good row goes, as a 40-byte record, to one of kStreamBuckets files in `dir`. The bucket is chosen by a
//      hash of the visitor id (of the session id when the visitor is unknown), so a visitor's rows share a bucket.
//   2. Each bucket in turn is read whole, sorted, and cut into sessions exactly as read_event_log does. Its
//      visitors' sessions go to one sessions file, each with its visitor's earlier visits in front, as
//      training_sessions() gives them. The bucket files are removed as they are done.
//   3. The sessions file is read twice to find the validation split: the newest sessions by (first event's time,
//      first row), the order run_training holds out by.
// The trainer then reads the sessions file once per pass (run_streamed_training).
//
// Memory stays bounded by the catalog and the options, whatever the log's length. It holds the item table, one
// bucket (about 1/256 of the log's records, or more for a log with giant visitors; bucket_limit_bytes stops it),
// one chunk of training sessions (chunk_events) and the held-out examples (max_held_out_examples).
//
// Visitors and sessions are told apart by 64-bit hashes of their ids, not by the ids themselves. Two ids that
// share a hash merge: for 100 million ids that happens with a chance of about 3 in 10,000, and it merges two
// shoppers' histories, nothing worse.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "event_log.h"
#include "train_run.h"

namespace vitrine::train {

inline constexpr size_t kStreamBuckets = 256;

struct StreamOptions {
  std::string dir;     // the work files go here; it must exist
  size_t history = 0;  // training_sessions()'s: earlier visits' item events put before a session
  double validation_fraction = 0.1;
  uint64_t bucket_limit_bytes = uint64_t{4} << 30;  // a bigger bucket fails the read (the log is too skewed)
};

// A log grouped into training sessions on disk. Move-only; removes its file when destroyed.
class SessionStream {
 public:
  SessionStream() = default;
  SessionStream(SessionStream&& other) noexcept;
  SessionStream& operator=(SessionStream&& other) noexcept;
  SessionStream(const SessionStream&) = delete;
  SessionStream& operator=(const SessionStream&) = delete;
  ~SessionStream();

  // The log's columns, counts and item table; its events, sessions and visitors are on disk, not here.
  const EventLog& log() const { return log_; }
  size_t sessions() const { return sessions_; }           // sessions with an item event (training_sessions' count)
  size_t held_out_sessions() const { return held_out_; }  // the newest of them, held out for validation
  uint64_t events() const { return events_; }             // item events in all sessions, earlier visits included
  uint64_t file_bytes() const;

  // Calls f with every session, in the file's order (by visitor hash, not time), and whether it is held out.
  // f may change the session it is given; an error from f stops the read and is returned.
  Status for_each(const std::function<Status(EventSession& session, bool held_out)>& f) const;

 private:
  friend Result<SessionStream> stream_event_log(const std::string& path, const EventLogOptions& log_options,
                                                const StreamOptions& options);
  EventLog log_;
  std::string path_;
  size_t sessions_ = 0, held_out_ = 0;
  uint64_t events_ = 0;
  int64_t threshold_time_ = 0;  // sessions at or after (threshold_time_, threshold_row_) are held out
  uint64_t threshold_row_ = 0;
  bool any_held_out_ = false;
};

Result<SessionStream> stream_event_log(const std::string& path, const EventLogOptions& log_options,
                                       const StreamOptions& options);

struct StreamTrainingOptions {
  size_t chunk_events = size_t{4} << 20;     // training sessions' events shuffled together
  size_t max_held_out_examples = 100'000;    // validation examples kept (the first held-out sessions in the file)
  size_t max_conversion_events = 4'000'000;  // training events the conversion head is fitted on (the file's first)
};

// run_training from a stream: one pass gathers TrainingStats, a second keeps the held-out examples, then every
// epoch reads the training sessions chunk by chunk, each chunk's examples shuffled with a seed of its own
// (seed + epoch + 1000003 x chunk). A pass shorter than RunOptions::min_steps_per_epoch is repeated, as in memory.
// Checkpoints are not written (RunOptions::save_checkpoint and resume_from must be empty).
Result<RunResult> run_streamed_training(const SessionStream& stream, ItemId catalog_size, const Catalog* catalog,
                                        const RunOptions& options, const StreamTrainingOptions& stream_options,
                                        const std::string& dataset, const Progress& progress);

}  // namespace vitrine::train
