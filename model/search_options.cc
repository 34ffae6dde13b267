#include "model/search_options.h"

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace item2vec {

void AddVectorsFormatOption(po::options_description* options, std::string* format, const std::string& more) {
  const std::string help = "vectors file format: text, binary, or auto (binary when the name ends in .bin)" + more;
  options->add_options()("format", po::value(format)->default_value(*format), help.c_str());
}

void AddMetricOption(po::options_description* options, std::string* metric, const std::string& more) {
  const std::string help =
      "similarity measure: 'cosine' (the default) compares directions only, for "
      "normalised similarity where popular and rare items compete on equal terms; 'dot' "
      "is the raw inner product, for when vector length carries popularity (in SGNS it "
      "often grows with an item's frequency, so dot favours frequent items) and for "
      "dot-product serving stacks; 'euclidean' ranks by ascending L2 distance between raw vectors (shown as "
      "the distance), matching clustering tools such as k-means" + more;
  options->add_options()("metric", po::value(metric)->default_value(*metric), help.c_str());
}

}  // namespace item2vec
