// Runs a scorer over a set of examples, on several threads, and collects the metrics.
#pragma once

#include <string>
#include <vector>

#include "eval/scorer.h"
#include "vitrine/metrics.h"
#include "vitrine/session_data.h"

namespace vitrine::eval {

struct MethodResult {
  std::string key;   // "pop", "model", ...: stable, for JSON
  std::string name;  // the scorer's name, for people
  MetricAccumulator metrics{20};
  double fit_seconds = 0;      // building the scorer (counting, loading the model)
  double eval_seconds = 0;     // ranking every example
  long long model_bytes = -1;  // size of the model file; -1 when there is none
};

// Ranks every example's label with scorer.rank(). threads < 1 is taken as 1. The metrics do not depend on the
// number of threads (the accumulator merges exactly). Fails on the first example the scorer rejects.
Status evaluate_scorer(const SessionScorer& scorer, const std::vector<SessionExample>& examples, int threads,
                       MetricAccumulator* out);

}  // namespace vitrine::eval
