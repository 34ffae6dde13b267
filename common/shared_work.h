// SharedWork: the MPI side of a command whose ranks share one job (prep, walk).
//
// Contract: Start(size, command) with the launcher's size (LauncherRankFromEnvironment):
// above 1 it initialises MPI and a Transport and wraps them in comm, logging "<command> on N
// MPI ranks" on rank 0, and returns this rank; with one process it starts nothing, comm is
// the single-process CollectiveComm and the rank is 0. The object keeps MPI up until it is
// destroyed: keep it alive until after every rank's last collective. Abort(code) ends every
// rank of the job (a rank that cannot go on, or ranks out of step); with one process it
// does nothing and the caller returns the code. Not copyable.
#pragma once

#include <memory>
#include <string>

#include "common/mpi_transport.h"
#include "common/collective_comm.h"

namespace item2vec {

class SharedWork {
 public:
  SharedWork() = default;
  SharedWork(const SharedWork&) = delete;
  SharedWork& operator=(const SharedWork&) = delete;

  int Start(int size, const std::string& command);
  CollectiveComm& comm() { return comm_; }
  void Abort(int code);

 private:
  std::unique_ptr<MpiSession> mpi_;
  std::unique_ptr<MpiTransport> transport_;
  CollectiveComm comm_;
};

}  // namespace item2vec
