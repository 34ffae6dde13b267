#include "job/memory_plan.h"

#include "job/node_tables.h"

#include "common/wire_codec.h"
#include "worker/hot_rows.h"
#include "worker/push_residual.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace item2vec {

MemoryPlan EstimateMemory(const Vocabulary& vocab, const TrainOptions& o, int num_servers, int num_workers,
                          std::size_t server_keys, int workers_per_node) {
  MemoryPlan p;
  const double V = static_cast<double>(vocab.size());
  const double d = o.dim;
  p.vocabulary_bytes = static_cast<double>(TablesBytes(vocab.summary()));
  p.workers_per_node = std::max(1, workers_per_node);
  // Rows of one batch: its distinct input items and centres (at most the tokens each) plus
  // its negatives (the pool, or up to window * negative per token), never more than V each.
  const double tokens = static_cast<double>(o.batch_tokens);
  const double negatives = o.negative_pool > 0 ? static_cast<double>(o.negative_pool) : tokens * (o.MaxContexts() / 2) * o.negative;
  p.batch_rows = std::min(V, tokens) + std::min(V, tokens + negatives);
  // Per slot of a batch (worker/batch.h): its float row and the server's version, and what its
  // delta is taken against. bf16 (stochastic rounding, PsClient::PushReadsRows): the pulled
  // bf16 row and a carried index, plus at worst a float carried_original row. fp32, fp16, int8:
  // a float original (int8 too).
  const bool bf16 = o.Wire() == WirePrecision::kBf16;
  const double slot_bytes = d * 4 + 4 + (bf16 ? d * 2 + 4 + d * 4 : d * 4);
  const double batch_bytes = p.batch_rows * slot_bytes;
  // Servers hold two batches' messages per worker: keys and versions (8 bytes) and the rows on the wire.
  const double wire_batch_bytes = p.batch_rows * (8 + static_cast<double>(WireRowBytes(PushWire(o.Wire()), static_cast<std::size_t>(d))));
  const double keys = server_keys > 0 ? static_cast<double>(server_keys) : V;
  const double rows_per_server = std::ceil(keys / num_servers);
  // Both matrices' values (4 bytes, 2 with --server-precision bf16) and their versions.
  const double value_bytes = static_cast<double>(WireBytesPerValue(o.ServerPrecision()));
  p.model_bytes = std::ceil(rows_per_server) * (2 * d * value_bytes + 2 * 4);
  // Every rank: the process itself, its libraries and Open MPI's buffers (about 20 MiB
  // measured for a rank of a tiny job).
  constexpr double kRankBaselineBytes = 24.0 * 1048576.0;
  // Servers hold no names (job/vocabulary_share.h).
  p.server_bytes = kRankBaselineBytes + p.model_bytes +
                   2.0 * num_workers * (wire_batch_bytes / num_servers);
  // --hot-rows: both matrices' rows of H items, three copies (current, base, staging).
  const double hot_bytes = 3.0 * 2.0 * static_cast<double>(HotRowCount(o, vocab.size())) * d * 4;
  // --wire-precision bf16/fp16: a batch of staged push messages; fp16 also its push residuals
  // (worker/push_residual.h; bf16 rounds stochastically and keeps none).
  const double residual_bytes =
      (o.Wire() == WirePrecision::kFp32 ? 0.0 : wire_batch_bytes) +
      (o.Wire() == WirePrecision::kFp16
           ? static_cast<double>(PushResidual::CapacityFor(vocab.size(), PushResidual::kDefaultMaxRows)) * (d * 4 + 8)
           : 0.0);
  // A worker's own: the batch builder's slot stamps (one int32 and a bit per item) and batches.
  // (The map of its shard's local ids, 4 B per distinct item of the shard, is freed before
  // training: worker/first_epoch_ids.h; less than the stamps, which come after it.)
  p.worker_bytes = kRankBaselineBytes + 4.125 * V + 2 * batch_bytes + hot_bytes + residual_bytes +
                   p.vocabulary_bytes / p.workers_per_node;
  // Building the vocabulary (job/vocabulary_partition.h; checked on 3M items of 8 bytes with
  // scripts/bench/vocab_memory.sh). Before MPI's buffers exist a rank is about 8 MiB. Every
  // worker keeps its shard's (hash, count) pairs (16 B per distinct item of the shard) and
  // counts in a CountTable (common/count_table.h: 24 B entry + name and its length byte +
  // 8-16 B of index); it sends (W-1)/W of it as (length, bytes, count) strings, then selects
  // its V/W owned items (a sort vector of 24 B and the packed selection, bytes + 16 B).
  // Rank 0 merges the owners' selections (bytes + 16 B each, one received copy) into the
  // vocabulary (bytes + 16 B + its lookup table), and each node's first worker writes the
  // node's tables while it still holds that vocabulary and the sampling tables' temporaries
  // (16 B per item).
  constexpr double kEarlyBaselineBytes = 8.0 * 1048576.0;
  const double mean_item = V > 0 ? static_cast<double>(vocab.summary().item_bytes) / V : 0;
  const double shard = vocab.summary().shard_distinct;
  const double W = num_workers;
  const double table_item = 24 + mean_item + 1 + 12, packed_item = mean_item + 16;
  const double exchange = shard * (table_item + 16) + shard * (W - 1) / W * (mean_item + 2);
  const double select = shard * 16 + V / W * (table_item + 24 + packed_item);
  p.counting_bytes = shard > 0 ? kEarlyBaselineBytes + std::max(exchange, select) : 0;
  const double vocab_own = V * packed_item + 4.0 * static_cast<double>(Vocabulary::TableSize(vocab.size()));
  p.merge_bytes = shard > 0 ? kEarlyBaselineBytes + shard * 16 +
                                  std::max(V * packed_item * (2 - 1 / W) + vocab_own,
                                           vocab_own + p.vocabulary_bytes + 16 * V)
                            : 0;
  p.worker_peak_bytes = std::max(p.worker_bytes, p.counting_bytes);
  p.leader_peak_bytes = std::max({p.worker_bytes, p.counting_bytes, p.merge_bytes});
  return p;
}

double MemAvailableBytes() {
  // Under a batch system's cgroup, /proc/meminfo shows the whole host: the job's limit
  // can be given instead.
  if (const char* limit = std::getenv("ITEM2VEC_MEMORY_LIMIT_MB"); limit != nullptr && *limit != '\0')
    return std::atof(limit) * 1048576.0;
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

std::string FormatMemoryPlan(const MemoryPlan& p, int num_servers, int num_workers) {
  auto mib = [](double b) { return b / 1048576.0; };
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "memory plan: %d server(s) x %.1f MiB (model share %.1f MiB), %d worker(s) x %.1f MiB "
                "(batch of up to %.0f rows; peak %.1f MiB while building the vocabulary, %.1f MiB on rank 0 and "
                "each node's first worker; 1/%d of the node's tables), "
                "node-shared tables %.1f MiB once per node (vocabulary and sampling tables); all ranks together "
                "%.1f MiB",
                num_servers, mib(p.server_bytes), mib(p.model_bytes), num_workers,
                mib(p.worker_bytes), p.batch_rows, mib(p.worker_peak_bytes), mib(p.leader_peak_bytes), p.workers_per_node,
                mib(p.vocabulary_bytes), mib(num_servers * p.server_bytes + num_workers * p.worker_bytes));
  return buf;
}

}  // namespace item2vec
