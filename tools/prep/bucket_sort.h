// BucketSorter: groups (user, item, time) events by user and orders each user's events by
// time, for logs larger than memory.
//
// Contract:
// - Add() appends an event; its input order (0, 1, 2, ...) breaks time ties, so the sort
//   is stable. Events go to bucket files on disk under options.temp_dir, partitioned by
//   *ranges* of UserHash(user): bucket i of n holds hashes in the i-th n-th of the range.
// - Finish() takes the buckets in hash order. A bucket whose estimated in-memory size
//   (file bytes + per-event index) fits memory_bytes is loaded, sorted by (user hash, user
//   bytes, time, input order), and handed to the visitor one user at a time. A larger one
//   is split again into finer ranges of its own [min, max] hashes (recursively) rather
//   than loaded: the lower bits of the same hash serve as the "new seed", which keeps the
//   output order independent of how often a bucket was split. So users
//   reach the visitor in (UserHash, user bytes) order whatever the budget: the output is
//   byte-identical to a single in-memory sort.
// - A bucket that cannot be split (all its events share one hash: one user) and does not
//   fit is kDataError naming the user; raise the budget.
// - Distributed use (prep under mpirun): every rank's sorter partitions with the same
//   options.fanout, Close() hands the top-level bucket files over instead of sorting them,
//   and the rank that owns top-level bucket b calls SortFiles() on the b-th file of every
//   rank: one bucket made of several files, sorted as above. Add() then takes the order
//   explicitly (a global input position), so ties break the same whatever rank read them.
// - Memory: at most memory_bytes/4 of write buffers while partitioning, then one loaded
//   bucket (<= memory_bytes) at a time. Bucket files are removed as soon as they are
//   consumed and by the destructor on any error (top-level files handed over by Close()
//   belong to the caller until given to SortFiles()). Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace item2vec {

// The 64-bit hash that orders users in the output and assigns them to part files.
std::uint64_t UserHash(std::string_view user);

// Part p of `parts` holds the p-th range of hashes, so parts are contiguous in hash order.
inline int PartOfHash(std::uint64_t hash, int parts) {
  return static_cast<int>((static_cast<unsigned __int128>(hash) * static_cast<unsigned>(parts)) >> 64);
}

struct TimedItem {
  std::string_view item;
  std::int64_t time_ms = 0;
};

struct BucketSortOptions {
  std::string temp_dir;                    // must exist; bucket files live here
  std::int64_t memory_bytes = 512 << 20;   // budget for one loaded bucket (>= 4 KiB)
  std::int64_t expected_input_bytes = 0;   // sizes the first fan-out (0 = unknown)
  int max_fanout = 256;                    // buckets per level (open files at once)
  int fanout = 0;                          // top-level buckets; 0 = from the two above
};

// One bucket file as written by a sorter: its events hash into [min_hash, max_hash].
struct BucketFile {
  std::string path;  // empty when the bucket got no event
  std::uint64_t min_hash = ~std::uint64_t{0};
  std::uint64_t max_hash = 0;
  std::int64_t events = 0;
  std::int64_t bytes = 0;
};

struct BucketSortStats {
  std::int64_t events = 0;          // events added
  std::int64_t bucket_files = 0;    // bucket files written, all levels
  std::int64_t buckets_loaded = 0;  // buckets sorted in memory
  std::int64_t resplits = 0;        // buckets too large to load, split again
  int max_depth = 0;                // 0 = no bucket was split again
  std::int64_t spilled_bytes = 0;   // bytes written to bucket files, all levels
  std::int64_t largest_load_bytes = 0;
};

class BucketSorter {
 public:
  // events: one user's events in (time, input order) order; valid only during the call.
  using UserVisitor = std::function<Status(std::string_view user, std::uint64_t user_hash,
                                           const std::vector<TimedItem>& events)>;

  explicit BucketSorter(BucketSortOptions options);
  ~BucketSorter();
  BucketSorter(const BucketSorter&) = delete;
  BucketSorter& operator=(const BucketSorter&) = delete;

  // `order` breaks time ties (smaller first); the three-argument form uses the number of
  // events added before. REQUIRES: orders unique, either all explicit or none.
  Status Add(std::string_view user, std::string_view item, std::int64_t time_ms);
  Status Add(std::string_view user, std::string_view item, std::int64_t time_ms, std::uint64_t order);
  // REQUIRES: called once, after the last Add(), instead of Close().
  Status Finish(const UserVisitor& visit);
  // Flushes and closes the top-level bucket files and hands them over, one per top-level
  // bucket in hash order (top_fanout() of them, empty ones included). REQUIRES: called
  // once, after the last Add(), instead of Finish().
  Status Close(std::vector<BucketFile>* buckets);
  // Sorts the events of `pieces` (files from Close() of this or another sorter with the
  // same fanout, the same top-level bucket) as one bucket and visits its users; may be
  // called any number of times after Close(). Removes the piece files once read.
  Status SortFiles(const std::vector<BucketFile>& pieces, const UserVisitor& visit);
  int top_fanout() const { return top_fanout_; }
  // The top-level fanout chosen when options.fanout is 0.
  static int AutoFanout(const BucketSortOptions& options);
  const BucketSortStats& stats() const { return stats_; }

 private:
  struct Bucket;
  class BucketWriterSet;

  Status Process(Bucket& bucket, int depth, const UserVisitor& visit);
  Status LoadAndVisit(Bucket& bucket, const UserVisitor& visit);
  Status Split(Bucket& bucket, int depth, std::vector<Bucket>* children);
  std::string NewBucketPath();
  std::int64_t LoadCost(const Bucket& bucket) const;

  BucketSortOptions options_;
  BucketSortStats stats_;
  std::unique_ptr<BucketWriterSet> top_;
  int top_fanout_ = 1;
  std::int64_t next_file_id_ = 0;
  std::vector<std::string> live_files_;  // removed by the destructor if still present
};

}  // namespace item2vec
