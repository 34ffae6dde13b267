// Tests of common/count_table.h: exact counts against a std::unordered_map reference, with
// collisions forced by bad hashers, across many doublings, with long and empty names, and
// the streaming partition.
#include "common/count_table.h"

#include <string>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

#include "common/random.h"

namespace item2vec {
namespace {

struct ConstantHash {  // every item collides
  std::uint64_t operator()(std::string_view) const { return 42; }
};
struct LengthHash {  // items of one length collide; neighbouring lengths share probe runs
  std::uint64_t operator()(std::string_view s) const { return s.size(); }
};

using Reference = std::unordered_map<std::string, Count>;

template <class H>
void ExpectSame(const BasicCountTable<H>& table, const Reference& want) {
  ASSERT_EQ(table.size(), want.size());
  for (const auto& [item, n] : want) {
    const Count* got = table.Find(item);
    ASSERT_NE(got, nullptr) << item;
    EXPECT_EQ(*got, n) << item;
  }
  std::size_t visited = 0;
  for (const auto& [item, n] : table) {
    EXPECT_EQ(want.at(std::string(item)), n);
    ++visited;
  }
  EXPECT_EQ(visited, want.size());
}

// A skewed stream of n tokens over about `distinct` items, some of them long or empty.
std::vector<std::string> Tokens(std::uint64_t seed, int n, int distinct) {
  Rng rng(seed);
  std::vector<std::string> tokens;
  for (int i = 0; i < n; ++i) {
    const double u = rng.UniformDouble();
    const int k = static_cast<int>(u * u * distinct);
    std::string s = "i" + std::to_string(k);
    if (k % 97 == 0) s = std::string(static_cast<std::size_t>(200 + k % 300), 'x') + s;  // 2-byte length varint
    if (k == 1) s.clear();
    tokens.push_back(std::move(s));
  }
  return tokens;
}

template <class H>
void CountAndCompare(int n, int distinct) {
  BasicCountTable<H> table;
  Reference want;
  Count weight = 1;
  for (const std::string& t : Tokens(7, n, distinct)) {
    weight = weight % 5 + 1;
    table.Add(t, weight);
    want[t] += weight;
  }
  ExpectSame(table, want);
  EXPECT_EQ(table.Find("absent"), nullptr);
}

TEST(CountTableTest, ExactCountsAcrossManyDoublings) { CountAndCompare<ItemBytesHash>(400000, 100000); }

TEST(CountTableTest, ExactCountsWhenEveryItemCollides) { CountAndCompare<ConstantHash>(20000, 800); }

TEST(CountTableTest, ExactCountsWhenProbeRunsMerge) { CountAndCompare<LengthHash>(20000, 3000); }

TEST(CountTableTest, NamesLongerThanAnArenaBlockAreKept) {
  CountTable table;
  const std::string huge(CountTable::kArenaBlock + 123, 'h');
  const std::string other = huge.substr(1) + "g";
  table.Add("a");
  table.Add(huge, 3);
  table.Add("b");
  table.Add(other);
  table.Add(huge);
  ASSERT_EQ(table.size(), 4u);
  EXPECT_EQ(*table.Find(huge), 4);
  EXPECT_EQ(*table.Find(other), 1);
  EXPECT_EQ(*table.Find("b"), 1);
}

TEST(CountTableTest, IteratesInInsertionOrderWithTheItemsHash) {
  CountTable table;
  for (const char* s : {"c", "a", "b", "a"}) table.Add(s);
  std::string order;
  table.ForEach([&](std::uint64_t hash, std::string_view item, Count) {
    EXPECT_EQ(hash, HashBytes(item));
    order += std::string(item);
  });
  EXPECT_EQ(order, "cab");
}

TEST(CountTableTest, PartitionMovesTheTakenEntriesAndKeepsTheRest) {
  BasicCountTable<LengthHash> table, taken;
  Reference want_kept, want_taken;
  for (const std::string& t : Tokens(9, 8000, 3000)) {
    table.Add(t);
    (t.size() % 3 == 0 ? want_taken : want_kept)[t] += 1;
  }
  const BasicCountTable<LengthHash> copy = table;
  table.Partition([](std::uint64_t hash) { return hash % 3 == 0; }, &taken);
  ExpectSame(table, want_kept);
  ExpectSame(taken, want_taken);
  EXPECT_EQ(copy.size(), want_kept.size() + want_taken.size());
  table.Add("i5");  // still a working table
  EXPECT_EQ(*table.Find("i5"), want_kept.at("i5") + 1);
}

TEST(CountTableTest, CostsAboutTwentyFourBytesAnItemPlusItsName) {
  CountTable table;
  const int n = 1 << 20;
  for (int k = 0; k < n; ++k) table.Add("i" + std::to_string(k));
  // 24 B entry + 8 B of name and varint + 4 B / load (1/4..1/2 after doubling): 48 B at most.
  EXPECT_LE(static_cast<double>(table.bytes()) / n, 48.0);
  EXPECT_GE(static_cast<double>(table.bytes()) / n, 24.0 + 7.0);
}

}  // namespace
}  // namespace item2vec
