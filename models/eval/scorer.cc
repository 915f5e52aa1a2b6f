#include "eval/scorer.h"

#include <string>

#include "vitrine/event_kinds.h"

namespace vitrine::eval {

Result<TargetRank> SessionScorer::rank(const std::vector<ItemId>& prefix, ItemId label, float* scratch) const {
  const ItemId n = catalog_size();
  if (label < 1 || label > n) {
    return Status(StatusCode::kINVALID_ARGUMENT,
                  "label " + std::to_string(label) + " is outside the catalog 1.." + std::to_string(n));
  }
  VITRINE_RETURN_IF_ERROR(score(prefix, scratch));
  // Skip the padding slot so it can never count as a competitor.
  return rank_of_target(scratch + 1, static_cast<size_t>(n), static_cast<size_t>(label - 1));
}

Result<TargetRank> SessionScorer::rank_example(const SessionExample& example, float* scratch) const {
  if (example.kinds.empty()) return rank(example.prefix, example.label, scratch);
  std::vector<ItemId> interactions;
  interactions.reserve(example.prefix.size());
  for (size_t i = 0; i < example.prefix.size(); ++i)
    if (example.kinds[i] != static_cast<uint8_t>(EventKind::kIMPRESSION)) interactions.push_back(example.prefix[i]);
  return rank(interactions, example.label, scratch);
}

}  // namespace vitrine::eval
