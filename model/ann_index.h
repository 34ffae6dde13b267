// AnnIndex: an HNSW graph (hnswlib) over a model's items for approximate top-k search,
// stored next to the vectors file and tied to the exact model it was built from.
//
// Contract:
// - Built from an ItemMatrix, so it indexes exactly the rows the exact search scores:
//   cosine = unit rows in hnswlib's inner-product space, dot = raw rows in the
//   inner-product space, euclidean = raw rows in its L2 space. Build uses `threads`
//   std::threads (the insertion order, hence the graph, varies when threads > 1).
// - Files (IndexPaths): META = "<vectors file>.<metric>.index", a small text file, and the
//   graph it names, "<vectors file>.<metric>.<build id>.hnsw". Save writes the graph under
//   a fresh name (temporary, fsync, rename), then META atomically (common/atomic_file.h),
//   then removes older graphs of the same metric and the temporaries of killed builds: a
//   reader sees the old index or the new one, never a mix, and a killed build leaves the
//   previous index usable.
// - META records the metric, items, dim, M, ef_construction, the graph's byte size and the
//   model's fingerprint (ModelFingerprint: FNV/Murmur over item names and stored values).
//   Load refuses, with kDataError naming both files and the command to rebuild, an index
//   whose metric, items, dim or fingerprint differ from the model given (a stale index),
//   and a graph whose size differs or that hnswlib cannot read; no index at all is
//   kNotFound.
// - Search returns, per query, the top_k items by the model's own score (ItemMatrix::Dot,
//   the same arithmetic as ExactSearch), best first, ties by item id: hnswlib proposes
//   top_k + (the query's exclusions) candidates with search width max(ef, that), they are
//   re-scored exactly, exclusions are dropped. rank[q] is the target's 1-based position in
//   that list, 0 when it is not in it (so ranks beyond top_k are misses). Queries are
//   spread over `threads` std::threads; Search may run from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "model/model_loader.h"
#include "model/nearest_neighbors.h"

namespace item2vec {

struct AnnBuildOptions {
  int m = 16;                 // graph degree (hnswlib M); layer 0 keeps 2M links
  int ef_construction = 200;  // candidate list while inserting
  int threads = 1;
  std::uint64_t seed = 100;   // hnswlib's level generator
  // Search width of similar / eval --index: recall@10 0.995 at 24x the exact queries/s on
  // 1M x 100 clustered vectors (docs/benchmarks.md, "ANN index").
  static constexpr int kDefaultEf = 40;
};

// The checks Build makes of the options, for a command to make before it loads a model.
Status ValidateAnnBuildOptions(const AnnBuildOptions& o);

struct IndexPaths {
  std::string meta;  // <vectors>.<metric>.index
  std::string dir;   // where the graphs live
  std::string stem;  // <vectors file name>.<metric>. (graphs: stem + id + ".hnsw")
};
IndexPaths IndexPathsFor(const std::string& vectors_path, Similarity similarity);

std::uint64_t ModelFingerprint(const LoadedModel& model);

class AnnIndex {
 public:
  ~AnnIndex();
  AnnIndex(const AnnIndex&) = delete;
  AnnIndex& operator=(const AnnIndex&) = delete;

  static Result<std::unique_ptr<AnnIndex>> Build(const ItemMatrix& matrix, const AnnBuildOptions& options);
  // Writes the graph and META (see the contract). model_vectors is recorded for messages.
  Status Save(const IndexPaths& paths, std::uint64_t fingerprint, const std::string& model_vectors) const;
  static Result<std::unique_ptr<AnnIndex>> Load(const IndexPaths& paths, const ItemMatrix& matrix,
                                                std::uint64_t fingerprint);

  Status Search(const ItemMatrix& matrix, const QuerySet& queries, int top_k, int ef, int threads,
                SearchResults* results) const;

  std::size_t size() const;
  int m() const { return m_; }
  int ef_construction() const { return ef_construction_; }

 private:
  AnnIndex();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Similarity similarity_ = Similarity::kCosine;
  int dim_ = 0, m_ = 0, ef_construction_ = 0;
};

}  // namespace item2vec
