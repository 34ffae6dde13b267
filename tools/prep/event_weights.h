// Event weights for prep: `--event-weights purchase=3,cart=2,click=1` maps the event-type
// column's values to the weight each event carries into the sequences (ITEM*W,
// common/weighted_token.h).
//
// Contract:
// - ParseEventWeights reads comma-separated TYPE=W entries (spaces around either side are
//   trimmed); W is a number in (0, 1e6]. An entry without '=', an empty type, a bad or
//   out-of-range weight, a type listed twice or an empty list is kInvalidArgument saying
//   which entry and what to write instead.
// - WeightOf returns the weight of a type, 1 for a type the map does not list (so a log's
//   other events keep weight 1; filter them with --event-types).
// Plain value; thread-safe to read.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace item2vec {

class EventWeights {
 public:
  bool empty() const { return weights_.empty(); }
  double WeightOf(std::string_view type) const;
  const std::vector<std::pair<std::string, double>>& entries() const { return weights_; }

 private:
  friend Result<EventWeights> ParseEventWeights(const std::string& spec);
  std::vector<std::pair<std::string, double>> weights_;
};

Result<EventWeights> ParseEventWeights(const std::string& spec);

}  // namespace item2vec
