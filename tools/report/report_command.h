// `item2vec report`: the command-line edge of WriteRunReport (run_report.h): (re)writes a
// model's report.html, e.g. in the nightly refresh with the eval it already ran, the model in
// service as the previous model and the history across nights.
#pragma once

#include <string>
#include <vector>

namespace item2vec {

// Returns the process exit code (0 ok, 2 bad options, 3 a model that cannot be read, 4 the
// page cannot be written).
int RunReportCommand(const std::vector<std::string>& args);

}  // namespace item2vec
