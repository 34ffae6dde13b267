// Shard checkpoints: a server's rows of both matrices, saved and loaded (re-partitioned).
//
// Contract:
// - SaveShard writes CHECKPOINT/server-S.bin (common/checkpoint.h container): a header
//   (server, server count, vocabulary size, dim, rows) and, in local order, the input
//   rows, the output rows, the input versions, the output versions. Rows are float32 on
//   disk whatever the store keeps (a bf16 store's values are floats exactly, so any store
//   restores them bit for bit, and a checkpoint resumes under either --server-precision).
//   Returns the manifest entry. Cost: one sequential write of the shard, ~8 * rows * (dim + 1)
//   bytes, through a 1 MiB buffer.
// - LoadShard fills a freshly constructed ShardStore from a checkpoint written with any
//   server count: with the same count it reads its own file; otherwise it streams every
//   old server's file and keeps the rows the new partition gives it (key mod S). Rows and
//   versions are restored exactly, so a resumed run continues bit for bit. Each file's
//   checksum is verified as it is read; damage is Status::Corruption naming the file.
//   A float32 checkpoint loaded into a bf16 store rounds to nearest. Memory: one row buffer
//   beyond the store.
#pragma once

#include <string>

#include "common/checkpoint.h"
#include "common/status.h"
#include "ps/shard_store.h"

namespace item2vec {

Result<CheckpointFileEntry> SaveShard(const ShardStore& store, std::size_t vocab_size,
                                      const std::string& checkpoint_path);

Status LoadShard(const std::string& checkpoint_path, const CheckpointManifest& manifest, ShardStore* store);

}  // namespace item2vec
