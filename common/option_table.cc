#include "common/option_table.h"

namespace po = boost::program_options;

namespace item2vec {

po::options_description OptionsWithHelp(const std::string& caption, const std::vector<OptionGroup>& groups) {
  po::options_description all(caption);
  all.add_options()("help,h", "print this help and exit");
  for (const OptionGroup& group : groups) all.add(group.options);
  return all;
}

}  // namespace item2vec
