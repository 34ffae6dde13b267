// NodeSharedMemory: a block of read-only memory that every rank of a node maps, so that what
// they all look up is held once per node instead of once per rank.
//
// Why a file on tmpfs rather than an MPI-3 shared window: the block is made by one rank and
// only read afterwards, by ranks that the transport interface (common/transport.h) does not
// group into communicators; a named file in /dev/shm needs no communicator, works the same
// under the loopback transport of tests, and its pages are the kernel's page cache, shared by
// every mapping: each rank's proportional set size (Pss) carries 1/k of the pages k ranks map.
//
// Contract:
// - Create (the node's first rank): a new file at `path` (O_EXCL: an existing one is an error,
//   never reused) of `bytes`, mapped read-write; the caller fills data() and calls Seal(),
//   which makes the mapping read-only. Open (the node's other ranks): maps an existing file
//   read-only; it must hold `bytes`. Unlink removes the name (leader, once every rank of the
//   node has opened it): the mappings stay valid and the memory goes with the last one.
// - Private: the same block in this process's own anonymous memory (no node to share with,
//   or no tmpfs), for code that reads it the same way.
// - The destructor unmaps (and unlinks the file if this object created it and never called
//   Unlink, so that a failed job leaves nothing in /dev/shm). Move-only; not thread-safe
//   while being filled, read-only and thread-safe after Seal/Open.
// - Names that carry their creator: CreatorName(dir, stem, pid, rest) is
//   dir/stem-<pid>-<host>-rest, for the process `pid` of this host that creates the file. RemoveOrphans(dir, stem) unlinks
//   the files of dir named so for this host whose creating process no longer exists (a job
//   killed after Create and before Unlink; the destructor's unlink never ran) and returns how
//   many it removed. A live creator's file (kill(pid, 0) succeeds or says EPERM), another
//   host's (a /dev/shm shared between containers) and any other name are left alone.
// - ProportionalBytes: this process's Pss of the mapping, from /proc/self/smaps (0 where
//   unknown): how the node's copy is split between the ranks that map it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace item2vec {

class NodeSharedMemory {
 public:
  NodeSharedMemory() = default;
  ~NodeSharedMemory();
  NodeSharedMemory(NodeSharedMemory&& other) noexcept;
  NodeSharedMemory& operator=(NodeSharedMemory&& other) noexcept;
  NodeSharedMemory(const NodeSharedMemory&) = delete;
  NodeSharedMemory& operator=(const NodeSharedMemory&) = delete;

  static Result<NodeSharedMemory> Create(const std::string& path, std::size_t bytes);
  static Result<NodeSharedMemory> Open(const std::string& path, std::size_t bytes);
  static Result<NodeSharedMemory> Private(std::size_t bytes);
  Status Seal();
  void Unlink();

  char* data() { return data_; }
  const char* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool shared() const { return !path_.empty(); }
  std::int64_t ProportionalBytes() const;

 private:
  void Release();
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t mapped_ = 0;  // at least one page
  std::string path_;        // empty when private
  bool owns_name_ = false;  // created here and not yet unlinked
};

std::string CreatorName(const std::string& dir, const std::string& stem, long pid, const std::string& rest);
int RemoveOrphans(const std::string& dir, const std::string& stem);

// /dev/shm when it is a writable directory with room for `bytes` more (a container's default
// /dev/shm is often 64 MiB), else "" (no node-shared memory on this host).
std::string NodeSharedDirectory(std::size_t bytes = 0);

}  // namespace item2vec
