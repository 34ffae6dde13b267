// ParseCommandOptions: the one way every item2vec subcommand reads its options.
//
// Contract: parses args against desc (Boost.Program_options). With --help present it sets
// *help_requested and returns Ok without checking anything else. When desc has a
// "config" option and it is given, the named INI file is read too; values already given
// on the command line win. Unknown options, bad values and unreadable config files come
// back as InvalidArgument / NotFound whose message ends with "(see item2vec COMMAND
// --help)", except an OptionValueError (thrown by an option's own validator with a complete
// message), which comes back as InvalidArgument with its message as it is. Values land in
// the variables bound to desc.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options/errors.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include "common/status.h"

namespace item2vec {

// A value refused by an option's own validator; what() is the whole message for the user.
class OptionValueError : public boost::program_options::error {
 public:
  using boost::program_options::error::error;
};

// given (may be null): what was given, on the command line or in the INI file, for checks of
// required options (common/command.h).
Status ParseCommandOptions(const boost::program_options::options_description& desc,
                           const std::vector<std::string>& args, const std::string& command,
                           bool* help_requested, boost::program_options::variables_map* given = nullptr);

}  // namespace item2vec
