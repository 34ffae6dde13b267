// The popularity baseline: recommend the most frequent items, in the model's candidate set.
//
// Contract:
// - Counts come from a model directory's vocab.tsv (ReadVocabCounts, with the rules of
//   common/vocab_tsv.h) or are counted on the fly from training sequence files or directories
//   (CountSequenceItems: whitespace-separated items, one sequence per line, read with the
//   trainer's own SequenceReader).
// - PopularityRanker orders the model's rows by (count descending, row ascending); items
//   with no count rank last. Rank() applies the same exclusion rule as ExactSearch: an
//   excluded target is a miss (0), and excluded items ahead of the target do not count.
//   Immutable after construction; Rank() is const and safe from many threads given each
//   thread its own scratch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "common/vocabulary.h"

namespace item2vec {

Result<ItemCounter> ReadVocabCounts(const std::string& path);
Result<ItemCounter> CountSequenceItems(const std::vector<std::string>& paths);

class PopularityRanker {
 public:
  // counts[row] for every row of the model (0 = never seen).
  explicit PopularityRanker(const std::vector<Count>& counts);
  // 1-based rank of target among all rows except the excluded ones (duplicates allowed);
  // 0 if target < 0 or excluded. REQUIRES: every id < size().
  std::int64_t Rank(std::int64_t target, const ItemId* excluded, std::size_t num_excluded,
                    std::vector<ItemId>* scratch) const;
  std::size_t size() const { return position_.size(); }

 private:
  std::vector<std::int64_t> position_;  // row -> 0-based place in the popularity order
};

}  // namespace item2vec
