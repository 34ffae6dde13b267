#include "model/name_options.h"

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace item2vec {

void AddNameFileOptions(po::options_description* desc, std::string* path, NameFileOptions* o) {
  desc->add_options()
      ("names", po::value(path),
       "delimited file mapping items to titles, read like prep's input: e.g. "
       "data/ml-latest-small/movies.csv (CSV with a header), or ml-100k's u.item with "
       "--name-columns 1,2 (pipe-separated, no header, latin-1)")
      ("name-columns", po::value(&o->columns)->default_value(o->columns),
       "ID_COLUMN,TITLE_COLUMN in --names: header names, or 1-based positions (e.g. 1,2)")
      ("name-delimiter", po::value(&o->delimiter)->default_value(o->delimiter),
       "field separator of --names: auto ('::' if the first line has it, else tab, ',', ';', '|'), "
       "',', tab, '|', '::' or any string")
      ("name-quote", po::value(&o->quote)->default_value(o->quote),
       "quote character of --names for fields holding the delimiter; 'none' turns quoting off")
      ("name-header", po::value(&o->header)->default_value(o->header),
       "whether the first line of --names is a header: yes, no, or auto (yes when a column is "
       "given by name)")
      ("name-encoding", po::value(&o->encoding)->default_value(o->encoding),
       "encoding of the titles: auto (latin-1 when the file is not valid UTF-8), utf-8, latin-1; "
       "output as UTF-8");
}

}  // namespace item2vec
