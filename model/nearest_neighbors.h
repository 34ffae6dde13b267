// Exact nearest-neighbour search over all items (cosine, dot or euclidean, see
// similarity.h): rank of a target and top-k.
//
// Contract:
// - ItemMatrix holds the item vectors as the similarity measure stores them (cosine:
//   normalised to unit L2 norm, a zero row staying zero; dot, euclidean: as given), with
//   the measure's per-item bias (euclidean: -|x|^2/2; none otherwise), stored in panels of kPanel items: panel p is dim x kPanel floats, element (k, lane) at
//   k * kPanel + lane, so the kernel reads kPanel items' k-th values contiguously. The last
//   panel is padded with zero rows that are never reported. Immutable after construction;
//   safe to share between threads.
// - Every score is the dot product of a query (as given: the caller normalises it for a
//   cosine) with a stored item, summed in float in the order k = 0..dim-1 with no
//   fused multiply-add, plus the item's bias when the measure has one (one float add
//   after the sum). ItemMatrix::Dot computes exactly the same value, so a naive
//   reference that does the same arithmetic gets bit-identical scores.
// - Items are totally ordered per query by (score descending, item id ascending).
//   rank(target) = 1 + the number of items, other than the target and the excluded ones,
//   that come before the target in this order. No sort is done: the blocked kernel counts.
// - ExactSearch scores blocks of queries against L2-sized blocks of items with a
//   register-blocked kernel (kRows queries x kPanel items per tile); std::thread workers
//   take query blocks from a shared counter. All memory is allocated before the threads
//   start; the scoring loop allocates nothing and takes no lock. Results are independent
//   of the thread count and the block sizes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "model/similarity.h"

namespace item2vec {

class ItemMatrix {
 public:
  static constexpr int kPanel = 16;  // items per panel: two AVX2 registers, four SSE ones

  ItemMatrix() = default;
  // rows: n x dim floats, row-major (e.g. Embeddings::data). REQUIRES: dim > 0.
  static ItemMatrix FromRows(const float* rows, std::size_t n, int dim,
                             Similarity similarity = Similarity::kCosine);

  std::size_t size() const { return n_; }
  int dim() const { return dim_; }
  Similarity similarity() const { return similarity_; }
  // num_panels() * kPanel biases (padding lanes 0), or nullptr when the measure has none.
  const float* biases() const { return bias_.empty() ? nullptr : bias_.data(); }
  // All stored values, panel by panel (for fingerprints).
  const std::vector<float>& values() const { return data_; }
  std::size_t num_panels() const { return (n_ + kPanel - 1) / kPanel; }
  const float* panel(std::size_t p) const {
    return data_.data() + p * static_cast<std::size_t>(dim_) * kPanel;
  }
  // Stored value k of an item.
  float at(std::size_t item, int k) const {
    return panel(item / kPanel)[static_cast<std::size_t>(k) * kPanel + item % kPanel];
  }
  // Writes the stored row of an item to out[0..dim).
  void CopyRow(std::size_t item, float* out) const;
  // query . item (+ bias), with the kernel's arithmetic (see the contract).
  float Dot(const float* query, std::size_t item) const;

 private:
  std::size_t n_ = 0;
  int dim_ = 0;
  Similarity similarity_ = Similarity::kCosine;
  std::vector<float> data_;
  std::vector<float> bias_;
};

// A batch of queries, borrowed from the caller for the duration of ExactSearch.
struct QuerySet {
  const float* vectors = nullptr;  // count x dim floats, row-major
  std::size_t count = 0;
  // Optional (nullptr = none): per query the item whose rank is wanted, -1 = none.
  const std::int64_t* targets = nullptr;
  // Optional (nullptr = none): query q excludes items exclude[exclude_begin[q] ..
  // exclude_begin[q + 1]); duplicates are allowed. exclude_begin has count + 1 entries.
  const std::size_t* exclude_begin = nullptr;
  const ItemId* exclude = nullptr;
};

struct SearchOptions {
  int threads = 1;       // worker threads (>= 1); the calling thread is one of them
  int top_k = 0;         // neighbours kept per query (0 = only ranks)
  int query_block = 0;   // queries per block; 0 = kDefaultQueryBlock. Rounded up to kRows.
  int item_block = 0;    // items per block; 0 = about kItemBlockBytes of vectors. Rounded
                         // up to kPanel.
  static constexpr int kDefaultQueryBlock = 256;
  static constexpr std::size_t kItemBlockBytes = 192 * 1024;  // fits a 256 KiB+ L2 with the queries
};

struct SearchResults {
  // Per query: 1-based rank of its target; 0 when it has none, the target is excluded,
  // or its score is not a number.
  std::vector<std::int64_t> rank;
  // Per query, top_k entries best first (count x top_k); missing entries (fewer eligible
  // items than top_k) are item -1 with score -infinity.
  std::vector<std::int64_t> top_items;
  std::vector<float> top_scores;
};

// Scores every query against every item. Fails with kInvalidArgument on a target or an
// excluded item out of range, or bad options; *results is resized and overwritten.
Status ExactSearch(const ItemMatrix& items, const QuerySet& queries, const SearchOptions& options,
                   SearchResults* results);

}  // namespace item2vec
