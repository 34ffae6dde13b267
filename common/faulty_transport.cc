#include "common/faulty_transport.h"

#include <csignal>
#include <stdexcept>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

namespace item2vec {

Result<FaultSpec> ParseFaultSpec(const std::string& text) {
  FaultSpec spec;
  if (text.empty()) return spec;
  const auto a = text.find(':');
  const auto b = a == std::string::npos ? a : text.find(':', a + 1);
  if (b == std::string::npos)
    return Status::InvalidArgument("--debug-fault expects RANK:kill|hang|drop|throw:AFTER_SENDS, got '" + text + "'");
  const std::string kind = text.substr(a + 1, b - a - 1);
  try {
    spec.rank = std::stoi(text.substr(0, a));
    spec.after_sends = std::stoll(text.substr(b + 1));
  } catch (const std::exception&) {
    return Status::InvalidArgument("--debug-fault: RANK and AFTER_SENDS must be integers in '" + text + "'");
  }
  if (kind == "kill") spec.kind = FaultSpec::Kind::kKill;
  else if (kind == "hang") spec.kind = FaultSpec::Kind::kHang;
  else if (kind == "drop") spec.kind = FaultSpec::Kind::kDrop;
  else if (kind == "throw") spec.kind = FaultSpec::Kind::kThrow;
  else return Status::InvalidArgument("--debug-fault kind must be kill, hang, drop or throw, got '" + kind + "'");
  return spec;
}

Transport::Handle FaultyTransport::Isend(int dest, int tag, const void* data, std::size_t bytes) {
  if (spec_.kind != FaultSpec::Kind::kNone && rank() == spec_.rank && ++sends_ > spec_.after_sends) {
    switch (spec_.kind) {
      case FaultSpec::Kind::kKill:
        spdlog::warn("--debug-fault: killing this rank with SIGKILL");
        spdlog::default_logger()->flush();
        std::raise(SIGKILL);
        break;
      case FaultSpec::Kind::kHang:
        spdlog::warn("--debug-fault: this rank hangs now");
        spdlog::default_logger()->flush();
        while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
      case FaultSpec::Kind::kDrop:
        return kDropped;
      case FaultSpec::Kind::kThrow:
        throw std::runtime_error("--debug-fault: rank " + std::to_string(rank()) + " throws after " +
                                 std::to_string(spec_.after_sends) + " sends");
      case FaultSpec::Kind::kNone:
        break;
    }
  }
  return inner_->Isend(dest, tag, data, bytes);
}

}  // namespace item2vec
