#include "ps/request_handler.h"

#include <cstring>
#include <string>

namespace item2vec {

RequestHandler::RequestHandler(ShardStore* store, int num_workers, std::size_t vocab_size, ServerStats* stats,
                               WirePrecision wire)
    : store_(store), num_workers_(num_workers), vocab_size_(vocab_size),
      dim_(static_cast<std::size_t>(store->dim())), stats_(stats), wire_(wire),
      marked_(static_cast<std::size_t>(num_workers), 0), done_(static_cast<std::size_t>(num_workers), 0) {}

Status RequestHandler::ParseKeyList(const void* data, std::size_t bytes, int source, KeyList* list) const {
  if (bytes < sizeof(protocol::KeyListHeader))
    return Status::Internal("malformed request from rank " + std::to_string(source));
  std::memcpy(&list->header, data, sizeof list->header);
  const std::size_t n = list->rows();
  if (bytes != sizeof(protocol::KeyListHeader) + n * sizeof(ItemId))
    return Status::Internal("request from rank " + std::to_string(source) + " has a wrong size");
  list->in = reinterpret_cast<const ItemId*>(static_cast<const char*>(data) + sizeof(protocol::KeyListHeader));
  list->out = list->in + list->header.n_in;
  const Partition& partition = store_->partition();
  const int server = store_->server();
  for (std::size_t i = 0; i < n; ++i) {
    const ItemId k = list->in[i];
    if (k >= vocab_size_ || partition.ServerOf(k) != server)
      return Status::Internal("rank " + std::to_string(source) + " asked for key " + std::to_string(k) +
                              " that this server does not own");
  }
  return Status::Ok();
}

void RequestHandler::ServeVersions(const KeyList& keys, std::uint32_t* versions) const {
  store_->GatherVersions(Matrix::kInput, keys.in, keys.header.n_in, versions);
  store_->GatherVersions(Matrix::kOutput, keys.out, keys.header.n_out, versions + keys.header.n_in);
}

void RequestHandler::ServeRows(const KeyList& keys, float* rows) {
  const std::size_t n_in = keys.header.n_in, n_out = keys.header.n_out;
  store_->Gather(Matrix::kInput, keys.in, n_in, rows);
  store_->Gather(Matrix::kOutput, keys.out, n_out, rows + n_in * dim_);
  stats_->rows_sent += static_cast<std::int64_t>(n_in + n_out);
  stats_->bytes_sent += static_cast<std::int64_t>((n_in + n_out) * dim_ * sizeof(float));
}

std::size_t RequestHandler::ServeEncodedRows(const KeyList& keys, void* wire) {
  const std::size_t n_in = keys.header.n_in, n_out = keys.header.n_out;
  const std::size_t row_bytes = WireRowBytes(PullWire(wire_), dim_);
  store_->GatherEncoded(Matrix::kInput, keys.in, n_in, PullWire(wire_), wire);
  store_->GatherEncoded(Matrix::kOutput, keys.out, n_out, PullWire(wire_), static_cast<char*>(wire) + n_in * row_bytes);
  stats_->rows_sent += static_cast<std::int64_t>(n_in + n_out);
  stats_->bytes_sent += static_cast<std::int64_t>((n_in + n_out) * row_bytes);
  return (n_in + n_out) * row_bytes;
}

Status RequestHandler::ApplyPush(const KeyList& keys, int source, const void* rows, std::size_t rows_bytes,
                                 const void* versions, std::size_t versions_bytes) {
  const std::size_t n_in = keys.header.n_in, n_out = keys.header.n_out;
  if (rows_bytes != (n_in + n_out) * WireRowBytes(PushWire(wire_), dim_))
    return Status::Internal("push rows from rank " + std::to_string(source) + " have a wrong size (wire precision " +
                            std::string(WirePrecisionName(wire_)) + ")");
  if (versions_bytes != (n_in + n_out) * sizeof(std::uint32_t))
    return Status::Internal("push versions from rank " + std::to_string(source) + " have a wrong size");
  const auto* pulled = static_cast<const std::uint32_t*>(versions);
  if (wire_ == WirePrecision::kFp32) {
    const float* deltas = static_cast<const float*>(rows);
    store_->Add(Matrix::kInput, keys.in, n_in, deltas, pulled);
    store_->Add(Matrix::kOutput, keys.out, n_out, deltas + n_in * dim_, pulled + n_in);
  } else {
    const char* wire = static_cast<const char*>(rows);
    store_->AddEncoded(Matrix::kInput, keys.in, n_in, PushWire(wire_), wire, pulled);
    store_->AddEncoded(Matrix::kOutput, keys.out, n_out, PushWire(wire_), wire + n_in * WireRowBytes(PushWire(wire_), dim_),
                       pulled + n_in);
  }
  stats_->rows_applied += static_cast<std::int64_t>(n_in + n_out);
  return Status::Ok();
}

bool RequestHandler::WorkerDone(int source) {
  if (IsWorker(source)) done_[static_cast<std::size_t>(source)] = 1;
  return ++workers_done_ == num_workers_;
}

Status RequestHandler::CheckpointSignal(int tag, int source, const void* data, std::size_t bytes) {
  protocol::CheckpointSignal signal;
  if (bytes != sizeof signal || (tag != protocol::kCheckpointRequest && tag != protocol::kCheckpointMark))
    return Status::Internal("malformed checkpoint message from rank " + std::to_string(source));
  std::memcpy(&signal, data, sizeof signal);
  if (tag == protocol::kCheckpointRequest) {
    pending_checkpoint_ = signal.sequence;
  } else if (IsWorker(source)) {
    marked_[static_cast<std::size_t>(source)] = signal.sequence;
  }
  return Status::Ok();
}

std::uint64_t RequestHandler::CheckpointDue() const {
  if (pending_checkpoint_ == 0) return 0;
  for (int w = 0; w < num_workers_; ++w)
    if (!done_[static_cast<std::size_t>(w)] && marked_[static_cast<std::size_t>(w)] < pending_checkpoint_) return 0;
  return pending_checkpoint_;
}

}  // namespace item2vec
