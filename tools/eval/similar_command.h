// `item2vec similar`: the k nearest items of given items, to look at what was learnt.
//
// Contract:
// - Queries are the --item values then the lines of --items-file (first whitespace-
//   separated token; blank lines and lines starting with '#' skipped), in that order.
// - For each query item in the model, prints its k nearest items by the --metric (cosine,
//   dot or euclidean, similarity.h; exact search, or the HNSW index with --index), the item
//   itself excluded, best first, ties by row order. An item not in the model gets
//   one message on stderr and the others continue; the exit code is 0 when at least one
//   item was found, 3 when none was, 2 for a usage error.
// - Output on stdout, per query: "# <item>\t<title>" then one line per neighbour:
//   "<rank>\t<item>\t<score, 6 decimals>\t<title>" (cosine, dot, or euclidean distance),
//   and a blank line. Titles come from
//   --names (a CSV file with a header, see names.h); without it the title columns are
//   left out.
// - FindSimilar() is the library part (errors as values); RunSimilarCommand() the edge.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/model_loader.h"
#include "common/status.h"

namespace item2vec {

struct Neighbour {
  std::int64_t row;
  double score;  // as shown: cosine, dot, or euclidean distance (DisplayScore)
};

class AnnIndex;

// Nearest neighbours of each given row (itself excluded), k per row or fewer when the
// model has fewer other items, by the model matrix's similarity measure: exact search,
// or through `index` (searched with width ef) when it is not null.
Result<std::vector<std::vector<Neighbour>>> FindSimilar(const LoadedModel& model, const std::vector<std::int64_t>& rows,
                                                        int k, int threads, const AnnIndex* index = nullptr,
                                                        int ef = 0);

int RunSimilarCommand(const std::vector<std::string>& args);

}  // namespace item2vec
