#include "eval/baselines.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace vitrine::eval {

Popularity::Popularity(const std::vector<Session>& sessions, ItemId catalog_size)
    : catalog_size_(std::max<ItemId>(catalog_size, 0)),
      counts_(static_cast<size_t>(catalog_size_) + 1, 0),
      position_(static_cast<size_t>(catalog_size_) + 1, 0) {
  for (const Session& s : sessions) {
    for (ItemId id : s) {
      if (id >= 1 && id <= catalog_size_) ++counts_[static_cast<size_t>(id)];
    }
  }
  std::vector<ItemId> order(static_cast<size_t>(catalog_size_));
  std::iota(order.begin(), order.end(), 1);
  std::sort(order.begin(), order.end(), [this](ItemId a, ItemId b) {
    const int64_t ca = counts_[static_cast<size_t>(a)], cb = counts_[static_cast<size_t>(b)];
    return ca != cb ? ca > cb : a < b;
  });
  for (size_t p = 0; p < order.size(); ++p) position_[static_cast<size_t>(order[p])] = static_cast<int32_t>(p);
}

bool PopularityBackedScorer::before(const Candidate& a, const Candidate& b) const {
  if (a.value != b.value) return a.value > b.value;
  return popularity_->position(a.item) < popularity_->position(b.item);
}

Status PopularityBackedScorer::score(const std::vector<ItemId>& prefix, float* scores) const {
  const ItemId n = catalog_size();
  scores[0] = std::numeric_limits<float>::lowest();
  for (ItemId i = 1; i <= n; ++i) scores[i] = static_cast<float>(n - popularity_->position(i));
  std::vector<Candidate> c;
  candidates(prefix, &c);
  std::sort(c.begin(), c.end(), [this](const Candidate& a, const Candidate& b) { return before(a, b); });
  const int64_t m = static_cast<int64_t>(c.size());
  for (int64_t j = 0; j < m; ++j) {
    scores[c[static_cast<size_t>(j)].item] = static_cast<float>(static_cast<int64_t>(n) + m - j);
  }
  return Status::ok_status();
}

Result<TargetRank> PopularityBackedScorer::rank(const std::vector<ItemId>& prefix, ItemId label, float*) const {
  const ItemId n = catalog_size();
  if (label < 1 || label > n) {
    return Status(StatusCode::kINVALID_ARGUMENT,
                  "label " + std::to_string(label) + " is outside the catalog 1.." + std::to_string(n));
  }
  std::vector<Candidate> c;
  candidates(prefix, &c);
  auto found = std::find_if(c.begin(), c.end(), [label](const Candidate& x) { return x.item == label; });
  TargetRank r;
  if (found != c.end()) {
    const Candidate target = *found;
    r.rank = 1 + std::count_if(c.begin(), c.end(), [&](const Candidate& x) { return before(x, target); });
  } else {
    // Behind every candidate, then behind the more popular items that are not candidates.
    const int32_t pos = popularity_->position(label);
    const int64_t more_popular_candidates =
        std::count_if(c.begin(), c.end(), [&](const Candidate& x) { return popularity_->position(x.item) < pos; });
    r.rank = static_cast<int64_t>(c.size()) + 1 + pos - more_popular_candidates;
  }
  return r;
}

namespace {

// Sums the values of equal items; keeps the first-seen summation order so results are reproducible.
void merge_duplicates(std::vector<Candidate>* c) {
  std::stable_sort(c->begin(), c->end(), [](const Candidate& a, const Candidate& b) { return a.item < b.item; });
  size_t out = 0;
  for (size_t i = 0; i < c->size(); ++i) {
    if (out > 0 && (*c)[out - 1].item == (*c)[i].item) {
      (*c)[out - 1].value += (*c)[i].value;
    } else {
      (*c)[out++] = (*c)[i];
    }
  }
  c->resize(out);
}

std::vector<ItemId> distinct(const std::vector<ItemId>& items) {
  std::vector<ItemId> d(items);
  std::sort(d.begin(), d.end());
  d.erase(std::unique(d.begin(), d.end()), d.end());
  return d;
}

bool in_catalog(ItemId id, ItemId n) {
  return id >= 1 && id <= n;
}

}  // namespace

void SessionPopScorer::candidates(const std::vector<ItemId>& prefix, std::vector<Candidate>* out) const {
  out->clear();
  for (ItemId id : prefix) {
    if (in_catalog(id, catalog_size())) out->push_back({id, 1.0});
  }
  merge_duplicates(out);
}

MarkovScorer::MarkovScorer(const std::vector<Session>& sessions, std::shared_ptr<const Popularity> popularity)
    : PopularityBackedScorer(std::move(popularity)) {
  const ItemId n = catalog_size();
  std::vector<uint64_t> pairs;  // from << 32 | to: sorting groups rows and counts equal transitions
  for (const Session& s : sessions) {
    for (size_t t = 0; t + 1 < s.size(); ++t) {
      if (in_catalog(s[t], n) && in_catalog(s[t + 1], n)) {
        pairs.push_back(static_cast<uint64_t>(s[t]) << 32 | static_cast<uint32_t>(s[t + 1]));
      }
    }
  }
  std::sort(pairs.begin(), pairs.end());
  transitions_.offsets.assign(static_cast<size_t>(n) + 2, 0);
  for (size_t i = 0; i < pairs.size();) {
    size_t j = i;
    while (j < pairs.size() && pairs[j] == pairs[i]) ++j;
    const auto from = static_cast<ItemId>(pairs[i] >> 32);
    const auto to = static_cast<ItemId>(pairs[i] & 0xffffffffu);
    transitions_.entries.push_back({to, static_cast<double>(j - i)});
    ++transitions_.offsets[static_cast<size_t>(from) + 1];
    i = j;
  }
  for (size_t i = 1; i < transitions_.offsets.size(); ++i) transitions_.offsets[i] += transitions_.offsets[i - 1];
}

void MarkovScorer::candidates(const std::vector<ItemId>& prefix, std::vector<Candidate>* out) const {
  out->clear();
  if (prefix.empty() || !in_catalog(prefix.back(), catalog_size())) return;
  const auto last = static_cast<size_t>(prefix.back());
  out->assign(transitions_.entries.begin() + transitions_.offsets[last],
              transitions_.entries.begin() + transitions_.offsets[last + 1]);
}

ItemKnnScorer::ItemKnnScorer(const std::vector<Session>& sessions, std::shared_ptr<const Popularity> popularity,
                             ItemKnnOptions options)
    : PopularityBackedScorer(std::move(popularity)), options_(options) {
  const ItemId n = catalog_size();
  const Popularity& pop = this->popularity();  // the parameter of the same name has been moved from
  const auto slots = static_cast<size_t>(n) + 1;
  // Sessions as sets, and for every item the sessions that contain it.
  std::vector<std::vector<ItemId>> sets;
  sets.reserve(sessions.size());
  std::vector<int64_t> in_sessions(slots + 1, 0);
  for (const Session& s : sessions) {
    std::vector<ItemId> d;
    for (ItemId id : distinct(s)) {
      if (in_catalog(id, n)) d.push_back(id);
    }
    for (ItemId id : d) ++in_sessions[static_cast<size_t>(id) + 1];
    sets.push_back(std::move(d));
  }
  std::vector<int64_t> session_offsets(in_sessions);
  for (size_t i = 1; i < session_offsets.size(); ++i) session_offsets[i] += session_offsets[i - 1];
  std::vector<int32_t> session_of(static_cast<size_t>(session_offsets.back()));
  {
    std::vector<int64_t> fill(session_offsets.begin(), session_offsets.end() - 1);
    for (size_t s = 0; s < sets.size(); ++s) {
      for (ItemId id : sets[s])
        session_of[static_cast<size_t>(fill[static_cast<size_t>(id)]++)] = static_cast<int32_t>(s);
    }
  }
  // Row by row with a dense counter: memory stays at the kept neighbours.
  std::vector<int32_t> co(slots, 0);
  std::vector<ItemId> touched;
  std::vector<Candidate> row;
  neighbours_.offsets.assign(slots + 1, 0);
  for (ItemId i = 1; i <= n; ++i) {
    const auto ii = static_cast<size_t>(i);
    touched.clear();
    for (int64_t k = session_offsets[ii]; k < session_offsets[ii + 1]; ++k) {
      for (ItemId j : sets[static_cast<size_t>(session_of[static_cast<size_t>(k)])]) {
        if (j == i) continue;
        if (co[static_cast<size_t>(j)]++ == 0) touched.push_back(j);
      }
    }
    row.clear();
    const double ni = static_cast<double>(in_sessions[ii + 1]) + options_.lambda;
    for (ItemId j : touched) {
      const auto jj = static_cast<size_t>(j);
      const double nj = static_cast<double>(in_sessions[jj + 1]) + options_.lambda;
      row.push_back({j, static_cast<double>(co[jj]) / std::sqrt(ni * nj)});
      co[jj] = 0;
    }
    auto by_similarity = [&pop](const Candidate& a, const Candidate& b) {
      if (a.value != b.value) return a.value > b.value;
      return pop.position(a.item) < pop.position(b.item);
    };
    if (options_.neighbours > 0 && row.size() > static_cast<size_t>(options_.neighbours)) {
      std::partial_sort(row.begin(), row.begin() + options_.neighbours, row.end(), by_similarity);
      row.resize(static_cast<size_t>(options_.neighbours));
    } else {
      std::sort(row.begin(), row.end(), by_similarity);
    }
    neighbours_.entries.insert(neighbours_.entries.end(), row.begin(), row.end());
    neighbours_.offsets[ii + 1] = static_cast<int64_t>(neighbours_.entries.size());
  }
}

double ItemKnnScorer::similarity(ItemId a, ItemId b) const {
  if (!in_catalog(a, catalog_size())) return 0;
  const auto ia = static_cast<size_t>(a);
  for (int64_t k = neighbours_.offsets[ia]; k < neighbours_.offsets[ia + 1]; ++k) {
    if (neighbours_.entries[static_cast<size_t>(k)].item == b) return neighbours_.entries[static_cast<size_t>(k)].value;
  }
  return 0;
}

void ItemKnnScorer::candidates(const std::vector<ItemId>& prefix, std::vector<Candidate>* out) const {
  out->clear();
  if (prefix.empty()) return;
  const std::vector<ItemId> sources = options_.last_item_only ? std::vector<ItemId>{prefix.back()} : distinct(prefix);
  for (ItemId p : sources) {
    if (!in_catalog(p, catalog_size())) continue;
    const auto ip = static_cast<size_t>(p);
    out->insert(out->end(), neighbours_.entries.begin() + neighbours_.offsets[ip],
                neighbours_.entries.begin() + neighbours_.offsets[ip + 1]);
  }
  merge_duplicates(out);
}

Result<std::unique_ptr<SessionScorer>> make_baseline(const std::string& key, const SessionCorpus& train,
                                                     std::shared_ptr<const Popularity> popularity) {
  std::unique_ptr<SessionScorer> s;
  if (key == "pop") {
    s = std::make_unique<PopScorer>(std::move(popularity));
  } else if (key == "spop") {
    s = std::make_unique<SessionPopScorer>(std::move(popularity));
  } else if (key == "markov") {
    s = std::make_unique<MarkovScorer>(train.sessions, std::move(popularity));
  } else if (key == "itemknn") {
    s = std::make_unique<ItemKnnScorer>(train.sessions, std::move(popularity));
  } else {
    return Status(StatusCode::kINVALID_ARGUMENT, "unknown baseline '" + key + "' (known: pop, spop, markov, itemknn)");
  }
  return Result<std::unique_ptr<SessionScorer>>(std::move(s));
}

}  // namespace vitrine::eval
