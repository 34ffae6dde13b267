// MemoryPlan: how much memory each server and worker rank will need, before training.
//
// Contract: EstimateMemory is a pure function of the vocabulary (size and item bytes), the
// options and the rank layout; every rank computes the same plan from the broadcast
// vocabulary, so no message is needed. It counts what dominates:
//   a node       the node-shared tables (job/node_tables.h: names, counts, lookup table,
//                sampling tables; TablesBytes, exact), once per node, mapped by its workers;
//   a server     its share of both matrices, 2 * ceil(V / S) * d * 4 B (2 B a value with
//                --server-precision bf16), plus row versions
//                and reply buffers for two batches per worker;
//   a worker     its own: slot stamps (8 B per item) and two batches of rows (pulled +
//                original copy + versions); with a bf16/fp16 wire precision also a batch of
//                staging buffers, and with fp16 its push residuals (worker/push_residual.h);
//                its proportional set size adds its share of the node's tables (1 / the
//                workers per node).
// The vocabulary-building pass is planned apart (counting_bytes, merge_bytes) from the
// summary's expected distinct items per shard; it is over before the model is allocated,
// so the node check uses the training figures and --dry-run prints both.
// MemAvailableBytes is the environment's ITEM2VEC_MEMORY_LIMIT_MB when set (a batch job's
// memory limit, which /proc/meminfo does not show), else MemAvailable from /proc/meminfo
// (0 when unknown: no check).
#pragma once

#include <cstdint>
#include <string>

#include "common/train_options.h"
#include "common/vocabulary.h"

namespace item2vec {

struct MemoryPlan {
  double vocabulary_bytes = 0;  // the node-shared tables, once per node with workers
  int workers_per_node = 1;     // the workers mapping one copy of them
  double server_bytes = 0;      // per server rank: process baseline, model share, replies
  double model_bytes = 0;       // per server: its rows of both matrices and their versions
  double worker_bytes = 0;      // per worker rank: process baseline, slot stamps, 2 batches, its share of the tables
  double batch_rows = 0;        // rows a worker batch needs at most
  // Building the vocabulary, before the model exists: a worker while it counts and exchanges
  // its shard's counts, rank 0 while it merges the owners' items and a node's first worker
  // while it writes the node's tables (merge_bytes; 0 when not counted this run);
  // worker_peak_bytes is the largest for a worker, leader_peak_bytes for rank 0 and the
  // node's first workers.
  double counting_bytes = 0, merge_bytes = 0, worker_peak_bytes = 0, leader_peak_bytes = 0;
};

// server_keys: the rows the servers hold (--side-info adds attribute and weight rows,
// common/side_layout.h); 0 = one per vocabulary item. workers_per_node: the workers sharing
// one copy of the tables (1 = every worker its own).
MemoryPlan EstimateMemory(const Vocabulary& vocab, const TrainOptions& options, int num_servers, int num_workers,
                          std::size_t server_keys = 0, int workers_per_node = 1);

double MemAvailableBytes();

std::string FormatMemoryPlan(const MemoryPlan& plan, int num_servers, int num_workers);

}  // namespace item2vec
