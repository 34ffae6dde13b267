// Tests of common/vocabulary.h: counting, merging shard counters, building the id order,
// lookup, fingerprints and serialisation.
#include "common/vocabulary.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

#include "common/random.h"
#include "common/serialize.h"

namespace item2vec {
namespace {

// A Zipf-ish stream of item strings, some with bytes that are not valid UTF-8.
std::vector<std::string> RandomTokens(std::uint64_t seed, int n) {
  Rng rng(seed);
  std::vector<std::string> tokens;
  tokens.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    // Squaring a uniform skews towards small ranks.
    const double u = rng.UniformDouble();
    const int rank = static_cast<int>(u * u * 500);
    std::string s = "item" + std::to_string(rank);
    if (rank % 7 == 0) s += "\xff\xfe";
    if (rank % 11 == 0) s = "\x80" + s;
    tokens.push_back(std::move(s));
  }
  return tokens;
}

std::unordered_map<std::string, Count> CountDirect(const std::vector<std::string>& tokens) {
  std::unordered_map<std::string, Count> m;
  for (const auto& t : tokens) ++m[t];
  return m;
}

TEST(ItemCounterTest, CountsEveryOccurrence) {
  ItemCounter c;
  c.Add(std::string_view("a"));
  c.Add(std::string_view("b"));
  c.Add(std::string_view("a"));
  c.Add(std::string("c"), 5);
  c.Add(std::string("a"), 2);
  EXPECT_EQ(c.distinct(), 3u);
  EXPECT_EQ(c.total(), 10);
  EXPECT_EQ(c.Get("a"), 4);
  EXPECT_EQ(c.Get("b"), 1);
  EXPECT_EQ(c.Get("c"), 5);
}

TEST(ItemCounterTest, CountsMatchDirectCount) {
  const auto tokens = RandomTokens(11, 20000);
  ItemCounter c;
  for (const auto& t : tokens) c.Add(std::string_view(t));
  const auto direct = CountDirect(tokens);
  EXPECT_EQ(c.distinct(), direct.size());
  for (const auto& [item, n] : direct) EXPECT_EQ(c.Get(item), n) << item;
  EXPECT_EQ(c.total(), static_cast<Count>(tokens.size()));
}

TEST(ItemCounterTest, MergedShardsEqualOneCounterOverAllData) {
  const auto tokens = RandomTokens(12, 30000);
  ItemCounter whole;
  for (const auto& t : tokens) whole.Add(std::string_view(t));

  // Uneven shards, as the byte-range sharding produces; each goes through the wire
  // format before merging, as between ranks.
  const std::size_t cuts[] = {0, 1, 7000, 7001, 19000, 30000};
  ItemCounter merged;
  for (std::size_t k = 0; k + 1 < std::size(cuts); ++k) {
    ItemCounter shard;
    for (std::size_t i = cuts[k]; i < cuts[k + 1]; ++i) shard.Add(std::string_view(tokens[i]));
    const std::string bytes = ToBytes(shard);
    ItemCounter received;
    ASSERT_TRUE(FromBytes(bytes, &received).ok());
    EXPECT_EQ(received, shard);
    merged.Merge(received);
  }
  EXPECT_EQ(merged, whole);
  EXPECT_EQ(merged.total(), whole.total());

  // Merge order does not matter.
  ItemCounter reversed;
  for (std::size_t k = std::size(cuts) - 1; k > 0; --k) {
    ItemCounter shard;
    for (std::size_t i = cuts[k - 1]; i < cuts[k]; ++i) shard.Add(std::string_view(tokens[i]));
    reversed.Merge(shard);
  }
  EXPECT_EQ(reversed, whole);
}

TEST(ItemCounterTest, FromBytesRejectsGarbage) {
  ItemCounter c;
  const Status st = FromBytes(std::string("\x05\x00\x00", 3), &c);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
}

ItemCounter TieCounter() {
  ItemCounter c;
  c.Add("b", 3);
  c.Add("a", 3);
  c.Add("\xff", 3);   // byte 0xff sorts after every ASCII byte
  c.Add("A", 3);
  c.Add("ab", 3);
  c.Add("top", 10);
  c.Add("mid", 5);
  c.Add("rare", 2);
  c.Add("once", 1);
  return c;
}

TEST(VocabularyTest, BuildOrdersByCountThenBytes) {
  const Vocabulary v = Vocabulary::Build(TieCounter(), 1, 0);
  const std::vector<std::string> expected = {"top", "mid", "A", "a", "ab", "b", "\xff", "rare", "once"};
  ASSERT_EQ(v.size(), expected.size());
  for (ItemId id = 0; id < v.size(); ++id) {
    EXPECT_EQ(v.item(id), expected[id]) << "id " << id;
    EXPECT_EQ(v.Find(expected[id]), id);
  }
  EXPECT_EQ(v.count(0), 10);
  EXPECT_EQ(v.count(1), 5);
  EXPECT_EQ(v.count(8), 1);
  EXPECT_EQ(v.total_count(), 10 + 5 + 5 * 3 + 2 + 1);
}

TEST(VocabularyTest, BuildIgnoresInsertionOrder) {
  // The same counts reached in a different order give the same ids on every rank.
  ItemCounter c1, c2;
  const std::vector<std::pair<std::string, Count>> entries = {
      {"x", 4}, {"y", 4}, {"z", 4}, {"w", 9}, {"v", 1}, {"u", 4}};
  for (const auto& [s, n] : entries) c1.Add(s, n);
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) c2.Add(it->first, it->second);
  const Vocabulary a = Vocabulary::Build(c1, 1, 0), b = Vocabulary::Build(c2, 1, 0);
  ASSERT_EQ(a.size(), b.size());
  for (ItemId id = 0; id < a.size(); ++id) EXPECT_EQ(a.item(id), b.item(id));
  EXPECT_EQ(a.Fingerprint(), b.Fingerprint());
}

TEST(VocabularyTest, MinCountKeepsItemsAtTheThreshold) {
  const Vocabulary v = Vocabulary::Build(TieCounter(), 3, 0);
  EXPECT_EQ(v.size(), 7u);
  EXPECT_NE(v.Find("b"), Vocabulary::kNotFound);  // count 3 == min_count: kept
  EXPECT_EQ(v.Find("rare"), Vocabulary::kNotFound);
  EXPECT_EQ(v.Find("once"), Vocabulary::kNotFound);
  EXPECT_EQ(v.total_count(), 10 + 5 + 5 * 3);
  for (ItemId id = 0; id < v.size(); ++id) EXPECT_GE(v.count(id), 3);
}

TEST(VocabularyTest, MaxVocabKeepsTheMostFrequent) {
  const Vocabulary v = Vocabulary::Build(TieCounter(), 1, 4);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v.item(0), "top");
  EXPECT_EQ(v.item(1), "mid");
  EXPECT_EQ(v.item(2), "A");
  EXPECT_EQ(v.item(3), "a");
  EXPECT_EQ(v.Find("ab"), Vocabulary::kNotFound);  // cut by the tie-break, not by count
  EXPECT_EQ(v.total_count(), 10 + 5 + 3 + 3);

  // min-count applies before the cap.
  const Vocabulary w = Vocabulary::Build(TieCounter(), 4, 4);
  EXPECT_EQ(w.size(), 2u);
  // A cap above the size changes nothing.
  EXPECT_EQ(Vocabulary::Build(TieCounter(), 1, 100).size(), 9u);
}

TEST(VocabularyTest, FindPresentAndAbsentItems) {
  ItemCounter c;
  c.Add("\xff\xfe", 7);
  c.Add("caf\xc3\xa9", 6);  // UTF-8
  c.Add(std::string("nul\0byte", 8), 5);
  c.Add("abc", 4);
  const Vocabulary v = Vocabulary::Build(c, 1, 0);
  EXPECT_EQ(v.Find("\xff\xfe"), 0u);
  EXPECT_EQ(v.Find("caf\xc3\xa9"), 1u);
  EXPECT_EQ(v.Find(std::string_view("nul\0byte", 8)), 2u);
  EXPECT_EQ(v.Find("abc"), 3u);
  EXPECT_EQ(v.Find("\xfe\xff"), Vocabulary::kNotFound);
  EXPECT_EQ(v.Find("\xff"), Vocabulary::kNotFound);
  EXPECT_EQ(v.Find("nul"), Vocabulary::kNotFound);
  EXPECT_EQ(v.Find("ab"), Vocabulary::kNotFound);
  EXPECT_EQ(v.Find("abcd"), Vocabulary::kNotFound);
  EXPECT_EQ(v.Find(""), Vocabulary::kNotFound);

  const Vocabulary empty;
  EXPECT_EQ(empty.Find("abc"), Vocabulary::kNotFound);
  const Vocabulary all_filtered = Vocabulary::Build(c, 100, 0);
  EXPECT_TRUE(all_filtered.empty());
  EXPECT_EQ(all_filtered.Find("abc"), Vocabulary::kNotFound);
}

TEST(VocabularyTest, FindInALargeVocabulary) {
  // Enough items for long probe chains in the open-addressing table.
  ItemCounter c;
  for (int i = 0; i < 20000; ++i) c.Add("k" + std::to_string(i), 1 + i % 97);
  const Vocabulary v = Vocabulary::Build(c, 1, 0);
  ASSERT_EQ(v.size(), 20000u);
  for (ItemId id = 0; id < v.size(); ++id) ASSERT_EQ(v.Find(v.item(id)), id);
  for (int i = 20000; i < 21000; ++i) EXPECT_EQ(v.Find("k" + std::to_string(i)), Vocabulary::kNotFound);
  for (ItemId id = 1; id < v.size(); ++id) {
    ASSERT_GE(v.count(id - 1), v.count(id));
    if (v.count(id - 1) == v.count(id)) {
      ASSERT_LT(v.item(id - 1), v.item(id));
    }
  }
}

TEST(VocabularyTest, FindManyGivesFindsIds) {
  // Present and absent items, repeats, blocks of every length around kFindBlock, a table with
  // long probe chains (20,000 items) and an empty vocabulary.
  ItemCounter c;
  for (int i = 0; i < 20000; ++i) c.Add("k" + std::to_string(i), 1 + i % 97);
  const Vocabulary v = Vocabulary::Build(c, 1, 0);
  std::vector<std::string> queries;
  Rng rng(5);
  for (int i = 0; i < 3000; ++i) queries.push_back("k" + std::to_string(rng.Below(24000)));
  queries.push_back("");
  queries.push_back("k1");
  std::vector<std::string_view> views(queries.begin(), queries.end());
  std::size_t found = 0;
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, Vocabulary::kFindBlock - 1, Vocabulary::kFindBlock,
                        Vocabulary::kFindBlock + 1, 3 * Vocabulary::kFindBlock + 5, views.size()}) {
    std::vector<ItemId> ids(n + 1, 12345);
    v.FindMany(views.data(), n, ids.data());
    for (std::size_t k = 0; k < n; ++k) ASSERT_EQ(ids[k], v.Find(views[k])) << n << " " << k;
    EXPECT_EQ(ids[n], 12345u) << "wrote past n";
    if (n == views.size()) found = static_cast<std::size_t>(std::count_if(ids.begin(), ids.end() - 1, [](ItemId id) {
      return id != Vocabulary::kNotFound;
    }));
  }
  EXPECT_GT(found, 2000u);  // most queries are present, some absent
  EXPECT_LT(found, views.size());
  std::vector<ItemId> ids(views.size());
  Vocabulary().FindMany(views.data(), views.size(), ids.data());
  for (ItemId id : ids) ASSERT_EQ(id, Vocabulary::kNotFound);
}

TEST(VocabularyTest, FingerprintTracksItemsAndCounts) {
  const ItemCounter base = TieCounter();
  const std::uint64_t fp = Vocabulary::Build(base, 1, 0).Fingerprint();
  EXPECT_EQ(Vocabulary::Build(TieCounter(), 1, 0).Fingerprint(), fp);

  ItemCounter bumped = TieCounter();
  bumped.Add("top", 1);  // 10 -> 11: same order, different count
  EXPECT_NE(Vocabulary::Build(bumped, 1, 0).Fingerprint(), fp);

  ItemCounter rare_bumped = TieCounter();
  rare_bumped.Add("once", 0);
  EXPECT_EQ(Vocabulary::Build(rare_bumped, 1, 0).Fingerprint(), fp);
  rare_bumped.Add("once", 1);  // 1 -> 2: ties with "rare"
  EXPECT_NE(Vocabulary::Build(rare_bumped, 1, 0).Fingerprint(), fp);

  ItemCounter renamed;
  for (const auto& [s, n] : base.counts()) renamed.Add(s == "mid" ? std::string("mie") : s, n);
  EXPECT_NE(Vocabulary::Build(renamed, 1, 0).Fingerprint(), fp);

  EXPECT_NE(Vocabulary::Build(base, 1, 8).Fingerprint(), fp);
}

TEST(VocabularyTest, SerializationRoundTripKeepsLookup) {
  ItemCounter c;
  for (const auto& t : RandomTokens(13, 20000)) c.Add(std::string_view(t));
  const Vocabulary v = Vocabulary::Build(c, 2, 0);
  ASSERT_GT(v.size(), 100u);

  const std::string bytes = ToBytes(v);
  Vocabulary back;
  ASSERT_TRUE(FromBytes(bytes, &back).ok());
  ASSERT_EQ(back.size(), v.size());
  EXPECT_EQ(back.counts(), v.counts());
  EXPECT_EQ(back.total_count(), v.total_count());
  EXPECT_EQ(back.Fingerprint(), v.Fingerprint());
  for (ItemId id = 0; id < v.size(); ++id) {
    ASSERT_EQ(back.item(id), v.item(id));
    ASSERT_EQ(back.Find(v.item(id)), id);
  }
  EXPECT_EQ(back.Find("item-not-there"), Vocabulary::kNotFound);

  // Deserialising into a vocabulary that already holds other items replaces them.
  Vocabulary reused = Vocabulary::Build(TieCounter(), 1, 0);
  ASSERT_TRUE(FromBytes(bytes, &reused).ok());
  EXPECT_EQ(reused.Fingerprint(), v.Fingerprint());
  EXPECT_EQ(reused.Find("top"), Vocabulary::kNotFound);
  for (ItemId id = 0; id < v.size(); ++id) ASSERT_EQ(reused.Find(v.item(id)), id);
}

// The archive before the arrays were packed: a vector of strings, then the counts. Checkpoints
// of earlier versions hold it, so the packed vocabulary writes and reads exactly these bytes.
struct StringVectorVocabulary {
  std::vector<std::string> items;
  std::vector<Count> counts;
  template <class Archive>
  void serialize(Archive& ar, unsigned) { ar& items; ar& counts; }
};

TEST(VocabularyTest, ArchiveIsTheVectorOfStringsOfEarlierVersions) {
  ItemCounter c;
  for (const auto& t : RandomTokens(17, 5000)) c.Add(std::string_view(t));
  const Vocabulary v = Vocabulary::Build(c, 1, 0);
  StringVectorVocabulary old;
  for (ItemId id = 0; id < v.size(); ++id) {
    old.items.emplace_back(v.item(id));
    old.counts.push_back(v.count(id));
  }
  EXPECT_EQ(ToBytes(v), ToBytes(old));
  Vocabulary back;
  ASSERT_TRUE(FromBytes(ToBytes(old), &back).ok());
  EXPECT_EQ(back.Fingerprint(), v.Fingerprint());
  // An empty vocabulary too.
  EXPECT_EQ(ToBytes(Vocabulary::FromSorted({}, {})), ToBytes(StringVectorVocabulary{}));
}

TEST(VocabularyTest, CopiesShareTheArraysAndOutliveTheOriginal) {
  std::unique_ptr<Vocabulary> original = std::make_unique<Vocabulary>(Vocabulary::Build(TieCounter(), 1, 0));
  const Vocabulary copy = *original;
  const Vocabulary view = Vocabulary::FromArrays(original->arrays(), original->summary(), std::make_shared<Vocabulary>(*original));
  original.reset();
  EXPECT_EQ(copy.item(0), "top");
  EXPECT_EQ(view.Find("mid"), 1u);
  EXPECT_EQ(view.Fingerprint(), copy.Fingerprint());
}

TEST(VocabularyTest, FromSortedKeepsTheGivenOrder) {
  const Vocabulary v = Vocabulary::FromSorted({"z", "y", "x"}, {9, 5, 5});
  EXPECT_EQ(v.Find("z"), 0u);
  EXPECT_EQ(v.Find("x"), 2u);
  EXPECT_EQ(v.total_count(), 19);
  EXPECT_EQ(v.Fingerprint(), Vocabulary::FromSorted({"z", "y", "x"}, {9, 5, 5}).Fingerprint());
}

}  // namespace
}  // namespace item2vec
