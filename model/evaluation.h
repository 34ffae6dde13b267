// Evaluate: next-item prediction quality of item vectors on a hold-out file, with a popularity
// baseline on the same records (what `item2vec eval` and the run report print).
//
// Contract:
// - For each test record (see test_records.h) a query is the last history item
//   ("last"), the normalised mean of the normalised vectors of the last K history items
//   that are in the model ("mean:K"; for dot and euclidean the plain mean of the raw
//   vectors), or the user vector ("user": the mean of every known history item's stored
//   vector, user_vector.h, the code of embed-users). --query takes a comma-separated list
//   (e.g. "last,user"); every query is evaluated on the same records: those with a
//   non-empty history and at least one query item of every query in the model (the others
//   are skipped and counted). All items are ranked by --metric (similarity.h) to the query,
//   excluding the query's item(s) (for "user": every known history item) and, with
//   exclude_history, every history item; the rank of next_item gives HR@K, NDCG@K and
//   MRR (metrics.h). A next_item that is not in the model or is excluded is a miss,
//   counted in the metrics and reported (target_excluded counts the first query's).
// - With use_index the ranking comes from the HNSW index of the model and metric
//   (ann_index.h) searched for the largest K with width ef: a next item it does not return
//   in the top K is a miss, and MRR is cut at that K.
// - The popularity baseline ranks the same candidates by count with the first query's
//   exclusions on the same records. Counts: --train when given, else DIR/vocab.tsv; without either
//   the baseline is skipped and the report says why.
// - Evaluate() does the work and returns the report (errors as values); the command-line edge
//   is tools/eval/eval_command.h. Thread-safe: it shares nothing between calls.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "model/ann_index.h"
#include "model/eval_report.h"

namespace item2vec {

struct EvalOptions {
  std::string model;               // model directory or vectors file (required)
  std::string test;                // hold-out file (required)
  std::string format = "auto";     // vectors format: text, binary, auto (".bin" = binary)
  std::string ks = "1,5,10,20";    // cut-offs for HR@K and NDCG@K
  std::string query = "last";      // comma-separated: "last", "mean:K", "user"
  std::string metric = "cosine";   // cosine, dot, euclidean
  bool use_index = false;          // rank with the HNSW index instead of the exact search
  int ef = AnnBuildOptions::kDefaultEf;  // index search width
  bool exclude_history = false;    // also exclude every history item from the candidates
  std::vector<std::string> train;  // sequence files/dirs to count popularity from
  std::string json;                // write the report here as JSON (empty = do not)
  int threads = 0;                 // search threads; 0 = hardware concurrency
  int chunk_records = 16384;       // records whose query vectors are built at once
};

// One query of `--query`: the last item, the mean of the last mean_k items, or the user vector.
struct QueryMode {
  enum class Kind { kLast, kMean, kUser };
  Kind kind = Kind::kLast;
  int mean_k = 1;
  std::string name;  // as given
};
Result<QueryMode> ParseQueryMode(const std::string& text);
// A comma-separated list of queries, each at most once.
Result<std::vector<QueryMode>> ParseQueryModes(const std::string& text);

Result<EvalReport> Evaluate(const EvalOptions& options);

}  // namespace item2vec
