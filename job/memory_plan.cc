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
  // A worker's own: the batch builder's slot stamps (two int32 and a bit per item) and batches.
  p.worker_bytes = kRankBaselineBytes + 8.125 * V + 2 * batch_bytes + hot_bytes + residual_bytes +
                   p.vocabulary_bytes / p.workers_per_node;
  // Building the vocabulary (job/vocabulary_partition.h), measured on 3M items of 8 bytes
  // (scripts/bench/vocab_memory.sh): a worker's shard table (hash-map node and string), its
  // (hash, count) copy and a part in flight, about 140 B per distinct item of the shard;
  // rank 0 then holds the owners' items, the vocabulary and its serialised copy, about 125 B
  // per item. Items longer than a short string's 15 bytes add their bytes on the heap.
  const double mean_item = V > 0 ? static_cast<double>(vocab.summary().item_bytes) / V : 0;
  const double heap_item = mean_item > 15 ? mean_item + 17 : 0;
  const double shard = vocab.summary().shard_distinct;
  p.counting_bytes = kRankBaselineBytes + shard * (140 + 1.5 * heap_item);
  p.merge_bytes = shard > 0 ? kRankBaselineBytes + V * (125 + mean_item + 2 * heap_item) : 0;
  p.worker_peak_bytes = std::max({p.worker_bytes, p.counting_bytes, p.merge_bytes});
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
                "(batch of up to %.0f rows; peak %.1f MiB while building the vocabulary; 1/%d of the node's tables), "
                "node-shared tables %.1f MiB once per node (vocabulary and sampling tables); all ranks together "
                "%.1f MiB",
                num_servers, mib(p.server_bytes), mib(p.model_bytes), num_workers,
                mib(p.worker_bytes), p.batch_rows, mib(p.worker_peak_bytes), p.workers_per_node,
                mib(p.vocabulary_bytes), mib(num_servers * p.server_bytes + num_workers * p.worker_bytes));
  return buf;
}

}  // namespace item2vec
