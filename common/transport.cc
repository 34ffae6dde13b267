#include "common/transport.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

namespace item2vec {

void Backoff::Pause() {
  if (spins_ < 64) {
    ++spins_;
    return;
  }
  std::this_thread::sleep_for(std::chrono::microseconds(sleep_us_));
  if (sleep_us_ < Transport::kMaxSleepMicros) sleep_us_ *= 2;
}

Status Transport::ReceiveWithin(const Envelope& envelope, void* buffer, double timeout_seconds,
                                const std::string& what) {
  return Wait(Irecv(envelope.source, envelope.tag, buffer, envelope.bytes), timeout_seconds, what);
}

Status Transport::Gather(std::string_view mine, int root, std::vector<std::string>* all) {
  all->clear();
  std::size_t total = 0;
  for (int r = 0; r < size(); ++r) {
    std::string bytes = r == rank() ? std::string(mine) : std::string();
    ITEM2VEC_RETURN_IF_ERROR(Broadcast(&bytes, r));
    total += bytes.size();
    if (root < 0 || root == rank()) all->push_back(std::move(bytes));
  }
  if (total > kMaxGatherBytes) {
    all->clear();
    return Status::InvalidArgument("a gather of " + std::to_string(total) + " bytes exceeds the limit of " +
                                   std::to_string(kMaxGatherBytes));
  }
  return Status::Ok();
}

Status Transport::AllreduceInt64(std::vector<std::int64_t>* values, Reduce op) {
  const std::string_view mine(reinterpret_cast<const char*>(values->data()), values->size() * sizeof(std::int64_t));
  std::vector<std::string> all;
  ITEM2VEC_RETURN_IF_ERROR(Gather(mine, -1, &all));
  for (std::size_t r = 0; r < all.size(); ++r) {
    if (all[r].size() != mine.size())
      return Status::Internal("allreduce: rank " + std::to_string(r) + " passed " +
                              std::to_string(all[r].size() / sizeof(std::int64_t)) + " values, this rank " +
                              std::to_string(values->size()));
  }
  for (std::size_t i = 0; i < values->size(); ++i) {
    std::int64_t acc = 0;
    for (std::size_t r = 0; r < all.size(); ++r) {
      std::int64_t v = 0;
      std::memcpy(&v, all[r].data() + i * sizeof(v), sizeof(v));
      acc = r == 0 ? v : op == Reduce::kSum ? acc + v : std::max(acc, v);
    }
    (*values)[i] = acc;
  }
  return Status::Ok();
}

}  // namespace item2vec
