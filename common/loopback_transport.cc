#include "common/loopback_transport.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <list>
#include <mutex>

namespace item2vec {
namespace {

struct Message {
  int source = 0;
  int tag = 0;
  std::vector<char> bytes;
};

struct Request {
  bool done = false;
  bool in_use = false;
  int peer = Transport::kAnySource;
  Status error;
};

struct PostedReceive {
  int source = 0;
  int tag = 0;
  void* data = nullptr;
  std::size_t bytes = 0;
  int rank = 0;  // the receiving rank (whose requests `handle` indexes)
  Transport::Handle handle = -1;
};

bool Matches(int want_source, int want_tag, int source, int tag) {
  return (want_source == Transport::kAnySource || want_source == source) &&
         (want_tag == Transport::kAnyTag || want_tag == tag);
}

}  // namespace

struct LoopbackHub::State {
  struct Mailbox {
    std::deque<Message> queue;        // arrived, not yet received (arrival order)
    std::list<PostedReceive> posted;  // receives waiting for a message (posting order)
    std::deque<Message> collective;   // the collectives' channel
    std::vector<Request> requests;    // by handle
    std::vector<Transport::Handle> free;
  };
  explicit State(int n) : boxes(static_cast<std::size_t>(n)) {}
  std::mutex mu;
  std::vector<Mailbox> boxes;

  // REQUIRES: mu held.
  Transport::Handle NewRequest(int rank, int peer) {
    Mailbox& box = boxes[static_cast<std::size_t>(rank)];
    Transport::Handle h;
    if (!box.free.empty()) {
      h = box.free.back();
      box.free.pop_back();
    } else {
      h = static_cast<Transport::Handle>(box.requests.size());
      box.requests.emplace_back();
    }
    box.requests[static_cast<std::size_t>(h)] = Request{false, true, peer, Status::Ok()};
    return h;
  }
  // REQUIRES: mu held. Copies `m` into the posted receive and completes it.
  void Fill(const PostedReceive& p, const Message& m) {
    Request& r = boxes[static_cast<std::size_t>(p.rank)].requests[static_cast<std::size_t>(p.handle)];
    if (m.bytes.size() > p.bytes) {
      r.error = Status::Internal("message of " + std::to_string(m.bytes.size()) + " bytes from rank " +
                                 std::to_string(m.source) + " (tag " + std::to_string(m.tag) +
                                 ") truncated to the " + std::to_string(p.bytes) + " bytes posted");
    } else if (!m.bytes.empty()) {
      std::memcpy(p.data, m.bytes.data(), m.bytes.size());
    }
    r.done = true;
  }
};

namespace {

using Clock = std::chrono::steady_clock;

class LoopbackTransport final : public Transport {
 public:
  LoopbackTransport(LoopbackHub::State* hub, int rank) : hub_(hub), rank_(rank) {}

  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(hub_->boxes.size()); }

  Handle Isend(int dest, int tag, const void* data, std::size_t bytes) override {
    Message m{rank_, tag, std::vector<char>(static_cast<const char*>(data), static_cast<const char*>(data) + bytes)};
    std::lock_guard<std::mutex> lock(hub_->mu);
    Deliver(dest, std::move(m));
    const Handle h = hub_->NewRequest(rank_, dest);
    Box().requests[static_cast<std::size_t>(h)].done = true;
    return h;
  }

  Handle Irecv(int source, int tag, void* data, std::size_t bytes) override {
    std::lock_guard<std::mutex> lock(hub_->mu);
    const Handle h = hub_->NewRequest(rank_, source);
    const PostedReceive p{source, tag, data, bytes, rank_, h};
    auto& queue = Box().queue;
    for (auto it = queue.begin(); it != queue.end(); ++it) {
      if (!Matches(source, tag, it->source, it->tag)) continue;
      hub_->Fill(p, *it);
      queue.erase(it);
      return h;
    }
    Box().posted.push_back(p);
    return h;
  }

  bool Test(Handle handle) override {
    std::lock_guard<std::mutex> lock(hub_->mu);
    Request& r = Box().requests[static_cast<std::size_t>(handle)];
    if (!r.done || !r.error.ok()) return false;  // an error surfaces in Wait()
    Release(handle);
    return true;
  }

  Status Wait(Handle handle, double timeout_seconds, const std::string& what) override {
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(timeout_seconds));
    Backoff backoff;
    while (true) {
      {
        std::lock_guard<std::mutex> lock(hub_->mu);
        Request& r = Box().requests[static_cast<std::size_t>(handle)];
        if (r.done) {
          Status st = r.error.ok() ? Status::Ok() : Status::Internal(what + ": " + r.error.message());
          Release(handle);
          return st;
        }
        if (Clock::now() > deadline)
          return Status::Timeout(what + ": no answer within " + std::to_string(static_cast<int>(timeout_seconds)) +
                                 " s from rank " + std::to_string(r.peer) + " (loopback)");
      }
      backoff.Pause();
    }
  }

  bool Probe(int source, int tag, Envelope* envelope) override {
    std::lock_guard<std::mutex> lock(hub_->mu);
    for (const Message& m : Box().queue) {
      if (!Matches(source, tag, m.source, m.tag)) continue;
      *envelope = Envelope{m.source, m.tag, m.bytes.size()};
      return true;
    }
    return false;
  }

  Status Receive(const Envelope& envelope, void* buffer) override {
    std::lock_guard<std::mutex> lock(hub_->mu);
    auto& queue = Box().queue;
    for (auto it = queue.begin(); it != queue.end(); ++it) {
      if (it->source != envelope.source || it->tag != envelope.tag) continue;
      if (it->bytes.size() != envelope.bytes)
        return Status::Internal("receive from rank " + std::to_string(envelope.source) + ": size changed");
      if (!it->bytes.empty()) std::memcpy(buffer, it->bytes.data(), it->bytes.size());
      queue.erase(it);
      return Status::Ok();
    }
    return Status::Internal("receive from rank " + std::to_string(envelope.source) + ": no such message");
  }

  Status Broadcast(std::string* bytes, int root) override {
    if (rank_ == root) {
      for (int r = 0; r < size(); ++r)
        if (r != rank_) SendCollective(r, *bytes);
      return Status::Ok();
    }
    return ReceiveCollective(root, bytes);
  }

  // Sums in rank order on rank 0, then broadcasts: every rank gets the same bits.
  Status AllreduceSum(std::vector<double>* values) override {
    const std::size_t bytes = values->size() * sizeof(double);
    std::string mine(reinterpret_cast<const char*>(values->data()), bytes);
    if (rank_ != 0) {
      SendCollective(0, mine);
    } else {
      std::vector<double> sum(*values);
      for (int r = 1; r < size(); ++r) {
        std::string theirs;
        ITEM2VEC_RETURN_IF_ERROR(ReceiveCollective(r, &theirs));
        if (theirs.size() != bytes) return Status::Internal("allreduce: rank " + std::to_string(r) + " sent another size");
        for (std::size_t i = 0; i < sum.size(); ++i) {
          double v;
          std::memcpy(&v, theirs.data() + i * sizeof v, sizeof v);
          sum[i] += v;
        }
      }
      mine.assign(reinterpret_cast<const char*>(sum.data()), bytes);
    }
    ITEM2VEC_RETURN_IF_ERROR(Broadcast(&mine, 0));
    if (mine.size() != bytes) return Status::Internal("allreduce: the result has another size");
    if (bytes > 0) std::memcpy(values->data(), mine.data(), bytes);
    return Status::Ok();
  }

  Status Barrier() override {
    std::vector<double> none;
    return AllreduceSum(&none);
  }

  Status NodeSum(double* value, int* node_rank) override {
    *node_rank = rank_;
    std::vector<double> v{*value};
    ITEM2VEC_RETURN_IF_ERROR(AllreduceSum(&v));
    *value = v[0];
    return Status::Ok();
  }

  [[noreturn]] void Abort(int exit_code) override { std::_Exit(exit_code); }

 private:
  LoopbackHub::State::Mailbox& Box() { return hub_->boxes[static_cast<std::size_t>(rank_)]; }

  // REQUIRES: mu held.
  void Release(Handle handle) {
    Box().requests[static_cast<std::size_t>(handle)].in_use = false;
    Box().free.push_back(handle);
  }

  // REQUIRES: mu held. The first matching posted receive takes it, else the queue.
  void Deliver(int dest, Message m) {
    auto& box = hub_->boxes[static_cast<std::size_t>(dest)];
    for (auto it = box.posted.begin(); it != box.posted.end(); ++it) {
      if (!Matches(it->source, it->tag, m.source, m.tag)) continue;
      hub_->Fill(*it, m);
      box.posted.erase(it);
      return;
    }
    box.queue.push_back(std::move(m));
  }

  void SendCollective(int dest, const std::string& bytes) {
    std::lock_guard<std::mutex> lock(hub_->mu);
    hub_->boxes[static_cast<std::size_t>(dest)].collective.push_back(
        Message{rank_, 0, std::vector<char>(bytes.begin(), bytes.end())});
  }

  Status ReceiveCollective(int source, std::string* bytes) {
    const auto deadline = Clock::now() + std::chrono::seconds(static_cast<int>(kCollectiveTimeoutSeconds));
    Backoff backoff;
    while (true) {
      {
        std::lock_guard<std::mutex> lock(hub_->mu);
        auto& channel = Box().collective;
        for (auto it = channel.begin(); it != channel.end(); ++it) {
          if (it->source != source) continue;
          bytes->assign(it->bytes.begin(), it->bytes.end());
          channel.erase(it);
          return Status::Ok();
        }
      }
      if (Clock::now() > deadline)
        return Status::Timeout("collective: nothing from rank " + std::to_string(source) + " within " +
                               std::to_string(static_cast<int>(kCollectiveTimeoutSeconds)) + " s (loopback)");
      backoff.Pause();
    }
  }

  LoopbackHub::State* hub_;
  int rank_;
};

}  // namespace

LoopbackHub::LoopbackHub(int ranks) : state_(std::make_unique<State>(ranks)) {}
LoopbackHub::~LoopbackHub() = default;
int LoopbackHub::ranks() const { return static_cast<int>(state_->boxes.size()); }
std::unique_ptr<Transport> LoopbackHub::Endpoint(int rank) {
  return std::make_unique<LoopbackTransport>(state_.get(), rank);
}

}  // namespace item2vec
