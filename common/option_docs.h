// Option docs: the Markdown tables (docs/commands/) and the INI file of a command's options, written from
// the same boost::program_options description that prints its --help.
//
// Contract: the option description (e.g. TrainOptionsDescription, common/train_options.h, built
// from the table common/train_options.opt) is the one table of names, defaults and help text. OptionsMarkdown() renders it as one
// Markdown table per group (option | default | meaning); OptionsIni() as an INI file that
// sets every option with a plain default to it and lists the others commented out, each
// under its help text. A default is what --help shows after "(=": switches are off, an
// option without one shows "none". tests/common/option_docs_test.cc checks that
// docs/commands/train.md and configs/default.ini hold exactly this text (and rewrites them
// with ITEM2VEC_UPDATE_OPTION_DOCS=1). Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/option_table.h"

namespace item2vec {

std::string OptionsMarkdown(const std::vector<OptionGroup>& groups);

// header: the file's opening comment, as one paragraph (wrapped into "# " lines).
std::string OptionsIni(const std::vector<OptionGroup>& groups, const std::string& header);

}  // namespace item2vec
