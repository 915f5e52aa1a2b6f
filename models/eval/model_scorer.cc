// The trained session model as a SessionScorer: the engine's own Ranker (the code the browser runs), natively.
#include "eval/model_scorer.h"

#include <fstream>
#include <iterator>
#include <string>

#include "eval/item_codes_file.h"
#include "vitrine/ranker.h"

namespace vitrine::eval {
namespace {

class ModelScorer : public SessionScorer {
 public:
  ModelScorer(std::string name, Ranker ranker) : name_(std::move(name)), ranker_(std::move(ranker)) {}

  std::string name() const override { return name_; }
  ItemId catalog_size() const override { return static_cast<ItemId>(ranker_.weights().config.vocab_size); }

  // `vitrine train` numbers model items by the dataset's item ids, so a prefix maps to the encoder's input
  // directly. Ranker is const and keeps no per-call state, so threads can share it.
  Status score(const std::vector<ItemId>& prefix, float* scores) const override {
    std::vector<SessionEvent> session;
    session.reserve(prefix.size());
    for (ItemId item : prefix) session.push_back({static_cast<uint32_t>(item), 0});
    ranker_.score_catalog(session, scores);
    return Status();
  }

  // The whole prefix with its kinds, as the browser feeds the engine (impressions included where the model reads
  // them).
  Result<TargetRank> rank_example(const SessionExample& example, float* scratch) const override {
    if (example.kinds.empty()) return rank(example.prefix, example.label, scratch);
    const ItemId n = catalog_size();
    if (example.label < 1 || example.label > n)
      return Status(StatusCode::kINVALID_ARGUMENT,
                    "label " + std::to_string(example.label) + " is outside the catalog");
    std::vector<SessionEvent> session;
    session.reserve(example.prefix.size());
    for (size_t i = 0; i < example.prefix.size(); ++i)
      session.push_back({static_cast<uint32_t>(example.prefix[i]), example.kinds[i]});
    ranker_.score_catalog(session, scratch);
    return rank_of_target(scratch + 1, static_cast<size_t>(n), static_cast<size_t>(example.label - 1));
  }

 private:
  std::string name_;
  Ranker ranker_;
};

}  // namespace

Result<Ranker> load_ranker(const std::string& path, const std::string& item_codes_path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kBAD_INPUT, path + ": cannot open the model file");
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto ranker = Ranker::load(bytes.data(), bytes.size());
  if (!ranker.ok()) return Status(ranker.status().code(), path + ": " + ranker.status().message());
  const bool coded = ranker.value().weights().config.coded_items();
  if (item_codes_path.empty() && coded)
    return Status(StatusCode::kBAD_INPUT, path +
                                              ": the model's items are coded: give the codes file written with it "
                                              "(--item-codes)");
  if (item_codes_path.empty()) return ranker;
  if (!coded) return Status(StatusCode::kBAD_INPUT, path + ": the model holds its own items; it takes no --item-codes");
  auto codes = read_item_codes_file(item_codes_path);
  if (!codes.ok()) return codes.status();
  Status added = ranker.value().add_items(codes.value().ids, codes.value().codes);
  if (!added.ok()) return Status(added.code(), item_codes_path + ": " + added.message());
  return ranker;
}

Result<std::unique_ptr<SessionScorer>> load_model_scorer(const std::string& path, ItemId catalog_size,
                                                         const std::string& item_codes_path) {
  auto ranker = load_ranker(path, item_codes_path);
  if (!ranker.ok()) return ranker.status();
  const auto vocab = static_cast<ItemId>(ranker.value().weights().config.vocab_size);
  if (vocab != catalog_size)
    return Status(StatusCode::kBAD_INPUT, path + ": the model knows " + std::to_string(vocab) +
                                              " items but the training sessions have " + std::to_string(catalog_size) +
                                              ": was it trained on this dataset?");
  const size_t slash = path.find_last_of('/');
  std::string name = "model (" + (slash == std::string::npos ? path : path.substr(slash + 1)) + ")";
  return std::unique_ptr<SessionScorer>(new ModelScorer(std::move(name), std::move(ranker).value()));
}

}  // namespace vitrine::eval
