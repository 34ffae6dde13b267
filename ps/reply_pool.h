// ReplyPool: the send buffers of a server's replies, kept alive until their sends complete.
//
// Contract: Acquire(floats) hands out a buffer of that many floats that no send in flight
// uses (a completed one is reused, else a new one is added); Send() sends the first `bytes` of
// the buffer last acquired (all of it by default) and keeps it busy until the Transport reports
// the send done. DrainAll waits for every send in flight (deadline `timeout` each). Buffers
// only grow, so a server in its steady state allocates nothing. Borrows the Transport. Not
// thread-safe: the server's one thread uses it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <vector>

#include "common/status.h"
#include "common/transport.h"

namespace item2vec {

class ReplyPool {
 public:
  explicit ReplyPool(Transport& t) : t_(t) {}
  std::vector<float>& Acquire(std::size_t floats) {
    for (Slot& s : slots_) {
      if (s.busy && t_.Test(s.handle)) s.busy = false;
      if (!s.busy) return Use(&s, floats);
    }
    slots_.emplace_back();
    return Use(&slots_.back(), floats);
  }
  void Send(int dest, int tag, std::size_t bytes = ~std::size_t{0}) {
    current_->handle = t_.Isend(dest, tag, current_->data.data(), std::min(bytes, current_->data.size() * sizeof(float)));
  }
  Status DrainAll(double timeout) {
    for (Slot& s : slots_)
      if (s.busy) {
        ITEM2VEC_RETURN_IF_ERROR(t_.Wait(s.handle, timeout, "server reply send"));
        s.busy = false;
      }
    return Status::Ok();
  }

 private:
  struct Slot {
    std::vector<float> data;
    Transport::Handle handle = -1;
    bool busy = false;
  };
  std::vector<float>& Use(Slot* s, std::size_t floats) {
    s->data.resize(floats);
    s->busy = true;
    current_ = s;
    return s->data;
  }
  Transport& t_;
  std::deque<Slot> slots_;  // deque: pointers stay valid as it grows
  Slot* current_ = nullptr;
};

}  // namespace item2vec
