#include "eval/scorer.h"

#include <string>

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

}  // namespace vitrine::eval
