// The conversion head's examples, measures and fit (models/train/conversion_fit.h), end to end through a trained
// model file and the engine's Ranker.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "conversion_fit.h"
#include "kernel_tester.h"
#include "train_run.h"
#include "vitrine/ranker.h"

using namespace vitrine;
using namespace vitrine::train;

namespace {

// Shoppers who buy an item mostly when they come back to it in the same visit (a second look), and otherwise at a
// low rate of the item's own. Counting can see the second look; the item's rate cannot.
std::vector<EventSession> comparing_shoppers(uint32_t seed, size_t sessions, uint32_t items) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> base(items + 1);
  for (double& b : base) b = 0.01 + 0.08 * u(rng);
  std::vector<EventSession> out;
  for (size_t s = 0; s < sessions; ++s) {
    EventSession events;
    const int length = 3 + static_cast<int>(u(rng) * 6);
    std::vector<uint32_t> seen;
    for (int t = 0; t < length; ++t) {
      uint32_t item = 1 + static_cast<uint32_t>(u(rng) * u(rng) * items);  // popular items first
      if (!seen.empty() && u(rng) < 0.35) item = seen[static_cast<size_t>(u(rng) * static_cast<double>(seen.size()))];
      const bool second_look = std::find(seen.begin(), seen.end(), item) != seen.end();
      seen.push_back(item);
      events.push_back({item, event_kind_code(EventKind::kVIEW), 0});
      if (u(rng) < (second_look ? 0.45 : base[item])) {
        events.push_back({item, event_kind_code(EventKind::kADD_TO_CART), 0});
        if (u(rng) < 0.7) events.push_back({item, event_kind_code(EventKind::kPURCHASE), 0});
      }
    }
    out.push_back(std::move(events));
  }
  return out;
}

}  // namespace

TEST_CASE("AUC counts ties as one half and log loss is the mean", "[conversion]") {
  CHECK(roc_auc({0.1f, 0.4f, 0.35f, 0.8f}, {0, 0, 1, 1}) == Approx(0.75));
  CHECK(roc_auc({0.5f, 0.5f, 0.5f}, {0, 1, 0}) == Approx(0.5));
  CHECK(roc_auc({0.2f, 0.9f}, {1, 0}) == Approx(0.0));
  CHECK(std::isnan(roc_auc({0.2f, 0.9f}, {1, 1})));
  CHECK(mean_log_loss({0.5f, 0.25f}, {1, 0}) == Approx((std::log(2.0) - std::log(0.75)) / 2));
}

TEST_CASE("conversion examples: each showing in the visit, labelled by what follows in the same visit",
          "[conversion]") {
  const std::vector<EventSession> sessions = {{
      {5, event_kind_code(EventKind::kVIEW), 1},         // an earlier visit: input only
      {5, event_kind_code(EventKind::kPURCHASE), 1},     //
      {1, event_kind_code(EventKind::kVIEW), 0},         // 2: carted and bought later
      {2, event_kind_code(EventKind::kIMPRESSION), 0},   // 3: shown, never carted
      {1, event_kind_code(EventKind::kADD_TO_CART), 0},  //
      {2, event_kind_code(EventKind::kCLICK), 0},        // 5
      {1, event_kind_code(EventKind::kPURCHASE), 0},     //
      {1, event_kind_code(EventKind::kVIEW), 0},         // 7: nothing follows
      {0, event_kind_code(EventKind::kSEARCH), 0},
  }};
  const auto examples = conversion_examples(sessions, 0);
  REQUIRE(examples.size() == 4);
  const uint32_t positions[] = {2, 3, 5, 7}, items[] = {1, 2, 2, 1};
  const bool carted[] = {true, false, false, false}, bought[] = {true, false, false, false};
  for (size_t i = 0; i < 4; ++i) {
    CHECK(examples[i].position == positions[i]);
    CHECK(examples[i].item == items[i]);
    CHECK(examples[i].carted == carted[i]);
    CHECK(examples[i].bought == bought[i]);
  }
  CHECK(in_cart_before(sessions, examples[3]));
  CHECK_FALSE(in_cart_before(sessions, examples[0]));
  // Capped: evenly spaced, the first kept.
  const auto capped = conversion_examples(sessions, 2);
  REQUIRE(capped.size() == 2);
  CHECK(capped[0].position == 2);
  CHECK(capped[1].position == 5);
}

TEST_CASE("the trained head beats the item's rate and 'already in cart' where second looks decide", "[conversion]") {
  const uint32_t seed = testing::test_seed();
  INFO("seed " << seed);
  const uint32_t items = 60;
  const std::vector<EventSession> train = comparing_shoppers(seed, 4000, items);
  const std::vector<EventSession> test = comparing_shoppers(seed + 1, 1500, items);
  RunOptions options;
  options.model.dim = 16;
  options.train.epochs = 2;
  options.train.threads = 2;
  options.train.seed = seed;
  auto run = run_training(train, static_cast<ItemId>(items), nullptr, options, "comparing shoppers", Progress());
  REQUIRE(run.ok());
  auto ranker = Ranker::load(run.value().model_bytes.data(), run.value().model_bytes.size());
  REQUIRE(ranker.ok());
  REQUIRE(ranker.value().weights().config.cart_head);
  REQUIRE(ranker.value().weights().config.purchase_head);
  const nlohmann::ordered_json measured = evaluate_conversion(ranker.value(), train, test);
  INFO(measured.dump(1));
  for (const char* output : {"add_to_cart", "purchase"}) {
    const auto& m = measured[output];
    REQUIRE(m["positives"].get<int64_t>() > 50);
    CHECK(m["model"]["auc"].get<double>() > m["item_rate"]["auc"].get<double>() + 0.05);
    CHECK(m["model"]["auc"].get<double>() > m["in_cart"]["auc"].get<double>());
    CHECK(m["model"]["log_loss"].get<double>() < m["item_rate"]["log_loss"].get<double>());
  }
}

TEST_CASE("a log without carts or purchases gets no head", "[conversion]") {
  std::vector<EventSession> views = comparing_shoppers(testing::test_seed(), 600, 30);
  for (EventSession& s : views)
    s.erase(std::remove_if(s.begin(), s.end(),
                           [](const SessionEvent& e) { return e.kind != event_kind_code(EventKind::kVIEW); }),
            s.end());
  RunOptions options;
  options.model.dim = 8;
  options.train.epochs = 1;
  options.train.threads = 2;
  auto run = run_training(views, 30, nullptr, options, "views only", Progress());
  REQUIRE(run.ok());
  auto ranker = Ranker::load(run.value().model_bytes.data(), run.value().model_bytes.size());
  REQUIRE(ranker.ok());
  CHECK_FALSE(ranker.value().weights().config.has_conversion_head());
  CHECK(ranker.value().weights().conversion_w.empty());
}
