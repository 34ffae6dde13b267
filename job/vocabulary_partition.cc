#include "job/vocabulary_partition.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "common/serialize.h"
#include "job/vocabulary_share.h"
#include "ps/protocol.h"

namespace item2vec {

int OwnerOf(std::string_view item, int num_workers) {
  return static_cast<int>(HashBytes(item) % static_cast<std::uint64_t>(num_workers));
}

Status ExchangeCounts(Transport& t, int worker, int num_workers, double timeout, ItemCounter* counts) {
  for (int r = 1; r < num_workers; ++r) {
    const int dest = (worker + r) % num_workers, source = (worker - r + num_workers) % num_workers;
    std::string out = ToBytes(counts->Extract([&](const std::string& item) { return OwnerOf(item, num_workers) == dest; }));
    std::uint64_t size = 0;
    std::vector<Transport::Handle> sends;
    PostChunked(t, dest, protocol::kVocabShards, out, &size, &sends);
    std::string in;
    ITEM2VEC_RETURN_IF_ERROR(ReceiveChunked(t, source, protocol::kVocabShards, timeout,
                                            "item counts (rank " + std::to_string(source) + ")", &in));
    ItemCounter part;
    ITEM2VEC_RETURN_IF_ERROR(FromBytes(in, &part).WithContext("item counts from rank " + std::to_string(source)));
    in = std::string();
    counts->Merge(part);
    ITEM2VEC_RETURN_IF_ERROR(WaitAll(t, sends, timeout, "sending item counts to rank " + std::to_string(dest)));
  }
  return Status::Ok();
}

OwnedItems SelectOwnedItems(const ItemCounter& owned, Count min_count, Count cap, int num_workers) {
  OwnedItems o;
  std::vector<std::pair<const std::string*, Count>> kept;
  const double miss = 1.0 - 1.0 / num_workers;  // a token lands in another shard
  for (const auto& [item, n] : owned.counts()) {
    o.total += n;
    o.shard_distinct += 1.0 - std::pow(miss, static_cast<double>(n));
    o.top = std::max(o.top, n);
    if (n >= min_count) kept.emplace_back(&item, n);
  }
  o.distinct = static_cast<std::int64_t>(owned.distinct());
  std::sort(kept.begin(), kept.end(),
            [](const auto& a, const auto& b) { return Vocabulary::Before(a.second, *a.first, b.second, *b.first); });
  if (static_cast<Count>(kept.size()) > cap) kept.resize(static_cast<std::size_t>(cap));
  o.items.reserve(kept.size());
  o.counts.reserve(kept.size());
  for (const auto& [item, n] : kept) {
    o.items.push_back(*item);
    o.counts.push_back(n);
  }
  return o;
}

Status GatherOwnedItems(Transport& t, int worker, int num_workers, double timeout, OwnedItems* mine,
                        std::vector<OwnedItems>* all) {
  if (worker != 0) return SendChunked(t, 0, protocol::kVocabShards, timeout, "the owned items", ToBytes(*mine));
  all->clear();
  all->push_back(std::move(*mine));
  for (int w = 1; w < num_workers; ++w) {
    std::string bytes;
    ITEM2VEC_RETURN_IF_ERROR(ReceiveChunked(t, w, protocol::kVocabShards, timeout, "its owned items", &bytes));
    all->emplace_back();
    ITEM2VEC_RETURN_IF_ERROR(FromBytes(bytes, &all->back()).WithContext("owned items of rank " + std::to_string(w)));
  }
  return Status::Ok();
}

Vocabulary MergeOwnedItems(std::vector<OwnedItems>* parts, Count cap) {
  // (part, position): the heap's top is the next item in vocabulary order.
  using Cursor = std::pair<std::size_t, std::size_t>;
  auto after = [parts](const Cursor& a, const Cursor& b) {
    const OwnedItems& pa = (*parts)[a.first];
    const OwnedItems& pb = (*parts)[b.first];
    return Vocabulary::Before(pb.counts[b.second], pb.items[b.second], pa.counts[a.second], pa.items[a.second]);
  };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(after)> heap(after);
  std::size_t total = 0;
  for (std::size_t p = 0; p < parts->size(); ++p) {
    total += (*parts)[p].items.size();
    if (!(*parts)[p].items.empty()) heap.push({p, 0});
  }
  total = std::min(total, static_cast<std::size_t>(cap));
  std::vector<std::string> items;
  std::vector<Count> counts;
  items.reserve(total);
  counts.reserve(total);
  while (!heap.empty() && items.size() < total) {
    const auto [p, i] = heap.top();
    heap.pop();
    OwnedItems& part = (*parts)[p];
    items.push_back(std::move(part.items[i]));
    counts.push_back(part.counts[i]);
    if (i + 1 < part.items.size()) heap.push({p, i + 1});
  }
  parts->clear();
  return Vocabulary::FromSorted(std::move(items), std::move(counts));
}

ShardTokens ShardTokenCounts(const ItemCounter& shard) {
  ShardTokens tokens;
  tokens.reserve(shard.distinct());
  for (const auto& [item, n] : shard.counts()) tokens.emplace_back(HashBytes(item), n);
  std::sort(tokens.begin(), tokens.end());
  return tokens;
}

std::int64_t ShardWords(const ShardTokens& shard, const Vocabulary& vocab) {
  std::int64_t words = 0;
  if (shard.empty() || !vocab.has_items()) return 0;
  for (ItemId id = 0; id < vocab.size(); ++id) {
    const std::uint64_t h = HashBytes(vocab.item(id));
    for (auto it = std::lower_bound(shard.begin(), shard.end(), std::make_pair(h, Count{0}));
         it != shard.end() && it->first == h; ++it)
      words += it->second;
  }
  return words;
}

}  // namespace item2vec
