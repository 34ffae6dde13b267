#include "common/shared_options.h"

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace item2vec {

void AddConfigOption(po::options_description* options, std::string* path) {
  options->add_options()("config", path != nullptr ? po::value(path) : po::value<std::string>(),
                         "INI file with any of these options as name = value; the command line wins");
}

void AddProgressOption(po::options_description* options, double* seconds) {
  options->add_options()("progress-seconds", po::value(seconds)->default_value(*seconds),
                         "seconds between progress lines");
}

void AddLogLevelOption(po::options_description* options, std::string* level) {
  options->add_options()("log-level", po::value(level)->default_value(*level), "trace, debug, info, warn or error");
}

void AddSearchThreadsOption(po::options_description* options, int* threads) {
  options->add_options()("threads", po::value(threads)->default_value(*threads),
                         "search threads; 0 = one per hardware thread");
}

}  // namespace item2vec
