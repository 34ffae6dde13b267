// Tests of worker/batch_builder.h on a small generated corpus: slot layout and key lists
// as worker/batch.h specifies them, token accounting over an epoch, and the exact pairs
// of a window-1 pass without subsampling.
#include "worker/batch_builder.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/input_files.h"
#include "common/sequence_reader.h"
#include "common/train_options.h"
#include "common/vocabulary.h"
#include "ps/partition.h"
#include "ps/protocol.h"
#include "tests/support/corpus_util.h"
#include "tests/support/shard_util.h"
#include "tests/support/stats_util.h"
#include "tests/support/test_util.h"
#include "tests/worker/corpus_test.h"
#include "tests/worker/whole_shard_builder.h"
#include "worker/batch.h"
#include "job/vocabulary_build.h"

namespace item2vec {
namespace {

using testing::Corpus;
using testing::CorpusShape;
using testing::CorpusTest;
using testing::FillBoth;
using testing::MakeCorpus;
using testing::TempDir;
using testing::WholeShardBuilder;
using testing::WriteListAndCount;

class BatchBuilderTest : public CorpusTest {
 protected:
  void SetUp() override {
    const CorpusShape shape{400, 15, 12, 400};  // lines, max items, max item bytes, vocabulary
    corpus_ = MakeCorpus(77, shape);
    ASSERT_NO_FATAL_FAILURE(UseCorpus("corpus.txt", corpus_.text, /*min_count=*/6));

    for (const auto& s : corpus_.sentences) {
      std::vector<ItemId> ids;
      for (const auto& item : s) {
        const ItemId id = vocab_.Find(item);
        if (id != Vocabulary::kNotFound) ids.push_back(id);
      }
      in_vocab_tokens_ += static_cast<std::int64_t>(ids.size());
      sentences_.push_back(std::move(ids));
    }
    ASSERT_LT(in_vocab_tokens_, corpus_.tokens) << "the corpus should have out-of-vocabulary items";
    ASSERT_GT(vocab_.size(), 20u);

    options_.dim = 4;
    options_.window = 3;
    options_.negative = 3;
    options_.sample = 1e-2;
    options_.epochs = 1;
    options_.batch_tokens = 100;
    // The layouts below are the per-pair kernel's (word2vec.c): own negatives per pair.
    options_.kernel = KernelKind::kPair;
    options_.negative_pool = 0;
  }

  Corpus corpus_;
  std::vector<std::vector<ItemId>> sentences_;  // in-vocabulary ids per non-blank line
  std::int64_t in_vocab_tokens_ = 0;
};

struct SlotInfo {
  bool input = false;
  ItemId key = 0;
};

// Checks the key lists and slot layout of one filled batch against worker/batch.h and
// returns what each slot holds.
std::vector<SlotInfo> CheckLayout(const Batch& b, const Partition& partition, std::size_t vocab_size, int negative) {
  std::vector<SlotInfo> slots;
  const int servers = partition.num_servers();
  EXPECT_EQ(b.request.size(), static_cast<std::size_t>(servers));
  EXPECT_EQ(b.first_slot.size(), static_cast<std::size_t>(servers));
  if (b.request.size() != static_cast<std::size_t>(servers) || b.first_slot.size() != b.request.size()) return slots;
  for (int s = 0; s < servers; ++s) {
    protocol::KeyListHeader h;
    std::memcpy(&h, b.request[static_cast<std::size_t>(s)].data(), sizeof h);
    EXPECT_EQ(h.batch_id, b.id);
    EXPECT_EQ(h.n_in, b.NumIn(s));
    EXPECT_EQ(h.n_out, b.NumOut(s));
    EXPECT_EQ(b.request[static_cast<std::size_t>(s)].size(), protocol::kHeaderWords + h.n_in + h.n_out);
    // Server s's slots start right after server s-1's: in keys first, then out keys.
    EXPECT_EQ(b.first_slot[static_cast<std::size_t>(s)], slots.size()) << "server " << s;
    for (int role = 0; role < 2; ++role) {
      const std::uint32_t* keys = role == 0 ? b.InKeys(s) : b.OutKeys(s);
      const std::uint32_t n = role == 0 ? b.NumIn(s) : b.NumOut(s);
      for (std::uint32_t i = 0; i < n; ++i) {
        EXPECT_LT(keys[i], vocab_size);
        EXPECT_EQ(partition.ServerOf(keys[i]), s) << "key " << keys[i];
        if (i > 0) {
          EXPECT_LT(keys[i - 1], keys[i]) << "keys ascending and unique, server " << s;
        }
        slots.push_back(SlotInfo{role == 0, keys[i]});
      }
    }
  }
  EXPECT_EQ(b.total_rows, slots.size());
  EXPECT_GE(b.rows.size(), b.total_rows * 4u);

  // Item references are slots of the right role, and every slot is referenced.
  std::vector<int> used(slots.size(), 0);
  auto check = [&](std::uint32_t slot, bool input, const char* what) {
    EXPECT_LT(slot, b.total_rows) << what;
    if (slot >= slots.size()) return;
    EXPECT_EQ(slots[slot].input, input) << what << " slot " << slot;
    used[slot] = 1;
  };
  for (std::uint32_t c : b.contexts) check(c, true, "context");
  for (std::uint32_t n : b.negatives) check(n, false, "negative");
  std::uint32_t expected_begin = 0;
  for (const Group& g : b.groups) {
    check(g.centre, false, "centre");
    EXPECT_EQ(g.ctx_begin, expected_begin);
    EXPECT_LT(g.ctx_begin, g.ctx_end);
    EXPECT_EQ(g.neg_begin, g.ctx_begin * static_cast<std::uint32_t>(negative));
    expected_begin = g.ctx_end;
  }
  EXPECT_EQ(expected_begin, b.contexts.size());
  EXPECT_EQ(b.negatives.size(), b.contexts.size() * static_cast<std::size_t>(negative));
  EXPECT_EQ(b.pairs, static_cast<std::int64_t>(b.contexts.size()));
  for (std::size_t i = 0; i < used.size(); ++i) EXPECT_TRUE(used[i]) << "slot " << i << " is never referenced";
  return slots;
}

// Fills every batch of `builder` in turn, checks its layout (CheckLayout) and calls
// visit(batch, slots); stops at the end or at the first failure.
template <typename Visit>
void ForEachCheckedBatch(BatchBuilder* builder, const Partition& partition, std::size_t vocab_size, int negative,
                         Visit visit) {
  Batch b;
  while (true) {
    Result<bool> more = builder->Fill(&b);
    ASSERT_TRUE(more.ok());
    if (!*more) return;
    const std::vector<SlotInfo> slots = CheckLayout(b, partition, vocab_size, negative);
    ASSERT_FALSE(::testing::Test::HasFailure());
    visit(b, slots);
    if (::testing::Test::HasFailure()) return;
  }
}

// Every way of sorting a batch's keys (bitmap for many keys in a small vocabulary, a radix sort
// for many in a large one, std::sort for few or without scratch) gives std::sort's order and
// leaves the bitmap clear for the next batch; vocabularies of 1, 2 and 3 radix passes.
TEST(SortDistinctKeysTest, BitmapRadixAndSortAgree) {
  std::mt19937 rng(5);
  std::vector<ItemId> scratch;
  for (std::size_t vocab : {std::size_t{1000}, std::size_t{1} << 20, std::size_t{10000001}, std::size_t{1} << 25}) {
    std::vector<std::uint64_t> bits((vocab + 63) / 64, 0);
    for (std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{50}, std::size_t{900}, std::size_t{20000}}) {
     for (std::vector<ItemId>* with : {&scratch, static_cast<std::vector<ItemId>*>(nullptr)}) {
      std::vector<ItemId> keys(count);
      for (ItemId& k : keys) k = static_cast<ItemId>(rng() % vocab);
      if (count > 0) keys[0] = static_cast<ItemId>(vocab - 1);  // the last word's top bit
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      std::vector<ItemId> want = keys;
      std::shuffle(keys.begin(), keys.end(), rng);
      SortDistinctKeys(&keys, &bits, with);
      EXPECT_EQ(keys, want) << "vocab " << vocab << " keys " << count << (with ? " scratch" : "");
      EXPECT_TRUE(std::all_of(bits.begin(), bits.end(), [](std::uint64_t w) { return w == 0; }));
     }
    }
  }
}

TEST_F(BatchBuilderTest, LayoutAndTokenAccountingOverOneEpoch) {
  for (int servers = 1; servers <= 4; ++servers) {
    const Partition partition(servers, vocab_.size());
    WholeShardBuilder builder(files_, options_, vocab_, partition, in_vocab_tokens_, /*rng_seed=*/17);
    Batch b;
    std::int64_t raw = 0, words = 0, batches = 0;
    float last_alpha = static_cast<float>(options_.alpha);
    while (true) {
      Result<bool> more = builder.Fill(&b);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      if (!*more) break;
      EXPECT_EQ(b.id, static_cast<std::uint64_t>(batches));
      CheckLayout(b, partition, vocab_.size(), options_.negative);
      if (::testing::Test::HasFailure()) return;
      // A batch stops at the first sentence that reaches batch_tokens.
      EXPECT_LT(b.raw_tokens, options_.batch_tokens + 15);
      for (const Group& g : b.groups) {
        EXPECT_LE(g.alpha, last_alpha);
        EXPECT_GE(g.alpha, static_cast<float>(options_.EffectiveMinAlpha()));
        last_alpha = g.alpha;
      }
      raw += b.raw_tokens;
      words += b.words;
      ++batches;
    }
    EXPECT_EQ(raw, corpus_.tokens) << "servers " << servers;
    EXPECT_EQ(words, in_vocab_tokens_);
    EXPECT_EQ(builder.words_done(), in_vocab_tokens_);
    EXPECT_GE(batches, corpus_.tokens / (options_.batch_tokens + 15));
    // Over: further calls keep saying so.
    Result<bool> again = builder.Fill(&b);
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(*again);
  }
}

TEST_F(BatchBuilderTest, EveryEpochReadsTheWholeShard) {
  options_.epochs = 3;
  const Partition partition(2, vocab_.size());
  WholeShardBuilder builder(files_, options_, vocab_, partition, in_vocab_tokens_, 5);
  Batch b;
  std::int64_t raw = 0;
  int last_epoch = 0;
  while (true) {
    Result<bool> more = builder.Fill(&b);
    ASSERT_TRUE(more.ok());
    if (!*more) break;
    EXPECT_GE(b.epoch, last_epoch);
    last_epoch = b.epoch;
    raw += b.raw_tokens;
  }
  EXPECT_EQ(raw, 3 * corpus_.tokens);
  EXPECT_EQ(builder.words_done(), 3 * in_vocab_tokens_);
  EXPECT_EQ(last_epoch, 2);
  // word2vec.c's schedule reaches (nearly) zero at the end, floored at min_alpha.
  EXPECT_NEAR(builder.CurrentAlpha(), options_.EffectiveMinAlpha(), options_.alpha * 1e-3);
}

// word2vec.c and gensim step the rate once per 10,000 words of an epoch: an epoch of fewer
// words trains at one rate, alpha · (1 − words before it / (epochs · words + 1)).
TEST_F(BatchBuilderTest, TheRateStepsEveryTenThousandWordsOfAnEpoch) {
  ASSERT_LT(in_vocab_tokens_, kAlphaStepWords);
  options_.epochs = 3;
  const Partition partition(1, vocab_.size());
  WholeShardBuilder builder(files_, options_, vocab_, partition, in_vocab_tokens_, 5);
  std::set<float> rates;  // (a batch may hold the end of one epoch and the start of the next)
  Batch b;
  while (true) {
    Result<bool> more = builder.Fill(&b);
    ASSERT_TRUE(more.ok());
    if (!*more) break;
    for (const Group& g : b.groups) rates.insert(g.alpha);
  }
  const double total = 3.0 * static_cast<double>(in_vocab_tokens_) + 1;
  std::set<float> expected;
  for (int e = 0; e < 3; ++e) expected.insert(static_cast<float>(options_.alpha * (1.0 - e * in_vocab_tokens_ / total)));
  EXPECT_EQ(rates, expected);
}

TEST_F(BatchBuilderTest, WindowOneWithoutSubsamplingGivesTheAdjacentPairs) {
  options_.sample = 0;
  options_.window = 1;
  for (int servers : {1, 3}) {
    const Partition partition(servers, vocab_.size());
    WholeShardBuilder builder(files_, options_, vocab_, partition, in_vocab_tokens_, 23);

    // (centre, context) in word2vec.c order: each position's left neighbour, then right.
    std::vector<std::pair<ItemId, ItemId>> expected, got;
    for (const auto& s : sentences_)
      for (std::size_t i = 0; i < s.size() && s.size() >= 2; ++i) {
        if (i > 0) expected.emplace_back(s[i], s[i - 1]);
        if (i + 1 < s.size()) expected.emplace_back(s[i], s[i + 1]);
      }

    ForEachCheckedBatch(&builder, partition, vocab_.size(), options_.negative,
                        [&](const Batch& b, const std::vector<SlotInfo>& slots) {
                          for (const Group& g : b.groups)
                            for (std::uint32_t j = g.ctx_begin; j < g.ctx_end; ++j)
                              got.emplace_back(slots[g.centre].key, slots[b.contexts[j]].key);
                        });
    ASSERT_EQ(got.size(), expected.size()) << "servers " << servers;
    EXPECT_EQ(got, expected) << "servers " << servers;
  }
}

// --kernel shared and hogbatch: a centre's contexts, in word2vec.c order, are cut into groups
// of at most kHogBatchShare, each with `negative` negatives of its own; every pair is counted.
TEST_F(BatchBuilderTest, HogBatchGroupsShareNegativesOverAtMostFourContexts) {
  options_.sample = 0;
  options_.window = 5;
  for (KernelKind kernel : {KernelKind::kPair, KernelKind::kHogBatch, KernelKind::kShared}) {
    options_.kernel = kernel;
    const Partition partition(1, vocab_.size());
    WholeShardBuilder builder(files_, options_, vocab_, partition, in_vocab_tokens_, 23);
    const bool hog = SharesNegatives(kernel);
    std::size_t split = 0;
    Batch b;
    for (;;) {
      Result<bool> more = builder.Fill(&b);
      ASSERT_TRUE(more.ok());
      if (!*more) break;
      std::uint32_t neg = 0;
      for (std::size_t g = 0; g < b.groups.size(); ++g) {
        const Group& group = b.groups[g];
        const std::uint32_t m = group.ctx_end - group.ctx_begin;
        ASSERT_GE(m, 1u);
        EXPECT_EQ(group.neg_begin, neg);
        neg += static_cast<std::uint32_t>(options_.negative) * (hog ? 1 : m);
        if (hog) {
          ASSERT_LE(m, kHogBatchShare);
          if (g > 0 && b.groups[g - 1].centre == group.centre && b.groups[g - 1].ctx_end == group.ctx_begin) ++split;
        }
      }
      EXPECT_EQ(b.negatives.size(), neg);
      EXPECT_EQ(b.pairs, static_cast<std::int64_t>(b.contexts.size()));
    }
    if (hog) {
      EXPECT_GT(split, 0u) << "no centre had more than kHogBatchShare contexts";
    }
  }
}

TEST_F(BatchBuilderTest, WindowsAreSymmetricWithUniformSpan) {
  // Without subsampling every position of a sentence of >= 2 items is a group, in order,
  // so group k can be matched to its position and its contexts to a span.
  options_.sample = 0;
  options_.window = 4;
  options_.epochs = 8;
  const int w = options_.window;
  const Partition partition(2, vocab_.size());
  WholeShardBuilder builder(files_, options_, vocab_, partition, in_vocab_tokens_, 31);
  std::vector<std::pair<std::size_t, int>> positions;  // (sentence, index) of each group
  for (std::size_t s = 0; s < sentences_.size(); ++s)
    if (sentences_[s].size() >= 2)
      for (int i = 0; i < static_cast<int>(sentences_[s].size()); ++i) positions.emplace_back(s, i);

  std::vector<std::int64_t> spans(static_cast<std::size_t>(w), 0);  // unclipped positions only
  std::size_t next = 0;
  ForEachCheckedBatch(&builder, partition, vocab_.size(), options_.negative, [&](const Batch& b,
                                                                                const std::vector<SlotInfo>& slots) {
    for (const Group& g : b.groups) {
      const auto [si, i] = positions[next++ % positions.size()];
      const std::vector<ItemId>& sent = sentences_[si];
      const int n = static_cast<int>(sent.size());
      ASSERT_EQ(slots[g.centre].key, sent[static_cast<std::size_t>(i)]);
      std::vector<ItemId> got;
      for (std::uint32_t j = g.ctx_begin; j < g.ctx_end; ++j) got.push_back(slots[b.contexts[j]].key);
      int match = 0;
      for (int span = 1; span <= w && match == 0; ++span) {
        std::vector<ItemId> want;
        for (int c = std::max(0, i - span); c <= std::min(n - 1, i + span); ++c)
          if (c != i) want.push_back(sent[static_cast<std::size_t>(c)]);
        if (want == got) match = span;
      }
      ASSERT_NE(match, 0) << "contexts of sentence " << si << " position " << i << " are no window of 1.." << w;
      if (i - w >= 0 && i + w < n) ++spans[static_cast<std::size_t>(match - 1)];
    }
  });
  EXPECT_EQ(next, positions.size() * static_cast<std::size_t>(options_.epochs));
  std::int64_t total = 0;
  for (std::int64_t c : spans) total += c;
  ASSERT_GT(total, 1500);
  const std::vector<double> uniform(static_cast<std::size_t>(w), 1.0 / w);
  EXPECT_LT(testing::ChiSquare(spans, uniform, total), testing::ChiSquareCritical(w - 1.0));
}

TEST_F(BatchBuilderTest, SameSeedSameBatches) {
  const Partition partition(3, vocab_.size());
  WholeShardBuilder b1(files_, options_, vocab_, partition, in_vocab_tokens_, 99);
  WholeShardBuilder b2(files_, options_, vocab_, partition, in_vocab_tokens_, 99);
  Batch x, y;
  while (FillBoth(&b1, &x, &b2, &y)) {
    ASSERT_EQ(x.contexts, y.contexts);
    ASSERT_EQ(x.negatives, y.negatives);
    ASSERT_EQ(x.request, y.request);
  }
}

}  // namespace
}  // namespace item2vec

namespace item2vec {
namespace {

// A checkpoint taken between two batches: a fresh reader and builder restored from
// State() produce exactly the batches the original goes on to produce, across an epoch
// boundary and through lines split by max_sentence.
TEST_F(BatchBuilderTest, RestoredStateContinuesWithIdenticalBatches) {
  options_.epochs = 3;
  options_.max_sentence = 5;  // splits most lines: resume points fall inside lines too
  const Partition partition(2, vocab_.size());
  WholeShardBuilder builder(files_, options_, vocab_, partition, in_vocab_tokens_, 42);
  Batch b;
  int checkpoints = 0;
  for (int i = 0; i < 200; ++i) {
    if (i % 7 == 3) {
      ++checkpoints;
      const BuilderState state = builder.State();
      WholeShardBuilder restored(files_, options_, vocab_, partition, in_vocab_tokens_, 999);
      restored.Restore(state);
      Batch b2;
      // Compare the next three batches of both.
      BatchBuilder* builders[2] = {&builder, &restored};
      Batch* batches[2] = {&b, &b2};
      for (int k = 0; k < 3; ++k) {
        Result<bool> r[2] = {builders[0]->Fill(batches[0]), builders[1]->Fill(batches[1])};
        ASSERT_TRUE(r[0].ok() && r[1].ok());
        ASSERT_EQ(*r[0], *r[1]);
        if (!*r[0]) return;
        EXPECT_EQ(b.id, b2.id);
        EXPECT_EQ(b.epoch, b2.epoch);
        EXPECT_EQ(b.raw_tokens, b2.raw_tokens);
        EXPECT_EQ(b.contexts, b2.contexts);
        EXPECT_EQ(b.negatives, b2.negatives);
        EXPECT_EQ(b.request, b2.request);
        EXPECT_EQ(builder.words_done(), restored.words_done());
        EXPECT_EQ(builder.CurrentAlpha(), restored.CurrentAlpha());
        EXPECT_EQ(builder.split_lines(), restored.split_lines());
      }
      ++i;
    }
    Result<bool> r = builder.Fill(&b);
    ASSERT_TRUE(r.ok());
    if (!*r) break;
  }
  EXPECT_GT(checkpoints, 5);
  EXPECT_GT(builder.split_lines(), 0) << "the test should resume inside split lines";
}

}  // namespace
}  // namespace item2vec

namespace item2vec {
namespace {

// --id-cache: the epochs after the first replay the cached ids, and every batch, counter
// and checkpoint position is what reading the text again gives; the cache file is never
// visible in its directory.
TEST_F(BatchBuilderTest, IdCacheReplaysTheTextsBatchesExactly) {
  options_.epochs = 3;
  options_.max_sentence = 5;  // split lines: positions inside lines must replay too
  const std::string cache_dir = dir_.File("cache");
  ASSERT_EQ(std::system(("mkdir -p '" + cache_dir + "'").c_str()), 0);
  TrainOptions text = options_, cached = options_;
  text.id_cache_mib = 0;
  cached.id_cache_mib = 64;
  cached.id_cache_dir = cache_dir;
  const Partition partition(2, vocab_.size());
  WholeShardBuilder from_text(files_, text, vocab_, partition, in_vocab_tokens_, 7);
  WholeShardBuilder from_cache(files_, cached, vocab_, partition, in_vocab_tokens_, 7);
  Batch x, y;
  int replayed = 0, batches = 0;
  while (true) {
    Result<bool> m1 = from_text.Fill(&x), m2 = from_cache.Fill(&y);
    ASSERT_TRUE(m1.ok() && m2.ok());
    ASSERT_EQ(*m1, *m2);
    ASSERT_EQ(from_text.epoch(), from_cache.epoch());
    const BuilderState s1 = from_text.State(), s2 = from_cache.State();
    ASSERT_TRUE(s1.position == s2.position) << "batch " << batches << ": offset " << s1.position.offset << " vs "
                                            << s2.position.offset;
    ASSERT_EQ(s1.reader_stats.lines, s2.reader_stats.lines);
    ASSERT_EQ(s1.reader_stats.tokens, s2.reader_stats.tokens);
    ASSERT_EQ(s1.reader_stats.split_lines, s2.reader_stats.split_lines);
    ASSERT_EQ(s1.reader_stats.long_items, s2.reader_stats.long_items);
    ASSERT_EQ(s1.words_done, s2.words_done);
    if (!*m1) break;
    ++batches;
    if (from_cache.replaying_id_cache()) ++replayed;
    ASSERT_EQ(x.raw_tokens, y.raw_tokens);
    ASSERT_EQ(x.words, y.words);
    ASSERT_EQ(x.contexts, y.contexts);
    ASSERT_EQ(x.negatives, y.negatives);
    ASSERT_EQ(x.request, y.request);
    ASSERT_EQ(std::system(("test -z \"$(ls -A '" + cache_dir + "')\"").c_str()), 0) << "cache file visible";
  }
  EXPECT_GT(from_text.split_lines(), 0);
  EXPECT_GT(replayed, batches / 2) << "epochs 2 and 3 should come from the cache";
  EXPECT_FALSE(from_text.replaying_id_cache());
}

// A checkpoint taken while replaying resumes from the text on a builder without a cache.
TEST_F(BatchBuilderTest, IdCacheStateResumesFromTheText) {
  options_.epochs = 3;
  options_.max_sentence = 5;
  options_.id_cache_mib = 64;
  const Partition partition(1, vocab_.size());
  WholeShardBuilder builder(files_, options_, vocab_, partition, in_vocab_tokens_, 5);
  Batch b, b2;
  int checked = 0;
  for (int i = 0; i < 400 && checked < 6; ++i) {
    Result<bool> r = builder.Fill(&b);
    ASSERT_TRUE(r.ok());
    if (!*r) break;
    if (!builder.replaying_id_cache() || i % 5 != 0) continue;
    TrainOptions no_cache = options_;
    no_cache.id_cache_mib = 0;
    WholeShardBuilder restored(files_, no_cache, vocab_, partition, in_vocab_tokens_, 1);
    restored.Restore(builder.State());
    for (int k = 0; k < 4; ++k) {
      if (!FillBoth(&builder, &b, &restored, &b2)) break;
      ASSERT_EQ(b.contexts, b2.contexts);
      ASSERT_EQ(b.negatives, b2.negatives);
      ASSERT_EQ(builder.words_done(), restored.words_done());
      ASSERT_EQ(builder.split_lines(), restored.split_lines());
    }
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

// A cache directory that cannot be written only costs speed.
TEST_F(BatchBuilderTest, IdCacheInAnUnwritableDirectoryReadsText) {
  options_.epochs = 2;
  TrainOptions text = options_, cached = options_;
  text.id_cache_mib = 0;
  cached.id_cache_dir = dir_.File("no/such/dir");
  const Partition partition(1, vocab_.size());
  WholeShardBuilder a(files_, text, vocab_, partition, in_vocab_tokens_, 3);
  WholeShardBuilder c(files_, cached, vocab_, partition, in_vocab_tokens_, 3);
  Batch x, y;
  while (FillBoth(&a, &x, &c, &y)) {
    ASSERT_FALSE(c.replaying_id_cache());
    ASSERT_EQ(x.contexts, y.contexts);
  }
}

// Event weights (ITEM*W): the same corpus with the items whose last byte is even weighted 2
// gives the same batches, but for the learning rate of every group centred on a weighted
// position, which is exactly twice the plain one (an SGNS step is linear in it: the kernel
// moves every row of that group twice as far). A weighted shard is not replayed from the id
// cache (which has no weights): the second epoch is weighted too.
TEST_F(BatchBuilderTest, EventWeightsScaleTheLearningRateOfTheirCentres) {
  auto weight_of = [](std::string_view item) { return (static_cast<unsigned char>(item.back()) % 2 == 0) ? 2.0f : 1.0f; };
  std::string weighted;
  for (const auto& line : corpus_.sentences) {
    for (const auto& item : line) weighted += item + (weight_of(item) == 2.0f ? "*2 " : " ");
    weighted += "\n";
  }
  testing::WriteFile(dir_.File("weighted.txt"), weighted);
  auto weighted_files = ListInputFiles({dir_.File("weighted.txt")});
  ASSERT_TRUE(weighted_files.ok());
  // The plain text of the same lines (corpus_.text also holds blank lines and odd spacing).
  std::string plain;
  for (const auto& line : corpus_.sentences) {
    for (const auto& item : line) plain += item + " ";
    plain += "\n";
  }
  testing::WriteFile(dir_.File("plain.txt"), plain);
  auto plain_files = ListInputFiles({dir_.File("plain.txt")});
  ASSERT_TRUE(plain_files.ok());
  const std::string cache_dir = dir_.File("cache");
  ASSERT_EQ(std::system(("mkdir -p '" + cache_dir + "'").c_str()), 0);
  options_.epochs = 2;
  options_.id_cache_mib = 64;
  options_.id_cache_dir = cache_dir;
  const Partition partition(1, vocab_.size());
  SequenceReader r1(*plain_files, ShardRanges(*plain_files, 0, 1), options_.max_sentence);
  SequenceReader r2(*weighted_files, ShardRanges(*weighted_files, 0, 1), options_.max_sentence);
  {
    SequenceReader probe(*weighted_files, ShardRanges(*weighted_files, 0, 1), options_.max_sentence);
    std::vector<std::string_view> items;
    int lines_with_weights = 0;
    while (probe.Next(&items)) lines_with_weights += !probe.weights().empty();
    ASSERT_GT(lines_with_weights, 100) << weighted.substr(0, 200);
  }
  BatchBuilder plain_builder(options_, vocab_, partition, &r1, in_vocab_tokens_, 7);
  BatchBuilder weighted_builder(options_, vocab_, partition, &r2, in_vocab_tokens_, 7);
  Batch x, y;
  int doubled = 0, same = 0, doubled_late = 0;
  while (FillBoth(&plain_builder, &x, &weighted_builder, &y)) {
    ASSERT_EQ(x.contexts, y.contexts);
    ASSERT_EQ(x.negatives, y.negatives);
    ASSERT_EQ(x.request, y.request);
    ASSERT_EQ(x.groups.size(), y.groups.size());
    const std::vector<SlotInfo> slots = CheckLayout(x, partition, vocab_.size(), options_.negative);
    for (std::size_t g = 0; g < x.groups.size(); ++g) {
      ASSERT_EQ(x.groups[g].centre, y.groups[g].centre);
      const float w = weight_of(vocab_.item(slots[x.groups[g].centre].key));
      ASSERT_EQ(y.groups[g].alpha, x.groups[g].alpha * w) << "batch " << x.id << " group " << g;
      (w == 2.0f ? doubled : same) += 1;
      if (w == 2.0f && weighted_builder.epoch() == 1) ++doubled_late;
    }
    if (plain_builder.epoch() == 1) {
      EXPECT_FALSE(weighted_builder.replaying_id_cache()) << "a weighted shard replayed";
    }
  }
  EXPECT_TRUE(plain_builder.replaying_id_cache() || plain_builder.epoch() >= 1);
  EXPECT_GT(doubled, 100);
  EXPECT_GT(same, 100);
  EXPECT_GT(doubled_late, 50) << "the second epoch";
}

}  // namespace
}  // namespace item2vec
