// CollectiveComm: the collectives of a command whose ranks share one job (prep, walk), as a
// thin layer over Transport (common/transport.h), or within one process.
//
// Contract:
// - Only collectives: every rank calls the same ones in the same order, and each returns
//   once all ranks have arrived. There is no point-to-point wait, so no rank can wait on a
//   peer that went elsewhere; a rank that dies is seen by mpirun, which ends the job.
// - Every call returns a Status. A failed collective leaves the ranks out of step (a peer
//   may still wait inside it): CollectiveComm then marks itself broken(), the pipeline passes
//   the error up, and the command edge (common/command.h) logs it and ends every rank with
//   Transport::Abort. An error every rank agrees on (SyncStatus) is no such failure.
// - CollectiveComm() (one process, no transport, no MPI) makes every call a copy or a no-op, so
//   the pipeline runs the same code with one rank.
// - Gather() moves at most kMaxGatherBytes in one call (MPI counts are ints); larger
//   data go through GatherInRounds() or AllgatherBytes().
// - Ownership: borrows the transport, which must outlive it. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/transport.h"

namespace item2vec {

class CollectiveComm {
 public:
  static constexpr std::size_t kMaxGatherBytes = Transport::kMaxGatherBytes;

  CollectiveComm() = default;                                      // one process
  explicit CollectiveComm(Transport* transport) : transport_(transport) {}

  int rank() const { return transport_ != nullptr ? transport_->rank() : 0; }
  int size() const { return transport_ != nullptr ? transport_->size() : 1; }
  // True once a collective failed on this rank: only Transport::Abort ends its peers.
  bool broken() const { return broken_; }

  // Elementwise over ranks, in place; every rank passes a vector of the same length.
  Status AllreduceSum(std::vector<std::int64_t>* values);
  Status AllreduceMax(std::vector<std::int64_t>* values);
  // (*all)[r] = rank r's `mine`, on every rank (root < 0) or on root only (the others get
  // an empty vector). REQUIRES: the sizes over all ranks sum to at most kMaxGatherBytes.
  Status Gather(std::string_view mine, int root, std::vector<std::string>* all);
  Status Broadcast(std::string* bytes, int root);
  Status Barrier();

 private:
  Status Checked(Status st);

  Transport* transport_ = nullptr;
  bool broken_ = false;
};

// The outcome every rank agrees on: OK when every rank's `local` is OK, else the status of
// the lowest failing rank (code and message), on every rank. A failure of the agreement
// itself is returned as is (and leaves comm broken()).
Status SyncStatus(CollectiveComm& comm, const Status& local);

// Chunks up to this size keep one round of GatherInRounds under kMaxGatherBytes.
std::size_t GatherChunkBytes(const CollectiveComm& comm);

// Gathers any amount of data: each rank passes its data cut into chunks of at most
// GatherChunkBytes() (cut where the caller's records allow); round i moves chunk i of
// every rank, and fn(rank, chunk) sees each non-empty chunk (on root only, or everywhere
// when root < 0), in rank order within a round. Memory: one round at a time.
Status GatherInRounds(CollectiveComm& comm, const std::vector<std::string>& my_chunks, int root,
                      const std::function<void(int rank, std::string_view chunk)>& fn);

// Every rank's bytes, whatever their size, on every rank: (*all)[r] = rank r's `mine`.
Status AllgatherBytes(CollectiveComm& comm, const std::string& mine, std::vector<std::string>* all);

// The launcher's rank and size, read from the environment (Open MPI, PMIx, MPICH/Slurm PMI)
// before MPI is initialised: a command runs as one process, without MPI, when size is 1.
void LauncherRankFromEnvironment(int* rank, int* size);

// Little helpers to pack exchanged records (native byte order: both ends run the same binary).
class ByteWriter {
 public:
  void Int(std::int64_t v) { bytes_.append(reinterpret_cast<const char*>(&v), sizeof(v)); }
  void Str(std::string_view s) {
    Int(static_cast<std::int64_t>(s.size()));
    bytes_.append(s.data(), s.size());
  }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return pos_ >= bytes_.size(); }
  // Past the end (a bug on the writing side) they return 0 / empty and set failed().
  std::int64_t Int();
  std::string_view Str();
  bool failed() const { return failed_; }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace item2vec
