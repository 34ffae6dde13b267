// RunWalk: `item2vec walk` on one rank: sequences -> item transition graph -> random walks.
//
// Contract:
// - Phases, in this order on every rank: (1) this rank's shard of the input (ShardRanges:
//   byte ranges split at line starts, compressed files whole) is read once to count items;
//   the counts are merged over ranks and every rank builds the same Vocabulary (--min-count;
//   ids by count), the graph's node ids. (2) The shard is read again to count transitions
//   (EdgeCounter) within --window; each rank's sorted counts are gathered on every rank and
//   merged (ItemGraph), so every rank holds the same whole graph. (3) The memory plan: CSR,
//   sampling tables and the gathered lists against --memory, refused with the size needed
//   before anything large is allocated. (4) Walks: round k of --walks-per-item visits every
//   item in a permutation fixed by (seed, k); rank r of N walks from the r-th N-th of it, each
//   walk with its own Rng seeded by (seed, item, k). So the multiset of walks, and each walk's
//   bytes, do not depend on the rank count: sorting the lines of all part files gives the
//   same bytes for any N. (5) Rank r writes OUTPUT/part-<r> through AtomicFile; rank 0 removes
//   part files of an earlier run with more ranks and writes OUTPUT/_summary.json.
// - Items without out-edges start no walk (dead ends; a walk reaching one ends there),
//   items with no edge at all are in no walk (isolated): both counted in the summary.
// - Collectives: every rank makes the same CollectiveComm calls in the same order; a local error
//   waits for the next SyncStatus, so every rank returns the same status. A failed
//   collective leaves comm.broken() for the command edge to end the job.
// - Not thread-safe: one thread per rank.
#pragma once

#include "common/status.h"
#include "common/collective_comm.h"
#include "tools/walk/walk_options.h"
#include "tools/walk/walk_summary.h"

namespace item2vec {

Result<WalkSummary> RunWalk(const WalkConfig& config, CollectiveComm& comm);

}  // namespace item2vec
