#include "job/vocabulary_partition.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <queue>

#include "common/serialize.h"
#include "job/vocabulary_share.h"
#include "ps/protocol.h"

namespace item2vec {

int OwnerOf(std::string_view item, int num_workers) { return OwnerOf(HashBytes(item), num_workers); }

int OwnerOf(std::uint64_t hash, int num_workers) {
  return static_cast<int>(hash % static_cast<std::uint64_t>(num_workers));
}

namespace {

void PutVarint(std::uint64_t v, std::string* out) {
  for (; v > 0x7f; v >>= 7) out->push_back(static_cast<char>((v & 0x7f) | 0x80));
  out->push_back(static_cast<char>(v));
}

std::size_t VarintSize(std::uint64_t v) {
  std::size_t n = 1;
  for (; v > 0x7f; v >>= 7) ++n;
  return n;
}

bool GetVarint(std::string_view* in, std::uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const auto b = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    *v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// The counts of the items `dest` owns, as (varint length, bytes, varint count) in a string
// of exactly their size (about 10 B an item of 8 bytes), then dropped from *counts.
std::string TakePart(ItemCounter* counts, int dest, int num_workers) {
  std::size_t bytes = 0;
  counts->counts().ForEach([&](std::uint64_t hash, std::string_view item, Count n) {
    if (OwnerOf(hash, num_workers) == dest)
      bytes += VarintSize(item.size()) + item.size() + VarintSize(static_cast<std::uint64_t>(n));
  });
  std::string out;
  out.reserve(bytes);
  counts->counts().ForEach([&](std::uint64_t hash, std::string_view item, Count n) {
    if (OwnerOf(hash, num_workers) != dest) return;
    PutVarint(item.size(), &out);
    out.append(item);
    PutVarint(static_cast<std::uint64_t>(n), &out);
  });
  counts->Extract([&](std::uint64_t hash) { return OwnerOf(hash, num_workers) == dest; });  // streamed, dropped
  return out;
}

Status AddPart(std::string_view in, ItemCounter* counts) {
  while (!in.empty()) {
    std::uint64_t length = 0, n = 0;
    if (!GetVarint(&in, &length) || length > in.size()) return Status::Corruption("a truncated item");
    const std::string_view item = in.substr(0, length);
    in.remove_prefix(length);
    if (!GetVarint(&in, &n)) return Status::Corruption("a truncated count");
    counts->Add(item, static_cast<Count>(n));
  }
  return Status::Ok();
}

// OwnedItems as 6 words (items, bytes, total, distinct, top, shard_distinct), the ends, the
// counts and the bytes: a string of exactly that size (no stream buffer, no copy).
std::string EncodeOwnedItems(const OwnedItems& o) {
  const std::uint64_t n = o.size();
  std::string out;
  out.reserve(8 * (6 + 2 * n) + o.bytes.size());
  const std::uint64_t head[5] = {n, o.bytes.size(), static_cast<std::uint64_t>(o.total),
                                 static_cast<std::uint64_t>(o.distinct), static_cast<std::uint64_t>(o.top)};
  out.append(reinterpret_cast<const char*>(head), sizeof head);
  out.append(reinterpret_cast<const char*>(&o.shard_distinct), 8);
  out.append(reinterpret_cast<const char*>(o.ends.data()), 8 * n);
  out.append(reinterpret_cast<const char*>(o.counts.data()), 8 * n);
  out.append(o.bytes);
  return out;
}

Status DecodeOwnedItems(const std::string& in, OwnedItems* o) {
  std::uint64_t head[5];
  if (in.size() < 48) return Status::Corruption("owned items: a truncated header");
  std::memcpy(head, in.data(), sizeof head);
  const std::uint64_t n = head[0], bytes = head[1];
  if (n > in.size() / 16 || in.size() != 48 + 16 * n + bytes) return Status::Corruption("owned items: bad sizes");
  o->total = static_cast<Count>(head[2]);
  o->distinct = static_cast<std::int64_t>(head[3]);
  o->top = static_cast<Count>(head[4]);
  std::memcpy(&o->shard_distinct, in.data() + 40, 8);
  o->ends.resize(n);
  o->counts.resize(n);
  std::memcpy(o->ends.data(), in.data() + 48, 8 * n);
  std::memcpy(o->counts.data(), in.data() + 48 + 8 * n, 8 * n);
  o->bytes.assign(in, 48 + 16 * n, bytes);
  if (n > 0 && o->ends.back() != bytes) return Status::Corruption("owned items: bad ends");
  return Status::Ok();
}

}  // namespace

Status ExchangeCounts(Transport& t, int worker, int num_workers, double timeout, ItemCounter* counts) {
  for (int r = 1; r < num_workers; ++r) {
    const int dest = (worker + r) % num_workers, source = (worker - r + num_workers) % num_workers;
    const std::string out = TakePart(counts, dest, num_workers);
    std::uint64_t size = 0;
    std::vector<Transport::Handle> sends;
    PostChunked(t, dest, protocol::kVocabShards, out, &size, &sends);
    std::string in;
    ITEM2VEC_RETURN_IF_ERROR(ReceiveChunked(t, source, protocol::kVocabShards, timeout,
                                            "item counts (rank " + std::to_string(source) + ")", &in));
    ITEM2VEC_RETURN_IF_ERROR(AddPart(in, counts).WithContext("item counts from rank " + std::to_string(source)));
    in = std::string();
    ITEM2VEC_RETURN_IF_ERROR(WaitAll(t, sends, timeout, "sending item counts to rank " + std::to_string(dest)));
  }
  return Status::Ok();
}

OwnedItems SelectOwnedItems(const ItemCounter& owned, Count min_count, Count cap, int num_workers) {
  OwnedItems o;
  std::vector<std::pair<std::string_view, Count>> kept;
  const double miss = 1.0 - 1.0 / num_workers;  // a token lands in another shard
  for (const auto& [item, n] : owned.counts()) {
    o.total += n;
    o.shard_distinct += 1.0 - std::pow(miss, static_cast<double>(n));
    o.top = std::max(o.top, n);
    if (n >= min_count) kept.emplace_back(item, n);
  }
  o.distinct = static_cast<std::int64_t>(owned.distinct());
  std::sort(kept.begin(), kept.end(),
            [](const auto& a, const auto& b) { return Vocabulary::Before(a.second, a.first, b.second, b.first); });
  if (static_cast<Count>(kept.size()) > cap) kept.resize(static_cast<std::size_t>(cap));
  std::size_t bytes = 0;
  for (const auto& kv : kept) bytes += kv.first.size();
  o.bytes.reserve(bytes);
  o.ends.reserve(kept.size());
  o.counts.reserve(kept.size());
  for (const auto& [item, n] : kept) {
    o.bytes.append(item);
    o.ends.push_back(o.bytes.size());
    o.counts.push_back(n);
  }
  return o;
}

Status GatherOwnedItems(Transport& t, int worker, int num_workers, double timeout, OwnedItems* mine,
                        std::vector<OwnedItems>* all) {
  if (worker != 0) {
    const std::string bytes = EncodeOwnedItems(*mine);
    *mine = OwnedItems();
    return SendChunked(t, 0, protocol::kVocabShards, timeout, "the owned items", bytes);
  }
  all->clear();
  all->push_back(std::move(*mine));
  for (int w = 1; w < num_workers; ++w) {
    std::string bytes;
    ITEM2VEC_RETURN_IF_ERROR(ReceiveChunked(t, w, protocol::kVocabShards, timeout, "its owned items", &bytes));
    all->emplace_back();
    ITEM2VEC_RETURN_IF_ERROR(DecodeOwnedItems(bytes, &all->back()).WithContext("owned items of rank " + std::to_string(w)));
  }
  return Status::Ok();
}

Vocabulary MergeOwnedItems(std::vector<OwnedItems>* parts, Count cap) {
  // (part, position): the heap's top is the next item in vocabulary order.
  using Cursor = std::pair<std::size_t, std::size_t>;
  auto after = [parts](const Cursor& a, const Cursor& b) {
    const OwnedItems& pa = (*parts)[a.first];
    const OwnedItems& pb = (*parts)[b.first];
    return Vocabulary::Before(pb.counts[b.second], pb.item(b.second), pa.counts[a.second], pa.item(a.second));
  };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(after)> heap(after);
  std::size_t total = 0;
  for (std::size_t p = 0; p < parts->size(); ++p) {
    total += (*parts)[p].size();
    if ((*parts)[p].size() > 0) heap.push({p, 0});
  }
  total = std::min(total, static_cast<std::size_t>(cap));
  std::size_t bytes = 0;
  for (const OwnedItems& part : *parts) bytes += part.bytes.size();
  VocabularyPacker packer(total, bytes);
  std::vector<Count> counts;
  counts.reserve(total);
  while (!heap.empty() && counts.size() < total) {
    const auto [p, i] = heap.top();
    heap.pop();
    const OwnedItems& part = (*parts)[p];
    packer.Add(part.item(i));
    counts.push_back(part.counts[i]);
    if (i + 1 < part.size()) heap.push({p, i + 1});
  }
  parts->clear();
  return packer.Finish(std::move(counts));
}

Count ShardTokens::CountOf(const Token& t) const {
  if (t.count != kLargeCount) return t.count;
  const auto it = std::lower_bound(large.begin(), large.end(), std::make_pair(t.local, Count{0}));
  return it->second;
}

ShardTokens ShardTokenCounts(const ItemCounter& shard) {
  ShardTokens s;
  s.tokens.reserve(shard.distinct());
  std::uint32_t local = 0;
  shard.counts().ForEach([&s, &local](std::uint64_t hash, std::string_view, Count n) {
    const bool large = n >= static_cast<Count>(ShardTokens::kLargeCount);
    s.tokens.push_back({hash, local, large ? ShardTokens::kLargeCount : static_cast<std::uint32_t>(n)});
    if (large) s.large.emplace_back(local, n);
    ++local;
  });
  std::sort(s.tokens.begin(), s.tokens.end());
  for (std::size_t i = 1; i < s.tokens.size() && s.distinct_hashes; ++i)
    s.distinct_hashes = s.tokens[i].hash != s.tokens[i - 1].hash;
  return s;
}

std::int64_t ShardWords(const ShardTokens& shard, const Vocabulary& vocab, PageArray<ItemId>* local_to_global) {
  std::int64_t words = 0;
  if (local_to_global != nullptr) {
    *local_to_global = PageArray<ItemId>();
    if (shard.distinct_hashes && !shard.tokens.empty()) {
      *local_to_global = PageArray<ItemId>(shard.tokens.size());
      std::fill(local_to_global->get(), local_to_global->get() + shard.tokens.size(), Vocabulary::kNotFound);
    }
  }
  const bool map = local_to_global != nullptr && local_to_global->size() > 0;
  if (shard.tokens.empty() || !vocab.has_items()) return 0;
  const auto& t = shard.tokens;
  for (ItemId id = 0; id < vocab.size(); ++id) {
    const std::uint64_t h = HashBytes(vocab.item(id));
    for (auto it = std::lower_bound(t.begin(), t.end(), ShardTokens::Token{h, 0, 0}); it != t.end() && it->hash == h;
         ++it) {
      words += shard.CountOf(*it);
      if (map) (*local_to_global)[it->local] = id;
    }
  }
  return words;
}

}  // namespace item2vec
