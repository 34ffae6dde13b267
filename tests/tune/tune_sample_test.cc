// --sample's share: the floor on the sample's tokens (RaisedShare), the seeded line choice
// (KeepLine: a raised share holds the requested one) and the token count of a line.
#include <gtest/gtest.h>

#include <string>

#include "common/hash.h"
#include "tools/tune/tune_sample.h"

namespace item2vec {
namespace {

TEST(TuneSample, ASampleUnderTheFloorIsRaisedToIt) {
  // msweb: 69,571 tokens, a tenth keeps about 7k: under a floor of 100k the trials train on
  // the full input.
  EXPECT_EQ(RaisedShare(0.1, 7126, 69571, 100000), 1.0);
  // retail: 760,138 tokens, a tenth keeps 76k: raised to the share that holds 100k.
  EXPECT_NEAR(RaisedShare(0.1, 76000, 760138, 100000), 100000.0 / 760138, 1e-12);
  // A corpus large enough: the share asked for.
  EXPECT_EQ(RaisedShare(0.1, 1000000, 10000000, 100000), 0.1);
  EXPECT_EQ(RaisedShare(0.1, 100000, 1000000, 100000), 0.1);
  // No floor, or no sample.
  EXPECT_EQ(RaisedShare(0.1, 7126, 69571, 0), 0.1);
  EXPECT_EQ(RaisedShare(1.0, 7126, 69571, 100000), 1.0);
  // Never below the share asked for (the kept count fell short by chance).
  EXPECT_EQ(RaisedShare(0.5, 49000, 100000, 50000), 0.5);
}

TEST(TuneSample, ARaisedShareKeepsEveryLineOfTheRequestedOne) {
  int kept_small = 0, kept_large = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t h = Fnv1a64("line " + std::to_string(i)) ^ static_cast<std::uint64_t>(i + 1);
    const bool small = KeepLine(h, 7, 0.1), large = KeepLine(h, 7, 0.3);
    EXPECT_TRUE(!small || large) << "line " << i << " kept at 0.1 but not at 0.3";
    kept_small += small;
    kept_large += large;
  }
  EXPECT_NEAR(kept_small / 20000.0, 0.1, 0.01);
  EXPECT_NEAR(kept_large / 20000.0, 0.3, 0.015);
  // Another seed, another sample.
  int same = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t h = Fnv1a64("line " + std::to_string(i)) ^ static_cast<std::uint64_t>(i + 1);
    same += KeepLine(h, 7, 0.1) && KeepLine(h, 8, 0.1);
  }
  EXPECT_LT(same, kept_small / 2);
}

TEST(TuneSample, CountsTheItemsOfALine) {
  EXPECT_EQ(CountTokens("w1008 w1017 w1018"), 3);
  EXPECT_EQ(CountTokens("  a\tb  c \r"), 3);
  EXPECT_EQ(CountTokens(""), 0);
  EXPECT_EQ(CountTokens(" \t"), 0);
}

}  // namespace
}  // namespace item2vec
