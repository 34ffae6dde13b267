// Transport: the point-to-point message layer between ranks.
//
// Contract:
// - Messages are raw byte buffers tagged with a small integer (see ps/protocol.h).
//   Messages from one sender to one receiver arrive in the order sent (MPI's
//   non-overtaking rule); the PS protocol relies on it (a worker's push is applied before
//   its next pull is answered).
// - Isend/Irecv return a Handle at once; the caller keeps the buffer alive and untouched
//   until Wait() or Test() reports completion. Every Wait takes a deadline: a peer that
//   does not answer in time yields Status::Timeout naming the peer, never a hang.
// - Waiting does not busy-poll a core for long: after a short spin it sleeps with
//   exponential backoff (up to kMaxSleepMicros), so a server or a waiting worker leaves
//   the CPU to the ranks that compute (Open MPI's own blocking calls spin at 100%).
// - It is an interface so tests and the --debug-fault option can wrap it to delay, drop
//   or kill (FaultyTransport). Calls are per message, never per item or per pair.
// - The collectives (Broadcast .. Gather) are blocking calls every rank makes in the same
//   order. MpiTransport waits for them as for a message (nonblocking MPI collectives, then
//   Backoff), so a rank that waits long in one (a server while the workers count) does not
//   spin on a core the working ranks need. An error from one leaves the ranks out of step (a peer may still wait inside
//   it): the caller passes it up, and the command edge ends the job with Abort().
//   AllreduceInt64 and Gather have generic versions built on Broadcast (one broadcast per
//   rank; for transports with no collectives of their own); MpiTransport overrides them
//   with one MPI call each.
// - Not thread-safe: one thread per rank drives it (MPI_THREAD_FUNNELED).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace item2vec {

struct Envelope {
  int source = -1;
  int tag = -1;
  std::size_t bytes = 0;
};

class Transport {
 public:
  using Handle = int;
  static constexpr int kAnySource = -1;
  static constexpr int kAnyTag = -1;
  static constexpr int kMaxSleepMicros = 200;

  virtual ~Transport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Host name of rank `r` where the transport knows it (MPI: gathered at start), else "".
  virtual std::string HostOf(int /*r*/) const { return ""; }

  virtual Handle Isend(int dest, int tag, const void* data, std::size_t bytes) = 0;
  virtual Handle Irecv(int source, int tag, void* data, std::size_t bytes) = 0;
  // True when done (the handle is then released). Errors surface in Wait().
  virtual bool Test(Handle handle) = 0;
  // Waits until done or the deadline passes; `what` names the operation for errors.
  virtual Status Wait(Handle handle, double timeout_seconds, const std::string& what) = 0;
  // Non-blocking check for a message; fills *envelope when one is waiting.
  virtual bool Probe(int source, int tag, Envelope* envelope) = 0;
  // Receives the message described by a successful Probe into buffer (envelope.bytes).
  virtual Status Receive(const Envelope& envelope, void* buffer) = 0;
  // Receive with a deadline: a probed message's body can still be on its way (MPI's rendezvous
  // sends large messages after their envelope), and a peer cut off mid-message must not block
  // the receiver for ever. A Timeout names `what` and the peer; the job then ends.
  Status ReceiveWithin(const Envelope& envelope, void* buffer, double timeout_seconds, const std::string& what);

  // Control plane (blocking collectives over all ranks).
  virtual Status Broadcast(std::string* bytes, int root) = 0;
  virtual Status AllreduceSum(std::vector<double>* values) = 0;
  virtual Status Barrier() = 0;
  // Elementwise over ranks, in place, exact; every rank passes a vector of the same length.
  enum class Reduce { kSum, kMax };
  virtual Status AllreduceInt64(std::vector<std::int64_t>* values, Reduce op);
  // (*all)[r] = rank r's `mine`, on every rank (root < 0) or on root only (the others get
  // an empty vector). REQUIRES: the sizes over all ranks sum to at most kMaxGatherBytes
  // (MPI counts are ints); every rank sees the same sizes, so a violation fails on every
  // rank with the same InvalidArgument.
  static constexpr std::size_t kMaxGatherBytes = std::size_t{1} << 30;
  virtual Status Gather(std::string_view mine, int root, std::vector<std::string>* all);
  // Sums *value over the ranks that share this rank's node (shared memory) and returns
  // this rank's index among them in *node_rank (0 = the node's first rank).
  virtual Status NodeSum(double* value, int* node_rank) = 0;
  // Ends the whole job at once (all ranks) with this exit code.
  [[noreturn]] virtual void Abort(int exit_code) = 0;
};

// Sleeps with exponential backoff between polls; call Reset() once work arrives.
class Backoff {
 public:
  void Pause();
  void Reset() { spins_ = 0; sleep_us_ = 1; }

 private:
  int spins_ = 0;
  int sleep_us_ = 1;
};

}  // namespace item2vec
