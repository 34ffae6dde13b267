#include "tools/report/report_command.h"

#include <iostream>

#include "common/command.h"
#include "tools/report/report_options.h"
#include "tools/report/run_report.h"

namespace item2vec {

namespace {

Status Report(ReportOptions o) {
  ReportRequest& r = o.request;
  if (!r.test.empty() && !r.eval_json.empty()) return Status::InvalidArgument("give --test or --eval-json, not both");
  if (o.items < 10 || o.items > 1000000) return Status::InvalidArgument("--items must be in 10..1000000");
  r.items = o.items;
  Result<ReportResult> written = WriteRunReport(r);
  if (!written.ok()) return written.status();
  std::cout << "wrote " << written->path << " in " << written->seconds << " s\n";
  return Status::Ok();
}

}  // namespace

int RunReportCommand(const std::vector<std::string>& args) {
  return RunTableCommand(ReportCommand, Report, args);
}

}  // namespace item2vec
