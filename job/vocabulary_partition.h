// The distributed vocabulary: the workers' item counts partitioned by item hash, so that no
// rank ever holds the count of every distinct item.
//
// Contract:
// - OwnerOf: the worker that owns an item, HashBytes(item) mod W (the same on every rank).
// - ExchangeCounts is a collective of the workers: in W - 1 rounds worker w sends the counts
//   of its shard's items owned by w + r and receives those of its own items from w - r (one
//   part in flight per round), so afterwards *counts holds the total count over all shards
//   of exactly the items w owns. A part travels as (varint length, bytes, varint count), a
//   string of exactly its size (about 10 B an item of 8 bytes), and leaves the shard's table
//   before the round's receive (CountTable::Partition streams), so a worker holds at most
//   its shard's table, one part out and one in.
// - SelectOwnedItems: of the owned counts, those at least min_count, in vocabulary order
//   (Vocabulary::Before), at most `cap`; with the owned totals (tokens, distinct, top count,
//   expected distinct items of a shard).
// - GatherOwnedItems: a collective of the workers; worker 0 receives every owner's
//   selection (its own first), the others send theirs (a string of the arrays' exact size,
//   and drop their own). MergeOwnedItems (worker 0) merges them
//   in vocabulary order and keeps the first `cap`: since every item has one owner and an
//   item among the global first `cap` is among its owner's first `cap`, the result equals
//   Vocabulary::Build over the summed counts, ids and all (tested against it).
// - ShardTokenCounts / ShardWords: a shard's counts kept as (64-bit item hash, entry
//   number, count), 16 bytes a distinct item instead of its string (a count of 2^32 - 1 or
//   more goes to a side list), and later the shard's tokens of the items of a vocabulary
//   (the worker's learning-rate schedule). Two distinct items of the shard with one 64-bit
//   hash would count together (odds about n^2 / 2^65). With local_to_global, ShardWords
//   also maps each entry number (the counting pass's local id, worker/first_epoch_ids.h) to
//   the item's vocabulary id, Vocabulary::kNotFound for an item not in the vocabulary; it
//   leaves it empty when two of the shard's items share a hash (the map would be ambiguous).
// Waits are bounded by `timeout`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/transport.h"
#include "common/vocabulary.h"

namespace item2vec {

int OwnerOf(std::string_view item, int num_workers);
int OwnerOf(std::uint64_t item_hash, int num_workers);  // item_hash = HashBytes(item)

Status ExchangeCounts(Transport& t, int worker, int num_workers, double timeout, ItemCounter* counts);

// One owner's items for the vocabulary.
struct OwnedItems {
  // The items in vocabulary order, packed: item i is bytes[ends[i - 1], ends[i]) (ends[-1] = 0).
  std::string bytes;
  std::vector<std::uint64_t> ends;
  std::vector<Count> counts;
  Count total = 0;            // tokens of every item owned, kept or not
  std::int64_t distinct = 0;  // items owned
  Count top = 0;              // the largest count owned
  // Sum over the items owned of 1 - (1 - 1/W)^count: how many of them a worker's shard
  // holds, expected (the memory plan's counting pass).
  double shard_distinct = 0;
  std::size_t size() const { return ends.size(); }
  std::string_view item(std::size_t i) const {
    const std::uint64_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(bytes).substr(begin, ends[i] - begin);
  }
};

OwnedItems SelectOwnedItems(const ItemCounter& owned, Count min_count, Count cap, int num_workers);

Status GatherOwnedItems(Transport& t, int worker, int num_workers, double timeout, OwnedItems* mine,
                        std::vector<OwnedItems>* all);

Vocabulary MergeOwnedItems(std::vector<OwnedItems>* parts, Count cap);

struct ShardTokens {
  static constexpr std::uint32_t kLargeCount = 0xffffffffu;  // the count is in `large`
  struct Token {
    std::uint64_t hash;
    std::uint32_t local;  // the item's entry number in the counting table
    std::uint32_t count;  // kLargeCount: see large
    bool operator<(const Token& o) const { return hash < o.hash || (hash == o.hash && local < o.local); }
  };
  std::vector<Token> tokens;                                // sorted by hash
  std::vector<std::pair<std::uint32_t, Count>> large;       // (local, count), sorted by local
  bool distinct_hashes = true;                              // no two tokens share a hash
  Count CountOf(const Token& t) const;
};
ShardTokens ShardTokenCounts(const ItemCounter& shard);
std::int64_t ShardWords(const ShardTokens& shard, const Vocabulary& vocab,
                        PageArray<ItemId>* local_to_global = nullptr);

}  // namespace item2vec
