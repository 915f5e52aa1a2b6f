#include "eval/evaluate.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace vitrine::eval {

Status evaluate_scorer(const SessionScorer& scorer, const std::vector<SessionExample>& examples, int threads,
                       MetricAccumulator* out) {
  const size_t n = examples.size();
  const size_t workers =
      std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), (n + 255) / 256));
  // Small blocks handed out in turn keep both cores busy even when some prefixes are much slower.
  constexpr size_t kBlock = 256;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;
  std::vector<MetricAccumulator> partial(workers, MetricAccumulator(out->max_cutoff()));

  auto work = [&](size_t w) {
    std::vector<float> scratch(static_cast<size_t>(scorer.catalog_size()) + 1);
    MetricAccumulator& acc = partial[w];
    while (!failed.load(std::memory_order_relaxed)) {
      const size_t begin = next.fetch_add(kBlock);
      if (begin >= n) return;
      const size_t end = std::min(n, begin + kBlock);
      for (size_t i = begin; i < end; ++i) {
        Result<TargetRank> r = scorer.rank_example(examples[i], scratch.data());
        Status st = r.ok() ? acc.add(r.value()) : r.status();
        if (!st.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.ok()) {
            first_error = Status(st.code(), scorer.name() + ", example " + std::to_string(i + 1) + ": " + st.message());
          }
          failed = true;
          return;
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (std::thread& t : pool) t.join();
  if (!first_error.ok()) return first_error;
  for (const MetricAccumulator& acc : partial) VITRINE_RETURN_IF_ERROR(out->merge(acc));
  return Status::ok_status();
}

}  // namespace vitrine::eval
