#include "job/new_item_init.h"

#include <chrono>
#include <string>

#include <spdlog/spdlog.h>

#include "common/serialize.h"
#include "ps/protocol.h"
#include "job/rank_collectives.h"

namespace item2vec {
namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

NewItemNeighbours FindNewItemNeighbours(Transport& t, const TrainOptions& o, const std::vector<InputFile>& files,
                                        const Vocabulary& vocab, std::vector<ItemId> new_ids, int workers) {
  const int rank = t.rank();
  const auto start = Clock::now();
  std::string bytes;
  if (rank == 0) bytes = ToBytes(new_ids);
  if (Status bs = t.Broadcast(&bytes, 0); !bs.ok()) FailJob(t, bs.WithContext("sending the new items"));
  if (Status fs = FromBytes(bytes, &new_ids); !fs.ok()) FailJob(t, fs.WithContext("receiving the new items"));
  NewItemNeighbours neighbours;
  if (new_ids.empty()) return neighbours;  // every rank knows: nothing to count
  const std::size_t capacity = 4 * static_cast<std::size_t>(o.new_item_neighbours);
  if (rank < workers) {
    std::vector<bool> is_new(vocab.size(), false);
    for (ItemId id : new_ids) {
      if (id >= vocab.size()) FailJob(t, Status::Corruption("new item id " + std::to_string(id) + " out of range"));
      is_new[id] = true;
    }
    CooccurrenceCounter counter(is_new, capacity);
    const auto count_start = Clock::now();
    Status cs = CountShardCooccurrence(files, ShardRanges(files, rank, workers), o.max_sentence, vocab, o.window,
                                       &counter);
    if (!cs.ok()) FailJob(t, cs.WithContext("--new-items cooccurrence"));
    // The shards are of equal size, so a peer should finish counting about when this rank
    // did: allow it twice this rank's counting time on top of --peer-timeout.
    const double count_seconds = std::chrono::duration<double>(Clock::now() - count_start).count();
    const double timeout = o.peer_timeout + 2 * count_seconds;
    Status ms = MergeTree(t, rank, workers, protocol::kCooccurrenceCounts, timeout, "co-occurrence counts", &counter,
                          [](CooccurrenceCounter* into, CooccurrenceCounter&& other) { return into->Merge(other); });
    if (!ms.ok()) FailJob(t, ms.WithContext("--new-items cooccurrence: merging co-occurrence counts"));
    if (rank == 0) {
      neighbours = counter.TopNeighbours(o.new_item_neighbours);
      bytes = ToBytes(neighbours);
      spdlog::info("--new-items cooccurrence: {} of {} new items co-occur with kept items (at most {} neighbours "
                   "each; counting pass {:.2f}s, merged counter {:.1f} MiB)",
                   neighbours.size(), new_ids.size(), o.new_item_neighbours,
                   std::chrono::duration<double>(Clock::now() - start).count(), counter.BytesUsed() / 1048576.0);
    }
  }
  if (Status bs = t.Broadcast(&bytes, 0); !bs.ok()) FailJob(t, bs.WithContext("sending the new items' neighbours"));
  if (rank != 0) {
    if (Status fs = FromBytes(bytes, &neighbours); !fs.ok())
      FailJob(t, fs.WithContext("receiving the new items' neighbours"));
  }
  return neighbours;
}

}  // namespace item2vec
