// FaultyTransport: a Transport decorator that breaks on purpose, for failure tests.
//
// Contract: forwards every call to the wrapped transport until this rank has sent
// `after_sends` messages, then applies the fault on every later send:
//   kKill  - the process kills itself with SIGKILL (a crashed node);
//   kHang  - the process stops making progress: it sleeps forever inside Isend (a hung
//            node that still holds its sockets), so peers must detect it by deadline;
//   kDrop  - the message is silently dropped and reported as sent (a lossy link), so the
//            peer waiting for it must time out;
//   kThrow - Isend throws std::runtime_error (a bug): what the command's catch-all
//            (common/command.h) must turn into a message and exit code 1 on every rank.
// Selected with the hidden option --debug-fault=RANK:KIND:AFTER_SENDS. Never used
// otherwise; the extra virtual hop is per message, not per item.
#pragma once

#include <cstdlib>
#include <memory>
#include <string>

#include "common/transport.h"

namespace item2vec {

struct FaultSpec {
  enum class Kind { kNone, kKill, kHang, kDrop, kThrow };
  int rank = -1;
  Kind kind = Kind::kNone;
  long long after_sends = 0;
};

// Parses "RANK:kill|hang|drop|throw:AFTER_SENDS"; empty text = no fault.
Result<FaultSpec> ParseFaultSpec(const std::string& text);

class FaultyTransport final : public Transport {
 public:
  FaultyTransport(std::unique_ptr<Transport> inner, FaultSpec spec) : inner_(std::move(inner)), spec_(spec) {}

  int rank() const override { return inner_->rank(); }
  int size() const override { return inner_->size(); }
  std::string HostOf(int r) const override { return inner_->HostOf(r); }
  Handle Isend(int dest, int tag, const void* data, std::size_t bytes) override;
  Handle Irecv(int source, int tag, void* data, std::size_t bytes) override {
    return inner_->Irecv(source, tag, data, bytes);
  }
  bool Test(Handle h) override { return h == kDropped || inner_->Test(h); }
  Status Wait(Handle h, double timeout, const std::string& what) override {
    return h == kDropped ? Status::Ok() : inner_->Wait(h, timeout, what);
  }
  bool Probe(int source, int tag, Envelope* e) override { return inner_->Probe(source, tag, e); }
  Status Receive(const Envelope& e, void* buffer) override { return inner_->Receive(e, buffer); }
  Status Broadcast(std::string* bytes, int root) override { return inner_->Broadcast(bytes, root); }
  Status AllreduceSum(std::vector<double>* values) override { return inner_->AllreduceSum(values); }
  Status Barrier() override { return inner_->Barrier(); }
  Status AllreduceInt64(std::vector<std::int64_t>* values, Reduce op) override {
    return inner_->AllreduceInt64(values, op);
  }
  Status Gather(std::string_view mine, int root, std::vector<std::string>* all) override {
    return inner_->Gather(mine, root, all);
  }
  Status NodeSum(double* value, int* node_rank) override { return inner_->NodeSum(value, node_rank); }
  [[noreturn]] void Abort(int exit_code) override {
    inner_->Abort(exit_code);
    std::abort();  // not reached
  }

 private:
  static constexpr Handle kDropped = -2;
  std::unique_ptr<Transport> inner_;
  FaultSpec spec_;
  long long sends_ = 0;
};

}  // namespace item2vec
