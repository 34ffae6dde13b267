// The train options' one table (TrainOptionsDescription, which prints --help) against the two
// files written from it: docs/commands/train.md's option tables and configs/default.ini. A
// changed option, default or help text fails here until the files are rewritten:
//   ITEM2VEC_UPDATE_OPTION_DOCS=1 build/bin/common_tests --gtest_filter='OptionDocs*'
#include "common/option_docs.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "common/train_options.h"
#include "tests/support/test_util.h"

namespace item2vec {
namespace {

const char kBegin[] = "<!-- BEGIN train options: generated from TrainOptionsDescription; see tests/common/option_docs_test.cc -->\n";
const char kEnd[] = "<!-- END train options -->\n";
const char kIniHeader[] =
    "item2vec train: every option with its default, written from the option table that prints "
    "`item2vec train --help` (tests/common/option_docs_test.cc checks they agree). Use with: "
    "mpirun -np 4 item2vec train --config configs/default.ini --input seqs/ --output model/ . "
    "Options given on the command line override this file. Comments must be on their own line "
    "(Boost.Program_options INI files allow no comment after a value). Options whose default "
    "depends on others (alpha, init-width, kernel, negative-pool, wire-precision) are commented "
    "out: a value here would count as given.";

std::string Source(const std::string& relative) { return std::string(ITEM2VEC_SOURCE_DIR) + "/" + relative; }

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Updating() { return std::getenv("ITEM2VEC_UPDATE_OPTION_DOCS") != nullptr; }

const char kHowToUpdate[] =
    "; rewrite it with ITEM2VEC_UPDATE_OPTION_DOCS=1 build/bin/common_tests --gtest_filter='OptionDocs*'";

std::vector<OptionGroup> TrainGroups() {
  static TrainOptions options;
  static std::string config;
  return TrainOptionGroups(&options, &config);
}

TEST(OptionDocsTest, TrainMarkdownTableIsTheOptionTable) {
  const std::string path = Source("docs/commands/train.md");
  std::string doc = Read(path);
  const auto begin = doc.find(kBegin);
  const auto end = doc.find(kEnd);
  ASSERT_NE(begin, std::string::npos) << path << " lacks the line " << kBegin;
  ASSERT_NE(end, std::string::npos) << path << " lacks the line " << kEnd;
  const std::size_t from = begin + sizeof kBegin - 1;
  const std::string want = "\n" + OptionsMarkdown(TrainGroups());
  if (Updating()) {
    doc.replace(from, end - from, want);
    std::ofstream(path) << doc;
  }
  EXPECT_EQ(doc.substr(from, end - from), want) << path << " differs from the option table" << kHowToUpdate;
}

TEST(OptionDocsTest, DefaultIniIsTheOptionTable) {
  const std::string path = Source("configs/default.ini");
  const std::string want = OptionsIni(TrainGroups(), kIniHeader);
  if (Updating()) std::ofstream(path) << want;
  EXPECT_EQ(Read(path), want) << path << " differs from the option table" << kHowToUpdate;
}

TEST(OptionDocsTest, DefaultIniParsesToTheDefaults) {
  TrainOptions from_ini, plain;
  bool help = false;
  ASSERT_TRUE(ParseTrainOptions({"--config", Source("configs/default.ini"), "--input", "x", "--output", "y"},
                                &from_ini, &help).ok());
  ASSERT_TRUE(ParseTrainOptions({"--input", "x", "--output", "y"}, &plain, &help).ok());
  EXPECT_EQ(ResumeSettings(from_ini), ResumeSettings(plain));
  // What ResumeSettings leaves out: whether a setting counts as given, and the run's own settings.
  const auto others = [](const TrainOptions& o) {
    return std::make_tuple(o.kernel_given, o.negative_pool_given, o.alpha_given, o.init_width_given, o.wire_precision,
                           o.servers, o.resume_mode, o.log_level, o.peer_timeout, o.liveness_timeout,
                           o.report.write_report, o.report.metrics_job);
  };
  EXPECT_TRUE(others(from_ini) == others(plain));
}

TEST(OptionDocsTest, EveryOptionIsInBoth) {
  const std::string md = OptionsMarkdown(TrainGroups());
  const std::string ini = OptionsIni(TrainGroups(), kIniHeader);
  TrainOptions options;
  std::string config;
  const auto description = TrainOptionsDescription(&options, &config);
  for (const auto& o : description.options()) {
    const std::string name = o->long_name();
    if (name == "help" || name == "config") continue;
    EXPECT_NE(md.find("| `--" + name + "` |"), std::string::npos) << name;
    EXPECT_TRUE(ini.find("\n" + name + " =") != std::string::npos ||
                ini.find("\n# " + name + " =") != std::string::npos)
        << name;
  }
}

}  // namespace
}  // namespace item2vec
