// HotRowCache: a worker's own copy of the input and output rows of the H most frequent
// items (vocabulary ids 0..H-1), trained locally and synced with the servers every few
// batches (--hot-rows H, --hot-sync K).
//
// Why: ids are sorted by frequency, so the few hottest items are in nearly every batch
// (as contexts, centres and pool negatives). Without the cache each batch pulls and pushes
// them again; with it they leave the batches' key lists (BatchBuilder gives them a local
// block of slots, worker/batch.h) and cost one push and one pull per K batches.
//
// Contract:
// - Load(batch) copies the cached rows of batch->hot_in / hot_out into the batch's hot
//   block; Store(batch) copies them back after training and marks them changed. Between
//   the two the kernel trains them in place like pulled rows. Batches are trained one
//   after the other, so each sees every earlier batch's updates to hot rows (no carry
//   needed, unlike pulled rows).
// - Sync(client, pull_fresh) pushes, per server, the accumulated change (current - base)
//   of the rows changed since the last sync, with the versions pulled then (the ordinary
//   kPush/kPushRows/kPushVersions messages, one key list per server, keys ascending), and
//   with pull_fresh pulls every cached row again (kPull): the pulled rows become both the
//   current rows and the new base. It waits for all of it (deadline: the client's). MPI's
//   per-pair ordering makes the servers apply the push before they answer the pull, so the
//   fresh rows hold this worker's own updates plus everything other workers pushed.
//   Without pull_fresh (the last flush) the pushed state becomes the base and the versions
//   count the push, as CarryDeltas does for pulled rows.
// - Staleness: other workers' updates to hot rows reach this worker only at its syncs,
//   so they are at most K of its batches late; the servers scale a pushed delta by the
//   pushes applied since its versions were pulled (ps/shard_store.h), as for any row.
// - Quality: the staleness costs little when K batches are a small part of an epoch
//   (10M tokens, 50k items, 2 workers, H = 1000, K = 16: neighbour precision unchanged)
//   and more when they are not and the cached items hold most of the tokens (1.5M
//   tokens, 5k items, H = 1000, K = 16: -0.07; K = 4: none). Checkpoints wait for the
//   next sync (worker/worker_loop.h), at most K batches.
// - Memory: 3 * 2 * H * dim floats plus 2 * H versions; preallocated, so Load, Store and
//   Sync allocate nothing in the steady state. Not thread-safe; one per worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "common/train_options.h"
#include "common/types.h"
#include "ps/partition.h"
#include "worker/batch.h"
#include "worker/ps_client.h"

namespace item2vec {

// The number of cached ids for these options and vocabulary: --hot-rows capped at the
// vocabulary size (0 = cache off).
ItemId HotRowCount(std::int64_t hot_rows, std::size_t vocab_size);
ItemId HotRowCount(const DistributionOptions& options, std::size_t vocab_size);

class HotRowCache {
 public:
  // REQUIRES: hot_rows <= the partition's vocabulary size.
  HotRowCache(ItemId hot_rows, int dim, const Partition& partition);

  ItemId hot_rows() const { return hot_; }

  // Cache -> the batch's hot block (slots total_rows..LocalRows()).
  void Load(Batch* batch) const;
  // The batch's hot block -> cache; the rows count as changed.
  void Store(const Batch& batch);
  // Pushes the changed rows' deltas, then (pull_fresh) pulls every cached row; waits.
  Status Sync(PsClient* client, bool pull_fresh);

  // The steps of Sync without the transport (public for tests).
  // One server's message: key list (KeyListHeader + in keys + out keys), rows and
  // versions in key-list order.
  struct Message {
    const std::uint32_t* request = nullptr;
    std::size_t words = 0;
    float* rows = nullptr;
    std::uint32_t* versions = nullptr;
    std::size_t n = 0;  // rows
  };
  // Packs the changed rows' deltas per server; returns the number of rows to push.
  std::size_t PreparePush();
  Message PushMessage(int server);  // valid after PreparePush() until the next one
  Message PullMessage(int server);  // every cached row of the server; lands in the base
  void AdoptPulled();               // after the pull landed: current = base = pulled
  void AdoptPushed();               // after a push without a pull: base = current, versions + 1

  // Current values and pulled versions of a cached id (k < hot_rows()).
  const float* InRow(ItemId k) const { return current_.data() + in_index_[k] * dim_; }
  const float* OutRow(ItemId k) const { return current_.data() + out_index_[k] * dim_; }
  std::uint32_t InVersion(ItemId k) const { return versions_[in_index_[k]]; }
  std::uint32_t OutVersion(ItemId k) const { return versions_[out_index_[k]]; }
  std::size_t changed_rows() const;
  std::uint64_t syncs() const { return syncs_; }

 private:
  ItemId hot_;
  std::size_t dim_;
  int servers_;
  // Rows are laid out server by server, each server's block as its pull reply: the input
  // rows of its cached keys ascending, then their output rows.
  std::vector<std::size_t> first_;           // per server: first row of its block
  std::vector<std::size_t> count_;           // per server: cached keys it owns
  std::vector<std::uint32_t> in_index_, out_index_;  // per cached id: its row
  std::vector<float> current_, base_;        // trained values; values as pulled
  std::vector<std::uint32_t> versions_;      // versions as pulled (plus own pushes)
  std::vector<std::uint8_t> changed_;        // per row: stored since the last sync
  std::vector<std::vector<std::uint32_t>> pull_request_, push_request_;
  std::vector<float> push_rows_;             // packed deltas, per server at first_[s]
  std::vector<std::uint32_t> push_versions_;
  std::vector<std::uint32_t> push_index_;    // packed position -> row (AdoptPushed)
  std::vector<std::size_t> push_count_;
  PsClient::Handles handles_;
  std::uint64_t syncs_ = 0;
};

}  // namespace item2vec
