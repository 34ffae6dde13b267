// BatchBuilder: reads a worker's shard and turns it into Batches, word2vec.c style.
//
// Contract: Fill() reads sentences until the batch holds at least batch_tokens raw tokens
// (resolved, > 0: --batch-tokens 0 is turned into AutoBatchTokens before a builder exists)
// (or the last epoch ends), and for each sentence: maps items to ids (out-of-vocabulary
// items are dropped, as in word2vec.c), subsamples with KeepProbabilities, draws each
// position's reduced window and each pair's negatives, and computes the learning rate from
// this worker's progress: alpha * (1 - words_done / (epochs * shard_words + 1)), floored
// at min_alpha (word2vec.c's schedule, with this shard standing in for the corpus).
// With --negative-pool P > 0 each batch first draws P negatives from the noise
// distribution and every pair picks its negatives uniformly from that pool: each negative
// still follows count^ns_exponent, but a batch needs at most P output rows for negatives
// (word2vec.c draws per pair: on a large vocabulary almost every negative is a new row).
// With --window-mode set a sentence is a set: every kept item is a centre whose contexts
// are all the other kept items of the line, in line order (no reduced window); a line of
// more than max_set_size kept items gives each centre max_set_size - 1 others drawn
// without replacement (a partial Fisher-Yates shuffle) and counts in Batch::capped_sets.
// With --kernel hogbatch a centre's contexts are cut, in order, into groups of at most
// kHogBatchShare, and each group draws `negative` negatives shared by its contexts (instead
// of `negative` per pair): pWord2Vec shares one set over the whole window, which on
// MovieLens (window 10, up to 20 contexts) cost 0.007 HR@10 against word2vec.c; 4 is level
// (docs/benchmarks.md). --model cbow draws one set per group, a group being one CBOW step
// (its contexts' mean predicts the centre; word2vec.c draws once per position).
// With --id-cache an epoch read from the shard's start also writes its sentences as ids to
// an IdCache, and the later epochs replay that instead of the text: the same ids, counts and
// (for checkpoints) reader positions, so the batches are the same bit for bit. On a fresh
// run the cache is already there, made from the counting pass's ids (UseIdCache,
// worker/first_epoch_ids.h), and every epoch replays it.
// Then it resolves ids to slots and builds the per-server key lists; with --hot-rows H
// the ids < H go to the batch's local hot block instead (worker/batch.h). Its state (reader
// position, epoch, counters, Rng) is everything a checkpoint of a worker needs.
// With side information (--side-info) every input item's attribute-value and weight keys
// join the batch's input keys (worker/batch.h side_items), pulled and pushed like the rest.
// Not thread-safe; one per worker.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/random.h"
#include "common/sequence_reader.h"
#include "common/side_layout.h"
#include "common/status.h"
#include "common/train_options.h"
#include "common/vocabulary.h"
#include "ps/partition.h"
#include "worker/batch.h"
#include "worker/id_cache.h"
#include "worker/sampling.h"

namespace item2vec {

// --kernel hogbatch: contexts per set of shared negatives (a group).
inline constexpr std::uint32_t kHogBatchShare = 4;
// Words of an epoch between two steps of the learning rate (word2vec.c's and gensim's 10,000).
inline constexpr std::int64_t kAlphaStepWords = 10000;

// Everything a BatchBuilder needs to continue exactly where it was (a checkpoint).
struct BuilderState {
  ReaderPosition position;
  ReaderStats reader_stats;
  int epoch = 0;
  std::int64_t words_done = 0;
  std::uint64_t next_batch_id = 0;
  Rng rng;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& position; ar& reader_stats; ar& epoch; ar& words_done; ar& next_batch_id; ar& rng;
  }
};

// Sorts distinct keys (each < 64 * bits->size()) ascending. A batch's key lists are dense in a
// small vocabulary, so a bitmap of the vocabulary (set, then read in order with
// count-trailing-zeros) is cheaper than a comparison sort when its words are few against the
// keys; otherwise a radix sort through `scratch` (from kRadixSortKeys keys; std::sort below
// that or without scratch). `bits` must be all zero and is left so. Public for tests.
inline constexpr std::size_t kRadixSortKeys = 256;
void SortDistinctKeys(std::vector<ItemId>* keys, std::vector<std::uint64_t>* bits,
                      std::vector<ItemId>* scratch = nullptr);

// The part of the train options that builds batches, and nothing else: the model's shape,
// the sampling and the learning-rate schedule, the batch size, the input limits and the id
// cache. Made from TrainOptions (implicitly, so a builder is given the options as they are);
// a copy, so the builder does not keep the rest of them.
struct BatchOptions {
  BatchOptions(const TrainOptions& o);  // NOLINT: implicit by design

  // Model.
  int dim;
  int window;
  bool set_mode;               // --window-mode set
  std::int64_t max_set_size;
  bool cbow;
  KernelKind kernel;
  // Sampling.
  int negative;
  double ns_exponent;
  double sample;
  std::int64_t negative_pool;
  // Schedule.
  int epochs;
  double alpha;
  double min_alpha;            // in effect (alpha * 1e-4 unless given)
  std::int64_t batch_tokens;
  std::int64_t max_sentence;
  // Distribution.
  std::int64_t hot_rows;
  std::int64_t id_cache_mib;
  std::string id_cache_dir;    // in effect ($TMPDIR or /tmp unless given)
};

class BatchBuilder {
 public:
  // side: EGES side information (nullptr or disabled = none); partition then covers its keys.
  // sampling: the vocabulary's subsampling and negative-sampling tables for options' sample
  // and ns_exponent, built once per node (nullptr = the builder makes its own).
  BatchBuilder(const BatchOptions& options, const Vocabulary& vocab, const Partition& partition,
               SequenceReader* reader, std::int64_t shard_words, std::uint64_t rng_seed,
               const SideLayout* side = nullptr, const SamplingView* sampling = nullptr);

  // Returns false when training is over and the batch is empty; errors from the reader
  // come back as the status.
  Result<bool> Fill(Batch* batch);

  // Before the first Fill(): this shard's id cache, written whole (FinishWrite), and the
  // reader's position at the shard's end; a builder that starts at the shard's start replays
  // it from epoch 1 on, any other (Restore()) drops it.
  void UseIdCache(std::unique_ptr<IdCache> cache, const ReaderPosition& end) {
    given_ = std::move(cache);
    given_end_ = end;
  }

  // State()/Restore(): taken between Fill() calls, Restore(State()) on a fresh builder
  // over the same shard makes the following Fill() calls return exactly the same batches.
  BuilderState State() const;
  void Restore(const BuilderState& state);

  int epoch() const { return epoch_; }
  std::int64_t words_done() const { return words_done_; }
  // The learning rate for the next sentence: alpha · (1 − counted / (epochs · shard words)),
  // floored at min_alpha, where counted is the words of the earlier epochs plus this epoch's
  // rounded down to a multiple of kAlphaStepWords (word2vec.c's and gensim's step).
  double CurrentAlpha() const;
  std::int64_t split_lines() const { return reader_->stats().split_lines; }
  // Whether the current epoch replays the id cache instead of reading text.
  bool replaying_id_cache() const { return replaying_; }
  // Seconds spent getting sentences' ids (text parsing and lookups, or cache replay) per
  // epoch of this run, and whether each epoch came from the cache: where input time goes.
  const std::vector<double>& input_seconds() const { return input_seconds_; }
  const std::vector<bool>& epoch_replayed() const { return epoch_replayed_; }

 private:
  // The next sentence's in-vocabulary ids (before subsampling) into sentence_ids_ /
  // sentence_size_ and its raw item count into sentence_raw_; false at the end of the
  // epoch or on a reader error.
  bool NextSentence();
  // The same from cache_: false at its end or when it broke (then the reader continues the
  // text where the last record ended).
  bool NextCachedSentence();
  void StartEpoch();          // the shard starts again: replay the cache or rewind the text
  void MaybeStartWriting();   // at an epoch start from the shard's start
  void AddSentence(Batch* batch, float alpha);
  void AddSet(Batch* batch, float alpha);
  void ResolveSlots(Batch* batch);
  // The batch's distinct input and output keys, sorted, into in_keys_ / out_keys_; the
  // stamps are all -1 again after it.
  void CollectKeys(const Batch& batch);
  // Appends the ids not stamped yet to *keys and stamps them (-2).
  void MarkKeys(const ItemId* ids, std::size_t n, std::vector<ItemId>* keys);
  void ClearStamps(const std::vector<ItemId>& keys);
  // Per-server request headers, first slots and write cursors; returns the hot block's first slot.
  std::size_t LayOutRequests(Batch* batch, std::size_t hot_in, std::size_t hot_out);
  // One role's slots into the stamps and its keys into the requests (the first `hot` keys
  // to the hot block from hot_first).
  void StampSlots(Batch* batch, const std::vector<ItemId>& keys, std::size_t hot, std::size_t hot_first,
                  std::vector<std::size_t>* cursor);
  // Replaces each id by its stamped slot.
  void MapToSlots(std::vector<std::uint32_t>* ids) const;
  // Side information: the value and weight keys of the input items in in_keys_, then (once
  // slots are known) the batch's side_items.
  void AddSideKeys();
  void MapSideSlots(Batch* batch) const;
  void DrawNegatives(Batch* batch, int n);
  // Ends a centre's contexts [ctx_begin, end): its group(s), their shared negatives.
  void CloseGroups(Batch* batch, std::uint32_t ctx_begin, std::uint32_t neg_begin, ItemId centre, float alpha);
  float CentreAlpha(float alpha, int i) const;
  void AddGroup(Batch* batch, std::uint32_t ctx_begin, std::uint32_t ctx_end, std::uint32_t neg_begin, float alpha);

  const BatchOptions options_;
  const Vocabulary& vocab_;
  const SideLayout* side_;            // nullptr without side information
  Partition partition_;
  SequenceReader* reader_;
  std::int64_t shard_words_;
  std::vector<float> own_keep_;  // empty with shared tables
  const float* keep_;
  NegativeSampler negatives_;
  Rng rng_;
  int epoch_ = 0;
  std::int64_t words_done_ = 0;
  std::uint64_t next_batch_id_ = 0;
  std::vector<std::string_view> items_;
  std::vector<ItemId> sentence_;
  std::vector<ItemId> ids_;           // text path: the sentence's in-vocabulary ids
  std::vector<ItemId> found_;         // text path: every item's id or kNotFound (FindMany)
  std::vector<float> id_weights_;     // their event weights; empty = all 1 (no '*W' token)
  std::vector<float> sentence_weights_;  // sentence_'s, after subsampling; empty = all 1
  const ItemId* sentence_ids_ = nullptr;
  std::uint32_t sentence_size_ = 0, sentence_raw_ = 0;
  std::unique_ptr<IdCache> cache_;
  bool started_ = false;              // the first Fill() has decided about the cache
  bool writing_ = false;              // this epoch's text goes into cache_
  bool replaying_ = false;            // this epoch comes from cache_
  std::unique_ptr<IdCache> given_;    // UseIdCache's, until the first Fill()
  ReaderPosition given_end_;
  bool cache_off_ = false;            // disabled, or given up
  ReaderPosition cache_position_;     // replaying: the text position after the last sentence
  ReaderPosition end_position_;       // the reader's position at the end of the shard
  std::vector<double> input_seconds_; // per epoch (index epoch_)
  std::vector<bool> epoch_replayed_;
  bool shared_negatives_;             // hogbatch: one set of negatives per group
  bool set_mode_;                     // --window-mode set
  std::vector<int> order_;            // set mode: positions of a capped set, shuffled
  ItemId hot_;                        // ids below this are cached on the worker (0 = none)
  std::vector<ItemId> pool_;          // this batch's negatives pool (empty: draw per pair)
  std::vector<ItemId> centre_ids_;    // per group, before slots are known
  std::vector<std::int32_t> slot_;    // vocabulary-sized stamps of one role at a time, -1 = unused
  std::uint32_t share_;               // contexts per set of shared negatives (0 = all of a centre's)
  std::vector<ItemId> in_keys_, out_keys_;
  std::vector<std::uint64_t> key_bits_;  // vocabulary-sized bitmap, all zero between uses (SortDistinctKeys)
  std::vector<ItemId> sort_scratch_;     // SortDistinctKeys' radix sort
  std::vector<std::uint32_t> per_server_in_, per_server_out_;
  std::vector<std::size_t> in_cursor_, out_cursor_;
};

}  // namespace item2vec
