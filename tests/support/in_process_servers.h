// InProcessServers: a Transport that plays the parameter servers inside a unit test. Each server
// is the real request handler (ps/request_handler.h) over its ShardStore; pulls are answered at
// once into the receives posted before them, pushes applied when their versions arrive
// (ps/protocol.h). For tests of the worker's client side (PsClient, the hot-row cache) against
// the servers' real code without MPI. Test-only; not thread-safe.
#pragma once

#include <cstddef>
#include <cstring>
#include <deque>
#include <map>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/transport.h"
#include "common/wire_codec.h"
#include "ps/protocol.h"
#include "ps/request_handler.h"
#include "ps/shard_store.h"

namespace item2vec::testing {

class InProcessServers : public Transport {
 public:
  InProcessServers(int workers, std::size_t vocab, std::vector<ShardStore>* stores,
                   WirePrecision wire = WirePrecision::kFp32)
      : workers_(workers), stores_(stores), stats_(stores->size()), wire_(wire) {
    for (std::size_t s = 0; s < stores->size(); ++s)
      handlers_.emplace_back(&(*stores)[s], workers, vocab, &stats_[s], wire);
  }
  int rank() const override { return 0; }
  int size() const override { return workers_ + static_cast<int>(stores_->size()); }
  Handle Isend(int dest, int tag, const void* data, std::size_t bytes) override {
    RequestHandler& server = handlers_[static_cast<std::size_t>(dest - workers_)];
    const auto* begin = static_cast<const char*>(data);
    if (tag == protocol::kPull) {
      KeyList keys;
      const Status st = server.ParseKeyList(data, bytes, rank(), &keys);
      EXPECT_TRUE(st.ok()) << st.ToString();
      Posted rows = Take(dest, protocol::kPullReply), versions = Take(dest, protocol::kPullVersions);
      EXPECT_EQ(rows.bytes, server.ReplyWireBytes(keys));
      EXPECT_EQ(versions.bytes, server.ReplyWords(keys) * sizeof(std::uint32_t));
      if (st.ok() && rows.bytes == server.ReplyWireBytes(keys) &&
          versions.bytes == server.ReplyWords(keys) * sizeof(std::uint32_t)) {
        server.ServeEncodedRows(keys, rows.data);
        server.ServeVersions(keys, static_cast<std::uint32_t*>(versions.data));
      }
    } else if (tag == protocol::kPush) {
      push_keys_.assign(begin, begin + bytes);
    } else if (tag == protocol::kPushRows) {
      push_rows_.assign(begin, begin + bytes);
    } else if (tag == protocol::kPushVersions) {
      KeyList keys;
      Status st = server.ParseKeyList(push_keys_.data(), push_keys_.size(), rank(), &keys);
      if (st.ok()) st = server.ApplyPush(keys, rank(), push_rows_.data(), push_rows_.size(), data, bytes);
      EXPECT_TRUE(st.ok()) << st.ToString();
      ++pushes_;
    }
    return next_handle_++;
  }
  Handle Irecv(int source, int tag, void* data, std::size_t bytes) override {
    posted_[{source, tag}].push_back(Posted{data, bytes});
    return next_handle_++;
  }
  bool Test(Handle) override { return true; }
  Status Wait(Handle, double, const std::string&) override { return Status::Ok(); }
  bool Probe(int, int, Envelope*) override { return false; }
  Status Receive(const Envelope&, void*) override { return Status::Ok(); }
  Status Broadcast(std::string*, int) override { return Status::Ok(); }
  Status AllreduceSum(std::vector<double>*) override { return Status::Ok(); }
  Status Barrier() override { return Status::Ok(); }
  Status NodeSum(double*, int* node_rank) override {
    *node_rank = 0;
    return Status::Ok();
  }
  [[noreturn]] void Abort(int) override { std::abort(); }
  int pushes() const { return pushes_; }

 private:
  struct Posted {
    void* data = nullptr;
    std::size_t bytes = 0;
  };
  Posted Take(int source, int tag) {
    auto& q = posted_[{source, tag}];
    EXPECT_FALSE(q.empty()) << "no receive posted for tag " << tag;
    if (q.empty()) return Posted{};
    Posted p = q.front();
    q.pop_front();
    return p;
  }
  int workers_;
  std::vector<ShardStore>* stores_;
  std::vector<ServerStats> stats_;
  std::vector<RequestHandler> handlers_;
  std::map<std::pair<int, int>, std::deque<Posted>> posted_;
  std::vector<char> push_keys_, push_rows_;
  WirePrecision wire_;
  Handle next_handle_ = 1;
  int pushes_ = 0;
};

}  // namespace item2vec::testing
