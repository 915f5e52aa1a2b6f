// The trained session model as a SessionScorer for `vitrine eval --model FILE`.
#pragma once

#include <memory>
#include <string>

#include "eval/scorer.h"
#include "vitrine/session_data.h"

namespace vitrine::eval {

// Loads the model file and checks it against the evaluation catalog (ids 1..catalog_size).
// The only function `vitrine eval` needs from the model side: implementing it is all that adding the model
// to the evaluation takes. Until the session model lands it returns NO_MODEL (model_scorer.cc).
Result<std::unique_ptr<SessionScorer>> load_model_scorer(const std::string& path, ItemId catalog_size);

}  // namespace vitrine::eval
