// ModelHead: the most frequent items of a model with their vectors, for the run report:
// the first N rows of vectors.bin (train writes rows in descending count order), so the
// report's memory and time stay bounded (N x dim floats) whatever the vocabulary size.
//
// Contract:
// - LoadModelHead(files, n) streams the first n rows of a word2vec binary file and the first n
//   lines of its vocab.tsv (common/vocab_tsv.h); the items must be the same, in the same order
//   (else kDataError naming both files). Without a vocab.tsv the counts are 0. total_items is
//   the vectors file's row count. HeadFilesOf(dir) names DIR/model's files (a model directory
//   written by train, or a flat one).
// - FindHeadNeighbours gives, for each head item in `queries`, its k nearest other head items
//   by cosine, best first, with tools/eval's exact search (ties by id; fewer than k when the
//   head is smaller, padded with -1); the other items' rows stay -1 (searched() is false).
//   Neighbours are searched among the head only: for the N most frequent items of a large
//   vocabulary they are "the nearest frequent items".
// - PrincipalPlane projects the first `n` head rows (unit-normalised, centred) on their first
//   two principal components (power iteration from a fixed start: the same map every time).
// Plain values; the functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/types.h"

namespace item2vec {

struct HeadFiles {
  std::string vectors_bin;  // word2vec binary
  std::string vocab_tsv;    // "" when there is none
};
HeadFiles HeadFilesOf(const std::string& model_dir);

struct ModelHead {
  std::vector<std::string> items;  // the first rows, most frequent first
  std::vector<Count> counts;       // from vocab.tsv; 0 without one
  int dim = 0;
  std::vector<float> rows;         // items.size() x dim, as written
  std::int64_t total_items = 0;    // rows in the whole model
  std::size_t size() const { return items.size(); }
  const float* row(std::size_t i) const { return rows.data() + i * static_cast<std::size_t>(dim); }
};

Result<ModelHead> LoadModelHead(const HeadFiles& files, std::size_t n);

struct HeadNeighbours {
  int k = 0;
  std::vector<std::int64_t> ids;  // head.size() x k head ids, -1 = none
  std::vector<float> scores;      // cosine, same layout
  std::vector<char> searched;     // per head item
  bool has(std::size_t i) const { return i < searched.size() && searched[i] != 0; }
  const std::int64_t* of(std::size_t i) const { return ids.data() + i * static_cast<std::size_t>(k); }
  const float* scores_of(std::size_t i) const { return scores.data() + i * static_cast<std::size_t>(k); }
};

Result<HeadNeighbours> FindHeadNeighbours(const ModelHead& head, int k, const std::vector<std::size_t>& queries,
                                          int threads);

std::vector<std::array<double, 2>> PrincipalPlane(const ModelHead& head, std::size_t n);

}  // namespace item2vec
