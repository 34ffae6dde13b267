// ExportOptions: every setting of `item2vec export`, as typed, and the command's wiring.
//
// Contract: ExportCommand(o) is the Command (common/command.h) of `item2vec export`: its usage text, its
// options bound to *o's fields with their defaults (the fields' values at the call) and help,
// and its required options, from the table tools/export/export_options.opt (generated at build time).
// A plain value; read-only once parsed.
#pragma once

#include <cstdint>
#include <string>

#include "common/command.h"
#include "model/names.h"

namespace item2vec {

struct ExportOptions {
  std::string model, format, output, names;
  NameFileOptions name_options;
  std::int64_t max_items = 0;
  bool normalize = false;
};

Command ExportCommand(ExportOptions* o);

}  // namespace item2vec
