// Placeholder until the session model (core/include/vitrine/model_file.h, session_model.h) exists; replace the
// body with: load and validate the file, check its vocabulary covers catalog_size, wrap it in a SessionScorer.
#include "eval/model_scorer.h"

namespace vitrine::eval {

Result<std::unique_ptr<SessionScorer>> load_model_scorer(const std::string& path, ItemId /*catalog_size*/) {
  return Status(StatusCode::kNO_MODEL, path + ": model support arrives with the session model");
}

}  // namespace vitrine::eval
