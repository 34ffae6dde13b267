// The option rows of the commands that read a model's vectors and search them (eval, similar,
// index), each written once with its help text: --format and --metric.
//
// Contract: each Add* appends one option to *options, bound to the given variable, its default
// the variable's value at the call; `more` is appended to the shared help text (the command's
// own note, may be empty). Pure; thread-compatible (as a boost options_description).
#pragma once

#include <string>

#include <boost/program_options/options_description.hpp>

namespace item2vec {

// --format: text, binary or auto (the vectors file's format).
void AddVectorsFormatOption(boost::program_options::options_description* options, std::string* format,
                            const std::string& more = "");
// --metric: cosine, dot or euclidean, with what each measure is and when it fits.
void AddMetricOption(boost::program_options::options_description* options, std::string* metric,
                     const std::string& more = "");

}  // namespace item2vec
