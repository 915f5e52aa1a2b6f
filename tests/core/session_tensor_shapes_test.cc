// session_tensor_shapes(): the one table of a session model's tensors covers every tensor, and zeros() and
// validate() follow it.
#include <catch2/catch.hpp>
#include <cstring>
#include <set>
#include <string>

#include "vitrine/session_model.h"

using vitrine::SessionModelConfig;
using vitrine::SessionModelWeights;
using vitrine::SessionTensorShape;

namespace {

SessionModelConfig every_feature() {
  SessionModelConfig c;
  c.vocab_size = 9;
  c.dim = 4;
  c.max_length = 3;
  c.num_categories = 2;
  c.num_brands = 3;
  c.num_price_bands = 2;
  c.image_dim = 5;
  c.repeat_counts = 4;
  c.repeat_kinds = true;
  c.item_bias = true;
  c.visit_inputs = true;
  c.cart_head = true;
  return c;
}

}  // namespace

TEST_CASE("every tensor of the weights has one shape in the table, and every shape a tensor", "[session_model]") {
  for (const bool full : {true, false}) {
    SessionModelConfig c = full ? every_feature() : SessionModelConfig();
    if (!full) {
      c.vocab_size = 5;
      c.dim = 3;
      c.max_length = 2;
    }
    INFO("every feature: " << full);
    auto zeros = SessionModelWeights::zeros(c);
    REQUIRE(zeros.ok());
    SessionModelWeights& w = zeros.value();
    std::set<std::string> tensors, shapes;
    w.for_each_float_tensor([&](const char* name, const std::vector<float>&) { tensors.insert(name); });
    for (const SessionTensorShape& shape : vitrine::session_tensor_shapes(c)) {
      CHECK(shapes.insert(shape.name).second);  // listed once
      if (shape.ids) {
        REQUIRE(w.id_tensor(shape.name) != nullptr);
        CHECK(w.id_tensor(shape.name)->size() == shape.size());
        tensors.insert(shape.name);
        continue;
      }
      size_t size = SIZE_MAX;
      w.for_each_float_tensor([&](const char* name, const std::vector<float>& t) {
        if (std::strcmp(name, shape.name) == 0) size = t.size();
      });
      CHECK(size == shape.size());
      CHECK(shape.present() == (size > 0));
    }
    CHECK(tensors == shapes);
    CHECK(w.validate().ok());
    // A tensor off its shape is refused, naming it.
    w.att_b.push_back(0.0f);
    const auto status = w.validate();
    CHECK(status.code() == vitrine::StatusCode::kMODEL_CORRUPT);
    CHECK(status.message().find("'att_b'") != std::string::npos);
  }
}

TEST_CASE("the table's shapes follow the config", "[session_model]") {
  const SessionModelConfig c = every_feature();
  const auto find = [&](const char* name) {
    for (const SessionTensorShape& shape : vitrine::session_tensor_shapes(c))
      if (std::strcmp(shape.name, name) == 0) return shape;
    FAIL("no shape for " << name);
    return SessionTensorShape{name};
  };
  CHECK(find("item_emb").rows == 10);
  CHECK(find("item_emb").cols == 4);
  CHECK(find("category_emb").rows == 3);
  CHECK(find("out_w").rows == 8);
  CHECK(find("att_q").cols == 0);
  CHECK(find("item_image").cols == 5);
  CHECK(find("image_proj").rows == 5);
  CHECK(find("item_brand").ids);
  CHECK(find("conversion_w").rows == 2);
  CHECK(find("conversion_w").cols == vitrine::conversion_feature_count(c));
}
