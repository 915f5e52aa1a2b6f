// The session text reader: valid input in its variants, every kind of malformed line, files, expansion, split.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "test_support.h"
#include "vitrine/session_data.h"

using vitrine::ItemId;
using vitrine::Session;
using vitrine::SessionExample;
using vitrine::StatusCode;

using vitrine::testing::contains;
using vitrine::testing::test_seed;

namespace {

// A file in the system temp dir that is removed again. Its name is random, not from the test seed: a replay with
// VITRINE_TEST_SEED fixes the seed of every ctest process, and two of them running at once must not share files.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    path_ =
        (std::filesystem::temp_directory_path() / ("vitrine_session_data_" + std::to_string(std::random_device{}()) +
                                                   "_" + std::to_string(counter()++) + ".txt"))
            .string();
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  static int& counter() {
    static int c = 0;
    return c;
  }
  std::string path_;
};

std::string session_error(const std::string& text) {
  auto r = vitrine::parse_sessions(text, "s.txt");
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

std::string example_error(const std::string& text, ItemId catalog = 9) {
  auto r = vitrine::parse_examples(text, "t.tsv", catalog);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kBAD_INPUT);
  return r.status().message();
}

}  // namespace

TEST_CASE("sessions parse with spaces, tabs, CRLF and no final newline", "[session_data]") {
  auto r = vitrine::parse_sessions("1 2\n3  4\t5\r\n7\n2 2 6", "s.txt");
  REQUIRE(r.ok());
  const auto& c = r.value();
  REQUIRE(c.sessions.size() == 4);
  CHECK(c.sessions[0] == Session{1, 2});
  CHECK(c.sessions[1] == Session{3, 4, 5});
  CHECK(c.sessions[2] == Session{7});
  CHECK(c.sessions[3] == Session{2, 2, 6});
  CHECK(c.catalog_size == 7);
}

TEST_CASE("malformed sessions name the file and line", "[session_data]") {
  std::string m = session_error("1 2\n3 x 4\n");
  CHECK(contains(m, "s.txt:2: "));
  CHECK(contains(m, "'x'"));
  CHECK(contains(session_error("1 2\n\n3 4\n"), "s.txt:2: empty session"));
  CHECK(contains(session_error("1 0 2\n"), "s.txt:1: item id '0' is out of range"));
  CHECK(contains(session_error("5\n-3 2\n"), "s.txt:2: item id '-3' is not a positive integer"));
  CHECK(contains(session_error("1 2.5\n"), "'2.5'"));
  CHECK(contains(session_error(""), "s.txt: no sessions"));
  auto huge = vitrine::parse_sessions("1\n2 99999999999999999999\n", "s.txt");
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.status().code() == StatusCode::kLIMIT_EXCEEDED);
  CHECK(contains(huge.status().message(), "s.txt:2: "));
}

TEST_CASE("examples parse label, tab, prefix", "[session_data]") {
  auto r = vitrine::parse_examples("3\t1 2\n9\t4\r\n1\t5 5  6\n", "t.tsv", 9);
  REQUIRE(r.ok());
  const auto& e = r.value();
  REQUIRE(e.size() == 3);
  CHECK(e[0].label == 3);
  CHECK(e[0].prefix == std::vector<ItemId>{1, 2});
  CHECK(e[1].label == 9);
  CHECK(e[1].prefix == std::vector<ItemId>{4});
  CHECK(e[2].prefix == std::vector<ItemId>{5, 5, 6});
}

TEST_CASE("malformed examples name the file and line", "[session_data]") {
  CHECK(contains(example_error("3\t1\n3 1 2\n"), "t.tsv:2: expected 'label<TAB>prefix items', found no tab"));
  CHECK(contains(example_error("3\t1\t2\n"), "t.tsv:1: expected 'label<TAB>prefix items', found more than one tab"));
  CHECK(contains(example_error("3\t1\n4\t \n"), "t.tsv:2: empty prefix"));
  CHECK(contains(example_error("\t1\n"), "t.tsv:1: empty label"));
  CHECK(contains(example_error("a\t1\n"), "t.tsv:1: item id 'a' is not a positive integer"));
  CHECK(contains(example_error("3 4\t1\n"), "'3 4'"));
  CHECK(contains(example_error("3\t1 y\n"), "'y'"));
  CHECK(contains(example_error("10\t1\n"), "t.tsv:1: item id 10 is outside the training catalog 1..9"));
  CHECK(contains(example_error("2\t1\n2\t1 10\n"), "t.tsv:2: item id 10 is outside the training catalog 1..9"));
  CHECK(contains(example_error("2\t0\n"), "out of range"));
  CHECK(contains(example_error(""), "t.tsv: no examples"));
  CHECK_FALSE(vitrine::parse_examples("1\t1\n", "t.tsv", 0).ok());
}

TEST_CASE("files are read and errors carry the path", "[session_data]") {
  TempFile sessions("4 5 6\n1 2\n");
  auto c = vitrine::read_sessions_file(sessions.path());
  REQUIRE(c.ok());
  CHECK(c.value().catalog_size == 6);
  TempFile examples("6\t4 5\nq\t4\n");
  auto bad = vitrine::read_examples_file(examples.path(), 6);
  REQUIRE_FALSE(bad.ok());
  CHECK(contains(bad.status().message(), examples.path() + ":2: "));
  const std::string missing = sessions.path() + ".missing";
  auto none = vitrine::read_sessions_file(missing);
  REQUIRE_FALSE(none.ok());
  CHECK(contains(none.status().message(), missing + ": cannot open"));
}

TEST_CASE("expansion gives every prefix of every session, longest first", "[session_data]") {
  INFO("seed " << test_seed());
  std::mt19937 rng(test_seed());
  std::vector<Session> sessions;
  for (int i = 0; i < 50; ++i) {
    Session s(1 + rng() % 7);
    for (ItemId& id : s) id = static_cast<ItemId>(1 + rng() % 20);
    sessions.push_back(s);
  }
  const std::vector<SessionExample> got = vitrine::expand_sessions(sessions);
  // Rebuild each session from its run of examples: the first example of a run is the whole session.
  size_t next = 0;
  for (const Session& s : sessions) {
    for (size_t k = s.size() - 1; k >= 1; --k) {
      REQUIRE(next < got.size());
      const SessionExample& e = got[next++];
      CHECK(e.prefix.size() == k);
      CHECK(std::equal(e.prefix.begin(), e.prefix.end(), s.begin()));
      CHECK(e.label == s[k]);
    }
  }
  CHECK(next == got.size());
}

TEST_CASE("the validation split is cut from the end", "[session_data]") {
  std::vector<Session> sessions;
  for (ItemId i = 1; i <= 10; ++i) sessions.push_back({i, i + 1});
  auto split = vitrine::split_validation_tail(sessions, 0.2);
  REQUIRE(split.ok());
  REQUIRE(split.value().train.size() == 8);
  REQUIRE(split.value().validation.size() == 2);
  CHECK(split.value().validation[0] == sessions[8]);
  CHECK(split.value().validation[1] == sessions[9]);
  CHECK(split.value().train[7] == sessions[7]);
  CHECK(split.value().train[0] == sessions[0]);
  CHECK_FALSE(vitrine::split_validation_tail(sessions, 0.0).ok());
  CHECK_FALSE(vitrine::split_validation_tail(sessions, 1.0).ok());
  CHECK_FALSE(vitrine::split_validation_tail(sessions, 0.01).ok());  // rounds to no validation session
  CHECK_FALSE(vitrine::split_validation_tail(sessions, 0.99).ok());  // leaves no training session
}
