// Tests of common/weighted_token.h: which tokens are ITEM*W, their item and weight, the bad
// weights, and that prep's formatting reads back as what it wrote.
#include "common/weighted_token.h"

#include <limits>
#include <string>
#include <tuple>
#include <string_view>

#include <gtest/gtest.h>

namespace item2vec {
namespace {

struct Split {
  TokenWeight kind;
  std::string item;
  double weight;
};

Split Parse(std::string_view token) {
  std::string_view item;
  double weight = -1;
  const TokenWeight kind = SplitWeightedToken(token, &item, &weight);
  return {kind, std::string(item), weight};
}

TEST(WeightedTokenTest, WeightedTokensSplitAtTheLastStar) {
  for (const auto& [token, item, weight] : {std::tuple<std::string, std::string, double>{"a*3", "a", 3.0},
                                            {"1234*0.5", "1234", 0.5},
                                            {"a*3*2", "a*3", 2.0},
                                            {"x*1e+06", "x", 1e6},
                                            {"x*2.25", "x", 2.25}}) {
    const Split s = Parse(token);
    EXPECT_EQ(s.kind, TokenWeight::kWeighted) << token;
    EXPECT_EQ(s.item, item) << token;
    EXPECT_EQ(s.weight, weight) << token;
  }
}

TEST(WeightedTokenTest, OtherTokensAreItemsWholeWithWeightOne) {
  for (const std::string token : {"a", "*3", "a*", "a*x", "a*3x", "a*-1", "a*.5", "a* 3", "a*+2", ""}) {
    const Split s = Parse(token);
    EXPECT_EQ(s.kind, TokenWeight::kPlain) << token;
    EXPECT_EQ(s.item, token);
    EXPECT_EQ(s.weight, 1.0) << token;
    EXPECT_EQ(TokenItem(token), token);
  }
}

TEST(WeightedTokenTest, ZeroHugeAndOverflowingWeightsAreBad) {
  for (const std::string token : {"a*0", "a*0.0", "a*1000001", "a*1e999"}) {
    EXPECT_EQ(Parse(token).kind, TokenWeight::kBad) << token;
    const std::string message = BadWeightMessage(token);
    EXPECT_NE(message.find(token), std::string::npos) << message;
    EXPECT_NE(message.find("positive weight"), std::string::npos) << message;
  }
}

TEST(WeightedTokenTest, FormatReadsBackAndLeavesWeightOneAlone) {
  for (const auto& [item, weight, text] : {std::tuple<std::string, double, std::string>{"a", 1.0, "a"},
                                           {"a", 3.0, "a*3"},
                                           {"a", 0.5, "a*0.5"},
                                           {"a", 0.1, "a*0.1"},
                                           {"a*3", 1.0, "a*3*1"},  // would read as a*3 otherwise
                                           {"a*3", 2.0, "a*3*2"}}) {
    std::string out;
    FormatWeightedToken(item, weight, &out);
    EXPECT_EQ(out, text);
    const Split s = Parse(out);
    EXPECT_EQ(s.item, item) << out;
    EXPECT_EQ(s.weight, weight) << out;
  }
}

TEST(WeightedTokenTest, ValidEventWeights) {
  EXPECT_TRUE(ValidEventWeight(1));
  EXPECT_TRUE(ValidEventWeight(1e6));
  EXPECT_TRUE(ValidEventWeight(1e-3));
  EXPECT_FALSE(ValidEventWeight(0));
  EXPECT_FALSE(ValidEventWeight(-1));
  EXPECT_FALSE(ValidEventWeight(1e6 + 1));
  EXPECT_FALSE(ValidEventWeight(std::numeric_limits<double>::infinity()));
  EXPECT_FALSE(ValidEventWeight(std::numeric_limits<double>::quiet_NaN()));
}

}  // namespace
}  // namespace item2vec
