// `item2vec index`: builds the HNSW index of a model for one similarity measure, for
// `similar --index` and `eval --index` on large catalogs.
//
// Contract:
// - Loads the model as the measure stores it (model_loader.h, similarity.h), builds the
//   graph with M and ef_construction on --threads threads, and saves it next to the
//   vectors file (ann_index.h: written atomically, tied to the model's fingerprint).
// - Then, unless --check 0, measures recall@10 of the index at --ef against the exact
//   search on --check items of the model (their own rows as queries, themselves
//   excluded) and prints it, so the search width can be chosen.
// - Messages on stderr; exit codes: 0 ok, 2 usage, 3 bad input, 4 I/O.
#pragma once

#include <string>
#include <vector>

namespace item2vec {

int RunIndexCommand(const std::vector<std::string>& args);

}  // namespace item2vec
