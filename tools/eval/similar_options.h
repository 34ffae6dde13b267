// SimilarOptions: every setting of `item2vec similar`, as typed, and the command's wiring.
//
// Contract: SimilarCommand(o) is the Command (common/command.h) of `item2vec similar`: its usage text, its
// options bound to *o's fields with their defaults (the fields' values at the call) and help,
// and its required options, from the table tools/eval/similar_options.opt (generated at build time).
// A plain value; read-only once parsed.
#pragma once

#include <string>
#include <vector>

#include "common/command.h"
#include "model/ann_index.h"
#include "model/names.h"

namespace item2vec {

struct SimilarOptions {
  std::string model, items_file, names, format = "auto", metric = "cosine";
  NameFileOptions name_options;
  std::vector<std::string> items;
  int k = 10;
  int threads = 0;
  bool use_index = false;
  int ef = AnnBuildOptions::kDefaultEf;
};

Command SimilarCommand(SimilarOptions* o);

}  // namespace item2vec
