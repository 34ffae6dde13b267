#include "tools/prep/prep_comm.h"

#include <mpi.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include <spdlog/spdlog.h>

namespace item2vec {
namespace {

class LocalComm final : public PrepComm {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void AllreduceSum(std::vector<std::int64_t>*) override {}
  void AllreduceMax(std::vector<std::int64_t>*) override {}
  void Gather(std::string_view mine, int, std::vector<std::string>* all) override {
    all->assign(1, std::string(mine));
  }
  void Broadcast(std::string*, int) override {}
  void Barrier() override {}
};

class MpiComm final : public PrepComm {
 public:
  MpiComm() {
    Check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup");
    Check(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
    Check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    Check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  }
  ~MpiComm() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void AllreduceSum(std::vector<std::int64_t>* v) override { Allreduce(v, MPI_SUM, "MPI_Allreduce(sum)"); }
  void AllreduceMax(std::vector<std::int64_t>* v) override { Allreduce(v, MPI_MAX, "MPI_Allreduce(max)"); }

  void Gather(std::string_view mine, int root, std::vector<std::string>* all) override {
    // Everyone learns every size, so every rank checks the limit the same way.
    std::vector<std::int64_t> sizes(static_cast<std::size_t>(size_));
    const std::int64_t my_size = static_cast<std::int64_t>(mine.size());
    Check(MPI_Allgather(&my_size, 1, MPI_INT64_T, sizes.data(), 1, MPI_INT64_T, comm_), "MPI_Allgather(sizes)");
    std::int64_t total = 0;
    for (std::int64_t s : sizes) total += s;
    if (total > static_cast<std::int64_t>(kMaxGatherBytes)) {
      spdlog::critical("prep: a gather of {} bytes exceeds the {} byte limit (a bug); aborting the job", total,
                       kMaxGatherBytes);
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
    std::vector<int> counts(sizes.size()), displs(sizes.size());
    int offset = 0;
    for (std::size_t r = 0; r < sizes.size(); ++r) {
      counts[r] = static_cast<int>(sizes[r]);
      displs[r] = offset;
      offset += counts[r];
    }
    const bool receives = root < 0 || root == rank_;
    std::string buffer(receives ? static_cast<std::size_t>(total) : 0, '\0');
    if (root < 0) {
      Check(MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), MPI_BYTE, buffer.data(), counts.data(),
                           displs.data(), MPI_BYTE, comm_),
            "MPI_Allgatherv");
    } else {
      Check(MPI_Gatherv(mine.data(), static_cast<int>(mine.size()), MPI_BYTE, buffer.data(), counts.data(),
                        displs.data(), MPI_BYTE, root, comm_),
            "MPI_Gatherv");
    }
    all->clear();
    if (!receives) return;
    for (std::size_t r = 0; r < sizes.size(); ++r)
      all->emplace_back(buffer.data() + displs[r], static_cast<std::size_t>(counts[r]));
  }

  void Broadcast(std::string* bytes, int root) override {
    std::int64_t n = static_cast<std::int64_t>(bytes->size());
    Check(MPI_Bcast(&n, 1, MPI_INT64_T, root, comm_), "MPI_Bcast(size)");
    bytes->resize(static_cast<std::size_t>(n));
    // Callers broadcast names and messages; far below the int limit.
    Check(MPI_Bcast(bytes->data(), static_cast<int>(n), MPI_BYTE, root, comm_), "MPI_Bcast");
  }

  void Barrier() override { Check(MPI_Barrier(comm_), "MPI_Barrier"); }

 private:
  void Allreduce(std::vector<std::int64_t>* v, MPI_Op op, const char* what) {
    Check(MPI_Allreduce(MPI_IN_PLACE, v->data(), static_cast<int>(v->size()), MPI_INT64_T, op, comm_), what);
  }

  void Check(int rc, const char* what) const {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    spdlog::critical("prep: {} failed on rank {}: {}; aborting the job", what, rank_,
                     std::string(text, static_cast<std::size_t>(len)));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
};

}  // namespace

std::unique_ptr<PrepComm> MakeLocalComm() { return std::make_unique<LocalComm>(); }
std::unique_ptr<PrepComm> MakeMpiComm() { return std::make_unique<MpiComm>(); }

Status SyncStatus(PrepComm& comm, const Status& local) {
  if (comm.size() == 1) return local;
  // max(-rank) over failing ranks = -(lowest failing rank).
  const std::int64_t none = std::numeric_limits<std::int64_t>::min();
  std::vector<std::int64_t> v{local.ok() ? none : -static_cast<std::int64_t>(comm.rank())};
  comm.AllreduceMax(&v);
  if (v[0] == none) return Status::Ok();
  const int root = static_cast<int>(-v[0]);
  std::string bytes;
  if (comm.rank() == root) {
    ByteWriter w;
    w.Int(static_cast<std::int64_t>(local.code()));
    w.Str(local.message());
    bytes = std::move(w.bytes());
  }
  comm.Broadcast(&bytes, root);
  ByteReader r(bytes);
  const auto code = static_cast<Status::Code>(r.Int());
  const std::string message(r.Str());
  return Status::Make(code == Status::Code::kOk ? Status::Code::kInternal : code, message);
}

std::size_t GatherChunkBytes(const PrepComm& comm) {
  return std::max<std::size_t>(std::size_t{1} << 20, PrepComm::kMaxGatherBytes / static_cast<std::size_t>(comm.size()));
}

void GatherInRounds(PrepComm& comm, const std::vector<std::string>& my_chunks, int root,
                    const std::function<void(int rank, std::string_view chunk)>& fn) {
  std::vector<std::int64_t> rounds{static_cast<std::int64_t>(my_chunks.size())};
  comm.AllreduceMax(&rounds);
  std::vector<std::string> got;
  for (std::int64_t i = 0; i < rounds[0]; ++i) {
    const std::string_view mine =
        i < static_cast<std::int64_t>(my_chunks.size()) ? std::string_view(my_chunks[static_cast<std::size_t>(i)])
                                                       : std::string_view();
    comm.Gather(mine, root, &got);
    for (std::size_t r = 0; r < got.size(); ++r)
      if (!got[r].empty()) fn(static_cast<int>(r), got[r]);
  }
}

std::vector<std::string> AllgatherBytes(PrepComm& comm, const std::string& mine) {
  const std::size_t chunk = GatherChunkBytes(comm);
  std::vector<std::string> chunks;
  for (std::size_t at = 0; at < mine.size(); at += chunk) chunks.push_back(mine.substr(at, chunk));
  std::vector<std::string> all(static_cast<std::size_t>(comm.size()));
  GatherInRounds(comm, chunks, -1, [&](int r, std::string_view c) { all[static_cast<std::size_t>(r)].append(c); });
  return all;
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
