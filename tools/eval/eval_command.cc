#include "tools/eval/eval_command.h"

#include <iostream>

#include "common/atomic_file.h"
#include "common/command.h"
#include "model/evaluation.h"
#include "tools/eval/eval_options.h"

namespace item2vec {

namespace {

// Evaluates, prints the table and writes --json; no record evaluated is bad input.
Status EvaluateAndReport(const EvalOptions& o) {
  Result<EvalReport> report = Evaluate(o);
  if (!report.ok()) return report.status();
  std::cerr << "item2vec eval: searched " << report->items << " items for " << report->evaluated << " records in "
            << report->search_seconds << "s with " << report->threads << " thread(s)\n";
  std::cout << FormatTable(*report) << std::flush;
  if (!o.json.empty()) ITEM2VEC_RETURN_IF_ERROR(WriteFileAtomically(o.json, ReportJson(*report)).WithContext("writing --json"));
  // All-zero metrics over no record are no result: a gate must not compare them.
  if (report->evaluated == 0)
    return Status::DataError(
        "no test record could be evaluated: " + std::to_string(report->records_read) + " read, " +
        std::to_string(report->skipped_empty_history) + " with an empty history, " +
        std::to_string(report->skipped_query_oov) + " whose query items are all outside the model's " +
        std::to_string(report->items) + " items (is the test file from the same data as the model?)");
  return Status::Ok();
}

}  // namespace

int RunEvalCommand(const std::vector<std::string>& args) {
  return RunTableCommand(EvalCommand, EvaluateAndReport, args);
}

}  // namespace item2vec
