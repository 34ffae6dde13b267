#include "common/shared_work.h"

#include <spdlog/spdlog.h>

namespace item2vec {

int SharedWork::Start(int size, const std::string& command) {
  if (size <= 1) return 0;
  mpi_ = std::make_unique<MpiSession>(nullptr, nullptr);
  transport_ = std::make_unique<MpiTransport>();
  comm_ = CollectiveComm(transport_.get());
  if (comm_.rank() == 0) spdlog::info("{} on {} MPI ranks", command, comm_.size());
  return comm_.rank();
}

void SharedWork::Abort(int code) {
  if (transport_ != nullptr) transport_->Abort(code);
}

}  // namespace item2vec
