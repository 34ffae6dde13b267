// ReportOptions: every setting of `item2vec report`, as typed, and the command's wiring.
//
// Contract: ReportCommand(o) is the Command (common/command.h) of `item2vec report`: its usage
// text, its options bound to *o's fields with their defaults (the fields' values at the call)
// and help, and its required options, from the table tools/report/report_options.opt (generated
// at build time). `items` is checked (10..1000000) before it becomes request.items. A plain
// value; read-only once parsed.
#pragma once

#include <cstddef>

#include "common/command.h"
#include "tools/report/run_report.h"

namespace item2vec {

struct ReportOptions {
  ReportRequest request;
  std::size_t items = ReportRequest().items;
};

Command ReportCommand(ReportOptions* o);

}  // namespace item2vec
