// `item2vec publish`: the command-line edge of Publish (publisher.h): options, the
// password (REDISCLI_AUTH or --password-file, never the command line), the summary line.
#pragma once

#include <string>
#include <vector>

namespace item2vec {

// Returns the process exit code.
int RunPublishCommand(const std::vector<std::string>& args);

}  // namespace item2vec
