// The --names options (a table of item ids and titles, model/names.h) as one group of
// command-line options, for the commands that show titles (report, export, similar).
//
// Contract: AddNameFileOptions adds --names, --name-columns, --name-delimiter, --name-quote,
// --name-header and --name-encoding to `desc`, bound to *path and *options, with their
// defaults and help, from the table model/name_options.opt (generated at build time).
#pragma once

#include <string>

#include <boost/program_options/options_description.hpp>

#include "model/names.h"

namespace item2vec {

void AddNameFileOptions(boost::program_options::options_description* desc, std::string* path,
                        NameFileOptions* options);

}  // namespace item2vec
