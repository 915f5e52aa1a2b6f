// The trained session model as a SessionScorer for `vitrine eval --model FILE`.
#pragma once

#include <memory>
#include <string>

#include "eval/scorer.h"
#include "vitrine/ranker.h"
#include "vitrine/session_data.h"

namespace vitrine::eval {

// Loads a model file as the engine does. With `item_codes_path` (a codes file of `vitrine export-codes`), the model
// is an encoder whose catalog is out of it, and the file's products, in its order, become its items 1, 2, ...
Result<Ranker> load_ranker(const std::string& path, const std::string& item_codes_path = "");

// Loads the model (load_ranker) and checks it against the evaluation catalog (ids 1..catalog_size).
Result<std::unique_ptr<SessionScorer>> load_model_scorer(const std::string& path, ItemId catalog_size,
                                                         const std::string& item_codes_path = "");

}  // namespace vitrine::eval
