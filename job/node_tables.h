// The node-shared tables: what every worker looks up (item -> id, the item names, the counts,
// the subsampling keep probabilities, the negative-sampling alias table) built once per node
// in memory all the node's workers map read-only (common/node_shared_memory.h), not once
// per worker.
//
// Contract:
// - TablesBytes(summary) is the size of the tables of a vocabulary (one layout, 8-byte
//   aligned sections): per item 8 (name offset) + 8 (count) + 4 (keep) + 4 + 4 (alias
//   table) bytes and its name's bytes, plus a lookup table of Vocabulary::TableSize(V) 4-byte
//   slots, plus a header. WriteTables lays a vocabulary (with names) and the sampling
//   tables for `sample` and `exponent` out there; TablesOf reads them back: a Vocabulary
//   whose arrays are views into the block (same ids, lookups and fingerprint as the one
//   written) and the SamplingView (worker/sampling.h), byte-identical to what a BatchBuilder
//   would compute itself, so training is unchanged.
// - ShareNodeTables is a collective of every rank (after the vocabulary is built on rank 0).
//   On each node, the lowest-numbered worker (the node's leader; nodes are told apart by
//   Transport::HostOf) receives the vocabulary from rank 0 (job/vocabulary_share.h), writes
//   the tables into a new file in /dev/shm named after its pid and host, the job and itself,
//   and drops its own copy; the node's other workers map that file once it is written; the
//   leader then unlinks the name, so nothing is left behind when the job ends. A job killed
//   while the tables are being built leaves its item2vec-tables-* file: the next leader on
//   that host removes every one whose creator process is gone before it makes its own
//   (RemoveOrphans, common/node_shared_memory.h), with a warning. Every worker's *tables hold
//   the mapping and its job vocabulary views it. Where /dev/shm is missing or has no room for
//   the tables, every worker of that node receives the vocabulary and builds private tables,
//   as one rank per node would.
//   Servers get the summary only (or, with `servers_named`, the vocabulary with names, for a
//   warm start). Errors end the job on every rank (FailJob); an error result of rank 0
//   reaches every rank as its exit code.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>

#include "common/node_shared_memory.h"
#include "common/status.h"
#include "common/vocabulary.h"
#include "ps/protocol.h"
#include "worker/sampling.h"

namespace item2vec {

struct TrainJob;

struct NodeTables {
  std::shared_ptr<NodeSharedMemory> memory;  // null: no tables on this rank (a server)
  SamplingView sampling;
  int ranks_sharing = 0;  // workers of this node mapping the same block (1 = private)
};

// This rank's usage report (ps/protocol.h): peak memory, CPU, and its share of the tables.
protocol::RankUsage OwnRankUsage(int rank, const NodeTables& tables);

std::size_t TablesBytes(const VocabularySummary& summary);
void WriteTables(const Vocabulary& vocab, double sample, double exponent, char* block);
// REQUIRES: the block was written by WriteTables.
Result<Vocabulary> TablesOf(const std::shared_ptr<const NodeSharedMemory>& memory, SamplingView* sampling);

// Returns the exit code when the job ends here (job/train_state.h's StepExit).
std::optional<int> ShareNodeTables(TrainJob* job, bool servers_named, Result<Vocabulary>* vocab);

}  // namespace item2vec
