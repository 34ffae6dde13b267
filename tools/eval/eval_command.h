// `item2vec eval`: next-item prediction quality of item vectors on a hold-out file, with a
// popularity baseline on the same records.
//
// Contract:
// - For each test record (see test_records.h) the query is the last history item
//   ("last") or the normalised mean of the normalised vectors of the last K history items
//   that are in the model ("mean:K"). Records with an empty history or no query item in
//   the model are skipped and counted. All items are ranked by cosine to the query,
//   excluding the query item(s) and, with exclude_history, every history item; the rank of
//   next_item gives HR@K, NDCG@K and MRR (metrics.h). A next_item that is not in the
//   model or is excluded is a miss, counted in the metrics and reported.
// - The popularity baseline ranks the same candidates by count with the same exclusions
//   on the same records. Counts: --train when given, else DIR/vocab.tsv; without either
//   the baseline is skipped and the report says why.
// - Evaluate() does the work and returns the report (errors as values); RunEvalCommand()
//   is the command-line edge: options, messages on stderr, the table on stdout, the JSON
//   file written atomically, and the exit code (0 ok, 2 usage, 3 bad input, 4 I/O).
#pragma once

#include <string>
#include <vector>

#include "tools/eval/eval_report.h"
#include "common/status.h"

namespace item2vec {

struct EvalOptions {
  std::string model;               // model directory or vectors file (required)
  std::string test;                // hold-out file (required)
  std::string format = "auto";     // vectors format: text, binary, auto (".bin" = binary)
  std::string ks = "1,5,10,20";    // cut-offs for HR@K and NDCG@K
  std::string query = "last";      // "last" or "mean:K"
  bool exclude_history = false;    // also exclude every history item from the candidates
  std::vector<std::string> train;  // sequence files/dirs to count popularity from
  std::string json;                // write the report here as JSON (empty = do not)
  int threads = 0;                 // search threads; 0 = hardware concurrency
  int chunk_records = 16384;       // records whose query vectors are built at once
};

// The query of `--query`: kind last (mean_k 0) or mean of mean_k items.
struct QueryMode {
  bool mean = false;
  int mean_k = 1;
};
Result<QueryMode> ParseQueryMode(const std::string& text);

Result<EvalReport> Evaluate(const EvalOptions& options);

int RunEvalCommand(const std::vector<std::string>& args);

}  // namespace item2vec
