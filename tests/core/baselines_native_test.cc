// The baselines against brute-force implementations of their documented definitions on small random data,
// their fast rank() against full scoring, the threaded evaluator, and the report writers.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "eval/baselines.h"
#include "eval/evaluate.h"
#include "eval/report.h"
#include "test_support.h"

using vitrine::ItemId;
using vitrine::MetricAccumulator;
using vitrine::Session;
using vitrine::SessionCorpus;
using vitrine::SessionExample;
using vitrine::eval::ItemKnnOptions;
using vitrine::eval::Popularity;
using vitrine::eval::SessionScorer;

using vitrine::testing::test_seed;

namespace {

struct Data {
  SessionCorpus train;
  std::vector<SessionExample> test;
};

// Sessions drawn from a skewed distribution so that popularity, repeats and transitions all matter.
Data make_random_data(std::mt19937& rng, ItemId catalog, int n_sessions, int n_test) {
  Data d;
  auto draw = [&] {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<ItemId>(1 + static_cast<int>(u * u * catalog) % catalog);
  };
  for (int i = 0; i < n_sessions; ++i) {
    Session s(1 + rng() % 8);
    for (size_t t = 0; t < s.size(); ++t) {
      const bool repeat = t > 0 && rng() % 4 == 0;  // repeated clicks, as in real sessions
      s[t] = repeat ? s[t - 1] : draw();
    }
    d.train.sessions.push_back(s);
  }
  d.train.sessions.push_back({catalog});  // so the largest id is in the catalog
  for (const Session& s : d.train.sessions) {
    for (ItemId id : s) d.train.catalog_size = std::max(d.train.catalog_size, id);
  }
  for (int i = 0; i < n_test; ++i) {
    SessionExample e;
    e.prefix.resize(1 + rng() % 6);
    for (ItemId& id : e.prefix) id = draw();
    e.label = rng() % 3 == 0 ? e.prefix[rng() % e.prefix.size()] : draw();
    d.test.push_back(e);
  }
  return d;
}

// Sort key of an item in a baseline's order: (primary value, training count, -id), larger is better.
using Key = std::tuple<double, long long, int>;

int64_t brute_rank(const std::vector<Key>& keys, ItemId label) {
  int64_t higher = 0;
  for (size_t i = 1; i < keys.size(); ++i) higher += keys[i] > keys[static_cast<size_t>(label)];
  return 1 + higher;
}

std::vector<long long> counts(const Data& d) {
  std::vector<long long> c(static_cast<size_t>(d.train.catalog_size) + 1, 0);
  for (const Session& s : d.train.sessions) {
    for (ItemId id : s) ++c[static_cast<size_t>(id)];
  }
  return c;
}

std::vector<Key> keys_from(const std::vector<double>& primary, const std::vector<long long>& count) {
  std::vector<Key> k(primary.size());
  for (size_t i = 1; i < k.size(); ++i) k[i] = Key{primary[i], count[i], -static_cast<int>(i)};
  return k;
}

// Brute-force item-kNN similarity from its definition in baselines.h, over all neighbours.
double brute_similarity(const Data& d, ItemId a, ItemId b, double lambda) {
  if (a == b) return 0;
  double both = 0, na = 0, nb = 0;
  for (const Session& s : d.train.sessions) {
    const bool has_a = std::find(s.begin(), s.end(), a) != s.end();
    const bool has_b = std::find(s.begin(), s.end(), b) != s.end();
    both += has_a && has_b;
    na += has_a;
    nb += has_b;
  }
  return both / std::sqrt((na + lambda) * (nb + lambda));
}

std::vector<double> brute_primary(const std::string& key, const Data& d, const std::vector<ItemId>& prefix,
                                  double lambda) {
  const auto n = static_cast<size_t>(d.train.catalog_size);
  std::vector<double> p(n + 1, 0.0);
  if (key == "spop") {
    for (ItemId id : prefix) p[static_cast<size_t>(id)] += 1;
  } else if (key == "markov") {
    for (const Session& s : d.train.sessions) {
      for (size_t t = 0; t + 1 < s.size(); ++t) {
        if (s[t] == prefix.back()) p[static_cast<size_t>(s[t + 1])] += 1;
      }
    }
  } else if (key == "itemknn") {
    const std::set<ItemId> sources(prefix.begin(), prefix.end());  // ascending, like the scorer sums
    for (ItemId src : sources) {
      for (ItemId j = 1; j <= d.train.catalog_size; ++j)
        p[static_cast<size_t>(j)] += brute_similarity(d, src, j, lambda);
    }
  }
  return p;
}

std::unique_ptr<SessionScorer> make(const std::string& key, const Data& d) {
  auto pop = std::make_shared<const Popularity>(d.train.sessions, d.train.catalog_size);
  if (key == "itemknn") {
    ItemKnnOptions o;
    o.neighbours = 0;  // keep all, to compare with the brute force
    return std::make_unique<vitrine::eval::ItemKnnScorer>(d.train.sessions, pop, o);
  }
  auto s = vitrine::eval::make_baseline(key, d.train, pop);
  REQUIRE(s.ok());
  return std::move(s.value());
}

// Scores every item the same: exercises the default rank() and the tie counter.
class ConstantScorer final : public SessionScorer {
 public:
  explicit ConstantScorer(ItemId n) : n_(n) {}
  std::string name() const override { return "constant"; }
  ItemId catalog_size() const override { return n_; }
  vitrine::Status score(const std::vector<ItemId>&, float* scores) const override {
    std::fill(scores, scores + n_ + 1, 1.0f);
    scores[0] = 100.0f;  // padding must never compete
    return vitrine::Status::ok_status();
  }

 private:
  ItemId n_;
};

}  // namespace

TEST_CASE("baselines rank like brute force of their definitions", "[baselines]") {
  INFO("seed " << test_seed());
  std::mt19937 rng(test_seed());
  const Data d = make_random_data(rng, 30, 80, 150);
  const std::vector<long long> count = counts(d);
  for (const std::string key : {"pop", "spop", "markov", "itemknn"}) {
    INFO("baseline " << key);
    auto scorer = make(key, d);
    std::vector<float> scratch(static_cast<size_t>(d.train.catalog_size) + 1);
    for (const SessionExample& e : d.test) {
      const std::vector<Key> keys = keys_from(brute_primary(key, d, e.prefix, 20.0), count);
      const int64_t expected = brute_rank(keys, e.label);
      auto fast = scorer->rank(e.prefix, e.label, scratch.data());
      REQUIRE(fast.ok());
      CHECK(fast.value().rank == expected);
      CHECK(fast.value().tied == 0);
      // The generic path: full scores, then the metrics' rank rule.
      REQUIRE(scorer->score(e.prefix, scratch.data()).ok());
      auto slow = vitrine::rank_of_target(scratch.data() + 1, scratch.size() - 1, static_cast<size_t>(e.label - 1));
      REQUIRE(slow.ok());
      CHECK(slow.value().rank == expected);
      // A total order: no two items share a score, so the strictly-higher rule favours nobody.
      std::vector<float> sorted(scratch.begin() + 1, scratch.end());
      std::sort(sorted.begin(), sorted.end());
      CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    }
  }
}

TEST_CASE("item-kNN keeps only the most similar neighbours", "[baselines]") {
  INFO("seed " << test_seed());
  std::mt19937 rng(test_seed() + 1);
  const Data d = make_random_data(rng, 25, 60, 0);
  auto pop = std::make_shared<const Popularity>(d.train.sessions, d.train.catalog_size);
  ItemKnnOptions o;
  o.neighbours = 3;
  o.lambda = 5.0;
  vitrine::eval::ItemKnnScorer knn(d.train.sessions, pop, o);
  for (ItemId a = 1; a <= d.train.catalog_size; ++a) {
    std::vector<double> sims;
    for (ItemId b = 1; b <= d.train.catalog_size; ++b) {
      const double s = brute_similarity(d, a, b, o.lambda);
      if (s > 0) sims.push_back(s);
    }
    std::sort(sims.rbegin(), sims.rend());
    int kept = 0;
    for (ItemId b = 1; b <= d.train.catalog_size; ++b) {
      const double s = knn.similarity(a, b);
      if (s == 0) continue;
      ++kept;
      CHECK(s == Approx(brute_similarity(d, a, b, o.lambda)));
      CHECK(s >= sims[std::min<size_t>(sims.size(), 3) - 1] - 1e-12);
    }
    CHECK(kept == static_cast<int>(std::min<size_t>(sims.size(), 3)));
  }
}

TEST_CASE("the evaluator gives the same metrics on any number of threads", "[baselines]") {
  INFO("seed " << test_seed());
  std::mt19937 rng(test_seed() + 2);
  const Data d = make_random_data(rng, 40, 100, 1500);
  auto scorer = make("markov", d);
  MetricAccumulator by_hand;
  std::vector<float> scratch(static_cast<size_t>(d.train.catalog_size) + 1);
  for (const SessionExample& e : d.test)
    REQUIRE(by_hand.add(scorer->rank(e.prefix, e.label, scratch.data()).value()).ok());
  for (int threads : {1, 2, 3}) {
    INFO("threads " << threads);
    MetricAccumulator acc;
    REQUIRE(vitrine::eval::evaluate_scorer(*scorer, d.test, threads, &acc).ok());
    CHECK(acc.count() == static_cast<int64_t>(d.test.size()));
    for (int k = 1; k <= 20; ++k) {
      CHECK(acc.at(k).value().hit_rate == by_hand.at(k).value().hit_rate);
      CHECK(acc.at(k).value().mrr == by_hand.at(k).value().mrr);
    }
  }
  std::vector<SessionExample> bad = d.test;
  bad[700].label = d.train.catalog_size + 1;
  MetricAccumulator acc;
  auto st = vitrine::eval::evaluate_scorer(*scorer, bad, 2, &acc);
  REQUIRE_FALSE(st.ok());
  CHECK(st.message().find("example 701") != std::string::npos);
}

TEST_CASE("the default rank scores the catalog, skips padding and counts ties", "[baselines]") {
  ConstantScorer constant(12);
  std::vector<float> scratch(13);
  auto r = constant.rank({3}, 5, scratch.data());
  REQUIRE(r.ok());
  CHECK(r.value().rank == 1);
  CHECK(r.value().tied == 11);
  CHECK_FALSE(constant.rank({3}, 13, scratch.data()).ok());
  CHECK_FALSE(constant.rank({3}, 0, scratch.data()).ok());
  MetricAccumulator acc;
  REQUIRE(vitrine::eval::evaluate_scorer(constant, {{{1}, 2, {}}, {{2}, 3, {}}}, 2, &acc).ok());
  CHECK(acc.tied_examples() == 2);
}

TEST_CASE("unknown baselines are refused", "[baselines]") {
  SessionCorpus c;
  c.sessions = {{1, 2}};
  c.catalog_size = 2;
  auto pop = std::make_shared<const Popularity>(c.sessions, c.catalog_size);
  auto r = vitrine::eval::make_baseline("gru4rec", c, pop);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("gru4rec") != std::string::npos);
}

TEST_CASE("reports carry every method and metric", "[baselines]") {
  INFO("seed " << test_seed());
  std::mt19937 rng(test_seed() + 3);
  const Data d = make_random_data(rng, 20, 50, 200);
  vitrine::eval::EvalSummary s;
  s.dataset = "tiny <&> set";
  s.examples = static_cast<int64_t>(d.test.size());
  s.catalog_size = d.train.catalog_size;
  for (const std::string key : {"pop", "spop"}) {
    vitrine::eval::MethodResult m;
    m.key = key;
    auto scorer = make(key, d);
    m.name = scorer->name();
    REQUIRE(vitrine::eval::evaluate_scorer(*scorer, d.test, 1, &m.metrics).ok());
    if (key == "spop") m.model_bytes = 1234;
    s.methods.push_back(std::move(m));
  }
  const auto j = vitrine::eval::summary_json(s);
  CHECK(j["dataset"] == "tiny <&> set");
  CHECK(j["examples"] == s.examples);
  for (const std::string key : {"pop", "spop"}) {
    const auto& m = j["methods"][key];
    for (const std::string metric : {"hr", "mrr", "ndcg"}) {
      for (int k : vitrine::kReportCutoffs) {
        const std::string name = metric + "@" + std::to_string(k);
        INFO(key << " " << name);
        REQUIRE(m.contains(name));
        CHECK(m[name].get<double>() >= 0.0);
        CHECK(m[name].get<double>() <= 1.0);
      }
    }
    CHECK(m.contains("seconds"));
  }
  CHECK_FALSE(j["methods"]["pop"].contains("model_bytes"));
  CHECK(j["methods"]["spop"]["model_bytes"] == 1234);
  CHECK(j["methods"]["spop"]["hr@20"].get<double>() == s.methods[1].metrics.at(20).value().hit_rate);

  const std::string svg = vitrine::eval::chart_svg(s);
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("</svg>") != std::string::npos);
  CHECK(svg.find("tiny &lt;&amp;&gt; set") != std::string::npos);
  CHECK(svg.find(">S-POP<") != std::string::npos);
  CHECK(std::count(svg.begin(), svg.end(), '<') == std::count(svg.begin(), svg.end(), '>'));
  const std::string md = vitrine::eval::report_markdown(s);
  CHECK(md.find("](chart.svg)") != std::string::npos);
  CHECK(md.find("| POP |") != std::string::npos);
  CHECK(md.find("| S-POP |") != std::string::npos);
  const std::string table = vitrine::eval::format_table(s);
  CHECK(table.find("HR@20") != std::string::npos);
}
