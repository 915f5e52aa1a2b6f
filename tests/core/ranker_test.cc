// The session model's file round trip, the request decoder, the profile and the ranker (natively and in wasm).
#include "vitrine/ranker.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "kernel_tester.h"
#include "vitrine/session_model_io.h"
#include "vitrine/session_model_writer.h"
#include "vitrine/shopper.h"
#include "vitrine/wire.h"

using namespace vitrine;

namespace {

// A small model with every content feature, random weights from the printed seed.
struct TinyModel {
  SessionModelWeights weights;
  std::vector<std::string> vocab;
  SessionModelContent content;
};

TinyModel tiny_model(uint32_t seed, uint32_t vocab_size = 40, uint32_t dim = 7) {
  SessionModelConfig c;
  c.vocab_size = vocab_size;
  c.dim = dim;
  c.max_length = 5;
  c.num_categories = 3;
  c.num_brands = 2;
  c.num_price_bands = 3;
  c.temperature = 4.0f;
  TinyModel m;
  m.weights = SessionModelWeights::zeros(c).value();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  m.weights.for_each_param([&](const char*, std::vector<float>& p) {
    for (float& x : p) x = u(rng);
  });
  for (uint32_t i = 1; i <= vocab_size; ++i) {
    m.weights.item_category[i] = static_cast<int32_t>(1 + i % 3);
    m.weights.item_brand[i] = static_cast<int32_t>(1 + i % 2);
    m.weights.item_price_band[i] = static_cast<int32_t>(1 + i % 3);
    m.vocab.push_back("sku-" + std::to_string(i));
  }
  m.content.category_names = {"shoes", "bags", "hats"};
  m.content.brand_names = {"acme", "zenith"};
  m.content.price_band_edges = {20.0f, 50.0f};
  return m;
}

std::vector<uint8_t> serialize(const TinyModel& m, DType storage = DType::kF32) {
  SessionModelExport options;
  options.item_storage = storage;
  options.training = {{"dataset", "generated"}};
  auto bytes = write_session_model(m.weights, m.vocab, m.content, options);
  REQUIRE(bytes.ok());
  return std::move(bytes).value();
}

Ranker load(const std::vector<uint8_t>& bytes) {
  auto ranker = Ranker::load(bytes.data(), bytes.size());
  INFO(ranker.status().to_string());
  REQUIRE(ranker.ok());
  return std::move(ranker).value();
}

std::string event_json(int kind, const std::string& item, double t, const std::string& extra = "") {
  return R"({"kind":)" + std::to_string(kind) + R"(,"item":")" + item + R"(","t":)" + std::to_string(t) + extra + "}";
}

}  // namespace

TEST_CASE("session model survives the model file round trip", "[session_model]") {
  const TinyModel m = tiny_model(testing::test_seed());
  INFO("seed " << testing::test_seed());
  for (DType storage : {DType::kF32, DType::kF16, DType::kI8}) {
    const auto bytes = serialize(m, storage);
    auto file = ModelFile::parse(bytes.data(), bytes.size());
    REQUIRE(file.ok());
    SessionModelContent content;
    auto back = read_session_model(file.value(), &content);
    REQUIRE(back.ok());
    CHECK(content.category_names == m.content.category_names);
    CHECK(content.price_band_edges == m.content.price_band_edges);
    CHECK(back.value().item_category == m.weights.item_category);
    // Dense weights are stored exactly; the item table within its storage's error.
    CHECK(back.value().out_w == m.weights.out_w);
    const float tolerance = storage == DType::kF32 ? 0.0f : storage == DType::kF16 ? 1e-3f : 0.5f / 127.0f;
    for (size_t i = 0; i < m.weights.item_emb.size(); ++i)
      REQUIRE(std::fabs(back.value().item_emb[i] - m.weights.item_emb[i]) <= tolerance);
  }
}

TEST_CASE("fewer item bits keep an i8 table readable with fewer distinct levels per row", "[session_model]") {
  const TinyModel m = tiny_model(testing::test_seed(), 60, 16);
  INFO("seed " << testing::test_seed());
  SessionModelExport options;
  options.item_bits = 4;  // 7 levels each side of zero
  auto bytes = write_session_model(m.weights, m.vocab, m.content, options);
  REQUIRE(bytes.ok());
  auto file = ModelFile::parse(bytes.value().data(), bytes.value().size());
  REQUIRE(file.ok());
  CHECK(file.value().find("item_emb")->dtype == DType::kI8);
  auto back = read_session_model(file.value());
  REQUIRE(back.ok());
  const size_t d = 16;
  for (size_t r = 1; r <= 60; ++r) {
    const float* want = m.weights.item_emb.data() + r * d;
    const float* got = back.value().item_emb.data() + r * d;
    float max_abs = 0.0f;
    for (size_t k = 0; k < d; ++k) max_abs = std::max(max_abs, std::fabs(want[k]));
    std::vector<float> levels(got, got + d);
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
    CHECK(levels.size() <= 15);
    for (size_t k = 0; k < d; ++k) REQUIRE(std::fabs(got[k] - want[k]) <= max_abs / 14.0f + max_abs / 254.0f + 1e-6f);
  }
  options.item_bits = 1;
  CHECK(write_session_model(m.weights, m.vocab, m.content, options).status().code() == StatusCode::kINVALID_ARGUMENT);
}

TEST_CASE("reading a session model rejects files that disagree with its config", "[session_model]") {
  TinyModel m = tiny_model(7);
  SessionModelExport options;
  // Wrong vocabulary length and mismatched content names are refused at write time.
  m.vocab.pop_back();
  CHECK(write_session_model(m.weights, m.vocab, m.content, options).status().code() == StatusCode::kINVALID_ARGUMENT);
  m = tiny_model(7);
  m.content.brand_names.pop_back();
  CHECK_FALSE(write_session_model(m.weights, m.vocab, m.content, options).ok());
  // A file of another kind is refused by the session reader with a message naming the kind.
  m = tiny_model(7);
  ModelFileWriter writer;
  writer.set_kind("mlp");
  REQUIRE(writer.set_vocabulary(m.vocab).ok());
  auto bytes = writer.serialize();
  REQUIRE(bytes.ok());
  auto file = ModelFile::parse(bytes.value().data(), bytes.value().size());
  REQUIRE(file.ok());
  auto read = read_session_model(file.value());
  REQUIRE_FALSE(read.ok());
  CHECK(read.status().message().find("mlp") != std::string::npos);
}

TEST_CASE("rank requests decode strictly and name the bad field", "[request]") {
  auto ok = decode_rank_request_json(R"({"now": 1000, "events": [)" +
                                     event_json(0, "sku-1", 10, R"(,"dwell":2500,"price":12.5)") +
                                     R"(, {"kind": 4, "t": 20, "query": "red <b>boots</b>"}],
                                   "candidates": [{"id": "sku-2", "category": "shoes", "price": -3}]})");
  REQUIRE(ok.ok());
  const RankRequest& r = ok.value();
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].dwell_ms == 2500.0);
  CHECK(r.events[1].query == "red <b>boots</b>");  // kept as data, never interpreted
  CHECK(r.candidates[0].price < 0.0f);             // a negative price is treated as unknown

  const auto code_of = [](const std::string& text) { return decode_rank_request_json(text).status(); };
  CHECK(code_of("{not json").code() == StatusCode::kBAD_INPUT);
  CHECK(code_of("[]").code() == StatusCode::kBAD_INPUT);
  CHECK(code_of(R"({"events": []})").message().find("now") != std::string::npos);
  const Status bad_kind = code_of(R"({"now": 1, "events": [{"kind": 9, "t": 1, "item": "a"}]})");
  CHECK(bad_kind.code() == StatusCode::kBAD_INPUT);
  CHECK(bad_kind.message().find("events[0].kind") != std::string::npos);
  CHECK(code_of(R"({"now": 1, "events": [{"kind": 0, "t": 1}]})").message().find("events[0].item") !=
        std::string::npos);
  CHECK(code_of(R"({"now": 1, "candidates": [{"id": 5}]})").message().find("candidates[0].id") != std::string::npos);
  RequestLimits small;
  small.max_string_bytes = 4;
  CHECK(decode_rank_request_json(R"({"now": 1, "candidates": [{"id": "toolong"}]})", small).status().code() ==
        StatusCode::kLIMIT_EXCEEDED);
  small.max_events = 1;
  CHECK(decode_rank_request_json(R"({"now":1,"events":[)" + event_json(0, "a", 1) + "," + event_json(0, "b", 2) + "]}",
                                 small)
            .status()
            .code() == StatusCode::kLIMIT_EXCEEDED);
}

TEST_CASE("profile weights categories by interest and decays old events", "[profile]") {
  const double day = 86'400'000.0, now = 100 * day;
  std::vector<ShopperEvent> events;
  ShopperEvent old_purchase;
  old_purchase.kind = EventKind::kPURCHASE;
  old_purchase.item = "a";
  old_purchase.category = "hats";
  old_purchase.time_ms = now - 60 * day;  // about 8.5 half-lives ago
  events.push_back(old_purchase);
  for (int i = 0; i < 3; ++i) {
    ShopperEvent view;
    view.item = "s" + std::to_string(i);
    view.category = "shoes";
    view.brand = "acme";
    view.price = 40.0f + static_cast<float>(i);
    view.dwell_ms = 8000;
    view.time_ms = now - 60'000.0 * (3 - i);
    events.push_back(view);
  }
  const Profile p = build_profile(events, now);
  REQUIRE(p.categories.size() == 2);
  CHECK(p.categories[0].name == "shoes");
  CHECK(p.categories[0].events == 3);
  CHECK(p.categories[0].weight + p.categories[1].weight == Approx(1.0f));
  CHECK(p.session_events == 3);  // the old purchase is another session
  CHECK(p.session_category == "shoes");
  CHECK(p.session_stage == "comparing");
  CHECK(price_fit(p, 41.0f) > 0.9f);
  CHECK(price_fit(p, 400.0f) < 0.01f);
  CHECK(price_fit(p, -1.0f) == 0.0f);
  // The message the engine hands to JS holds the names and the stage (tests/js/wire.test.mjs reads it back).
  const std::vector<uint8_t> message = encode_profile(p);
  const std::string text(message.begin(), message.end());
  CHECK(text.find("shoes") != std::string::npos);
  CHECK(message[VT_WIRE_PROFILE_STAGE] == 2);  // "comparing" in VT_WIRE_STAGES
}

TEST_CASE("ranker top-K agrees with the scalar catalog scorer", "[ranker]") {
  const uint32_t seed = testing::test_seed();
  INFO("seed " << seed);
  const TinyModel m = tiny_model(seed, 300, 13);
  const Ranker ranker = load(serialize(m));
  const std::vector<SessionEvent> session = {{5, 0}, {17, 1}, {5, 2}, {230, 0}};
  std::vector<float> reference(301), item_vectors;
  compute_item_vectors(ranker.weights(), item_vectors);
  std::vector<float> s(13);
  encode_session(ranker.weights(), item_vectors.data(), session.data(), session.size(), s.data());
  vitrine::score_catalog(ranker.weights(), item_vectors.data(), s.data(), session.data(), session.size(),
                         reference.data());
  std::vector<uint32_t> items(20);
  std::vector<float> scores(20);
  REQUIRE(ranker.top_k(session, 20, items.data(), scores.data()) == 20);
  for (size_t i = 0; i < 20; ++i) {
    INFO("rank " << i << " item " << items[i]);
    REQUIRE(items[i] >= 1);
    CHECK(scores[i] == Approx(reference[items[i]]).margin(1e-4));
    // Nothing outside the top 20 scores clearly higher than the 20th.
    if (i == 19)
      for (size_t j = 1; j < reference.size(); ++j)
        if (std::find(items.begin(), items.end(), j) == items.end()) REQUIRE(reference[j] <= scores[19] + 1e-4f);
  }
}

TEST_CASE("ranker scores candidates, explains them and handles unknown products", "[ranker]") {
  const TinyModel m = tiny_model(testing::test_seed());
  const Ranker ranker = load(serialize(m));
  const std::string request = R"({"now": 100000, "events": [)" +
                              event_json(0, "sku-4", 1000, R"(,"category":"shoes","brand":"acme","price":30)") + "," +
                              event_json(2, "sku-7", 2000, R"(,"category":"shoes","brand":"acme","price":35)") + "," +
                              event_json(0, "sku-4", 3000, R"(,"category":"shoes")") +
                              R"(], "candidates": [{"id": "sku-4", "category": "shoes", "brand": "acme", "price": 31},
                                 {"id": "sku-9", "category": "hats"}, {"id": "never-seen", "category": "shoes"},
                                 {"id": "sku-4", "category": "shoes", "brand": "acme", "price": 31, "position": 0}]})";
  auto decoded = decode_rank_request_json(request);
  REQUIRE(decoded.ok());
  std::vector<float> scores(4);
  std::vector<Explanation> explanations;
  REQUIRE(ranker.rank(decoded.value(), scores.data(), &explanations).ok());
  REQUIRE(explanations.size() == 4);
  CHECK(scores[0] == scores[3]);  // the same product twice, at the same place in the shop's order, scores the same
  for (size_t i = 0; i < 4; ++i) {
    CHECK(std::isfinite(scores[i]));
    CHECK(explanations[i].score == scores[i]);
    float sum = 0.0f;
    for (const auto& f : explanations[i].factors) sum += f.contribution;
    CHECK(sum == Approx(scores[i]).margin(1e-4));  // the factors add up to the score
  }
  const auto has = [](const Explanation& e, const std::string& kind) {
    for (const auto& f : e.factors)
      if (f.kind == kind) return true;
    return false;
  };
  CHECK(has(explanations[0], "repeat"));    // seen twice in the session
  CHECK(has(explanations[0], "category"));  // shoes is the shopper's category
  CHECK_FALSE(has(explanations[1], "category"));
  CHECK(has(explanations[2], "category"));  // unknown product, known category: profile still applies
  CHECK_FALSE(has(explanations[2], "repeat"));
}

TEST_CASE("a product bought once goes after everything not bought; bought twice it ranks as usual", "[ranker]") {
  TinyModel m = tiny_model(testing::test_seed());
  // Almost only the shopper's own terms: the product they keep coming back to leads a listing it is in.
  m.weights.config.temperature = 1e-4f;
  std::fill(m.weights.repeat_bonus.begin(), m.weights.repeat_bonus.end(), 3.0f);
  const Ranker ranker = load(serialize(m));
  const std::string viewed = event_json(0, "sku-4", 1000, R"(,"category":"shoes","brand":"acme","price":30)") + "," +
                             event_json(0, "sku-4", 2000, R"(,"category":"shoes","brand":"acme","price":30)");
  const std::string bought = event_json(3, "sku-4", 3000, R"(,"category":"shoes","brand":"acme","price":30)");
  const std::string candidates = R"([{"id": "sku-9", "category": "hats"}, {"id": "sku-4", "category": "shoes",
      "brand": "acme", "price": 30}, {"id": "sku-7", "category": "shoes", "brand": "acme", "price": 32},
      {"id": "sku-11", "category": "bags", "price": 400}])";
  const auto rank = [&](const std::string& events, std::vector<Explanation>* explanations) {
    auto decoded =
        decode_rank_request_json(R"({"now": 100000, "events": [)" + events + R"(], "candidates": )" + candidates + "}");
    REQUIRE(decoded.ok());
    std::vector<float> scores(4);
    REQUIRE(ranker.rank(decoded.value(), scores.data(), explanations).ok());
    return scores;
  };
  const auto first = [](const std::vector<float>& s) { return std::max_element(s.begin(), s.end()) - s.begin(); };

  const std::vector<float> looked = rank(viewed, nullptr);
  REQUIRE(first(looked) == 1);  // without a purchase the product viewed twice leads

  std::vector<Explanation> why;
  const std::vector<float> after = rank(viewed + "," + bought, &why);
  for (size_t i : {0, 2, 3}) CHECK(after[1] < after[i]);  // strictly: a tie would go by the shop's order
  CHECK(first(after) == 2);                               // the same brand and category, not bought: its lift stays
  REQUIRE_FALSE(why[1].factors.empty());
  CHECK(why[1].factors.front().kind == "bought");  // the strongest term of its explanation
  CHECK(why[1].factors.front().events == 1);
  CHECK(why[1].factors.front().contribution < 0.0f);
  float sum = 0.0f;
  for (const auto& f : why[1].factors) sum += f.contribution;
  CHECK(sum == Approx(after[1]).margin(1e-3));  // the factors still add up to the score
  for (size_t i : {0, 2, 3})
    for (const auto& f : why[i].factors) CHECK(f.kind != "bought");

  const std::vector<float> staple = rank(viewed + "," + bought + "," + event_json(3, "sku-4", 4000), nullptr);
  CHECK(first(staple) == 1);  // bought twice: a staple, ranked like any product
}

TEST_CASE("visits: the file keeps visit_emb, the ranker marks earlier visits, the encoder reads the mark",
          "[session_model][ranker]") {
  TinyModel m = tiny_model(testing::test_seed());
  INFO("seed " << testing::test_seed());
  SessionModelConfig with_visits = m.weights.config;
  with_visits.visit_inputs = true;
  with_visits.visit_gap_minutes = 30;
  auto zeros = SessionModelWeights::zeros(with_visits);
  REQUIRE(zeros.ok());
  SessionModelWeights w = std::move(zeros).value();
  w.for_each_param([&](const char* name, std::vector<float>& p) {
    m.weights.for_each_param([&](const char* other, const std::vector<float>& q) {
      if (std::string(name) == other && q.size() == p.size()) p = q;
    });
  });
  w.item_category = m.weights.item_category;
  w.item_brand = m.weights.item_brand;
  w.item_price_band = m.weights.item_price_band;
  for (size_t j = 0; j < w.visit_emb.size(); ++j) w.visit_emb[j] = 0.25f * static_cast<float>(j + 1);
  m.weights = w;
  const auto bytes = serialize(m);
  auto file = ModelFile::parse(bytes.data(), bytes.size());
  REQUIRE(file.ok());
  CHECK(to_nlohmann(file.value().config()).value("visit_inputs", false));
  auto back = read_session_model(file.value(), nullptr);
  REQUIRE(back.ok());
  CHECK(back.value().config.visit_inputs);
  CHECK(back.value().visit_emb == w.visit_emb);

  const Ranker ranker = load(bytes);
  const double minute = 60'000.0, now = 1000 * minute;
  // Visit 1 two hours ago; visit 2 a few minutes ago (a search counts as activity and joins its neighbours).
  auto decoded = decode_rank_request_json(
      R"({"now": )" + std::to_string(now) + R"(, "events": [)" + event_json(0, "sku-1", now - 130 * minute) + "," +
      event_json(0, "sku-2", now - 120 * minute) + "," + event_json(0, "sku-3", now - 29 * minute) + "," +
      R"({"kind": 4, "query": "hats", "t": )" + std::to_string(now - 5 * minute) + "}," +
      event_json(2, "sku-4", now - 1 * minute) + R"(], "candidates": [{"id": "sku-2"}, {"id": "sku-4"}]})");
  REQUIRE(decoded.ok());
  const std::vector<SessionEvent> session = ranker.session_events(decoded.value().events, now);
  REQUIRE(session.size() == 4);
  CHECK(session[0].earlier_visit == 1);
  CHECK(session[1].earlier_visit == 1);
  CHECK(session[2].earlier_visit == 0);  // 29 minutes ago, then a search 24 minutes later: the same visit
  CHECK(session[3].earlier_visit == 0);
  // Back after the gap: nothing stored is from this visit yet.
  for (const SessionEvent& e : ranker.session_events(decoded.value().events, now + 31 * minute))
    CHECK(e.earlier_visit == 1);

  // The mark changes what the encoder reads, and by visit_emb: the same events as one visit read differently.
  std::vector<SessionEvent> one_visit = session;
  for (SessionEvent& e : one_visit) e.earlier_visit = 0;
  std::vector<float> a(ranker.weights().config.dim), b(a.size());
  SessionTape tape;
  ranker.encode(session, a.data(), &tape);
  ranker.encode(one_visit, b.data());
  CHECK(tape.earlier == std::vector<uint8_t>{1, 1, 0, 0});
  CHECK(a != b);

  // Explanations count repeats in this visit only: sku-2 was seen on the earlier visit alone.
  std::vector<float> scores(2);
  std::vector<Explanation> why;
  REQUIRE(ranker.rank(decoded.value(), scores.data(), &why).ok());
  const auto repeat_events = [&](size_t i) {
    for (const auto& f : why[i].factors)
      if (f.kind == "repeat") return static_cast<int>(f.events);
    return -1;
  };
  CHECK(repeat_events(0) == 0);  // sku-2: only on the earlier visit
  CHECK(repeat_events(1) == 1);  // sku-4: once, this visit
}

TEST_CASE("the merchant's order, boosts and stock hold against a profile that pulls the other way", "[ranker]") {
  TinyModel m = tiny_model(testing::test_seed());
  m.weights.config.temperature = 1e-4f;  // the shopper's own terms only: a clear pull towards sku-4 (shop's 2nd)
  std::fill(m.weights.repeat_bonus.begin(), m.weights.repeat_bonus.end(), 3.0f);
  const Ranker ranker = load(serialize(m));
  const std::string events = event_json(0, "sku-4", 1000, R"(,"category":"shoes","brand":"acme","price":30)") + "," +
                             event_json(2, "sku-4", 2000, R"(,"category":"shoes","brand":"acme","price":30)") + "," +
                             event_json(3, "sku-7", 3000, R"(,"category":"hats")");
  const auto rank = [&](const std::string& candidates, const std::string& extra, std::vector<Explanation>* why) {
    auto decoded = decode_rank_request_json(R"({"now": 100000, "events": [)" + events + R"(], "candidates": )" +
                                            candidates + extra + "}");
    REQUIRE(decoded.ok());
    std::vector<float> scores(decoded.value().candidates.size());
    REQUIRE(ranker.rank(decoded.value(), scores.data(), why).ok());
    return scores;
  };
  const auto first = [](const std::vector<float>& s) { return std::max_element(s.begin(), s.end()) - s.begin(); };
  const std::string plain = R"([{"id": "sku-9", "category": "bags"}, {"id": "sku-4", "category": "shoes",
      "brand": "acme", "price": 30}, {"id": "sku-11", "category": "bags"}, {"id": "sku-7", "category": "hats"}])";

  SECTION("blend: 0 is the personal order, a large weight the shop's, and the default sits between") {
    CHECK(first(rank(plain, R"(, "blend": 0)", nullptr)) == 1);
    const std::vector<float> shop = rank(plain, R"(, "blend": 100)", nullptr);
    for (size_t i = 1; i < 4; ++i) CHECK(shop[i - 1] > shop[i]);  // exactly the shop's order
    std::vector<Explanation> why;
    const std::vector<float> blended = rank(plain, "", &why);
    CHECK(first(blended) == 1);  // a strong personal signal still moves the shop's 2nd up
    float sum = 0.0f;
    bool has_shop = false;
    for (const auto& f : why[0].factors) {
      sum += f.contribution;
      has_shop |= f.kind == "shop" && f.contribution > 0.0f;  // the shop's first, above the listing's mean
    }
    CHECK(has_shop);
    CHECK(sum == Approx(blended[0]).margin(1e-3));
    // The shop's place comes from "position", not from where the page lists the product now.
    const std::vector<float> moved = rank(R"([{"id": "sku-11", "category": "bags", "position": 2},
        {"id": "sku-9", "category": "bags", "position": 0}])",
                                          R"(, "blend": 100)", nullptr);
    CHECK(moved[1] > moved[0]);
  }
  SECTION("boosts and buries: the merchant's term adds to the score") {
    CHECK(first(rank(R"([{"id": "sku-9", "category": "bags"}, {"id": "sku-4", "category": "shoes", "brand": "acme",
        "price": 30, "boost": -20}, {"id": "sku-11", "category": "bags"}])",
                     "", nullptr)) != 1);
    std::vector<Explanation> why;
    CHECK(first(rank(R"([{"id": "sku-9", "category": "bags"}, {"id": "sku-4", "category": "shoes", "brand": "acme",
        "price": 30}, {"id": "sku-11", "category": "bags", "boost": 20}])",
                     "", &why)) == 2);
    CHECK(why[2].factors.front().kind == "boost");
  }
  SECTION("out of stock goes after everything available, the bought-once product included") {
    std::vector<Explanation> why;
    const std::vector<float> s = rank(R"([{"id": "sku-4", "category": "shoes", "brand": "acme", "price": 30,
        "available": false}, {"id": "sku-9", "category": "bags"}, {"id": "sku-7", "category": "hats"}])",
                                      "", &why);
    CHECK(s[0] < s[1]);
    CHECK(s[0] < s[2]);  // sku-7 was bought once, so it sank first; the unavailable product still goes after it
    CHECK(why[0].factors.front().kind == "unavailable");
  }
}

TEST_CASE("a request without a blend takes the model's own (config.blend); a bad one is refused", "[ranker]") {
  const TinyModel m = tiny_model(testing::test_seed());
  SessionModelExport options;
  options.item_storage = DType::kF32;  // as serialize() writes, so only the blend differs
  options.blend = 2.5f;
  auto bytes = write_session_model(m.weights, m.vocab, m.content, options);
  REQUIRE(bytes.ok());
  const Ranker learned = load(bytes.value());
  const Ranker plain = load(serialize(m));
  CHECK(learned.default_blend() == 2.5f);
  CHECK(plain.default_blend() == kDefaultBlend);
  CHECK(learned.info_json().find(R"("blend":2.5)") != std::string::npos);
  const auto scores = [](const Ranker& ranker, const std::string& blend) {
    auto decoded = decode_rank_request_json(R"({"now": 5000, "events": [)" + event_json(0, "sku-4", 1000) +
                                            R"(], "candidates": [{"id": "sku-9"}, {"id": "sku-4"}, {"id": "sku-11"}])" +
                                            blend + "}");
    REQUIRE(decoded.ok());
    std::vector<float> s(3);
    REQUIRE(ranker.rank(decoded.value(), s.data()).ok());
    return s;
  };
  CHECK(scores(learned, "") == scores(learned, R"(, "blend": 2.5)"));
  CHECK(scores(learned, "") != scores(plain, ""));
  CHECK(scores(plain, "") == scores(plain, R"(, "blend": 1)"));
  CHECK(scores(learned, R"(, "blend": 0)") == scores(plain, R"(, "blend": 0)"));  // the page's weight wins

  options.blend = 101.0f;
  CHECK(write_session_model(m.weights, m.vocab, m.content, options).status().code() == StatusCode::kINVALID_ARGUMENT);
  // A file whose config.blend is out of range or not a number does not load.
  for (const char* bad : {"150", "-1", "\"x\""}) {
    std::string text(bytes.value().begin(), bytes.value().end());
    const size_t at = text.find(R"("blend":2.5)");
    REQUIRE(at != std::string::npos);
    std::string value = bad;
    value.resize(3, ' ');  // same length: the header's size is in the file
    text.replace(at + 8, 3, value);
    const uint32_t checksum =
        model_file_checksum(reinterpret_cast<const uint8_t*>(text.data()), text.size());  // only the value is wrong
    std::memcpy(text.data() + 24, &checksum, 4);
    auto broken = Ranker::load(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    INFO(bad);
    CHECK(broken.status().code() == StatusCode::kMODEL_CORRUPT);
    CHECK(broken.status().message().find("config.blend") != std::string::npos);
  }
}

TEST_CASE("the merchant's fields decode strictly", "[request]") {
  const auto problem = [](const std::string& text) { return decode_rank_request_json(text).status().message(); };
  CHECK_THAT(problem(R"({"now": 1, "candidates": [{"id": "a", "position": -1}]})"), Catch::Contains("position"));
  CHECK_THAT(problem(R"({"now": 1, "candidates": [{"id": "a", "position": 1.5}]})"), Catch::Contains("position"));
  CHECK_THAT(problem(R"({"now": 1, "candidates": [{"id": "a", "boost": 101}]})"), Catch::Contains("boost"));
  CHECK_THAT(problem(R"({"now": 1, "candidates": [{"id": "a", "available": "no"}]})"), Catch::Contains("available"));
  CHECK_THAT(problem(R"({"now": 1, "blend": -1})"), Catch::Contains("blend"));
  CHECK_THAT(problem(R"({"now": 1, "blend": "high"})"), Catch::Contains("blend"));
  auto ok = decode_rank_request_json(R"({"now": 1, "blend": 2.5, "candidates": [{"id": "a", "position": 7, "boost": -3,
      "available": false}]})");
  REQUIRE(ok.ok());
  CHECK(ok.value().blend == 2.5f);
  CHECK(ok.value().rank_by == RankBy::kRelevance);
  CHECK_THAT(problem(R"({"now": 1, "rank_by": "price"})"), Catch::Contains("rank_by"));
  CHECK_THAT(problem(R"({"now": 1, "rank_by": 1})"), Catch::Contains("rank_by"));
  CHECK(decode_rank_request_json(R"({"now": 1, "rank_by": "value"})").value().rank_by == RankBy::kValue);
  CHECK(decode_rank_request_json(R"({"now": 1, "rank_by": "conversion"})").value().rank_by == RankBy::kConversion);
  CHECK(ok.value().candidates[0].position == 7);
  CHECK(ok.value().candidates[0].boost == -3.0f);
  CHECK_FALSE(ok.value().candidates[0].available);
}

// ------------------------------------------------------------------------------------------- the conversion head

namespace {

// The tiny model with a conversion head: random weights and item rates from the seed; `outputs` picks the fitted
// outputs (bit 0 cart, bit 1 purchase).
TinyModel tiny_model_with_head(uint32_t seed, unsigned outputs = 3) {
  TinyModel m = tiny_model(seed);
  SessionModelConfig c = m.weights.config;
  c.cart_head = (outputs & 1u) != 0;
  c.purchase_head = (outputs & 2u) != 0;
  SessionModelWeights with = SessionModelWeights::zeros(c).value();
  m.weights.config = c;
  m.weights.conversion_w = with.conversion_w;
  m.weights.conversion_b = with.conversion_b;
  m.weights.item_conversion = with.item_conversion;
  std::mt19937 rng(seed + 1);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  for (auto* t : {&m.weights.conversion_w, &m.weights.conversion_b, &m.weights.item_conversion})
    for (float& x : *t) x = u(rng) - (t == &m.weights.item_conversion ? 3.0f : 0.0f);
  return m;
}

}  // namespace

TEST_CASE("conversion features count the window as documented", "[conversion]") {
  const TinyModel m = tiny_model_with_head(testing::test_seed());
  INFO("seed " << testing::test_seed());
  const SessionModelConfig& c = m.weights.config;  // max_length 5
  const auto k = [](EventKind kind) { return static_cast<uint8_t>(kind); };
  // Oldest first: an earlier visit's cart of 3, then this visit: 9 viewed, 3 viewed and carted, an impression of 7
  // and a search (neither is looking at an item), 9 viewed again.
  const std::vector<SessionEvent> events = {
      {3, k(EventKind::kVIEW), 1},   {3, k(EventKind::kADD_TO_CART), 1}, {9, k(EventKind::kVIEW), 0},
      {3, k(EventKind::kVIEW), 0},   {3, k(EventKind::kADD_TO_CART), 0}, {7, k(EventKind::kIMPRESSION), 0},
      {0, k(EventKind::kSEARCH), 0}, {9, k(EventKind::kCLICK), 0},
  };
  ConversionContext context;
  conversion_context(c, events.data(), events.size(), context);
  CHECK(context.carts_this_visit == 1);
  CHECK(context.events_this_visit == 4);
  std::vector<float> session_vec(c.dim, 0.0f), item_vec(c.dim, 0.0f), f(conversion_feature_count(c));
  session_vec[0] = 1.0f;
  item_vec[0] = 0.25f;
  conversion_features(m.weights, context, session_vec.data(), item_vec.data(), 3, f.data());
  CHECK(f[0] == 0.25f);
  CHECK(f[1] == m.weights.item_conversion[3 * 2 + 0]);
  CHECK(f[2] == m.weights.item_conversion[3 * 2 + 1]);
  CHECK(f[3] == 1.0f);
  CHECK(f[4] == Approx(std::log(3.0f)));  // two events on 3 this visit
  // Window of 5 reaches back to the earlier visit's cart only: the view before it falls out.
  CHECK(f[5] == Approx(std::log(2.0f)));
  CHECK(f[6] == Approx(std::exp(-1.0f / 4.0f)));  // 3's last event is one before the newest
  CHECK(f[7] == 1.0f);
  CHECK(f[8] == 0.0f);
  CHECK(f[9] == 1.0f);
  CHECK(f[10] == Approx(std::log(2.0f)));
  CHECK(f[11] == Approx(std::log(5.0f)));
  CHECK(f[kConversionScalarFeatures] == 0.25f);
  // The impression of 7 is not a look at it; an unknown item reads row 0 and no counts.
  conversion_features(m.weights, context, session_vec.data(), item_vec.data(), 7, f.data());
  CHECK(f[4] == 0.0f);
  CHECK(f[6] == 0.0f);
  conversion_features(m.weights, context, session_vec.data(), item_vec.data(), 0, f.data());
  CHECK(f[1] == m.weights.item_conversion[0]);
  CHECK(f[3] == 0.0f);
  // A cart of this visit older than the window still counts as in the cart; nothing else of it does.
  std::vector<SessionEvent> longer = events;
  longer.insert(longer.begin() + 2, SessionEvent{11, k(EventKind::kADD_TO_CART), 0});
  longer.push_back({9, k(EventKind::kVIEW), 0});  // two more looks push the cart of 11 out of the window of 5
  longer.push_back({9, k(EventKind::kVIEW), 0});
  conversion_context(c, longer.data(), longer.size(), context);
  CHECK(context.carts_this_visit == 2);
  CHECK(context.events_this_visit == 5);
  conversion_features(m.weights, context, session_vec.data(), item_vec.data(), 11, f.data());
  CHECK(f[7] == 1.0f);
  CHECK(f[4] == 0.0f);
  CHECK(f[6] == 0.0f);
}

TEST_CASE("the conversion head survives the file round trip and a damaged head is refused", "[conversion]") {
  const TinyModel m = tiny_model_with_head(testing::test_seed(), 2);
  INFO("seed " << testing::test_seed());
  const auto bytes = serialize(m);
  auto file = ModelFile::parse(bytes.data(), bytes.size());
  REQUIRE(file.ok());
  auto read = read_session_model(file.value());
  REQUIRE(read.ok());
  CHECK_FALSE(read.value().config.cart_head);
  CHECK(read.value().config.purchase_head);
  CHECK(read.value().conversion_w == m.weights.conversion_w);
  CHECK(read.value().conversion_b == m.weights.conversion_b);
  CHECK(read.value().item_conversion == m.weights.item_conversion);

  TinyModel broken = m;
  broken.weights.conversion_b[1] = std::numeric_limits<float>::infinity();
  CHECK_FALSE(write_session_model(broken.weights, broken.vocab, broken.content, SessionModelExport()).ok());

  // Files another writer made: the same tensors re-emitted, with the config or one tensor changed.
  const auto rewrite = [&](const std::vector<uint8_t>& from, const std::function<void(nlohmann::json&)>& edit_config,
                           const std::string& change, float value) {
    // (The writer refuses non-finite values, so `value` is finite here; the reader's own check is for other writers.)
    auto parsed = ModelFile::parse(from.data(), from.size());
    REQUIRE(parsed.ok());
    const ModelFile& f = parsed.value();
    ModelFileWriter writer;
    writer.set_kind(f.kind());
    nlohmann::json config = to_nlohmann(f.config());
    edit_config(config);
    writer.set_config(config);
    std::vector<std::string> vocab(f.vocabulary().begin(), f.vocabulary().end());
    REQUIRE(writer.set_vocabulary(vocab).ok());
    for (const TensorView& t : f.tensors()) {
      if (t.name == "vocab") continue;
      const std::vector<size_t> shape(t.shape.begin(), t.shape.end());
      if (t.dtype == DType::kI32) {
        auto ids = f.read_i32(t.name);
        REQUIRE(writer.add_i32(t.name, shape, ids.value().data(), ids.value().size()).ok());
      } else if (t.dtype == DType::kStr) {
        auto strings = f.read_strings(t.name);
        REQUIRE(writer.add_strings(t.name, {strings.value().begin(), strings.value().end()}).ok());
      } else {
        std::vector<float> values = f.read_f32(t.name).value();
        if (t.name == change) values.back() = value;
        REQUIRE(writer.add_f32(t.name, shape, values.data(), values.size(), DType::kF32).ok());
      }
    }
    auto out = writer.serialize();
    REQUIRE(out.ok());
    return std::move(out).value();
  };
  const auto load_status = [](const std::vector<uint8_t>& model) {
    return Ranker::load(model.data(), model.size()).status();
  };
  const auto keep = [](nlohmann::json&) {};
  REQUIRE(load_status(rewrite(bytes, keep, "", 0.0f)).ok());  // the rewrite itself loses nothing
  const Status changed = load_status(rewrite(bytes, keep, "conversion_b", 0.5f));
  REQUIRE(changed.ok());  // a changed value is a different model, not a damaged one
  // A config that claims a head whose tensors the file lacks.
  const auto headless = serialize(tiny_model(testing::test_seed()));
  const Status missing = load_status(rewrite(
      headless, [](nlohmann::json& c) { c["cart_head"] = true; }, "", 0.0f));
  CHECK(missing.code() == StatusCode::kMODEL_CORRUPT);
  CHECK_THAT(missing.message(), Catch::Contains("conversion_w"));
  const Status not_bool = load_status(rewrite(
      bytes, [](nlohmann::json& c) { c["purchase_head"] = 1; }, "", 0.0f));
  CHECK_THAT(not_bool.message(), Catch::Contains("purchase_head"));
}

TEST_CASE("rank returns the head's probabilities and orders by conversion or value when asked", "[conversion]") {
  const TinyModel m = tiny_model_with_head(testing::test_seed());
  INFO("seed " << testing::test_seed());
  const Ranker ranker = load(serialize(m));
  const std::string events =
      event_json(0, "sku-4", 1000) + "," + event_json(2, "sku-7", 2000) + "," + event_json(0, "sku-4", 3000);
  const std::string candidates = R"([{"id": "sku-4", "price": 10}, {"id": "sku-9", "price": 80}, {"id": "new-1"},
      {"id": "sku-7", "price": 30}, {"id": "sku-12", "price": 5}])";
  const auto request = [&](const std::string& by) {
    auto r = decode_rank_request_json(R"({"now": 4000, "blend": 0, "events": [)" + events + R"(], "candidates": )" +
                                      candidates + R"(, "rank_by": ")" + by + R"("})");
    REQUIRE(r.ok());
    return std::move(r).value();
  };
  const size_t n = 5;
  std::vector<float> relevance(n), conversion(2 * n), again(n), by_conversion(n), by_value(n);
  std::vector<Explanation> why;
  REQUIRE(ranker.rank(request("relevance"), relevance.data(), nullptr, conversion.data()).ok());
  // Asking for the probabilities changes no score.
  REQUIRE(ranker.rank(request("relevance"), again.data()).ok());
  CHECK(again == relevance);
  for (float p : conversion) {
    CHECK(p > 0.0f);
    CHECK(p < 1.0f);
  }
  // The same probabilities as the evaluator's path for known items (new-1 is unknown to the model).
  const std::vector<SessionEvent> session = ranker.session_events(request("relevance").events, 4000);
  const uint32_t items[] = {ranker.item_of("sku-4"), ranker.item_of("sku-9")};
  float cart[2], purchase[2];
  ranker.conversion(session, items, 2, cart, purchase);
  CHECK(cart[0] == conversion[0]);
  CHECK(cart[1] == conversion[1]);
  CHECK(purchase[0] == conversion[n + 0]);
  CHECK(purchase[1] == conversion[n + 1]);

  REQUIRE(ranker.rank(request("conversion"), by_conversion.data(), &why).ok());
  REQUIRE(ranker.rank(request("value"), by_value.data()).ok());
  const float typical_price = 30.0f;  // median of 10, 80, 30, 5
  const float prices[] = {10, 80, typical_price, 30, 5};
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const float pi = conversion[n + i], pj = conversion[n + j];
      CHECK((by_conversion[i] > by_conversion[j]) == (pi > pj));
      CHECK((by_value[i] > by_value[j]) == (pi * prices[i] > pj * prices[j] * (1 + 1e-6f)));
    }
    REQUIRE(why[i].factors.size() == 1);
    CHECK(why[i].factors[0].kind == "conversion");
    CHECK(why[i].factors[0].probability == conversion[n + i]);
    CHECK(why[i].purchase == conversion[n + i]);
    CHECK(why[i].cart == conversion[i]);
  }
}

TEST_CASE("a head without its purchase output ranks by carts; a model without a head refuses rank_by", "[conversion]") {
  const TinyModel carts_only = tiny_model_with_head(testing::test_seed(), 1);
  INFO("seed " << testing::test_seed());
  const Ranker ranker = load(serialize(carts_only));
  auto r = decode_rank_request_json(R"({"now": 1, "blend": 0, "rank_by": "conversion",
      "candidates": [{"id": "sku-1"}, {"id": "sku-2"}, {"id": "sku-3"}]})");
  REQUIRE(r.ok());
  std::vector<float> scores(3), conversion(6);
  REQUIRE(ranker.rank(r.value(), scores.data(), nullptr, conversion.data()).ok());
  for (size_t i = 0; i < 3; ++i) {
    CHECK(std::isnan(conversion[3 + i]));  // no purchase output
    for (size_t j = 0; j < 3; ++j) CHECK((scores[i] > scores[j]) == (conversion[i] > conversion[j]));
  }
  const Ranker plain = load(serialize(tiny_model(testing::test_seed())));
  const Status refused = plain.rank(r.value(), scores.data());
  CHECK(refused.code() == StatusCode::kBAD_INPUT);
  CHECK_THAT(refused.message(), Catch::Contains("conversion head"));
  r.value().rank_by = RankBy::kRelevance;
  REQUIRE(plain.rank(r.value(), scores.data(), nullptr, conversion.data()).ok());
  for (float p : conversion) CHECK(std::isnan(p));
}
