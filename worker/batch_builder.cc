#include "worker/batch_builder.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>

#include <spdlog/spdlog.h>

#include "ps/protocol.h"
#include "worker/hot_rows.h"

namespace item2vec {

BatchOptions::BatchOptions(const TrainOptions& o)
    : dim(o.dim), window(o.window), set_mode(o.SetMode()), max_set_size(o.max_set_size), cbow(o.Cbow()),
      kernel(o.kernel), negative(o.negative), ns_exponent(o.ns_exponent), sample(o.sample),
      negative_pool(o.negative_pool), epochs(o.epochs), alpha(o.alpha), min_alpha(o.EffectiveMinAlpha()),
      batch_tokens(o.batch_tokens), max_sentence(o.max_sentence), hot_rows(o.hot_rows),
      id_cache_mib(o.id_cache_mib), id_cache_dir(o.IdCacheDir()) {}

BatchBuilder::BatchBuilder(const BatchOptions& options, const Vocabulary& vocab, const Partition& partition,
                           SequenceReader* reader, std::int64_t shard_words, std::uint64_t rng_seed,
                           const SideLayout* side, const SamplingView* sampling)
    : options_(options), vocab_(vocab), side_(side != nullptr && side->enabled() ? side : nullptr),
      partition_(partition), reader_(reader), shard_words_(shard_words),
      own_keep_(sampling != nullptr ? 0 : vocab.size()),
      keep_(sampling != nullptr ? sampling->keep : own_keep_.data()),
      negatives_(sampling != nullptr ? NegativeSampler::View(sampling->threshold, sampling->alias, vocab.size())
                                     : NegativeSampler(vocab.counts(), options.ns_exponent)),
      rng_(rng_seed),
      shared_negatives_(SharesNegatives(options.kernel) || options.cbow), set_mode_(options.set_mode),
      hot_(HotRowCount(options.hot_rows, vocab.size())),
      pool_(static_cast<std::size_t>(options.negative_pool)), slot_(side_ != nullptr ? side_->KeyCount() : vocab.size(), -1),
      share_(SharesNegatives(options.kernel) && !options.cbow ? kHogBatchShare : 0),
      key_bits_(((side_ != nullptr ? side_->KeyCount() : vocab.size()) + 63) / 64, 0) {
  if (sampling == nullptr) KeepProbabilities(vocab.counts(), options.sample, own_keep_.data());
  if (set_mode_) order_.reserve(static_cast<std::size_t>(options.max_sentence));
}

double BatchBuilder::CurrentAlpha() const {
  // The rate falls in steps of kAlphaStepWords words of the epoch, as in word2vec.c and
  // gensim, not a little with every sentence: on a corpus of a few 10,000 words per worker
  // that is about 4 % more learning-rate mass, and their quality (issue 25; docs/quality.md).
  const std::int64_t epoch_start = static_cast<std::int64_t>(epoch_) * shard_words_;
  const std::int64_t in_epoch = std::max<std::int64_t>(0, words_done_ - epoch_start);
  const std::int64_t counted = epoch_start + in_epoch / kAlphaStepWords * kAlphaStepWords;
  const double total = static_cast<double>(options_.epochs) * static_cast<double>(shard_words_) + 1;
  const double a = options_.alpha * (1.0 - static_cast<double>(counted) / total);
  return std::max(a, options_.min_alpha);
}

BuilderState BatchBuilder::State() const {
  BuilderState s;
  s.position = replaying_ ? cache_position_ : reader_->Position();
  s.reader_stats = reader_->stats();
  s.epoch = epoch_;
  s.words_done = words_done_;
  s.next_batch_id = next_batch_id_;
  s.rng = rng_;
  return s;
}

void BatchBuilder::Restore(const BuilderState& s) {
  // A restored builder reads text from the restored position; the cache starts again at
  // the next epoch read from the shard's start.
  writing_ = replaying_ = false;
  cache_.reset();
  given_.reset();
  started_ = false;
  reader_->Seek(s.position);
  reader_->RestoreStats(s.reader_stats);
  epoch_ = s.epoch;
  words_done_ = s.words_done;
  next_batch_id_ = s.next_batch_id;
  rng_ = s.rng;
}

Result<bool> BatchBuilder::Fill(Batch* b) {
  b->groups.clear();
  b->contexts.clear();
  b->negatives.clear();
  centre_ids_.clear();
  b->raw_tokens = b->words = b->pairs = b->capped_sets = 0;
  b->epoch = epoch_;
  if (epoch_ >= options_.epochs) return false;
  // A fresh pool of negatives per batch: each draw from the pool still follows
  // count^ns_exponent, but the batch touches at most pool_size output rows for negatives.
  negatives_.DrawMany(rng_, pool_.data(), pool_.size());
  if (!started_) {
    started_ = true;
    if (reader_->Position() == reader_->StartPosition() && given_ != nullptr) {
      // The counting pass's ids, already the id cache: epoch 1 replays it too.
      cache_ = std::move(given_);
      replaying_ = true;
      cache_->Rewind();
      cache_position_ = reader_->StartPosition();
      end_position_ = given_end_;
      spdlog::debug("every epoch replays the counting pass's ids: {} sentences, {:.1f} MiB", cache_->records(),
                    static_cast<double>(cache_->bytes()) / 1048576.0);
    } else if (reader_->Position() == reader_->StartPosition()) {
      MaybeStartWriting();
    }
    given_.reset();
  }
  using Clock = std::chrono::steady_clock;
  while (b->raw_tokens < options_.batch_tokens) {
    const Clock::time_point t0 = Clock::now();
    const bool more = NextSentence();
    const std::size_t e = static_cast<std::size_t>(epoch_);
    if (input_seconds_.size() <= e) {
      input_seconds_.resize(e + 1, 0.0);
      epoch_replayed_.resize(e + 1, false);
    }
    input_seconds_[e] += std::chrono::duration<double>(Clock::now() - t0).count();
    epoch_replayed_[e] = replaying_;
    if (!more) {
      if (!reader_->status().ok()) return reader_->status();
      if (++epoch_ >= options_.epochs) break;
      StartEpoch();
      continue;
    }
    const float alpha = static_cast<float>(CurrentAlpha());
    sentence_.clear();
    sentence_weights_.clear();
    const bool weighted = !replaying_ && !id_weights_.empty();  // replayed sentences have none
    for (std::uint32_t k = 0; k < sentence_size_; ++k) __builtin_prefetch(keep_ + sentence_ids_[k]);
    for (std::uint32_t k = 0; k < sentence_size_; ++k) {
      const ItemId id = sentence_ids_[k];
      ++b->words;
      ++words_done_;
      const float keep = keep_[id];
      if (keep < 1.0f && keep < rng_.UniformFloat()) continue;
      sentence_.push_back(id);
      if (weighted) sentence_weights_.push_back(id_weights_[k]);
    }
    b->raw_tokens += sentence_raw_;
    AddSentence(b, alpha);
  }
  if (b->raw_tokens == 0) return false;
  b->id = next_batch_id_++;
  ResolveSlots(b);
  return true;
}

bool BatchBuilder::NextCachedSentence() {
  CachedSentence c;
  if (cache_->Next(&c)) {
    sentence_ids_ = c.ids;
    sentence_size_ = c.num_ids;
    sentence_raw_ = c.raw_tokens;
    ReaderStats stats = reader_->stats();
    stats.lines += c.stats_delta.lines;
    stats.tokens += c.stats_delta.tokens;
    stats.split_lines += c.stats_delta.split_lines;
    stats.long_items += c.stats_delta.long_items;
    reader_->RestoreStats(stats);
    cache_position_ = c.after;
    return true;
  }
  if (!cache_->Failed()) {
    cache_position_ = end_position_;
    return false;  // the end of this epoch
  }
  // The cache broke underneath: continue from the text where the last replayed sentence ended.
  reader_->Seek(cache_position_);
  spdlog::warn("the id cache failed ({}); reading the text again from {}", cache_->failure(), reader_->Where());
  replaying_ = false;
  cache_.reset();
  cache_off_ = true;
  return false;
}

bool BatchBuilder::NextSentence() {
  if (replaying_) {
    if (NextCachedSentence()) return true;
    if (replaying_) return false;  // the end of the epoch; else it broke and the text follows
  }
  const ReaderStats before = reader_->stats();
  if (!reader_->Next(&items_)) {
    if (writing_) end_position_ = reader_->Position();
    return false;
  }
  ids_.clear();
  id_weights_.clear();
  const std::vector<float>& weights = reader_->weights();
  found_.resize(items_.size());
  vocab_.FindMany(items_.data(), items_.size(), found_.data());
  for (std::size_t k = 0; k < items_.size(); ++k) {
    const ItemId id = found_[k];
    if (id == Vocabulary::kNotFound) continue;
    ids_.push_back(id);
    if (!weights.empty()) id_weights_.push_back(weights[k]);
  }
  if (!weights.empty() && writing_) cache_->Fail("the shard has event weights (ITEM*W), which the id cache does not hold");
  sentence_ids_ = ids_.data();
  sentence_size_ = static_cast<std::uint32_t>(ids_.size());
  sentence_raw_ = static_cast<std::uint32_t>(items_.size());
  if (writing_)
    cache_->Append(sentence_ids_, sentence_size_, sentence_raw_, StatsDelta(before, reader_->stats()),
                   reader_->Position());
  return true;
}

void BatchBuilder::StartEpoch() {
  if (writing_) {
    writing_ = false;
    if (cache_->FinishWrite()) {
      replaying_ = true;
      spdlog::debug("id cache written: {} sentences, {:.1f} MiB; later epochs replay it", cache_->records(),
                    static_cast<double>(cache_->bytes()) / 1048576.0);
    } else {
      spdlog::info("not caching this worker's shard as ids ({}); every epoch reads the text", cache_->failure());
      cache_.reset();
      cache_off_ = true;
    }
  }
  if (replaying_) {
    cache_->Rewind();
    cache_position_ = reader_->StartPosition();
    return;
  }
  reader_->Rewind();
  MaybeStartWriting();
}

void BatchBuilder::MaybeStartWriting() {
  if (cache_off_ || options_.id_cache_mib <= 0 || epoch_ + 1 >= options_.epochs) return;
  Result<std::unique_ptr<IdCache>> cache =
      IdCache::Create(options_.id_cache_dir, "worker", options_.id_cache_mib << 20);
  if (!cache.ok()) {
    spdlog::warn("{}; every epoch reads the text", cache.status().message());
    cache_off_ = true;
    return;
  }
  cache_ = std::move(*cache);
  writing_ = true;
}

void BatchBuilder::AddSentence(Batch* b, float alpha) {
  const int n = static_cast<int>(sentence_.size());
  if (n < 2) return;
  if (set_mode_) {
    AddSet(b, alpha);
    return;
  }
  const int window = options_.window, negative = options_.negative;
  for (int i = 0; i < n; ++i) {
    const int span = window - ReducedWindow(rng_, window);
    const int lo = std::max(0, i - span), hi = std::min(n - 1, i + span);
    const std::uint32_t ctx_begin = static_cast<std::uint32_t>(b->contexts.size());
    const std::uint32_t neg_begin = static_cast<std::uint32_t>(b->negatives.size());
    for (int c = lo; c <= hi; ++c) {
      if (c == i) continue;
      b->contexts.push_back(sentence_[static_cast<std::size_t>(c)]);
      if (!shared_negatives_) DrawNegatives(b, negative);
    }
    const std::uint32_t ctx_end = static_cast<std::uint32_t>(b->contexts.size());
    if (ctx_end == ctx_begin) continue;
    CloseGroups(b, ctx_begin, neg_begin, sentence_[static_cast<std::size_t>(i)], CentreAlpha(alpha, i));
  }
}

// An event weight scales every update of the pairs its position is the centre of.
float BatchBuilder::CentreAlpha(float alpha, int i) const {
  return sentence_weights_.empty() ? alpha : alpha * sentence_weights_[static_cast<std::size_t>(i)];
}

void BatchBuilder::CloseGroups(Batch* b, std::uint32_t ctx_begin, std::uint32_t neg_begin, ItemId centre, float alpha) {
  const std::uint32_t ctx_end = static_cast<std::uint32_t>(b->contexts.size());
  b->pairs += ctx_end - ctx_begin;
  if (!shared_negatives_) {
    AddGroup(b, ctx_begin, ctx_end, neg_begin, alpha);
    centre_ids_.push_back(centre);
    return;
  }
  const std::uint32_t step = share_ > 0 ? share_ : ctx_end - ctx_begin;
  for (std::uint32_t first = ctx_begin; first < ctx_end; first += step) {
    const std::uint32_t negatives_at = static_cast<std::uint32_t>(b->negatives.size());
    DrawNegatives(b, options_.negative);
    AddGroup(b, first, std::min(ctx_end, first + step), negatives_at, alpha);
    centre_ids_.push_back(centre);
  }
}

void BatchBuilder::AddGroup(Batch* b, std::uint32_t ctx_begin, std::uint32_t ctx_end, std::uint32_t neg_begin,
                            float alpha) {
  // Field by field into the vector: a Group built on the stack and copied was read back with
  // one 16-byte load after four 4-byte stores, a store-forwarding stall on every group.
  Group& g = b->groups.emplace_back();
  g.centre = 0;  // its slot, once ResolveSlots knows it
  g.ctx_begin = ctx_begin;
  g.ctx_end = ctx_end;
  g.neg_begin = neg_begin;
  g.alpha = alpha;
}

void BatchBuilder::AddSet(Batch* b, float alpha) {
  const int n = static_cast<int>(sentence_.size());
  const int cap = static_cast<int>(options_.max_set_size), negative = options_.negative;
  const bool capped = n > cap;
  if (capped) {
    ++b->capped_sets;
    // order_ stays a permutation of 0..n-1: each centre's partial Fisher-Yates shuffle
    // picks cap - 1 distinct others from it, without a reset between centres.
    order_.resize(static_cast<std::size_t>(n));
    for (int k = 0; k < n; ++k) order_[static_cast<std::size_t>(k)] = k;
  }
  for (int i = 0; i < n; ++i) {
    const std::uint32_t ctx_begin = static_cast<std::uint32_t>(b->contexts.size());
    const std::uint32_t neg_begin = static_cast<std::uint32_t>(b->negatives.size());
    if (!capped) {
      for (int c = 0; c < n; ++c) {
        if (c == i) continue;
        b->contexts.push_back(sentence_[static_cast<std::size_t>(c)]);
        if (!shared_negatives_) DrawNegatives(b, negative);
      }
    } else {
      int picked = 0;
      for (int t = 0; picked < cap - 1; ++t) {
        const int j = t + static_cast<int>(rng_.Below(static_cast<std::uint32_t>(n - t)));
        std::swap(order_[static_cast<std::size_t>(t)], order_[static_cast<std::size_t>(j)]);
        const int c = order_[static_cast<std::size_t>(t)];
        if (c == i) continue;
        b->contexts.push_back(sentence_[static_cast<std::size_t>(c)]);
        if (!shared_negatives_) DrawNegatives(b, negative);
        ++picked;
      }
    }
    CloseGroups(b, ctx_begin, neg_begin, sentence_[static_cast<std::size_t>(i)], CentreAlpha(alpha, i));
  }
}

void BatchBuilder::DrawNegatives(Batch* b, int n) {
  // Written through a pointer with the generator in a local: push_back and the member Rng
  // were stored back to memory on every draw.
  const std::size_t at = b->negatives.size();
  b->negatives.resize(at + static_cast<std::size_t>(n));
  ItemId* out = b->negatives.data() + at;
  Rng rng = rng_;
  if (pool_.empty()) {
    negatives_.DrawMany(rng, out, static_cast<std::size_t>(n));
  } else {
    const std::uint32_t pool_size = static_cast<std::uint32_t>(pool_.size());
    for (int d = 0; d < n; ++d) out[d] = pool_[rng.Below(pool_size)];
  }
  rng_ = rng;
}

void BatchBuilder::AddSideKeys() {
  auto mark_in = [&](ItemId k) {
    if (slot_[k] == -1) {
      slot_[k] = -2;
      in_keys_.push_back(k);
    }
  };
  const std::size_t items = in_keys_.size();
  for (std::size_t i = 0; i < items; ++i) {
    const ItemId item = in_keys_[i];
    if (!side_->HasSide(item)) continue;
    mark_in(side_->WeightKey(item));
    const std::uint32_t* values = side_->Values(item);
    for (std::uint32_t k = 0; k < side_->NumValues(item); ++k) mark_in(side_->ValueKey(values[k]));
  }
}

void BatchBuilder::MapSideSlots(Batch* b) const {
  b->side_items.clear();
  b->side_value_slots.clear();
  const ItemId V = static_cast<ItemId>(vocab_.size());
  for (const ItemId item : in_keys_) {  // sorted: the items (< V) come first
    if (item >= V) break;
    if (!side_->HasSide(item)) continue;
    b->side_items.push_back(Batch::SideItem{item, static_cast<std::uint32_t>(slot_[item]),
                                            static_cast<std::uint32_t>(slot_[side_->WeightKey(item)]),
                                            static_cast<std::uint32_t>(b->side_value_slots.size())});
    const std::uint32_t* values = side_->Values(item);
    for (std::uint32_t k = 0; k < side_->NumValues(item); ++k)
      b->side_value_slots.push_back(static_cast<std::uint32_t>(slot_[side_->ValueKey(values[k])]));
  }
}

namespace {

// LSD radix sort of keys below 2^key_bits, in passes of at most 12 bits (two passes up to
// 16.7M items): linear in the keys, where std::sort was 8 % of a worker's time at 10M items.
void RadixSortKeys(std::vector<ItemId>* keys, std::vector<ItemId>* scratch, unsigned key_bits) {
  constexpr unsigned kMaxDigitBits = 12;
  const unsigned passes = std::max(1u, (key_bits + kMaxDigitBits - 1) / kMaxDigitBits);
  const unsigned digit = (key_bits + passes - 1) / passes;
  const std::uint32_t mask = (std::uint32_t{1} << digit) - 1;
  std::uint32_t count[std::size_t{1} << kMaxDigitBits];
  const std::size_t n = keys->size();
  scratch->resize(n);
  ItemId* from = keys->data();
  ItemId* to = scratch->data();
  for (unsigned p = 0, shift = 0; p < passes; ++p, shift += digit) {
    std::fill(count, count + mask + 1, 0u);
    for (std::size_t i = 0; i < n; ++i) ++count[(from[i] >> shift) & mask];
    std::uint32_t sum = 0;
    for (std::uint32_t d = 0; d <= mask; ++d) sum += std::exchange(count[d], sum);
    for (std::size_t i = 0; i < n; ++i) to[count[(from[i] >> shift) & mask]++] = from[i];
    std::swap(from, to);
  }
  if (from != keys->data()) std::copy(from, from + n, keys->data());
}

}  // namespace

void SortDistinctKeys(std::vector<ItemId>* keys, std::vector<std::uint64_t>* bits, std::vector<ItemId>* scratch) {
  if (bits->size() > 4 * keys->size()) {
    const std::uint64_t largest = bits->size() * 64 - 1;
    if (scratch != nullptr && keys->size() >= kRadixSortKeys)
      RadixSortKeys(keys, scratch, 64 - static_cast<unsigned>(__builtin_clzll(largest | 1)));
    else
      std::sort(keys->begin(), keys->end());
    return;
  }
  for (ItemId k : *keys) (*bits)[k >> 6] |= std::uint64_t{1} << (k & 63);
  std::size_t n = 0;
  for (std::size_t w = 0; w < bits->size() && n < keys->size(); ++w) {
    std::uint64_t word = (*bits)[w];
    if (word == 0) continue;
    (*bits)[w] = 0;
    while (word != 0) {
      (*keys)[n++] = static_cast<ItemId>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(word)));
      word &= word - 1;
    }
  }
}

// How far ahead the loops over a batch's ids prefetch their stamps (slot_ is 4 B per item:
// 40 MB at 10M items, where nearly every stamp is a cache and TLB miss).
constexpr std::size_t kStampAhead = 16;

void BatchBuilder::MarkKeys(const ItemId* ids, std::size_t n, std::vector<ItemId>* keys) {
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kStampAhead < n) __builtin_prefetch(slot_.data() + ids[i + kStampAhead], 1);
    const ItemId id = ids[i];
    if (slot_[id] == -1) {
      slot_[id] = -2;
      keys->push_back(id);
    }
  }
}

void BatchBuilder::ClearStamps(const std::vector<ItemId>& keys) {
  for (ItemId k : keys) slot_[k] = -1;
}

void BatchBuilder::CollectKeys(const Batch& batch) {
  // Unique keys per role via the vocabulary-sized stamps (cost ~ batch size, not V): one
  // array for both roles, used for one role at a time and left all -1 after each.
  in_keys_.clear();
  out_keys_.clear();
  MarkKeys(batch.contexts.data(), batch.contexts.size(), &in_keys_);
  if (side_ != nullptr) AddSideKeys();
  ClearStamps(in_keys_);
  MarkKeys(centre_ids_.data(), centre_ids_.size(), &out_keys_);
  MarkKeys(batch.negatives.data(), batch.negatives.size(), &out_keys_);
  ClearStamps(out_keys_);
  SortDistinctKeys(&in_keys_, &key_bits_, &sort_scratch_);
  SortDistinctKeys(&out_keys_, &key_bits_, &sort_scratch_);
}

void BatchBuilder::MapToSlots(std::vector<std::uint32_t>* ids) const {
  const std::size_t n = ids->size();
  std::uint32_t* v = ids->data();
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kStampAhead < n) __builtin_prefetch(slot_.data() + v[i + kStampAhead]);
    v[i] = static_cast<std::uint32_t>(slot_[v[i]]);
  }
}

void BatchBuilder::ResolveSlots(Batch* b) {
  CollectKeys(*b);
  // Cached ids (< hot_) are the sorted lists' prefixes; they go to the local hot block.
  const std::size_t hot_in = static_cast<std::size_t>(
      std::lower_bound(in_keys_.begin(), in_keys_.end(), hot_) - in_keys_.begin());
  const std::size_t hot_out = static_cast<std::size_t>(
      std::lower_bound(out_keys_.begin(), out_keys_.end(), hot_) - out_keys_.begin());
  b->hot_in.assign(in_keys_.begin(), in_keys_.begin() + static_cast<std::ptrdiff_t>(hot_in));
  b->hot_out.assign(out_keys_.begin(), out_keys_.begin() + static_cast<std::ptrdiff_t>(hot_out));
  const std::size_t hot_slot = LayOutRequests(b, hot_in, hot_out);
  // The input role's slots into the stamps, then the output role's.
  StampSlots(b, in_keys_, hot_in, hot_slot, &in_cursor_);
  MapToSlots(&b->contexts);
  if (side_ != nullptr) MapSideSlots(b);
  ClearStamps(in_keys_);
  StampSlots(b, out_keys_, hot_out, hot_slot + hot_in, &out_cursor_);
  MapToSlots(&b->negatives);
  for (std::size_t g = 0; g < b->groups.size(); ++g)
    b->groups[g].centre = static_cast<std::uint32_t>(slot_[centre_ids_[g]]);
  ClearStamps(out_keys_);
  const std::size_t floats = b->LocalRows() * static_cast<std::size_t>(options_.dim);
  if (b->rows.size() < floats) b->rows.resize(floats);
  if (b->versions.size() < b->total_rows) b->versions.resize(b->total_rows);
}

std::size_t BatchBuilder::LayOutRequests(Batch* b, std::size_t hot_in, std::size_t hot_out) {
  const std::size_t S = static_cast<std::size_t>(partition_.num_servers());
  b->request.resize(S);
  b->first_slot.resize(S);
  // Per-server counts and write cursors live in members: no allocation per batch.
  auto& n_in = per_server_in_;
  auto& n_out = per_server_out_;
  n_in.assign(S, 0);
  n_out.assign(S, 0);
  in_cursor_.resize(S);
  out_cursor_.resize(S);
  for (std::size_t i = hot_in; i < in_keys_.size(); ++i)
    ++n_in[static_cast<std::size_t>(partition_.ServerOf(in_keys_[i]))];
  for (std::size_t i = hot_out; i < out_keys_.size(); ++i)
    ++n_out[static_cast<std::size_t>(partition_.ServerOf(out_keys_[i]))];
  std::size_t slot = 0;
  for (std::size_t s = 0; s < S; ++s) {
    auto& req = b->request[s];
    req.resize(protocol::kHeaderWords + n_in[s] + n_out[s]);
    protocol::WriteKeyListHeader(req.data(), b->id, n_in[s], n_out[s]);
    b->first_slot[s] = slot;
    in_cursor_[s] = protocol::kHeaderWords;
    out_cursor_[s] = protocol::kHeaderWords + n_in[s];
    slot += n_in[s] + n_out[s];
  }
  b->total_rows = slot;
  return slot;  // the hot block's first slot
}

void BatchBuilder::StampSlots(Batch* b, const std::vector<ItemId>& keys, std::size_t hot, std::size_t hot_first,
                              std::vector<std::size_t>* cursor) {
  for (std::size_t i = 0; i < hot; ++i) slot_[keys[i]] = static_cast<std::int32_t>(hot_first + i);
  for (std::size_t i = hot; i < keys.size(); ++i) {
    const ItemId k = keys[i];
    const std::size_t s = static_cast<std::size_t>(partition_.ServerOf(k));
    slot_[k] = static_cast<std::int32_t>(b->first_slot[s] + ((*cursor)[s] - protocol::kHeaderWords));
    b->request[s][(*cursor)[s]++] = k;
  }
}

}  // namespace item2vec
