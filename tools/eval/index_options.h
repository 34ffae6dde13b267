// IndexOptions: every setting of `item2vec index`, as typed, and the command's wiring.
//
// Contract: IndexCommand(o) is the Command (common/command.h) of `item2vec index`: its usage text, its
// options bound to *o's fields with their defaults (the fields' values at the call) and help,
// and its required options, from the table tools/eval/index_options.opt (generated at build time).
// A plain value; read-only once parsed.
#pragma once

#include <string>

#include "common/command.h"
#include "model/ann_index.h"

namespace item2vec {

struct IndexOptions {
  std::string model, format = "auto", metric = "cosine";
  AnnBuildOptions build;
  int threads = 0, check = 1000, ef = AnnBuildOptions::kDefaultEf;
};

Command IndexCommand(IndexOptions* o);

}  // namespace item2vec
