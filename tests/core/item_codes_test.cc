// Item codes (item_codes.h): the product quantizer against a scalar reference, the code's text form, and a ranker
// whose catalog arrives as codes against the same model with its own item table.
#include "vitrine/item_codes.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "vitrine/model_file.h"
#include "vitrine/ranker.h"
#include "vitrine/session_model_io.h"
#include "vitrine/session_model_writer.h"

using namespace vitrine;

namespace {

std::vector<float> random_rows(size_t n, size_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> rows(n * dim);
  for (float& x : rows) x = g(rng);
  return rows;
}

// The nearest centroid by brute force, written independently of the quantizer.
uint32_t reference_nearest(const ItemQuantizer& q, uint32_t m, const float* sub) {
  const size_t ds = q.sub_dim();
  uint32_t best = 0;
  double best_d = std::numeric_limits<double>::infinity();
  for (uint32_t c = 0; c < ItemQuantizer::kCentroids; ++c) {
    double d = 0.0;
    for (size_t k = 0; k < ds; ++k) {
      const double t = double{sub[k]} - q.codebook()[(size_t{m} * ItemQuantizer::kCentroids + c) * ds + k];
      d += t * t;
    }
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace

TEST_CASE("base64url round-trips every length and refuses what is not its one text", "[item_codes]") {
  std::mt19937 rng(7);
  for (size_t n = 0; n <= 40; ++n) {
    std::vector<uint8_t> bytes(n);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
    const std::string text = base64url_encode(bytes.data(), bytes.size());
    CHECK(text.size() == (n * 4 + 2) / 3);
    auto back = base64url_decode(text);
    REQUIRE(back.ok());
    CHECK(back.value() == bytes);
  }
  CHECK(base64url_encode(reinterpret_cast<const uint8_t*>("\xfb\xff"), 2) == "-_8");
  CHECK(base64url_decode("QUI").value() == std::vector<uint8_t>{0x41, 0x42});
  for (const char* bad : {"QUJD=", "QU+D", "QU/D", "Q", "QUJDR", "QR", "QUJ", "QU JD"}) {
    INFO(bad);
    auto decoded = base64url_decode(bad);
    CHECK(decoded.status().code() == StatusCode::kBAD_INPUT);
  }
}

TEST_CASE("the quantizer encodes to the nearest centroid and its dot table matches the decoded vector",
          "[item_codes]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  // Subspace counts at the edges: one subspace of the whole vector, one per dimension, and in between.
  for (uint32_t subspaces : {1u, 2u, 4u, 12u}) {
    const uint32_t dim = 12;
    const size_t n = 700;
    const std::vector<float> rows = random_rows(n, dim, seed + subspaces);
    auto trained = ItemQuantizer::train(rows.data(), n, dim, subspaces, seed, 8, 600);
    REQUIRE(trained.ok());
    const ItemQuantizer& q = trained.value();
    REQUIRE(q.codebook().size() == size_t{ItemQuantizer::kCentroids} * dim);
    std::vector<uint8_t> code(subspaces);
    std::vector<float> decoded(dim), table(size_t{subspaces} * ItemQuantizer::kCentroids);
    const std::vector<float> query = random_rows(1, dim, seed + 99);
    q.dot_table(query.data(), table.data());
    for (size_t i = 0; i < n; i += 37) {
      const float* row = rows.data() + i * dim;
      q.encode(row, code.data());
      for (uint32_t m = 0; m < subspaces; ++m) CHECK(code[m] == reference_nearest(q, m, row + m * q.sub_dim()));
      q.decode(code.data(), decoded.data());
      double dot = 0.0;
      for (uint32_t k = 0; k < dim; ++k) dot += double{query[k]} * decoded[k];
      CHECK(q.dot_code(table.data(), code.data()) == Approx(dot).margin(1e-4));
    }
  }
}

TEST_CASE("the quantizer is deterministic, exact for few vectors and reduces the error with more subspaces",
          "[item_codes]") {
  const uint32_t dim = 8;
  const std::vector<float> rows = random_rows(2000, dim, 3);
  auto a = ItemQuantizer::train(rows.data(), 2000, dim, 4, 11);
  auto b = ItemQuantizer::train(rows.data(), 2000, dim, 4, 11);
  auto other_seed = ItemQuantizer::train(rows.data(), 2000, dim, 4, 12);
  REQUIRE((a.ok() && b.ok() && other_seed.ok()));
  CHECK(a.value().codebook() == b.value().codebook());
  CHECK(a.value().tag() == b.value().tag());
  CHECK(a.value().codebook() != other_seed.value().codebook());

  // Under 256 rows every sub-vector gets a centroid of its own: codes are exact up to the codebook's half precision.
  auto few = ItemQuantizer::train(rows.data(), 100, dim, 2, 5);
  REQUIRE(few.ok());
  std::vector<uint8_t> code(2);
  std::vector<float> decoded(dim);
  for (size_t i = 0; i < 100; ++i) {
    few.value().encode(rows.data() + i * dim, code.data());
    few.value().decode(code.data(), decoded.data());
    for (uint32_t k = 0; k < dim; ++k) CHECK(decoded[k] == Approx(rows[i * dim + k]).epsilon(1e-3).margin(1e-3));
  }

  const auto mean_error = [&](uint32_t subspaces) {
    auto q = ItemQuantizer::train(rows.data(), 2000, dim, subspaces, 1);
    REQUIRE(q.ok());
    std::vector<uint8_t> c(subspaces);
    double sum = 0.0;
    for (size_t i = 0; i < 2000; ++i) {
      q.value().encode(rows.data() + i * dim, c.data());
      q.value().decode(c.data(), decoded.data());
      for (uint32_t k = 0; k < dim; ++k) sum += std::pow(decoded[k] - rows[i * dim + k], 2.0);
    }
    return sum / 2000.0;
  };
  const double one = mean_error(1), two = mean_error(2), eight = mean_error(8);
  CHECK(two < one);
  CHECK(eight < two);
}

TEST_CASE("the quantizer refuses shapes it cannot cut", "[item_codes]") {
  const std::vector<float> rows = random_rows(10, 6, 1);
  CHECK(ItemQuantizer::train(rows.data(), 10, 6, 4, 1).status().code() == StatusCode::kINVALID_ARGUMENT);
  CHECK(ItemQuantizer::train(rows.data(), 10, 6, 0, 1).status().code() == StatusCode::kINVALID_ARGUMENT);
  CHECK(ItemQuantizer::train(rows.data(), 0, 6, 2, 1).status().code() == StatusCode::kINVALID_ARGUMENT);
  CHECK(ItemQuantizer::from_codebook(6, 3, std::vector<float>(10)).status().code() == StatusCode::kINVALID_ARGUMENT);
}

TEST_CASE("an item code carries its codebook's tag and the model's scalars", "[item_codes]") {
  const uint8_t centroids[4] = {0, 17, 255, 128};
  const float extras[3] = {-1.25f, 0.5f, 3.0f};
  const std::string text = format_item_code(0xBEEF, centroids, 4, extras, 3);
  CHECK(text.size() == 16);  // 2 + 4 + 6 bytes
  auto code = parse_item_code(text, 0xBEEF, 4, 3);
  REQUIRE(code.ok());
  CHECK(code.value().centroids == std::vector<uint8_t>(centroids, centroids + 4));
  CHECK(code.value().extras == std::vector<float>(extras, extras + 3));

  auto other_model = parse_item_code(text, 0xBEEE, 4, 3);
  CHECK(other_model.status().code() == StatusCode::kBAD_INPUT);
  CHECK(other_model.status().message().find("another model") != std::string::npos);
  CHECK(parse_item_code(text, 0xBEEF, 5, 3).status().code() == StatusCode::kBAD_INPUT);  // wrong length
  CHECK(parse_item_code(text.substr(0, 12), 0xBEEF, 4, 3).status().code() == StatusCode::kBAD_INPUT);
  const float infinite[1] = {std::numeric_limits<float>::infinity()};
  CHECK(parse_item_code(format_item_code(1, centroids, 4, infinite, 1), 1, 4, 1).status().code() ==
        StatusCode::kBAD_INPUT);
}

namespace {

// A model with every per-item scalar a code carries: the item prior and the conversion head.
SessionModelWeights model_with_extras(uint32_t vocab_size, uint32_t dim, uint32_t seed) {
  SessionModelConfig c;
  c.vocab_size = vocab_size;
  c.dim = dim;
  c.max_length = 6;
  c.num_categories = 2;
  c.temperature = 5.0f;
  c.item_bias = true;
  c.repeat_counts = 2;
  c.cart_head = true;
  c.purchase_head = true;
  SessionModelWeights w = SessionModelWeights::zeros(c).value();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  w.for_each_float_tensor([&](const char*, std::vector<float>& p) {
    for (float& x : p) x = u(rng);
  });
  for (uint32_t i = 1; i <= vocab_size; ++i) w.item_category[i] = static_cast<int32_t>(1 + i % 2);
  return w;
}

Ranker load_bytes(const std::vector<uint8_t>& bytes) {
  auto ranker = Ranker::load(bytes.data(), bytes.size());
  INFO(ranker.status().to_string());
  REQUIRE(ranker.ok());
  return std::move(ranker).value();
}

}  // namespace

TEST_CASE("a ranker given its catalog as codes ranks like the model with its item table", "[item_codes][ranker]") {
  const uint32_t vocab = 120, dim = 8;
  const SessionModelWeights full = model_with_extras(vocab, dim, 21);
  std::vector<std::string> ids;
  for (uint32_t i = 1; i <= vocab; ++i) ids.push_back("p" + std::to_string(i));
  SessionModelContent content;
  content.category_names = {"tea", "cups"};
  SessionModelExport options;
  options.item_storage = DType::kF32;
  auto full_bytes = write_session_model(full, ids, content, options);
  REQUIRE(full_bytes.ok());
  const Ranker with_table = load_bytes(full_bytes.value());

  // One subspace per dimension and fewer items than centroids: the codes are exact up to half precision.
  auto coded = code_session_items(full, dim, 3);
  REQUIRE(coded.ok());
  REQUIRE(coded.value().codes.size() == vocab);
  CHECK(coded.value().encoder.config.vocab_size == 0);
  CHECK(coded.value().encoder.item_emb.empty());
  auto encoder_bytes = write_session_model(coded.value().encoder, {}, content, options);
  REQUIRE(encoder_bytes.ok());
  CHECK(encoder_bytes.value().size() < full_bytes.value().size());
  {  // the encoder's weights travel in half precision, the item prior in f32 (session_model_writer.cc)
    auto file = ModelFile::parse(encoder_bytes.value().data(), encoder_bytes.value().size());
    REQUIRE(file.ok());
    size_t checked = 0;
    for (const TensorView& t : file.value().tensors()) {
      INFO("tensor " << t.name);
      for (const char* half : {"pos_emb", "kind_emb", "att_w1", "att_w2", "att_q", "out_w", "item_codebook"}) {
        if (t.name != half) continue;
        CHECK(t.dtype == DType::kF16);
        ++checked;
      }
      if (t.name == "item_bias") {
        CHECK(t.dtype == DType::kF32);
        ++checked;
      }
    }
    CHECK(checked == 8);
  }
  Ranker ranker = load_bytes(encoder_bytes.value());
  CHECK(ranker.vocabulary().empty());
  CHECK(ranker.item_of("p1") == 0);

  // A bad code adds nothing, and says which product it belongs to.
  std::vector<std::string> codes = coded.value().codes;
  std::vector<std::string> broken = codes;
  broken[57] = broken[57].substr(1);
  const Status refused = ranker.add_items(ids, broken);
  CHECK(refused.code() == StatusCode::kBAD_INPUT);
  CHECK(refused.message().find("'p58'") != std::string::npos);
  CHECK(ranker.vocabulary().empty());

  REQUIRE(ranker.add_items(ids, codes).ok());
  REQUIRE(ranker.vocabulary().size() == vocab);
  CHECK(ranker.item_of("p7") == 7);
  // Given again, with other codes: an item keeps its first.
  REQUIRE(ranker.add_items({"p7", "new"}, {codes[0], codes[1]}).ok());
  CHECK(ranker.item_of("p7") == 7);
  CHECK(ranker.item_of("new") == vocab + 1);

  RankRequest request;
  request.now_ms = 1e12;
  for (int i = 0; i < 5; ++i) {
    ShopperEvent e;
    e.kind = i == 4 ? EventKind::kADD_TO_CART : EventKind::kVIEW;
    e.item = ids[static_cast<size_t>(i * 11)];
    e.time_ms = 1e12 - 60'000.0 * (5 - i);
    request.events.push_back(e);
  }
  for (uint32_t i = 0; i < vocab; i += 3) {
    Candidate cand;
    cand.id = ids[i];
    request.candidates.push_back(cand);
  }
  Candidate unknown;
  unknown.id = "not-in-either";
  unknown.category = "cups";
  request.candidates.push_back(unknown);
  const size_t n = request.candidates.size();
  std::vector<float> expected(n), got(n), expected_p(2 * n), got_p(2 * n);
  REQUIRE(with_table.rank(request, expected.data(), nullptr, expected_p.data()).ok());
  REQUIRE(ranker.rank(request, got.data(), nullptr, got_p.data()).ok());
  for (size_t i = 0; i < n; ++i) {
    INFO("candidate " << request.candidates[i].id);
    CHECK(got[i] == Approx(expected[i]).margin(0.02));
    CHECK(got_p[i] == Approx(expected_p[i]).margin(0.005));
    CHECK(got_p[n + i] == Approx(expected_p[n + i]).margin(0.005));
  }

  // A model with its own table takes no codes.
  Ranker table_again = load_bytes(full_bytes.value());
  CHECK(table_again.add_items({"x"}, {codes[0]}).code() == StatusCode::kINVALID_ARGUMENT);

  // The codes may come with the request instead, as the browser sends them: known for that request only.
  const Ranker fresh = load_bytes(encoder_bytes.value());
  RankRequest carried = request;
  for (ShopperEvent& e : carried.events) e.code = codes[std::stoul(e.item.substr(1)) - 1];
  for (Candidate& c : carried.candidates)
    if (c.id != "not-in-either") c.code = codes[std::stoul(c.id.substr(1)) - 1];
  std::vector<float> carried_scores(n), carried_p(2 * n);
  REQUIRE(fresh.rank(carried, carried_scores.data(), nullptr, carried_p.data()).ok());
  for (size_t i = 0; i < n; ++i) {
    CHECK(carried_scores[i] == Approx(got[i]).epsilon(1e-5).margin(1e-5));
    CHECK(carried_p[i] == Approx(got_p[i]).epsilon(1e-5).margin(1e-6));
  }
  CHECK(fresh.vocabulary().empty());
  // Without codes the same request knows none of its products: every candidate is ranked by its content only.
  std::vector<float> bare(n);
  REQUIRE(fresh.rank(request, bare.data()).ok());
  CHECK(bare != carried_scores);
  // A code the model cannot read (cut short here) leaves that product unknown and ranks the rest as before.
  RankRequest one_bad = carried;
  one_bad.candidates[2].code.pop_back();
  std::vector<float> with_bad(n);
  REQUIRE(fresh.rank(one_bad, with_bad.data()).ok());
  RankRequest without_code = carried;
  without_code.candidates[2].code.clear();
  std::vector<float> without(n);
  REQUIRE(fresh.rank(without_code, without.data()).ok());
  CHECK(with_bad == without);
  CHECK(with_bad[2] != Approx(carried_scores[2]).margin(1e-4));
}

TEST_CASE("an encoder with coded items is checked like any model file", "[item_codes][model_file]") {
  const SessionModelWeights full = model_with_extras(30, 8, 4);
  auto coded = code_session_items(full, 4, 1);
  REQUIRE(coded.ok());
  SessionModelContent content;
  content.category_names = {"tea", "cups"};
  auto bytes = write_session_model(coded.value().encoder, {}, content, SessionModelExport());
  REQUIRE(bytes.ok());
  // Every truncation is refused, and so is a flipped byte (the checksum).
  for (size_t cut : {size_t{0}, size_t{31}, bytes.value().size() / 2, bytes.value().size() - 1}) {
    auto r = Ranker::load(bytes.value().data(), cut);
    CHECK_FALSE(r.ok());
  }
  std::vector<uint8_t> flipped = bytes.value();
  flipped[flipped.size() - 3] ^= 0x40;
  CHECK(Ranker::load(flipped.data(), flipped.size()).status().code() == StatusCode::kMODEL_CORRUPT);
  // A model whose item table is empty without codes is not a model.
  SessionModelConfig c = full.config;
  c.vocab_size = 0;
  CHECK_FALSE(c.validate().ok());
  c.item_subspaces = 3;  // does not divide 8
  CHECK_FALSE(c.validate().ok());
}
