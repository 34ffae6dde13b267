// What changed between a previous model and this one, for the run report: the vocabulary
// (items added and removed, the most frequent of each) and the neighbourhoods of the most
// frequent items (overlap@k of their nearest neighbours).
//
// Contract:
// - CompareVocabularies streams the previous model's vocab.tsv once (common/vocab_tsv.h),
//   looking each item up in the new Vocabulary (the counts are exact) and keeping a sorted
//   64-bit hash per previous item (8 bytes an item) to pick the added examples (an added item
//   whose hash equals a previous item's, odds about V^2 / 2^64, is not shown as an example).
//   The examples are the `examples` most frequent added and removed items (vocab.tsv and the
//   Vocabulary are in descending count order).
// - ReadPreviousModel reads what the report needs of a previous model, once: its head
//   (model_head.h) and, given the new vocabulary, the vocabulary change. `item2vec train` calls
//   it just before its new model replaces the previous one in the same directory (its files are
//   deleted by the publish); the cost is that one pass over vocab.tsv and `head_items` rows.
// - CompareNeighbours takes, among the first `top` items of `now` that are also in `previous`'s
//   head, overlap = |N_now(i) ∩ N_prev(i)| / k of their k nearest neighbours (compared by item
//   name; each model's neighbours are searched among its own head, model_head.h). It reports
//   the mean, the histogram of overlaps (k + 1 buckets: 0 .. k shared neighbours) and the
//   `examples` items with the lowest overlap (ties: the more frequent first).
// Plain values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "common/vocabulary.h"
#include "tools/report/model_head.h"

namespace item2vec {

struct VocabularyChange {
  std::int64_t previous_items = 0, items = 0, added = 0, removed = 0;
  std::vector<std::pair<std::string, Count>> top_added, top_removed;
};

Result<VocabularyChange> CompareVocabularies(const std::string& previous_vocab_tsv, const Vocabulary& now,
                                             std::size_t examples);

struct PreviousModel {
  std::string label;  // how the page names it
  ModelHead head;
  std::optional<VocabularyChange> vocabulary;  // absent without a vocab.tsv or a new vocabulary
};

// `now` may be null (no vocabulary comparison).
Result<PreviousModel> ReadPreviousModel(const HeadFiles& files, const std::string& label, std::size_t head_items,
                                        const Vocabulary* now);

struct NeighbourChange {
  int k = 0;
  std::int64_t compared = 0;          // items in both heads among the first `top`
  double mean_overlap = 0;            // in [0, 1]
  std::vector<std::int64_t> histogram;  // k + 1 buckets
  struct Item {
    std::size_t id = 0;               // head id in `now`
    int shared = 0;                   // neighbours in common
  };
  std::vector<Item> most_changed;
};

NeighbourChange CompareNeighbours(const ModelHead& now, const HeadNeighbours& now_neighbours,
                                  const ModelHead& previous, const HeadNeighbours& previous_neighbours,
                                  std::size_t top, std::size_t examples);

}  // namespace item2vec
