#include "common/mpi_transport.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <climits>
#include <thread>

#include "common/exit_watchdog.h"

namespace item2vec {
namespace {

std::string MpiErrorString(int code) {
  char buf[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, buf, &len);
  return std::string(buf, static_cast<std::size_t>(len));
}

// Completes a nonblocking collective, pausing between tests as Backoff does: a rank that
// waits long in a collective (a server while the workers count the vocabulary, worker 1 while
// rank 0 builds it) leaves its core to the ranks that work, where MPI's blocking collective
// would spin on it.
Status FinishCollective(MPI_Request* request, const char* what) {
  Backoff backoff;
  for (;;) {
    int done = 0;
    const int rc = MPI_Test(request, &done, MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS) return Status::Internal(std::string(what) + ": " + MpiErrorString(rc));
    if (done) return Status::Ok();
    backoff.Pause();
  }
}

}  // namespace

MpiSession::MpiSession(int* argc, char*** argv) {
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

bool MpiSession::Active() {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized && !finalized;
}

void MpiSession::Abort(int exit_code) {
  // MPI_Abort blocks when mpirun (or its daemon, or the PMIx server) is behind a lost link: the
  // watchdog then ends this rank with the job's code after the grace period.
  spdlog::default_logger()->flush();
  ArmExitWatchdog(exit_code, AbortGraceSeconds());
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);
}

MpiTransport::MpiTransport() {
  MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  // Every rank's host name, so a timeout can say where the silent peer runs.
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int len = 0;
  MPI_Get_processor_name(name, &len);
  std::vector<char> all(static_cast<std::size_t>(size_) * MPI_MAX_PROCESSOR_NAME, '\0');
  if (MPI_Allgather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR, comm_) ==
      MPI_SUCCESS)
    for (int r = 0; r < size_; ++r) hosts_.emplace_back(&all[static_cast<std::size_t>(r) * MPI_MAX_PROCESSOR_NAME]);
}

MpiTransport::~MpiTransport() {
  if (comm_ != MPI_COMM_NULL && MpiSession::Active()) MPI_Comm_free(&comm_);
}

Transport::Handle MpiTransport::Store(MPI_Request request, int peer) {
  if (!free_.empty()) {
    const int h = free_.back();
    free_.pop_back();
    requests_[static_cast<std::size_t>(h)] = request;
    peers_[static_cast<std::size_t>(h)] = peer;
    return h;
  }
  requests_.push_back(request);
  peers_.push_back(peer);
  return static_cast<Handle>(requests_.size() - 1);
}

Transport::Handle MpiTransport::Isend(int dest, int tag, const void* data, std::size_t bytes) {
  MPI_Request req = MPI_REQUEST_NULL;
  // Messages above 2 GiB are sent as MPI_BYTE counts; callers keep batches far smaller.
  const int rc = MPI_Isend(data, static_cast<int>(bytes), MPI_BYTE, dest, tag, comm_, &req);
  if (rc != MPI_SUCCESS) last_error_ = rc;
  return Store(req, dest);
}

Transport::Handle MpiTransport::Irecv(int source, int tag, void* data, std::size_t bytes) {
  MPI_Request req = MPI_REQUEST_NULL;
  const int rc = MPI_Irecv(data, static_cast<int>(bytes), MPI_BYTE,
                           source == kAnySource ? MPI_ANY_SOURCE : source,
                           tag == kAnyTag ? MPI_ANY_TAG : tag, comm_, &req);
  if (rc != MPI_SUCCESS) last_error_ = rc;
  return Store(req, source);
}

bool MpiTransport::Test(Handle handle) {
  MPI_Request& req = requests_[static_cast<std::size_t>(handle)];
  int done = 0;
  if (req == MPI_REQUEST_NULL) {
    done = 1;
  } else {
    const int rc = MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS) {
      last_error_ = rc;
      return false;  // Wait() reports it
    }
  }
  if (done) free_.push_back(handle);
  return done != 0;
}

Status MpiTransport::Wait(Handle handle, double timeout_seconds, const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(timeout_seconds));
  Backoff backoff;
  while (true) {
    if (Test(handle)) return Status::Ok();
    if (last_error_ != MPI_SUCCESS) {
      const int rc = last_error_;
      last_error_ = MPI_SUCCESS;
      return Status::Internal(what + ": MPI error: " + MpiErrorString(rc));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      const int peer = peers_[static_cast<std::size_t>(handle)];
      const std::string where = peer >= 0 && peer < static_cast<int>(hosts_.size())
                                    ? " from rank " + std::to_string(peer) + " on host " + hosts_[peer]
                                    : "";
      return Status::Timeout(what + ": no answer within " + std::to_string(static_cast<int>(timeout_seconds)) +
                             " s" + where + " (the peer rank is dead, unreachable, hung or overloaded)");
    }
    backoff.Pause();
  }
}

bool MpiTransport::Probe(int source, int tag, Envelope* envelope) {
  int flag = 0;
  MPI_Status st;
  const int rc = MPI_Iprobe(source == kAnySource ? MPI_ANY_SOURCE : source,
                            tag == kAnyTag ? MPI_ANY_TAG : tag, comm_, &flag, &st);
  if (rc != MPI_SUCCESS || !flag) return false;
  int count = 0;
  MPI_Get_count(&st, MPI_BYTE, &count);
  envelope->source = st.MPI_SOURCE;
  envelope->tag = st.MPI_TAG;
  envelope->bytes = static_cast<std::size_t>(count);
  return true;
}

Status MpiTransport::Receive(const Envelope& envelope, void* buffer) {
  const int rc = MPI_Recv(buffer, static_cast<int>(envelope.bytes), MPI_BYTE, envelope.source,
                          envelope.tag, comm_, MPI_STATUS_IGNORE);
  if (rc != MPI_SUCCESS)
    return Status::Internal("receive from rank " + std::to_string(envelope.source) + ": " + MpiErrorString(rc));
  return Status::Ok();
}

Status MpiTransport::Broadcast(std::string* bytes, int root) {
  long long n = static_cast<long long>(bytes->size());
  MPI_Request request = MPI_REQUEST_NULL;
  int rc = MPI_Ibcast(&n, 1, MPI_LONG_LONG, root, comm_, &request);
  if (rc != MPI_SUCCESS) return Status::Internal("broadcast: " + MpiErrorString(rc));
  ITEM2VEC_RETURN_IF_ERROR(FinishCollective(&request, "broadcast"));
  // Every rank has reached the broadcast: the bytes follow at once, with MPI's own calls.
  bytes->resize(static_cast<std::size_t>(n));
  // Chunks below INT_MAX so vocabularies of any size pass.
  const long long kChunk = 1LL << 30;
  for (long long off = 0; off < n; off += kChunk) {
    const int len = static_cast<int>(std::min(kChunk, n - off));
    rc = MPI_Bcast(bytes->data() + off, len, MPI_BYTE, root, comm_);
    if (rc != MPI_SUCCESS) return Status::Internal("broadcast: " + MpiErrorString(rc));
  }
  return Status::Ok();
}

Status MpiTransport::AllreduceSum(std::vector<double>* values) {
  MPI_Request request = MPI_REQUEST_NULL;
  const int rc = MPI_Iallreduce(MPI_IN_PLACE, values->data(), static_cast<int>(values->size()), MPI_DOUBLE,
                                MPI_SUM, comm_, &request);
  if (rc != MPI_SUCCESS) return Status::Internal("allreduce: " + MpiErrorString(rc));
  return FinishCollective(&request, "allreduce");
}

Status MpiTransport::Barrier() {
  MPI_Request request = MPI_REQUEST_NULL;
  const int rc = MPI_Ibarrier(comm_, &request);
  if (rc != MPI_SUCCESS) return Status::Internal("barrier: " + MpiErrorString(rc));
  return FinishCollective(&request, "barrier");
}

Status MpiTransport::AllreduceInt64(std::vector<std::int64_t>* values, Reduce op) {
  MPI_Request request = MPI_REQUEST_NULL;
  const int rc = MPI_Iallreduce(MPI_IN_PLACE, values->data(), static_cast<int>(values->size()), MPI_INT64_T,
                                op == Reduce::kSum ? MPI_SUM : MPI_MAX, comm_, &request);
  if (rc != MPI_SUCCESS) return Status::Internal("allreduce: " + MpiErrorString(rc));
  return FinishCollective(&request, "allreduce");
}

Status MpiTransport::Gather(std::string_view mine, int root, std::vector<std::string>* all) {
  all->clear();
  // Everyone learns every size, so every rank checks the limit the same way.
  std::vector<std::int64_t> sizes(static_cast<std::size_t>(size_));
  const std::int64_t my_size = static_cast<std::int64_t>(mine.size());
  MPI_Request request = MPI_REQUEST_NULL;
  int rc = MPI_Iallgather(&my_size, 1, MPI_INT64_T, sizes.data(), 1, MPI_INT64_T, comm_, &request);
  if (rc != MPI_SUCCESS) return Status::Internal("gather (sizes): " + MpiErrorString(rc));
  ITEM2VEC_RETURN_IF_ERROR(FinishCollective(&request, "gather (sizes)"));
  std::int64_t total = 0;
  for (std::int64_t s : sizes) total += s;
  if (total > static_cast<std::int64_t>(kMaxGatherBytes))
    return Status::InvalidArgument("a gather of " + std::to_string(total) + " bytes exceeds the limit of " +
                                   std::to_string(kMaxGatherBytes));
  std::vector<int> counts(sizes.size()), displs(sizes.size());
  int offset = 0;
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    counts[r] = static_cast<int>(sizes[r]);
    displs[r] = offset;
    offset += counts[r];
  }
  const bool receives = root < 0 || root == rank_;
  std::string buffer(receives ? static_cast<std::size_t>(total) : 0, '\0');
  if (root < 0)
    rc = MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), MPI_BYTE, buffer.data(), counts.data(),
                        displs.data(), MPI_BYTE, comm_);
  else
    rc = MPI_Gatherv(mine.data(), static_cast<int>(mine.size()), MPI_BYTE, buffer.data(), counts.data(),
                     displs.data(), MPI_BYTE, root, comm_);
  if (rc != MPI_SUCCESS) return Status::Internal("gather: " + MpiErrorString(rc));
  if (!receives) return Status::Ok();
  for (std::size_t r = 0; r < sizes.size(); ++r)
    all->emplace_back(buffer.data() + displs[r], static_cast<std::size_t>(counts[r]));
  return Status::Ok();
}

Status MpiTransport::NodeSum(double* value, int* node_rank) {
  MPI_Comm node = MPI_COMM_NULL;
  int rc = MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
  if (rc != MPI_SUCCESS) return Status::Internal("splitting ranks by node: " + MpiErrorString(rc));
  MPI_Comm_rank(node, node_rank);
  rc = MPI_Allreduce(MPI_IN_PLACE, value, 1, MPI_DOUBLE, MPI_SUM, node);
  MPI_Comm_free(&node);
  if (rc != MPI_SUCCESS) return Status::Internal("summing over the node: " + MpiErrorString(rc));
  return Status::Ok();
}

void MpiTransport::Abort(int exit_code) { MpiSession::Abort(exit_code); }

}  // namespace item2vec
