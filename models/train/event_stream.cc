#include "event_stream.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string_view>

namespace vitrine::train {
namespace {

// One row on its way through a bucket. visitor 0: unknown; session 0: the log has no session column.
struct BucketRecord {
  uint64_t visitor = 0;
  uint64_t session = 0;
  uint64_t row = 0;  // file order, for ties and for the order of sessions
  int64_t time_ms = 0;
  uint32_t item = 0;
  uint8_t kind = 0;
  uint8_t unused[3] = {0, 0, 0};
};
static_assert(sizeof(BucketRecord) == 40, "the bucket files' record");

// Each session in the sessions file: this header, then `size` SessionEvents.
struct SessionHeader {
  int64_t start_ms = 0;
  uint64_t first_row = 0;  // the first row of the session's group: read_event_log's tie-break among equal starts
  uint32_t size = 0;
  uint32_t unused = 0;
};

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

Status io_error(const std::string& what, const std::string& path) {
  return Status(StatusCode::kINVALID_ARGUMENT, what + " " + path + ": " + std::strerror(errno));
}

uint64_t hash_id(std::string_view id) {
  const uint64_t h = std::hash<std::string_view>()(id);
  return h == 0 ? 1 : h;  // 0 means "none"
}

bool key_before(int64_t time_a, uint64_t row_a, int64_t time_b, uint64_t row_b) {
  return time_a != time_b ? time_a < time_b : row_a < row_b;
}

std::string bucket_path(const std::string& dir, size_t b) {
  return dir + "/bucket-" + std::to_string(b) + ".bin";
}

// A session cut from a bucket, with its item events.
struct CutSession {
  int64_t start_ms = 0;
  uint64_t first_row = 0;
  EventSession events;
};

}  // namespace

SessionStream::SessionStream(SessionStream&& other) noexcept {
  *this = std::move(other);
}

SessionStream& SessionStream::operator=(SessionStream&& other) noexcept {
  if (this != &other) {
    if (!path_.empty()) std::remove(path_.c_str());
    log_ = std::move(other.log_);
    path_ = std::move(other.path_);
    other.path_.clear();
    sessions_ = other.sessions_;
    held_out_ = other.held_out_;
    events_ = other.events_;
    threshold_time_ = other.threshold_time_;
    threshold_row_ = other.threshold_row_;
    any_held_out_ = other.any_held_out_;
  }
  return *this;
}

SessionStream::~SessionStream() {
  if (!path_.empty()) std::remove(path_.c_str());
}

uint64_t SessionStream::file_bytes() const {
  return sessions_ * sizeof(SessionHeader) + events_ * sizeof(SessionEvent);
}

Status SessionStream::for_each(const std::function<Status(EventSession& session, bool held_out)>& f) const {
  File in(std::fopen(path_.c_str(), "rb"));
  if (!in) return io_error("cannot open", path_);
  std::setvbuf(in.get(), nullptr, _IOFBF, size_t{1} << 20);
  EventSession session;
  SessionHeader header;
  while (std::fread(&header, sizeof header, 1, in.get()) == 1) {
    session.resize(header.size);
    if (std::fread(session.data(), sizeof(SessionEvent), header.size, in.get()) != header.size)
      return Status(StatusCode::kBAD_INPUT, path_ + ": the sessions file ends inside a session");
    const bool held_out =
        any_held_out_ && !key_before(header.start_ms, header.first_row, threshold_time_, threshold_row_);
    VITRINE_RETURN_IF_ERROR(f(session, held_out));
  }
  if (std::ferror(in.get())) return io_error("cannot read", path_);
  return Status();
}

Result<SessionStream> stream_event_log(const std::string& path, const EventLogOptions& log_options,
                                       const StreamOptions& options) {
  if (options.dir.empty()) return Status(StatusCode::kINVALID_ARGUMENT, "no folder for the stream's work files");
  SessionStream stream;

  // 1. Rows to buckets, by visitor.
  std::vector<File> buckets(kStreamBuckets);
  std::vector<std::string> bucket_paths(kStreamBuckets);
  const auto remove_buckets = [&] {
    buckets.clear();
    for (const std::string& p : bucket_paths)
      if (!p.empty()) std::remove(p.c_str());
  };
  for (size_t b = 0; b < kStreamBuckets; ++b) {
    bucket_paths[b] = bucket_path(options.dir, b);
    buckets[b].reset(std::fopen(bucket_paths[b].c_str(), "wb"));
    if (!buckets[b]) {
      Status s = io_error("cannot write", bucket_paths[b]);
      remove_buckets();
      return s;
    }
    std::setvbuf(buckets[b].get(), nullptr, _IOFBF, size_t{64} << 10);
  }
  std::vector<uint64_t> bucket_records(kStreamBuckets, 0);
  std::string key;
  uint64_t row_number = 0;
  Status scanned = scan_event_log(path, log_options, &stream.log_, [&](const ScannedRow& row) {
    BucketRecord r;
    r.visitor = row.visitor.empty() ? 0 : hash_id(row.visitor);
    if (!row.session.empty()) {
      key.assign(row.session);  // read_event_log's session key: the session id with the visitor's
      key.push_back('\0');
      key.append(row.visitor);
      r.session = hash_id(key);
    }
    r.row = row_number++;
    r.time_ms = row.event.time_ms;
    r.item = row.event.item;
    r.kind = row.event.kind;
    const uint64_t owner = r.visitor != 0 ? r.visitor : r.session;
    const size_t b = static_cast<size_t>((owner * 0x9E3779B97F4A7C15ull) >> 56) % kStreamBuckets;
    if (std::fwrite(&r, sizeof r, 1, buckets[b].get()) != 1) return io_error("cannot write", bucket_paths[b]);
    ++bucket_records[b];
    return Status();
  });
  for (size_t b = 0; b < kStreamBuckets && scanned.ok(); ++b)
    if (std::fclose(buckets[b].release()) != 0) scanned = io_error("cannot write", bucket_paths[b]);
  if (!scanned.ok()) {
    remove_buckets();
    return scanned;
  }

  // 2. Buckets to sessions.
  stream.path_ = options.dir + "/sessions.bin";
  File out(std::fopen(stream.path_.c_str(), "wb"));
  if (!out) {
    remove_buckets();
    return io_error("cannot write", stream.path_);
  }
  std::setvbuf(out.get(), nullptr, _IOFBF, size_t{1} << 20);
  const bool by_session = stream.log_.has_session_column;
  int64_t first_start = INT64_MAX, last_start = INT64_MIN;
  std::vector<BucketRecord> records;
  std::vector<CutSession> visitor_sessions;
  const auto write_visitor = [&](uint64_t visitor) -> Status {
    std::sort(visitor_sessions.begin(), visitor_sessions.end(), [](const CutSession& a, const CutSession& b) {
      return key_before(a.start_ms, a.first_row, b.start_ms, b.first_row);
    });
    EarlierVisits earlier(visitor != 0 ? options.history : 0);  // unknown visitors (0) have no history
    for (CutSession& s : visitor_sessions) {
      const EventSession events = earlier.before(std::move(s.events));
      SessionHeader header;
      header.start_ms = s.start_ms;
      header.first_row = s.first_row;
      header.size = static_cast<uint32_t>(events.size());
      if (std::fwrite(&header, sizeof header, 1, out.get()) != 1 ||
          std::fwrite(events.data(), sizeof(SessionEvent), events.size(), out.get()) != events.size())
        return io_error("cannot write", stream.path_);
      ++stream.sessions_;
      stream.events_ += events.size();
      first_start = std::min(first_start, s.start_ms);
      last_start = std::max(last_start, s.start_ms);
    }
    visitor_sessions.clear();
    return Status();
  };
  for (size_t b = 0; b < kStreamBuckets; ++b) {
    const uint64_t bytes = bucket_records[b] * sizeof(BucketRecord);
    if (bytes > options.bucket_limit_bytes) {
      remove_buckets();
      return Status(StatusCode::kLIMIT_EXCEEDED,
                    path + ": one bucket of visitors holds " + std::to_string(bytes >> 20) +
                        " MiB of rows, more than the limit of " + std::to_string(options.bucket_limit_bytes >> 20) +
                        " MiB (a few visitors with very many rows, such as bots, can cause it)");
    }
    records.resize(bucket_records[b]);
    {
      File in(std::fopen(bucket_paths[b].c_str(), "rb"));
      if (!in || std::fread(records.data(), sizeof(BucketRecord), records.size(), in.get()) != records.size()) {
        Status s = io_error("cannot read", bucket_paths[b]);
        remove_buckets();
        return s;
      }
    }
    std::remove(bucket_paths[b].c_str());
    bucket_paths[b].clear();
    // read_event_log's groups: a session (with the visitor's id) or, without a session column, a visitor; rows in
    // time order within a group, file order among equal times.
    std::sort(records.begin(), records.end(), [](const BucketRecord& a, const BucketRecord& c) {
      if (a.visitor != c.visitor) return a.visitor < c.visitor;
      if (a.session != c.session) return a.session < c.session;
      return key_before(a.time_ms, a.row, c.time_ms, c.row);
    });
    for (size_t group = 0; group < records.size();) {
      size_t end = group + 1;
      uint64_t first_row = records[group].row;
      while (end < records.size() && records[end].visitor == records[group].visitor &&
             records[end].session == records[group].session) {
        first_row = std::min(first_row, records[end].row);
        ++end;
      }
      const uint64_t visitor = records[group].visitor;
      for (size_t start = group; start < end;) {
        size_t stop = start + 1;
        while (stop < end &&
               (by_session || records[stop].time_ms - records[stop - 1].time_ms <= log_options.session_gap_ms))
          ++stop;
        CutSession s;
        s.start_ms = records[start].time_ms;
        s.first_row = first_row;
        for (size_t i = start; i < stop; ++i)
          if (records[i].item != 0 && is_item_kind(records[i].kind))
            s.events.push_back({records[i].item, records[i].kind});
        if (!s.events.empty()) visitor_sessions.push_back(std::move(s));
        start = stop;
      }
      // A visitor's sessions are all in this bucket and next to each other; an unknown visitor's (0) are each alone.
      if (end == records.size() || records[end].visitor != visitor || visitor == 0) {
        if (Status s = write_visitor(visitor); !s.ok()) {
          remove_buckets();
          return s;
        }
      }
      group = end;
    }
  }
  records = std::vector<BucketRecord>();
  if (std::fclose(out.release()) != 0) return io_error("cannot write", stream.path_);

  // 3. The validation split: the n newest sessions by (start, first row). A histogram of start times finds the
  // bin the n-th newest falls in; a second read sorts just that bin's keys.
  if (options.validation_fraction > 0.0) {
    const Result<size_t> held_out = checked_validation_count(stream.sessions_, options.validation_fraction);
    if (!held_out.ok()) return held_out.status();
    const size_t n_valid = held_out.value();
    constexpr size_t kBins = size_t{1} << 16;
    const uint64_t span = static_cast<uint64_t>(last_start - first_start);
    const uint64_t width = span / kBins + 1;
    const auto bin_of = [&](int64_t t) { return static_cast<size_t>(static_cast<uint64_t>(t - first_start) / width); };
    std::vector<uint64_t> bins(kBins, 0);
    File in(std::fopen(stream.path_.c_str(), "rb"));
    if (!in) return io_error("cannot open", stream.path_);
    const auto each_header = [&](const std::function<void(const SessionHeader&)>& f) -> Status {
      std::rewind(in.get());
      SessionHeader h;
      while (std::fread(&h, sizeof h, 1, in.get()) == 1) {
        f(h);
        if (std::fseek(in.get(), static_cast<long>(h.size * sizeof(SessionEvent)), SEEK_CUR) != 0)
          return io_error("cannot read", stream.path_);
      }
      return Status();
    };
    VITRINE_RETURN_IF_ERROR(each_header([&](const SessionHeader& h) { ++bins[bin_of(h.start_ms)]; }));
    size_t bin = kBins, newer = 0;
    while (bin > 0 && newer + bins[bin - 1] < n_valid) newer += bins[--bin];
    --bin;  // the bin holding the n-th newest; `newer` sessions are above it
    std::vector<std::pair<int64_t, uint64_t>> keys;
    VITRINE_RETURN_IF_ERROR(each_header([&](const SessionHeader& h) {
      if (bin_of(h.start_ms) == bin) keys.emplace_back(h.start_ms, h.first_row);
    }));
    const size_t rank = n_valid - newer;  // 1-based, from the newest, within the bin
    std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(keys.size() - rank), keys.end());
    const auto threshold = keys[keys.size() - rank];
    stream.threshold_time_ = threshold.first;
    stream.threshold_row_ = threshold.second;
    stream.any_held_out_ = true;
    stream.held_out_ = n_valid;
  }
  return stream;
}

Result<RunResult> run_streamed_training(const SessionStream& stream, ItemId catalog_size, const Catalog* catalog,
                                        const RunOptions& options, const StreamTrainingOptions& stream_options,
                                        const std::string& dataset, const Progress& progress) {
  if (catalog_size <= 0) return Status(StatusCode::kBAD_INPUT, "no items in the training sessions");
  if (options.save_checkpoint || options.resume_from != nullptr)
    return Status(StatusCode::kINVALID_ARGUMENT, "a streamed run writes no checkpoints");
  // What the whole training part holds, and the held-out sessions' popularity (before their unseen items go).
  TrainingStats stats;
  stats.reset(catalog_size);
  VITRINE_RETURN_IF_ERROR(stream.for_each([&](EventSession& s, bool held_out) {
    if (Status bad = check_events(s, catalog_size); !bad.ok()) return bad;
    if (held_out)
      stats.add_held_out(s);
    else
      stats.add_training(s);
    return Status();
  }));
  // The held-out examples (the first ones in the file, which is ordered by visitor hash, so a sample of visitors)
  // and the sessions the conversion head is fitted on.
  std::vector<EventSession> valid_sessions, conversion_train;
  size_t valid_examples = 0, conversion_events = 0;
  VITRINE_RETURN_IF_ERROR(stream.for_each([&](EventSession& s, bool held_out) {
    if (held_out && valid_examples < stream_options.max_held_out_examples) {
      stats.drop_unseen(s);
      for (size_t k = 0; k < s.size(); ++k) valid_examples += is_label(s, k) ? 1 : 0;
      valid_sessions.push_back(std::move(s));
    } else if (!held_out && conversion_events + s.size() <= stream_options.max_conversion_events) {
      conversion_events += s.size();
      conversion_train.push_back(std::move(s));
    }
    return Status();
  }));
  const ExampleSet valid = make_examples(valid_sessions);

  const size_t batch = std::max<uint32_t>(1, options.train.batch_size);
  const size_t steps_per_pass = (stats.examples + batch - 1) / batch;
  const size_t passes = steps_per_pass == 0
                            ? 1
                            : std::max<size_t>(1, (options.min_steps_per_epoch + steps_per_pass - 1) / steps_per_pass);
  EpochFeed feed;
  feed.examples_per_epoch = passes * stats.examples;
  feed.passes = passes;
  feed.run = [&](uint32_t epoch, const BatchStep& step) -> Status {
    std::vector<EventSession> chunk;
    size_t chunk_events = 0;
    uint64_t chunk_index = 0;
    const auto train_chunk = [&] {
      ExampleSet data = make_examples(chunk);
      std::mt19937_64 rng(options.train.seed + epoch + 1000003 * chunk_index++);
      std::shuffle(data.examples.begin(), data.examples.end(), rng);
      for (size_t at = 0; at < data.examples.size(); at += batch)
        step(data, &data.examples[at], std::min(batch, data.examples.size() - at));
      chunk.clear();
      chunk_events = 0;
    };
    for (size_t pass = 0; pass < passes; ++pass) {
      VITRINE_RETURN_IF_ERROR(stream.for_each([&](EventSession& s, bool held_out) {
        if (held_out) return Status();
        chunk_events += s.size();
        chunk.push_back(std::move(s));
        if (chunk_events >= stream_options.chunk_events) train_chunk();
        return Status();
      }));
      if (!chunk.empty()) train_chunk();
    }
    return Status();
  };
  return train_model(stats, catalog_size, catalog, options, dataset, progress, feed, valid, conversion_train,
                     valid_sessions);
}

}  // namespace vitrine::train
