// Option rows that several subcommands share, each written once with its help text, so that a
// row reads the same in every command's --help (and in the pages generated from them).
//
// Contract: each Add* appends one option to *options, bound to the given variable; where the
// row shows a default, it is the variable's value at the call. Pure; thread-compatible (as a
// boost options_description).
#pragma once

#include <string>

#include <boost/program_options/options_description.hpp>

namespace item2vec {

// --config FILE: the INI file ParseCommandOptions (common/command_line.h) reads after the
// command line. path may be null: the value is then only in the parsed variables.
void AddConfigOption(boost::program_options::options_description* options, std::string* path);
// --progress-seconds S (prep, walk): seconds between progress lines.
void AddProgressOption(boost::program_options::options_description* options, double* seconds);
// --log-level LEVEL (train, prep, walk, tune): trace, debug, info, warn or error.
void AddLogLevelOption(boost::program_options::options_description* options, std::string* level);
// --threads N (eval, similar, report): search threads; 0 = one per hardware thread.
void AddSearchThreadsOption(boost::program_options::options_description* options, int* threads);

}  // namespace item2vec
