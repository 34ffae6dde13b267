#include "common/units.h"
#include "tools/prep/prep_options.h"

#include <gtest/gtest.h>

#include "tests/prep/prep_test_util.h"

namespace item2vec {
namespace {

Result<PrepConfig> Resolve(std::vector<std::string> args) {
  PrepOptions o;
  bool help = false;
  Status st = ParsePrepOptions(args, &o, &help);
  if (!st.ok()) return st;
  return ResolvePrepOptions(o);
}

TEST(PrepOptions, DefaultsAndTypedValues) {
  auto c = Resolve({"-i", "a.csv", "-o", "out", "--time-col", "4", "--session-gap", "30m", "--memory", "1G",
                    "--holdout", "last:2", "--mode", "set", "--rating-col", "3", "--min-rating", "3.5"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->delimiter, "");  // auto
  EXPECT_EQ(c->columns.user.position, 0);
  EXPECT_EQ(c->columns.item.position, 1);
  EXPECT_EQ(c->columns.time.position, 3);
  EXPECT_EQ(c->session.session_gap_ms, 30 * 60 * 1000);
  EXPECT_EQ(c->memory_bytes, 1ll << 30);
  EXPECT_EQ(c->session.holdout.kind, HoldoutSpec::Kind::kLast);
  EXPECT_EQ(c->session.holdout.count, 2);
  EXPECT_EQ(c->session.mode, SequenceMode::kSet);
  EXPECT_TRUE(c->has_min_rating);
  EXPECT_DOUBLE_EQ(c->min_rating, 3.5);
  EXPECT_EQ(c->session.min_length, 2);
  EXPECT_EQ(c->parts, 1);
}

TEST(PrepOptions, ByteSizes) {
  EXPECT_EQ(ParseByteSize("512M").value(), 512ll << 20);
  EXPECT_EQ(ParseByteSize("64k").value(), 64ll << 10);
  EXPECT_EQ(ParseByteSize("2GB").value(), 2ll << 30);
  EXPECT_EQ(ParseByteSize("1GiB").value(), 1ll << 30);
  EXPECT_EQ(ParseByteSize("1048576").value(), 1048576);
  EXPECT_EQ(ParseByteSize("1.5K").value(), 1536);
  EXPECT_FALSE(ParseByteSize("lots").ok());
  EXPECT_FALSE(ParseByteSize("-1M").ok());
  EXPECT_FALSE(ParseByteSize("").ok());
}

TEST(PrepOptions, CombinationsThatCannotWorkAreRejectedWithTheOptionName) {
  struct Case {
    std::vector<std::string> extra;
    std::string mentions;
  };
  const Case cases[] = {
      {{"--min-rating", "3"}, "--rating-col"},
      {{"--event-types", "view"}, "--event-col"},
      {{"--session-gap", "30m"}, "--time-col"},
      {{"--holdout", "after:2018-01-01"}, "--time-col"},
      {{"--holdout", "first"}, "--holdout"},
      {{"--mode", "bag"}, "--mode"},
      {{"--memory", "1K"}, "--memory"},
      {{"--max-length", "1"}, "--max-length"},
      {{"--min-length", "0"}, "--min-length"},
      {{"--parts", "0"}, "--parts"},
      {{"--header", "no", "--user-col", "userId"}, "--header"},
      {{"--quote", "ab"}, "--quote"},
      {{"--time-format", "rfc"}, "--time-format"},
      {{"--log-level", "loud"}, "--log-level"},
      {{"--no-such-option"}, "no-such-option"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"-i", "a.csv", "-o", "out"};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    auto r = Resolve(args);
    ASSERT_FALSE(r.ok()) << c.extra[0];
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << c.extra[0];
    EXPECT_NE(r.status().message().find(c.mentions), std::string::npos) << r.status().message();
  }
  EXPECT_NE(Resolve({"-o", "out"}).status().message().find("--input"), std::string::npos);
  EXPECT_NE(Resolve({"-i", "a"}).status().message().find("--output"), std::string::npos);
}

TEST(PrepOptions, ConfigFileFillsOptionsAndCommandLineWins) {
  prep_testing::TempDir dir;
  prep_testing::WriteFile(dir.File("prep.ini"),
                          "input = a.csv\noutput = out\ntime-col = timestamp\nmin-length = 3\nparts = 4\n");
  auto c = Resolve({"--config", dir.File("prep.ini"), "--parts", "2"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->columns.time.text, "timestamp");
  EXPECT_EQ(c->session.min_length, 3);
  EXPECT_EQ(c->parts, 2);
  EXPECT_EQ(c->input, (std::vector<std::string>{"a.csv"}));
  auto missing = Resolve({"--config", dir.File("none.ini")});
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
}

TEST(PrepOptions, HelpIsReported) {
  PrepOptions o;
  bool help = false;
  EXPECT_TRUE(ParsePrepOptions({"--help"}, &o, &help).ok());
  EXPECT_TRUE(help);
}

// --event-weights: needs the event column and --mode sequence; every bad entry is named.
TEST(PrepOptions, EventWeightsAreCheckedEntryByEntry) {
  const std::vector<std::string> base = {"-i", "a.csv", "-o", "out", "--event-col", "5"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return Resolve(args);
  };
  auto ok = with({"--event-weights", "purchase=3, cart = 2,click=1"});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->event_weights.WeightOf("purchase"), 3.0);
  EXPECT_EQ(ok->event_weights.WeightOf("cart"), 2.0);
  EXPECT_EQ(ok->event_weights.WeightOf("view"), 1.0);
  const std::pair<std::vector<std::string>, std::string> bad[] = {
      {{"--event-weights", "buy"}, "entry 'buy': no '='"},
      {{"--event-weights", "=3"}, "no event type"},
      {{"--event-weights", "buy=0"}, "(0, 1e6]"},
      {{"--event-weights", "buy=x"}, "(0, 1e6]"},
      {{"--event-weights", "buy=-2"}, "(0, 1e6]"},
      {{"--event-weights", "buy=2,buy=3"}, "listed twice"},
      {{"--event-weights", " , "}, "no TYPE=WEIGHT"},
      {{"--event-weights", "buy=2", "--mode", "set"}, "--mode sequence"},
      {{"--weight-col", "4", "--mode", "set"}, "--weight-col needs --mode sequence"},
  };
  for (const auto& [extra, mentions] : bad) {
    auto r = with(extra);
    ASSERT_FALSE(r.ok()) << extra[1];
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(mentions), std::string::npos) << r.status().message();
  }
  auto no_column = Resolve({"-i", "a.csv", "-o", "out", "--event-weights", "buy=2"});
  ASSERT_FALSE(no_column.ok());
  EXPECT_NE(no_column.status().message().find("--event-col"), std::string::npos);
}

}  // namespace
}  // namespace item2vec
