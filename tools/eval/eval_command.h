// `item2vec eval`: the command-line edge of Evaluate (model/evaluation.h): options, messages
// on stderr, the table on stdout, the JSON file written atomically, and the exit code (0 ok,
// 2 usage, 3 bad input or no record evaluated, 4 I/O).
#pragma once

#include <string>
#include <vector>

namespace item2vec {

int RunEvalCommand(const std::vector<std::string>& args);

}  // namespace item2vec
