// MpiTransport: Transport over MPI point-to-point calls on a duplicated MPI_COMM_WORLD.
//
// Contract: the MPI library is initialised by MpiSession (one per process, at the
// command-line edge) before a transport is made. Every MPI return code is checked and
// turned into a Status; MPI's error handler is set to MPI_ERRORS_RETURN so a peer's
// failure becomes an error value here rather than an abort deep inside MPI. Constructing one
// is collective (it gathers every rank's host name, which timeouts name with the peer rank).
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "common/transport.h"

namespace item2vec {

// Initialises MPI (thread level FUNNELED) for the process lifetime.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  static bool Active();
  // Ends every rank of the job at once with this exit code (MPI_Abort on MPI_COMM_WORLD). Never
  // hangs: should MPI_Abort not return (mpirun unreachable), this rank _Exits with the code after
  // AbortGraceSeconds() (common/exit_watchdog.h).
  [[noreturn]] static void Abort(int exit_code);
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  int rank_ = 0, size_ = 1;
};

class MpiTransport final : public Transport {
 public:
  MpiTransport();
  ~MpiTransport() override;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string HostOf(int r) const override { return r >= 0 && r < static_cast<int>(hosts_.size()) ? hosts_[r] : ""; }
  Handle Isend(int dest, int tag, const void* data, std::size_t bytes) override;
  Handle Irecv(int source, int tag, void* data, std::size_t bytes) override;
  bool Test(Handle handle) override;
  Status Wait(Handle handle, double timeout_seconds, const std::string& what) override;
  bool Probe(int source, int tag, Envelope* envelope) override;
  Status Receive(const Envelope& envelope, void* buffer) override;
  Status Broadcast(std::string* bytes, int root) override;
  Status AllreduceSum(std::vector<double>* values) override;
  Status Barrier() override;
  Status AllreduceInt64(std::vector<std::int64_t>* values, Reduce op) override;
  Status Gather(std::string_view mine, int root, std::vector<std::string>* all) override;
  Status NodeSum(double* value, int* node_rank) override;
  [[noreturn]] void Abort(int exit_code) override;

 private:
  Handle Store(MPI_Request request, int peer);
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  std::vector<MPI_Request> requests_;
  std::vector<int> peers_;          // peer rank of each handle (kAnySource: any)
  std::vector<std::string> hosts_;  // host name of every rank, gathered at construction
  std::vector<int> free_;
  int last_error_ = MPI_SUCCESS;
};

}  // namespace item2vec
