#include "common/collective_comm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace item2vec {

Status CollectiveComm::Checked(Status st) {
  if (!st.ok()) broken_ = true;
  return st;
}

Status CollectiveComm::AllreduceSum(std::vector<std::int64_t>* values) {
  if (transport_ == nullptr) return Status::Ok();
  return Checked(transport_->AllreduceInt64(values, Transport::Reduce::kSum));
}

Status CollectiveComm::AllreduceMax(std::vector<std::int64_t>* values) {
  if (transport_ == nullptr) return Status::Ok();
  return Checked(transport_->AllreduceInt64(values, Transport::Reduce::kMax));
}

Status CollectiveComm::Gather(std::string_view mine, int root, std::vector<std::string>* all) {
  if (transport_ == nullptr) {
    all->assign(1, std::string(mine));
    return Status::Ok();
  }
  return Checked(transport_->Gather(mine, root, all));
}

Status CollectiveComm::Broadcast(std::string* bytes, int root) {
  if (transport_ == nullptr) return Status::Ok();
  return Checked(transport_->Broadcast(bytes, root));
}

Status CollectiveComm::Barrier() {
  if (transport_ == nullptr) return Status::Ok();
  return Checked(transport_->Barrier());
}

Status SyncStatus(CollectiveComm& comm, const Status& local) {
  if (comm.size() == 1) return local;
  // max(-rank) over failing ranks = -(lowest failing rank).
  const std::int64_t none = std::numeric_limits<std::int64_t>::min();
  std::vector<std::int64_t> v{local.ok() ? none : -static_cast<std::int64_t>(comm.rank())};
  ITEM2VEC_RETURN_IF_ERROR(comm.AllreduceMax(&v));
  if (v[0] == none) return Status::Ok();
  const int root = static_cast<int>(-v[0]);
  std::string bytes;
  if (comm.rank() == root) {
    ByteWriter w;
    w.Int(static_cast<std::int64_t>(local.code()));
    w.Str(local.message());
    bytes = std::move(w.bytes());
  }
  ITEM2VEC_RETURN_IF_ERROR(comm.Broadcast(&bytes, root));
  ByteReader r(bytes);
  const auto code = static_cast<Status::Code>(r.Int());
  const std::string message(r.Str());
  return Status::Make(code == Status::Code::kOk ? Status::Code::kInternal : code, message);
}

std::size_t GatherChunkBytes(const CollectiveComm& comm) {
  return std::max<std::size_t>(std::size_t{1} << 20, CollectiveComm::kMaxGatherBytes / static_cast<std::size_t>(comm.size()));
}

Status GatherInRounds(CollectiveComm& comm, const std::vector<std::string>& my_chunks, int root,
                      const std::function<void(int rank, std::string_view chunk)>& fn) {
  std::vector<std::int64_t> rounds{static_cast<std::int64_t>(my_chunks.size())};
  ITEM2VEC_RETURN_IF_ERROR(comm.AllreduceMax(&rounds));
  std::vector<std::string> got;
  for (std::int64_t i = 0; i < rounds[0]; ++i) {
    const std::string_view mine =
        i < static_cast<std::int64_t>(my_chunks.size()) ? std::string_view(my_chunks[static_cast<std::size_t>(i)])
                                                       : std::string_view();
    ITEM2VEC_RETURN_IF_ERROR(comm.Gather(mine, root, &got));
    for (std::size_t r = 0; r < got.size(); ++r)
      if (!got[r].empty()) fn(static_cast<int>(r), got[r]);
  }
  return Status::Ok();
}

Status AllgatherBytes(CollectiveComm& comm, const std::string& mine, std::vector<std::string>* all) {
  const std::size_t chunk = GatherChunkBytes(comm);
  std::vector<std::string> chunks;
  for (std::size_t at = 0; at < mine.size(); at += chunk) chunks.push_back(mine.substr(at, chunk));
  all->assign(static_cast<std::size_t>(comm.size()), std::string());
  return GatherInRounds(comm, chunks, -1,
                        [&](int r, std::string_view c) { (*all)[static_cast<std::size_t>(r)].append(c); });
}

namespace {

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

}  // namespace

void LauncherRankFromEnvironment(int* rank, int* size) {
  *size = EnvInt("OMPI_COMM_WORLD_SIZE", EnvInt("PMIX_SIZE", EnvInt("PMI_SIZE", 1)));
  *rank = EnvInt("OMPI_COMM_WORLD_RANK", EnvInt("PMIX_RANK", EnvInt("PMI_RANK", 0)));
}

std::int64_t ByteReader::Int() {
  std::int64_t v = 0;
  if (pos_ + sizeof(v) > bytes_.size()) {
    failed_ = true;
    pos_ = bytes_.size();
    return 0;
  }
  std::memcpy(&v, bytes_.data() + pos_, sizeof(v));
  pos_ += sizeof(v);
  return v;
}

std::string_view ByteReader::Str() {
  const std::int64_t n = Int();
  if (n < 0 || pos_ + static_cast<std::size_t>(n) > bytes_.size()) {
    failed_ = true;
    pos_ = bytes_.size();
    return {};
  }
  const std::string_view s = bytes_.substr(pos_, static_cast<std::size_t>(n));
  pos_ += static_cast<std::size_t>(n);
  return s;
}

}  // namespace item2vec
