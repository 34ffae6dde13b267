#include "common/command_line.h"

#include <fstream>

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace item2vec {

Status ParseCommandOptions(const po::options_description& desc, const std::vector<std::string>& args,
                           const std::string& command, bool* help_requested, po::variables_map* given) {
  *help_requested = false;
  po::variables_map local;
  po::variables_map& vm = given != nullptr ? *given : local;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    if (vm.count("help")) {
      *help_requested = true;
      return Status::Ok();
    }
    if (desc.find_nothrow("config", false) != nullptr && vm.count("config")) {
      const std::string path = vm["config"].as<std::string>();
      std::ifstream in(path);
      if (!in) return Status::NotFound("cannot open config file '" + path + "'");
      // Later stores do not override earlier ones: the command line wins.
      try {
        po::store(po::parse_config_file(in, desc, /*allow_unregistered=*/false), vm);
      } catch (const po::error& e) {
        return Status::InvalidArgument("config file '" + path + "': " + e.what() + " (INI keys are the long option "
                                       "names without '--'; see item2vec " + command + " --help)");
      }
    }
    po::notify(vm);
  } catch (const OptionValueError& e) {
    return Status::InvalidArgument(e.what());
  } catch (const po::error& e) {
    return Status::InvalidArgument(std::string(e.what()) + " (see item2vec " + command + " --help)");
  }
  return Status::Ok();
}

}  // namespace item2vec
