// Tests of job/cooccurrence_init.h and the neighbour initialisation of job/warm_start.h:
// counting on hand-made sentences, merging, the memory bound and its error guarantee,
// TopNeighbours order, serialisation, shard streaming, and LoadPreviousRows on a tiny
// previous model written with the repo's own writers, on 1 and 2 servers. Links item2vec_ps
// only, so it builds whatever state the worker library is in.
#include "job/cooccurrence_init.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/input_files.h"
#include "common/matrix_file.h"
#include "common/random.h"
#include "common/serialize.h"
#include "common/vocab_tsv.h"
#include "common/word2vec_format.h"
#include "ps/partition.h"
#include "ps/shard_store.h"
#include "job/warm_start.h"
#include "tests/support/temp_dir.h"
#include "job/model_writer.h"  // kOutputMatrixFile (header constant only)

namespace item2vec {
namespace {

using test_support::TempDir;
using test_support::WriteFile;
using Pairs = std::vector<std::pair<ItemId, double>>;

std::vector<bool> Mask(std::size_t n, std::initializer_list<ItemId> fresh) {
  std::vector<bool> m(n, false);
  for (ItemId id : fresh) m[id] = true;
  return m;
}

void Add(CooccurrenceCounter* c, std::vector<ItemId> s, int window) { c->AddSentence(s.data(), s.size(), window); }

Pairs NeighboursOf(const NewItemNeighbours& nb, ItemId item) {
  Pairs out;
  const std::size_t i = nb.IndexOf(item);
  if (i == nb.size()) return out;
  for (std::uint64_t e = nb.offsets[i]; e < nb.offsets[i + 1]; ++e) out.emplace_back(nb.neighbours[e], nb.weights[e]);
  return out;
}

bool SameNeighbours(const NewItemNeighbours& a, const NewItemNeighbours& b) {
  return a.items == b.items && a.offsets == b.offsets && a.neighbours == b.neighbours && a.weights == b.weights;
}

// Exact counts by brute force: (new, kept) -> count.
using Exact = std::map<std::pair<ItemId, ItemId>, Count>;
void CountExact(const std::vector<bool>& is_new, const std::vector<ItemId>& s, int w, Exact* out) {
  const int n = static_cast<int>(s.size());
  for (int i = 0; i < n; ++i)
    for (int j = std::max(0, i - w); j <= std::min(n - 1, i + w); ++j)
      if (j != i && is_new[s[i]] && !is_new[s[j]]) ++(*out)[{s[i], s[j]}];
}

// Sentences over `vocab` ids, skewed towards small ids.
std::vector<std::vector<ItemId>> RandomSentences(std::uint64_t seed, int count, std::uint32_t vocab) {
  Rng rng(seed);
  std::vector<std::vector<ItemId>> out(static_cast<std::size_t>(count));
  for (auto& s : out) {
    const std::uint32_t len = 1 + rng.Below(12);
    for (std::uint32_t i = 0; i < len; ++i) {
      const double u = rng.UniformDouble();
      s.push_back(static_cast<ItemId>(u * u * vocab));
    }
  }
  return out;
}

// ---------------------------------------------------------------- counting

TEST(CooccurrenceCounter, CountsTheFullWindowUpToItsEdge) {
  // kept 0 1 2, new 3 4 5
  CooccurrenceCounter w2(Mask(6, {3, 4, 5}), 16), w3(Mask(6, {3, 4, 5}), 16);
  const std::vector<ItemId> s = {1, 0, 0, 3, 2, 2, 1};
  Add(&w2, s, 2);
  Add(&w3, s, 3);
  EXPECT_EQ(w2.CountOf(3, 0), 2);  // positions 1 and 2: distance 2 and 1
  EXPECT_EQ(w2.CountOf(3, 2), 2);
  EXPECT_EQ(w2.CountOf(3, 1), 0);  // positions 0 and 6: distance 3, just outside
  EXPECT_EQ(w2.TableOf(3).size(), 2u);
  EXPECT_EQ(w3.CountOf(3, 1), 2);  // now on the edge
  EXPECT_EQ(w3.CountOf(3, 0), 2);
}

TEST(CooccurrenceCounter, RepeatedItemsCountEachOccurrence) {
  CooccurrenceCounter c(Mask(6, {3, 4, 5}), 16);
  Add(&c, {0, 0, 3, 0}, 1);  // 3 at position 2 sees 0 at 1 and 3
  EXPECT_EQ(c.CountOf(3, 0), 2);
  Add(&c, {3, 1, 3}, 1);     // 1 next to two occurrences of 3
  EXPECT_EQ(c.CountOf(3, 1), 2);
  Add(&c, {2, 3, 3, 2}, 1);  // each 3 sees one 2; the 3-3 pair is not counted
  EXPECT_EQ(c.CountOf(3, 2), 2);
  EXPECT_EQ(c.CountOf(3, 3), 0);
}

TEST(CooccurrenceCounter, IgnoresNewNewPairsKeptCentresAndSentenceBounds) {
  CooccurrenceCounter c(Mask(6, {3, 4, 5}), 16);
  Add(&c, {3, 4, 5}, 5);
  for (ItemId id : {3u, 4u, 5u}) EXPECT_TRUE(c.TableOf(id).empty());
  Add(&c, {3, 4, 0}, 1);  // 3 is 2 away from 0; 4 is next to it
  EXPECT_EQ(c.CountOf(3, 0), 0);
  EXPECT_EQ(c.CountOf(4, 0), 1);
  Add(&c, {0}, 5);  // windows never cross sentences
  Add(&c, {5}, 5);
  Add(&c, {0, 1, 2}, 5);  // only kept items: nothing to count
  EXPECT_TRUE(c.TableOf(5).empty());
  EXPECT_TRUE(c.TableOf(0).empty());  // kept items have no table
  EXPECT_EQ(c.CountOf(0, 1), 0);
}

TEST(CooccurrenceCounter, MatchesBruteForceOnRandomSentences) {
  const std::uint32_t V = 40;
  std::vector<bool> is_new(V, false);
  for (ItemId id = 3; id < V; id += 4) is_new[id] = true;
  CooccurrenceCounter c(is_new, 64);  // 64 > distinct kept items: exact
  Exact exact;
  for (const auto& s : RandomSentences(11, 500, V)) {
    c.AddSentence(s.data(), s.size(), 3);
    CountExact(is_new, s, 3, &exact);
  }
  std::size_t entries = 0;
  for (ItemId n = 0; n < V; ++n) entries += c.TableOf(n).size();
  EXPECT_EQ(entries, exact.size());
  for (const auto& [key, f] : exact) EXPECT_EQ(c.CountOf(key.first, key.second), f);
}

TEST(CooccurrenceCounter, MergeEqualsCountingTheConcatenation) {
  const std::uint32_t V = 40;
  std::vector<bool> is_new(V, false);
  for (ItemId id = 1; id < V; id += 3) is_new[id] = true;
  const auto sentences = RandomSentences(5, 400, V);
  CooccurrenceCounter all(is_new, 64);
  std::vector<CooccurrenceCounter> parts(4, CooccurrenceCounter(is_new, 64));
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    all.AddSentence(sentences[i].data(), sentences[i].size(), 2);
    parts[i % 4].AddSentence(sentences[i].data(), sentences[i].size(), 2);
  }
  // The workers' binary tree: 1 -> 0, 3 -> 2, then 2 -> 0.
  ASSERT_TRUE(parts[0].Merge(parts[1]).ok());
  ASSERT_TRUE(parts[2].Merge(parts[3]).ok());
  ASSERT_TRUE(parts[0].Merge(parts[2]).ok());
  for (ItemId n = 0; n < V; ++n)
    for (ItemId k = 0; k < V; ++k) EXPECT_EQ(parts[0].CountOf(n, k), all.CountOf(n, k)) << n << " " << k;
  EXPECT_TRUE(SameNeighbours(parts[0].TopNeighbours(5), all.TopNeighbours(5)));
  EXPECT_GT(all.TopNeighbours(5).size(), 5u);
}

TEST(CooccurrenceCounter, MergeRefusesAnotherVocabulary) {
  CooccurrenceCounter a(Mask(6, {3}), 4), b(Mask(6, {4}), 4), c(Mask(7, {3}), 4), d(Mask(6, {3}), 8);
  EXPECT_FALSE(a.Merge(b).ok());
  EXPECT_FALSE(a.Merge(c).ok());
  EXPECT_FALSE(a.Merge(d).ok());
}

// One new item (0) next to many kept items with Zipf-like counts: tables stay within
// 2*capacity entries and every estimate is within N/(capacity+1) below the truth, also
// after merging; the heavy neighbours are all present.
TEST(CooccurrenceCounter, MemoryIsBoundedWithTheMisraGriesGuarantee) {
  const std::uint32_t V = 300;
  const std::size_t capacity = 4;
  const auto is_new = Mask(V, {0});
  Rng rng(17);
  std::vector<std::vector<ItemId>> sentences;
  for (int i = 0; i < 3000; ++i) {  // half of them item 1, a tenth item 2, the rest spread thin
    const double u = rng.UniformDouble();
    const ItemId kept = u < 0.5 ? 1 : u < 0.6 ? 2 : static_cast<ItemId>(3 + rng.Below(V - 3));
    sentences.push_back({0, kept});
  }
  Exact exact;
  for (const auto& s : sentences) CountExact(is_new, s, 1, &exact);
  Count N = 0;
  for (const auto& kv : exact) N += kv.second;
  ASSERT_GT(exact.size(), 4 * capacity);  // far more distinct neighbours than the table holds

  CooccurrenceCounter single(is_new, capacity);
  std::vector<CooccurrenceCounter> parts(3, CooccurrenceCounter(is_new, capacity));
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    single.AddSentence(sentences[i].data(), sentences[i].size(), 1);
    parts[i % 3].AddSentence(sentences[i].data(), sentences[i].size(), 1);
    ASSERT_LE(single.TableOf(0).size(), 2 * capacity);
  }
  ASSERT_TRUE(parts[0].Merge(parts[1]).ok());
  ASSERT_TRUE(parts[0].Merge(parts[2]).ok());
  for (const CooccurrenceCounter* c : {&single, &parts[0]}) {
    EXPECT_LE(c->TableOf(0).size(), 2 * capacity);
    int heavy = 0;
    for (const auto& [key, f] : exact) {
      const Count est = c->CountOf(0, key.second);
      EXPECT_LE(est, f);
      EXPECT_GE(static_cast<double>(est), static_cast<double>(f) - static_cast<double>(N) / (capacity + 1));
      if (static_cast<double>(f) > static_cast<double>(N) / (capacity + 1)) {
        EXPECT_GT(est, 0) << "heavy neighbour " << key.second << " lost";
        ++heavy;
      }
    }
    EXPECT_GE(heavy, 1);
  }
  // The strongest neighbour stays first.
  Count best = 0;
  ItemId best_id = 0;
  for (const auto& [key, f] : exact)
    if (f > best) best = f, best_id = key.second;
  EXPECT_EQ(NeighboursOf(single.TopNeighbours(1), 0).at(0).first, best_id);
}

TEST(CooccurrenceCounter, ExactWhileTheTableHasRoom) {
  const auto is_new = Mask(20, {0});
  CooccurrenceCounter c(is_new, 3);  // room for 2*3 = 6 distinct neighbours
  for (ItemId k = 1; k <= 6; ++k)
    for (ItemId r = 0; r < k; ++r) Add(&c, {0, k}, 1);
  for (ItemId k = 1; k <= 6; ++k) EXPECT_EQ(c.CountOf(0, k), static_cast<Count>(k));
  Add(&c, {0, 7}, 1);  // the 7th: reduced by the 4th largest count (3)
  EXPECT_EQ(c.TableOf(0).size(), 3u);
  EXPECT_EQ(c.CountOf(0, 6), 3);
  EXPECT_EQ(c.CountOf(0, 5), 2);
  EXPECT_EQ(c.CountOf(0, 4), 1);
  EXPECT_EQ(c.CountOf(0, 3), 0);
  EXPECT_EQ(c.CountOf(0, 7), 0);
}

// ---------------------------------------------------------------- top neighbours

TEST(CooccurrenceCounter, TopNeighboursSortsByCountThenIdAndCaps) {
  // kept 0..4, new 5 6 7
  CooccurrenceCounter c(Mask(8, {5, 6, 7}), 16);
  for (auto [kept, times] : std::vector<std::pair<ItemId, int>>{{3, 1}, {2, 2}, {1, 5}, {0, 2}})
    for (int t = 0; t < times; ++t) Add(&c, {5, kept}, 1);
  Add(&c, {4, 7}, 1);
  Add(&c, {6, 5}, 1);  // 6 only next to a new item
  const NewItemNeighbours top3 = c.TopNeighbours(3);
  EXPECT_EQ(top3.items, (std::vector<ItemId>{5, 7}));  // 6 has no kept neighbour: absent
  EXPECT_EQ(NeighboursOf(top3, 5), (Pairs{{1, 5}, {0, 2}, {2, 2}}));
  EXPECT_EQ(NeighboursOf(top3, 7), (Pairs{{4, 1}}));
  EXPECT_EQ(top3.IndexOf(6), top3.size());
  EXPECT_EQ(NeighboursOf(c.TopNeighbours(10), 5), (Pairs{{1, 5}, {0, 2}, {2, 2}, {3, 1}}));
  EXPECT_EQ(NeighboursOf(c.TopNeighbours(1), 5), (Pairs{{1, 5}}));
}

// ---------------------------------------------------------------- serialisation

TEST(CooccurrenceCounter, SerializationRoundTrip) {
  const std::uint32_t V = 30;
  std::vector<bool> is_new(V, false);
  for (ItemId id = 2; id < V; id += 5) is_new[id] = true;
  const auto sentences = RandomSentences(23, 300, V);
  CooccurrenceCounter c(is_new, 3);  // small: reductions have happened
  for (std::size_t i = 0; i < 200; ++i) c.AddSentence(sentences[i].data(), sentences[i].size(), 2);
  CooccurrenceCounter back;
  ASSERT_TRUE(FromBytes(ToBytes(c), &back).ok());
  EXPECT_EQ(back.vocab_size(), V);
  EXPECT_EQ(back.capacity(), 3u);
  EXPECT_EQ(back.num_new(), c.num_new());
  for (ItemId id = 0; id < V; ++id) EXPECT_EQ(back.is_new(id), is_new[id]);
  EXPECT_TRUE(SameNeighbours(back.TopNeighbours(10), c.TopNeighbours(10)));
  // The copy keeps counting and merging like the original.
  for (std::size_t i = 200; i < sentences.size(); ++i) {
    c.AddSentence(sentences[i].data(), sentences[i].size(), 2);
    back.AddSentence(sentences[i].data(), sentences[i].size(), 2);
  }
  for (ItemId n = 0; n < V; ++n)
    for (ItemId k = 0; k < V; ++k) EXPECT_EQ(back.CountOf(n, k), c.CountOf(n, k));
  ASSERT_TRUE(c.Merge(back).ok());

  const NewItemNeighbours nb = c.TopNeighbours(4);
  NewItemNeighbours nb_back;
  ASSERT_TRUE(FromBytes(ToBytes(nb), &nb_back).ok());
  EXPECT_TRUE(SameNeighbours(nb, nb_back));
  EXPECT_FALSE(nb.items.empty());

  std::string bytes = ToBytes(c);
  bytes.resize(bytes.size() / 2);
  CooccurrenceCounter broken;
  EXPECT_FALSE(FromBytes(bytes, &broken).ok());
}

// ---------------------------------------------------------------- shard streaming

TEST(CooccurrenceCounter, CountShardDropsOutOfVocabularyItems) {
  TempDir dir("cooc");
  const Vocabulary previous = Vocabulary::FromSorted({"c", "a", "old", "b"}, {9, 8, 7, 6});
  const Vocabulary today = Vocabulary::FromSorted({"a", "b", "c", "n1", "n2"}, {5, 4, 3, 2, 1});
  const std::vector<bool> is_new = NewItemMask(previous, today);
  EXPECT_EQ(is_new, (std::vector<bool>{false, false, false, true, true}));
  // x and old are not in today's vocabulary: dropped before windows, as the trainer does.
  WriteFile(dir.File("part-0"), "a x n1 old b\nn2 c c\n\nn1 a\n");
  WriteFile(dir.File("part-1"), "b n2 a\nc x x n1\n");
  Result<std::vector<InputFile>> files = ListInputFiles({dir.path()});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  CooccurrenceCounter whole(is_new, 8);
  ASSERT_TRUE(CountShardCooccurrence(*files, ShardRanges(*files, 0, 1), 1000, today, 1, &whole).ok());
  EXPECT_EQ(whole.CountOf(3, 0), 2);  // n1-a in lines 1 and 4
  EXPECT_EQ(whole.CountOf(3, 1), 1);  // n1-b across x and old
  EXPECT_EQ(whole.CountOf(3, 2), 1);  // n1-c across x x
  EXPECT_EQ(whole.CountOf(4, 2), 1);  // n2-c once: the second c is 2 away
  EXPECT_EQ(whole.CountOf(4, 1), 1);
  EXPECT_EQ(whole.CountOf(4, 0), 1);
  // Two shards merged count the same.
  CooccurrenceCounter s0(is_new, 8), s1(is_new, 8);
  ASSERT_TRUE(CountShardCooccurrence(*files, ShardRanges(*files, 0, 2), 1000, today, 1, &s0).ok());
  ASSERT_TRUE(CountShardCooccurrence(*files, ShardRanges(*files, 1, 2), 1000, today, 1, &s1).ok());
  ASSERT_TRUE(s0.Merge(s1).ok());
  EXPECT_TRUE(SameNeighbours(s0.TopNeighbours(8), whole.TopNeighbours(8)));
  // A counter for another vocabulary is refused.
  CooccurrenceCounter wrong(Mask(3, {1}), 8);
  EXPECT_FALSE(CountShardCooccurrence(*files, ShardRanges(*files, 0, 1), 1000, today, 1, &wrong).ok());
}

// ---------------------------------------------------------------- warm start

constexpr int kDim = 3;
constexpr std::uint64_t kSeed = 7;

// Previous model: items p q r s gone, with hand-picked input and output rows.
struct PreviousModel {
  std::vector<std::string> items = {"p", "q", "r", "s", "gone"};
  std::vector<std::vector<float>> input = {{1, 2, 3}, {-1, 0, 4}, {0.5f, 0.25f, -2}, {6, -4, 0.5f}, {9, 9, 9}};
  std::vector<std::vector<float>> output = {{0.1f, 0.2f, 0.3f}, {7, 7, 7}, {4, 0, -4}, {-1, 1, 2}, {5, 5, 5}};
  const std::vector<float>& In(const std::string& item) const { return input[Index(item)]; }
  const std::vector<float>& Out(const std::string& item) const { return output[Index(item)]; }
  std::size_t Index(const std::string& item) const {
    return static_cast<std::size_t>(std::find(items.begin(), items.end(), item) - items.begin());
  }

  void Write(const std::string& dir) const {
    const Vocabulary vocab = Vocabulary::FromSorted(items, {50, 40, 30, 20, 10});
    ASSERT_TRUE(WriteVocabTsv(vocab, dir + "/vocab.tsv").ok());
    Word2VecWriter w;
    ASSERT_TRUE(w.Open("", dir + "/vectors.bin", static_cast<std::int64_t>(items.size()), kDim).ok());
    for (std::size_t i = 0; i < items.size(); ++i) w.Add(items[i], input[i].data());
    ASSERT_TRUE(w.Commit().ok());
    MatrixHeader h;
    h.name = "output";
    h.rows = items.size();
    h.dim = kDim;
    h.vocab_fingerprint = vocab.Fingerprint();
    MatrixFileWriter m;
    ASSERT_TRUE(m.Open(dir + "/" + kOutputMatrixFile, h).ok());  // the name the trainer writes
    for (const auto& row : output) m.Add(row.data());
    ASSERT_TRUE(m.Commit().ok());
  }
};

class NeighbourInitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_model_.Write(dir_.path());
    // Today's ids differ from the previous order on purpose. new1, new2, new3 are new.
    today_ = Vocabulary::FromSorted({"s", "new1", "q", "new2", "p", "r", "new3"}, {9, 8, 7, 6, 5, 4, 3});
    Result<Vocabulary> previous = ReadModelVocabulary(dir_.path(), kDim);
    ASSERT_TRUE(previous.ok()) << previous.status().ToString();
    is_new_ = NewItemMask(*previous, today_);
    ASSERT_EQ(is_new_, (std::vector<bool>{false, true, false, true, false, false, true}));
    CooccurrenceCounter counter(is_new_, 8);
    for (int t = 0; t < 3; ++t) Add(&counter, {kNew1, kP}, 1);
    for (int t = 0; t < 2; ++t) Add(&counter, {kNew1, kS}, 1);
    Add(&counter, {kQ, kNew1}, 1);           // the weakest: cut by k = 2
    Add(&counter, {kNew2, kNew1, kNew3}, 2); // new-new only: new2 gets nothing
    Add(&counter, {kR, kNew3, kS}, 1);
    neighbours_ = counter.TopNeighbours(2);
    ASSERT_EQ(neighbours_.items, (std::vector<ItemId>{kNew1, kNew3}));
  }

  // Hand-computed weighted means: new1 = (3p + 2s) / 5, new3 = (r + s) / 2.
  std::vector<float> ExpectedInput(ItemId id) const {
    if (id == kNew1) return {3.0f, -0.4f, 2.0f};
    if (id == kNew3) return {3.25f, -1.875f, -0.75f};
    return previous_model_.In(std::string(today_.item(id)));
  }
  std::vector<float> ExpectedOutput(ItemId id) const {
    if (id == kNew1) return {-0.34f, 0.52f, 0.98f};
    if (id == kNew3) return {1.5f, 0.5f, -1.0f};
    return previous_model_.Out(std::string(today_.item(id)));
  }

  static std::vector<float> RowOf(ShardStore& store, Matrix m, ItemId id) {
    return store.RowValues(m, id);
  }

  static constexpr ItemId kS = 0, kNew1 = 1, kQ = 2, kNew2 = 3, kP = 4, kR = 5, kNew3 = 6;
  TempDir dir_{"cooc_warm"};
  PreviousModel previous_model_;
  Vocabulary today_;
  std::vector<bool> is_new_;
  NewItemNeighbours neighbours_;
};

TEST_F(NeighbourInitTest, NewItemsGetTheWeightedMeanOfTheirNeighboursOnOneAndTwoServers) {
  for (int servers : {1, 2}) {
    SCOPED_TRACE("servers " + std::to_string(servers));
    const Partition partition(servers, today_.size());
    std::int64_t taken = 0, from_neighbours = 0;
    for (int server = 0; server < servers; ++server) {
      ShardStore store(partition, server, kDim, kSeed);
      Result<PreviousRows> rows = LoadPreviousRows(dir_.path(), today_, partition, server, &neighbours_, &store);
      ASSERT_TRUE(rows.ok()) << rows.status().ToString();
      taken += rows->taken;
      from_neighbours += rows->from_neighbours;
      for (ItemId id = 0; id < today_.size(); ++id) {
        if (partition.ServerOf(id) != server) continue;
        SCOPED_TRACE(today_.item(id));
        const std::vector<float> in = RowOf(store, Matrix::kInput, id), out = RowOf(store, Matrix::kOutput, id);
        if (id == kNew2) {  // no kept neighbour: word2vec's initialisation, bit for bit
          std::vector<float> init(kDim);
          ShardStore::InitInputRow(kSeed, id, kDim, init.data());
          EXPECT_EQ(in, init);
          EXPECT_EQ(out, std::vector<float>(kDim, 0.0f));
          continue;
        }
        const std::vector<float> want_in = ExpectedInput(id), want_out = ExpectedOutput(id);
        for (int j = 0; j < kDim; ++j) {
          if (is_new_[id]) {
            EXPECT_NEAR(in[j], want_in[j], 1e-6) << j;
            EXPECT_NEAR(out[j], want_out[j], 1e-6) << j;
          } else {  // kept rows: copied exactly
            EXPECT_EQ(in[j], want_in[j]) << j;
            EXPECT_EQ(out[j], want_out[j]) << j;
          }
        }
      }
    }
    EXPECT_EQ(taken, 4);            // s q p r
    EXPECT_EQ(from_neighbours, 2);  // new1 new3
  }
}

TEST_F(NeighbourInitTest, WithoutNeighboursTheLoadIsUnchanged) {
  for (int servers : {1, 2}) {
    const Partition partition(servers, today_.size());
    for (int server = 0; server < servers; ++server) {
      ShardStore plain(partition, server, kDim, kSeed), none(partition, server, kDim, kSeed);
      Result<std::int64_t> taken = LoadPreviousRows(dir_.path(), today_, partition, server, &plain);
      Result<PreviousRows> rows = LoadPreviousRows(dir_.path(), today_, partition, server, nullptr, &none);
      ASSERT_TRUE(taken.ok());
      ASSERT_TRUE(rows.ok());
      EXPECT_EQ(rows->taken, *taken);
      EXPECT_EQ(rows->from_neighbours, 0);
      for (ItemId id = 0; id < today_.size(); ++id) {
        if (partition.ServerOf(id) != server) continue;
        for (Matrix m : {Matrix::kInput, Matrix::kOutput}) EXPECT_EQ(RowOf(plain, m, id), RowOf(none, m, id));
        if (!is_new_[id]) continue;
        std::vector<float> init(kDim);
        ShardStore::InitInputRow(kSeed, id, kDim, init.data());
        EXPECT_EQ(RowOf(plain, Matrix::kInput, id), init);
        EXPECT_EQ(RowOf(plain, Matrix::kOutput, id), std::vector<float>(kDim, 0.0f));
      }
    }
  }
}

TEST_F(NeighbourInitTest, AnItemThePreviousModelHoldsKeepsItsRows) {
  // A wrong "new" entry for q (kept) must not overwrite q's previous rows.
  NewItemNeighbours wrong;
  const ItemId kept[] = {kP};
  const double w[] = {1.0};
  wrong.Add(kQ, kept, w, 1);
  const Partition partition(1, today_.size());
  ShardStore store(partition, 0, kDim, kSeed);
  Result<PreviousRows> rows = LoadPreviousRows(dir_.path(), today_, partition, 0, &wrong, &store);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->from_neighbours, 0);
  EXPECT_EQ(RowOf(store, Matrix::kInput, kQ), previous_model_.In("q"));
  EXPECT_EQ(RowOf(store, Matrix::kOutput, kQ), previous_model_.Out("q"));
}

}  // namespace
}  // namespace item2vec
