// ShardSnapshot: saves a server's shard in the background while the server goes on serving.
//
// Contract: Start() forks the server process. The child holds a copy-on-write image of the
// shard as it was at the fork, which is exactly the checkpoint cut; it writes
// server-S.bin (SaveShard, ps/shard_checkpoint.h), reports the file (or the error) to the
// parent through a pipe and leaves with _exit, never touching MPI. The parent returns at
// once (the fork costs a page-table copy, milliseconds for GBs) and keeps applying pushes;
// the pages it modifies meanwhile are copied by the kernel, so the extra memory is the part
// of the shard trained while the file is written, not the whole shard (Redis's BGSAVE).
// Poll() reports the outcome once the child has exited; Wait() blocks for it. Where fork
// fails the save runs synchronously in Start(). One snapshot at a time; not thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "common/checkpoint.h"
#include "common/status.h"
#include "ps/shard_store.h"

namespace item2vec {

class ShardSnapshot {
 public:
  ShardSnapshot() = default;
  ~ShardSnapshot();
  ShardSnapshot(const ShardSnapshot&) = delete;
  ShardSnapshot& operator=(const ShardSnapshot&) = delete;

  // Starts saving the shard for checkpoint `sequence` into checkpoint_path.
  void Start(const ShardStore& store, std::size_t vocab_size, const std::string& checkpoint_path,
             std::uint64_t sequence, int rank);
  bool busy() const { return busy_; }
  // True once the save has finished; *out then holds its report (file or error).
  bool Poll(CheckpointSaved* out);
  // Blocks until the save has finished.
  void Wait(CheckpointSaved* out);
  // Stops a save in progress (its file is never committed) and reaps the child.
  void Abort();

 private:
  void Finish(int wait_status, CheckpointSaved* out);
  bool busy_ = false;
  pid_t child_ = -1;
  int pipe_fd_ = -1;
  CheckpointSaved result_;  // the outcome when the save ran synchronously
  bool have_result_ = false;
  std::uint64_t sequence_ = 0;
  int rank_ = 0;
};

}  // namespace item2vec
