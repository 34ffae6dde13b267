// Tests of --window-mode set in worker/batch_builder.h: every kept item of a line is a
// centre whose contexts are all the other kept items of the line in line order; lines of
// more than --max-set-size kept items give each centre max_set_size - 1 distinct others
// drawn uniformly and are counted; a restored builder continues with identical batches.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/input_files.h"
#include "common/random.h"
#include "common/sequence_reader.h"
#include "common/train_options.h"
#include "common/vocabulary.h"
#include "job/vocabulary_build.h"
#include "ps/partition.h"
#include "tests/support/shard_util.h"
#include "tests/support/stats_util.h"
#include "tests/support/test_util.h"
#include "tests/worker/corpus_test.h"
#include "tests/worker/whole_shard_builder.h"
#include "worker/batch.h"
#include "worker/batch_builder.h"

namespace item2vec {
namespace {

using testing::CorpusTest;
using testing::FillBoth;
using testing::TempDir;
using testing::WholeShardBuilder;
using testing::WriteListAndCount;

// Baskets of 1..24 distinct items out of 60, as prep --mode set writes them (sorted).
class SetWindowTest : public CorpusTest {
 protected:
  void SetUp() override {
    Rng rng(2024);
    std::string text;
    for (int line = 0; line < 300; ++line) {
      const int n = 1 + static_cast<int>(rng.Below(24));
      std::set<std::string> basket;
      while (static_cast<int>(basket.size()) < n) basket.insert("i" + std::to_string(rng.Below(60)));
      std::string sep;
      for (const auto& item : basket) {
        text += sep + item;
        sep = " ";
      }
      text += "\n";
      baskets_.emplace_back(basket.begin(), basket.end());
    }
    ASSERT_NO_FATAL_FAILURE(UseCorpus("baskets.txt", text, 1));
    ASSERT_EQ(vocab_.size(), 60u);
    for (const auto& b : baskets_) tokens_ += static_cast<std::int64_t>(b.size());
    options_.dim = 4;
    options_.negative = 2;
    options_.sample = 0;
    options_.epochs = 1;
    options_.batch_tokens = 200;
    options_.kernel = KernelKind::kPair;  // the per-pair layout (own negatives per pair)
    options_.negative_pool = 0;
    options_.window = 1;  // unused in set mode: a window of 1 would pair only neighbours
    options_.window_mode = WindowMode::kSet;
  }

  // (centre, contexts) of every group of every batch, as item names, and the batches' counts.
  struct Trained {
    std::vector<std::pair<std::string, std::vector<std::string>>> groups;
    std::int64_t pairs = 0, capped = 0;
  };
  Trained Train(std::uint64_t seed) {
    Trained t;
    const Partition partition(2, vocab_.size());
    WholeShardBuilder builder(files_, options_, vocab_, partition, tokens_, seed);
    Batch b;
    while (true) {
      Result<bool> more = builder.Fill(&b);
      EXPECT_TRUE(more.ok());
      if (!more.ok() || !*more) break;
      // Slot -> item: slots follow the key lists, server by server, inputs then outputs.
      std::vector<ItemId> slot_key;
      for (int s = 0; s < partition.num_servers(); ++s) {
        for (std::uint32_t i = 0; i < b.NumIn(s); ++i) slot_key.push_back(b.InKeys(s)[i]);
        for (std::uint32_t i = 0; i < b.NumOut(s); ++i) slot_key.push_back(b.OutKeys(s)[i]);
      }
      for (const Group& g : b.groups) {
        std::vector<std::string> ctx;
        for (std::uint32_t j = g.ctx_begin; j < g.ctx_end; ++j)
          ctx.emplace_back(vocab_.item(slot_key[b.contexts[j]]));
        t.groups.emplace_back(std::string(vocab_.item(slot_key[g.centre])), std::move(ctx));
      }
      t.pairs += b.pairs;
      t.capped += b.capped_sets;
    }
    return t;
  }

  std::vector<std::vector<std::string>> baskets_;
  std::int64_t tokens_ = 0;
};

TEST_F(SetWindowTest, EveryItemIsAContextOfEveryOtherItemOfItsLine) {
  options_.max_set_size = 1000;
  const Trained t = Train(7);
  std::vector<std::pair<std::string, std::vector<std::string>>> expected;
  std::int64_t pairs = 0;
  for (const auto& basket : baskets_) {
    if (basket.size() < 2) continue;
    for (std::size_t i = 0; i < basket.size(); ++i) {
      std::vector<std::string> ctx;
      for (std::size_t c = 0; c < basket.size(); ++c)
        if (c != i) ctx.push_back(basket[c]);
      pairs += static_cast<std::int64_t>(ctx.size());
      expected.emplace_back(basket[i], std::move(ctx));
    }
  }
  EXPECT_EQ(t.groups, expected);
  EXPECT_EQ(t.pairs, pairs);
  EXPECT_EQ(t.capped, 0);
}

TEST_F(SetWindowTest, LongSetsDrawCapMinusOneDistinctOthersUniformly) {
  options_.max_set_size = 6;
  options_.epochs = 20;
  const Trained t = Train(11);
  std::int64_t capped = 0;
  std::size_t expected_groups = 0;
  for (const auto& b : baskets_) {
    if (b.size() > 6) ++capped;
    if (b.size() >= 2) expected_groups += b.size();
  }
  ASSERT_GT(capped, 100);
  EXPECT_EQ(t.capped, capped * options_.epochs);
  ASSERT_EQ(t.groups.size(), expected_groups * static_cast<std::size_t>(options_.epochs));
  // Walk the groups alongside the baskets.
  std::size_t g = 0;
  for (int e = 0; e < options_.epochs; ++e) {
    for (std::size_t k = 0; k < baskets_.size(); ++k) {
      const auto& basket = baskets_[k];
      if (basket.size() < 2) continue;
      for (std::size_t i = 0; i < basket.size(); ++i, ++g) {
        const auto& [centre, ctx] = t.groups[g];
        ASSERT_EQ(centre, basket[i]);
        if (basket.size() <= 6) {
          EXPECT_EQ(ctx.size(), basket.size() - 1);
          continue;
        }
        ASSERT_EQ(ctx.size(), 5u);
        const std::set<std::string> distinct(ctx.begin(), ctx.end());
        EXPECT_EQ(distinct.size(), 5u) << "contexts drawn without replacement";
        EXPECT_EQ(distinct.count(centre), 0u) << "a centre is not its own context";
        for (const auto& c : ctx) EXPECT_TRUE(std::binary_search(basket.begin(), basket.end(), c));
      }
    }
  }
  // The others are picked uniformly: over many epochs, how often each other position of
  // the longest basket is a context of its first item passes a chi-square test.
  std::size_t longest = 0;
  for (std::size_t k = 1; k < baskets_.size(); ++k)
    if (baskets_[k].size() > baskets_[longest].size()) longest = k;
  const std::size_t n = baskets_[longest].size();
  std::vector<std::int64_t> picks(n - 1, 0);
  options_.epochs = 400;
  options_.batch_tokens = 100000;
  const Trained many = Train(13);
  std::size_t pos = 0;
  for (int e = 0; e < options_.epochs; ++e)
    for (std::size_t k = 0; k < baskets_.size(); ++k) {
      if (baskets_[k].size() < 2) continue;
      if (k == longest)
        for (const auto& c : many.groups[pos].second)
          ++picks[static_cast<std::size_t>(std::lower_bound(baskets_[k].begin(), baskets_[k].end(), c) -
                                           baskets_[k].begin()) - 1];
      pos += baskets_[k].size();
    }
  std::int64_t total = 0;
  for (auto c : picks) total += c;
  ASSERT_EQ(total, 5 * options_.epochs);
  const std::vector<double> uniform(n - 1, 1.0 / static_cast<double>(n - 1));
  EXPECT_LT(testing::ChiSquare(picks, uniform, total), testing::ChiSquareCritical(static_cast<double>(n - 2)));
}

TEST_F(SetWindowTest, RestoredStateContinuesWithIdenticalBatches) {
  options_.max_set_size = 5;
  options_.max_sentence = 7;  // long baskets are split: resume points fall inside lines
  options_.epochs = 2;
  const Partition partition(2, vocab_.size());
  WholeShardBuilder builder(files_, options_, vocab_, partition, tokens_, 42);
  Batch b, b2;
  int compared = 0;
  for (int i = 0; i < 100; ++i) {
    if (i % 5 == 2) {
      WholeShardBuilder restored(files_, options_, vocab_, partition, tokens_, 999);
      restored.Restore(builder.State());
      if (!FillBoth(&builder, &b, &restored, &b2)) break;
      EXPECT_EQ(b.contexts, b2.contexts);
      EXPECT_EQ(b.negatives, b2.negatives);
      EXPECT_EQ(b.capped_sets, b2.capped_sets);
      ++compared;
      continue;
    }
    Result<bool> r = builder.Fill(&b);
    ASSERT_TRUE(r.ok());
    if (!*r) break;
  }
  EXPECT_GT(compared, 5);
}

TEST(SetWindowOptionsTest, ValidatedAndListedForResume) {
  TrainOptions o;
  o.input = {"x"};
  o.output = "y";
  o.window_mode = WindowMode::kSet;
  o.max_set_size = 1;
  EXPECT_FALSE(Validate(o, 0).ok());
  o.max_set_size = 50;
  EXPECT_TRUE(Validate(o, 0).ok());
  EXPECT_EQ(o.MaxContexts(), 49);
  bool listed = false;
  for (const auto& [k, v] : ResumeSettings(o)) listed = listed || (k == "window-mode" && v == "set");
  EXPECT_TRUE(listed);
  o.window_mode = WindowMode::kSliding;
  for (const auto& kv : ResumeSettings(o)) EXPECT_FALSE(IsOptionalResumeSetting(kv.first)) << kv.first;
  EXPECT_EQ(o.MaxContexts(), 10);
}

}  // namespace
}  // namespace item2vec
