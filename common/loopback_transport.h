// LoopbackTransport: a Transport between threads of one process, one thread per rank.
//
// Contract:
// - A LoopbackHub holds the mailboxes of `ranks` ranks; Endpoint(r) is rank r's Transport.
//   Each endpoint is driven by one thread (as MpiTransport is), and the hub is thread-safe:
//   one mutex guards every mailbox, so any rank's thread may deliver to any other.
// - Point-to-point calls keep MPI's semantics that the protocol relies on (ps/protocol.h):
//   messages from one sender to one receiver arrive in the order sent; an arriving message
//   fills the first matching posted receive (Irecv, in the order posted), else it waits in
//   the receiver's queue for Probe/Receive or a later Irecv (first match in arrival order).
//   kAnySource / kAnyTag match anything. A message longer than its posted receive fails that
//   receive's Wait with Internal (MPI's truncation error).
// - Isend copies the bytes at once (an eager send): its handle is complete immediately and
//   the caller's buffer is free. Wait on a receive fails with Timeout after its deadline,
//   naming the peer, never hanging.
// - Collectives (Broadcast, AllreduceSum, Barrier, NodeSum; AllreduceInt64 and Gather in
//   their generic versions) travel on a channel of their own that Probe never sees, and wait
//   at most kCollectiveTimeoutSeconds for a peer. All ranks are on one node (NodeSum).
// - Abort ends the whole process (every rank is a thread of it) with the exit code.
// For tests of the worker loop and the server session without mpirun
// (tests/worker/worker_loop_test.cc, tests/ps/server_session_test.cc).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/transport.h"

namespace item2vec {

class LoopbackHub {
 public:
  explicit LoopbackHub(int ranks);
  ~LoopbackHub();
  LoopbackHub(const LoopbackHub&) = delete;
  LoopbackHub& operator=(const LoopbackHub&) = delete;

  int ranks() const;
  // Rank r's transport; the hub must outlive it. Call once per rank.
  std::unique_ptr<Transport> Endpoint(int rank);

  struct State;  // the mailboxes (loopback_transport.cc)

 private:
  std::unique_ptr<State> state_;
};

inline constexpr double kCollectiveTimeoutSeconds = 60;

}  // namespace item2vec
