// Tests of ps/partition.h: round-robin ownership of keys and the load balance it buys.
#include "ps/partition.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

namespace item2vec {
namespace {

TEST(PartitionTest, EveryKeyHasExactlyOneHomeAndRoundTrips) {
  for (int servers = 1; servers <= 6; ++servers) {
    for (std::size_t vocab : {std::size_t{0}, std::size_t{1}, std::size_t{5}, std::size_t{7}, std::size_t{100},
                              std::size_t{1001}}) {
      const Partition p(servers, vocab);
      ASSERT_EQ(p.num_servers(), servers);
      // Forward: each key maps to one (server, local index) that maps back to it.
      std::vector<std::vector<int>> seen(static_cast<std::size_t>(servers));
      for (std::size_t s = 0; s < seen.size(); ++s) seen[s].assign(p.RowsOn(static_cast<int>(s)), 0);
      for (ItemId key = 0; key < vocab; ++key) {
        const int s = p.ServerOf(key);
        ASSERT_GE(s, 0);
        ASSERT_LT(s, servers);
        const std::size_t local = p.LocalIndex(key);
        ASSERT_LT(local, p.RowsOn(s)) << "S=" << servers << " V=" << vocab << " key " << key;
        ASSERT_EQ(p.GlobalKey(s, local), key);
        ++seen[static_cast<std::size_t>(s)][local];
      }
      // Backward: every local row of every server is used by exactly one key < V.
      std::size_t total = 0;
      for (int s = 0; s < servers; ++s) {
        for (std::size_t local = 0; local < p.RowsOn(s); ++local) {
          ASSERT_EQ(seen[static_cast<std::size_t>(s)][local], 1) << "S=" << servers << " V=" << vocab;
          const ItemId key = p.GlobalKey(s, local);
          ASSERT_LT(key, vocab);
          ASSERT_EQ(p.ServerOf(key), s);
          ASSERT_EQ(p.LocalIndex(key), local);
        }
        total += p.RowsOn(s);
      }
      EXPECT_EQ(total, vocab) << "S=" << servers;
    }
  }
}

TEST(PartitionTest, RowsDifferByAtMostOne) {
  for (int servers = 1; servers <= 9; ++servers) {
    for (std::size_t vocab = 0; vocab < 40; ++vocab) {
      const Partition p(servers, vocab);
      std::size_t lo = vocab, hi = 0, sum = 0;
      for (int s = 0; s < servers; ++s) {
        lo = std::min(lo, p.RowsOn(s));
        hi = std::max(hi, p.RowsOn(s));
        sum += p.RowsOn(s);
      }
      EXPECT_EQ(sum, vocab);
      EXPECT_LE(hi - std::min(lo, hi), 1u) << "S=" << servers << " V=" << vocab;
      EXPECT_EQ(hi, (vocab + static_cast<std::size_t>(servers) - 1) / static_cast<std::size_t>(servers));
    }
  }
}

// Zipf-Mandelbrot counts c_i ~ 1 / (i + 10), ids sorted by descending count as the
// vocabulary assigns them. (The offset keeps the single hottest item from being a large
// share of all tokens: no key-level partition can split one item.)
std::vector<double> ZipfCounts(std::size_t vocab) {
  std::vector<double> c(vocab);
  for (std::size_t i = 0; i < vocab; ++i) c[i] = std::floor(1e8 / (static_cast<double>(i) + 11.0));
  return c;
}

double Imbalance(const std::vector<double>& load) {
  const auto [lo, hi] = std::minmax_element(load.begin(), load.end());
  return *hi / *lo - 1.0;
}

TEST(PartitionTest, CountWeightedLoadIsBalanced) {
  const std::size_t vocab = 100000;
  const std::vector<double> counts = ZipfCounts(vocab);
  for (int servers = 2; servers <= 4; ++servers) {
    const Partition p(servers, vocab);
    std::vector<double> load(static_cast<std::size_t>(servers), 0.0), ranged(load);
    for (ItemId key = 0; key < vocab; ++key) {
      load[static_cast<std::size_t>(p.ServerOf(key))] += counts[key];
      // What a contiguous split of the id range would do.
      ranged[key * static_cast<std::size_t>(servers) / vocab] += counts[key];
    }
    EXPECT_LT(Imbalance(load), 0.05) << "S=" << servers;
    EXPECT_GT(Imbalance(ranged), 5.0) << "S=" << servers;
    // Rows are balanced too.
    for (int s = 0; s < servers; ++s) EXPECT_NEAR(static_cast<double>(p.RowsOn(s)), 1.0 * vocab / servers, 1.0);
  }
}

}  // namespace
}  // namespace item2vec
