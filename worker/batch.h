// Batch: one worker mini-batch, from sampled training examples to the rows it needs.
//
// Contract: a batch holds
// - groups: one per kept centre position that has at least one context. Group g trains
//   the pairs (contexts[ctx_begin..ctx_end), centre) in word2vec.c order; pair j of the
//   group uses the `negative` slots negatives[neg_begin + j*negative ...].
// - after BatchBuilder::Fill, every item reference (contexts, centres, negatives) is a
//   *slot*: a row index into `rows`. Slots are laid out server by server, and within a
//   server first the input keys then the output keys, each ascending: exactly the order
//   of that server's reply, so replies land in `rows` without a copy.
// - request[s]: the key list sent to server s (ps/protocol.h KeyListHeader + keys),
//   reused unchanged for the push.
// - With the hot-row cache (--hot-rows H, worker/hot_rows.h) ids < H are in no key list:
//   they get the local slots [total_rows, LocalRows()), first the input ids of hot_in,
//   then the output ids of hot_out (each ascending). HotRowCache::Load copies their rows
//   from the cache there before training and Store copies them back after; pulls, pushes,
//   what the deltas are taken against and CarryDeltas only ever touch the first total_rows slots.
// - With side information the input keys also hold, for each input item that has any, its
//   attribute-value keys and its weight key (common/side_layout.h), and side_items maps them.
// Buffers only grow; a batch is reused for the whole run, so the steady state allocates
// nothing. Thread-safety: a plain value, not thread-safe; the worker thread fills, trains
// and pushes it; an in-flight pull or push only lets the Transport write/read its buffers.
#pragma once

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "common/huge_pages.h"
#include "common/transport.h"
#include "common/types.h"
#include "ps/protocol.h"

namespace item2vec {

struct Group {
  std::uint32_t centre;     // output slot of the centre item
  std::uint32_t ctx_begin;  // range in Batch::contexts (input slots)
  std::uint32_t ctx_end;
  std::uint32_t neg_begin;  // start in Batch::negatives (output slots)
  float alpha;              // learning rate for this group
};

struct Batch {
  std::uint64_t id = 0;
  std::vector<Group> groups;
  std::vector<std::uint32_t> contexts;
  std::vector<std::uint32_t> negatives;

  // Per server: [KeyListHeader][in keys][out keys] as uint32 words; and the first slot.
  std::vector<std::vector<std::uint32_t>> request;
  std::vector<std::size_t> first_slot;
  std::size_t total_rows = 0;   // slots pulled from (and pushed to) the servers
  std::vector<ItemId> hot_in, hot_out;  // cached ids (< H), in their local-slot order
  // 2 MiB pages where offered (common/huge_pages.h): the kernel reads these rows at random slots.
  // Pulled rows (then the hot block), trained in place; PsClient::StartPush turns them into
  // their deltas, except in bf16 with stochastic rounding, where it only reads them.
  HugePageVector<float> rows;
  // What the deltas are taken against, slot by slot (the first total_rows slots; sized by
  // PsClient::StartPull). fp32, fp16, bf16 with error feedback: `original`, the rows as pulled
  // plus what CarryDeltas added. bf16 with stochastic rounding: the pulled bf16 values
  // themselves (`pulled`, half the bytes, no copy), except for the slots CarryDeltas changed:
  // carried_index[slot] >= 0 names their row of `carried_original`.
  HugePageVector<float> original;
  std::vector<std::uint16_t> pulled;
  std::vector<std::int32_t> carried_index;
  HugePageVector<float> carried_original;
  std::size_t carried_rows = 0;
  std::vector<std::uint32_t> versions;  // per slot: the server's version of the row pulled

  // EGES (--side-info, worker/side_batch.h): each input item of the batch that has side
  // information, with the slots of its id row and weight row, and where its values' slots
  // start in side_value_slots (in common/side_layout.h's Values() order). The value and
  // weight rows are ordinary input slots of the key lists (keys >= V).
  struct SideItem {
    ItemId item;
    std::uint32_t id_slot, weight_slot, values_begin;
  };
  std::vector<SideItem> side_items;
  std::vector<std::uint32_t> side_value_slots;

  // In-flight operations with the server index they talk to (for error messages).
  std::vector<std::pair<Transport::Handle, int>> pull_handles, push_handles;

  // Accounting for this batch.
  std::int64_t raw_tokens = 0;  // all tokens read
  std::int64_t words = 0;       // in-vocabulary tokens
  std::int64_t pairs = 0;       // positive pairs
  std::int64_t capped_sets = 0; // set mode: lines longer than --max-set-size
  int epoch = 0;                // epoch of the first sentence

  std::size_t LocalRows() const { return total_rows + hot_in.size() + hot_out.size(); }
  // The key list of server s, read through its wire header (ps/protocol.h).
  protocol::KeyListHeader Header(int server) const {
    protocol::KeyListHeader h;
    std::memcpy(&h, request[static_cast<std::size_t>(server)].data(), sizeof h);
    return h;
  }
  std::uint32_t NumIn(int server) const { return Header(server).n_in; }
  std::uint32_t NumOut(int server) const { return Header(server).n_out; }
  const std::uint32_t* InKeys(int server) const {
    return request[static_cast<std::size_t>(server)].data() + protocol::kHeaderWords;
  }
  const std::uint32_t* OutKeys(int server) const { return InKeys(server) + NumIn(server); }
  // Calls f(s, key list of s, first slot of s, rows of s) for each server s of `servers` that
  // this batch has rows on, in server order.
  template <class F>
  void ForEachServerWithRows(int servers, F&& f) const {
    for (int s = 0; s < servers; ++s) {
      const std::size_t n = NumIn(s) + NumOut(s);
      if (n == 0) continue;
      f(s, request[static_cast<std::size_t>(s)], first_slot[static_cast<std::size_t>(s)], n);
    }
  }
};

}  // namespace item2vec
