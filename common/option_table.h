// Option tables: a command's options written once, as data (a .opt file beside the command's
// sources), from which --help, docs/commands/*.md and configs/default.ini are all made.
//
// Contract: common/option_table_gen.cc (its opening comment gives the table's format) turns each
// table into a function at build time: `groups NAME(...)` tables into one that returns the
// command's OptionGroups in --help's order, `adds NAME(...)` tables into one that adds rows to a
// given description, `command CMD NAME(...)` tables (usage and required options too) into one
// that returns the command's wiring, a Command (common/command.h: RunTableCommand). The CMake
// function item2vec_option_table(TARGET TABLE) (common/CMakeLists.txt) generates it into the
// build directory and compiles it into TARGET; the function's declaration stays in the
// command's header. OptionsWithHelp joins the groups under one caption, after
// --help. Pure; thread-compatible (as a boost options_description).
#pragma once

#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

namespace item2vec {

// One concern's options under the caption --help prints above them.
struct OptionGroup {
  std::string caption;
  boost::program_options::options_description options;
};

// "CAPTION:", then --help,-h, then every group under its own caption.
boost::program_options::options_description OptionsWithHelp(const std::string& caption,
                                                            const std::vector<OptionGroup>& groups);

}  // namespace item2vec
