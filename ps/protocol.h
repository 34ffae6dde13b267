// The parameter-server protocol: every message between workers and servers.
//
// Roles: ranks [0, W) are workers (rank 0 also coordinates and writes the model), ranks
// [W, W+S) are servers. Server s owns key k of both matrices iff Partition::ServerOf(k)
// == s. "Input" rows are the embeddings (word2vec's syn0), "output" rows the context
// vectors (syn1neg).
//
// Hot path (raw buffers, no serialisation):
//   kPull      worker -> server   KeyList: [PullHeader][in keys][out keys]; keys are
//                                 unique and ascending within each list, all owned by
//                                 the receiving server.
//   kPullReply server -> worker   float rows, n_in * dim then n_out * dim, in key order,
//   kPullVersions                 then the rows' versions (uint32, same order).
//   kPush      worker -> server   the same KeyList as the batch's kPull, then at once
//   kPushRows  worker -> server   float deltas in the same layout as kPullReply, and
//   kPushVersions                 the versions the deltas were computed from; the server
//                                 adds each delta scaled by its staleness (shard_store.h).
// Wire precision (--wire-precision, common/wire_codec.h): the rows of kPullReply and the deltas
// of kPushRows travel as fp32 (4 bytes a value, the layout above), as bf16 / fp16 (2 bytes a
// value, same order), as int8 (per row: a float32 scale, then a signed byte a value; d + 4
// bytes a row) or int4 (the scale, then two values a byte), or int4-int8 (pull replies in int4,
// pushes in int8; common/wire_codec.h PullWire / PushWire); every rank of a job uses the same
// setting. Key lists, versions, kDump
// replies (the model written) and the control plane are unchanged; servers keep float32 rows
// and decode deltas before adding them; workers round bf16, int8 and int4 deltas stochastically and, in fp16,
// add their rounding residual to the next push of the same row (error feedback,
// worker/push_residual.h; worker/ps_client.h says why).
// Ordering: MPI delivers one sender's messages in order, so a worker's push is applied
// before its next pull is answered. A worker keeps at most 2 batches in flight.
//
// Control plane:
//   kWorkerDone  worker -> every server, after its last push (empty).
//   kDump        rank 0 -> server: KeyList with n_in = keys wanted from the input matrix
//                and n_out = keys wanted from the output matrix. Answered with kDumpReply
//                (rows as for kPullReply) only once every worker has sent kWorkerDone, so
//                the model written is final.
//   kShutdown    rank 0 -> every server (empty): stop serving and exit.
//   kRowsReady   server -> every worker (empty), once its rows are laid out or loaded; a
//                worker waits for every server's before its first pull, at most --peer-timeout
//                (job/rows_ready.h).
//   kRankUsage   any rank -> rank 0: RankUsage (peak memory, CPU) for train.json and the run
//                report; a worker other than rank 0 sends it after its final progress report,
//                a server once every worker has sent kWorkerDone. Rank 0 waits for them only
//                briefly (a missing one is left out of the table, never an error).
//   kProgress    worker -> rank 0: ProgressReport, every few seconds and once at the end
//                (final = 1).
//   kVocabCounts worker -> worker: a serialised ItemCounter while counts are merged.
//   kVocabulary  rank -> rank: the serialised vocabulary, a size (8 bytes) then chunks, down
//                a binary tree over the workers (job/vocabulary_share.h).
//   kVocabShards worker -> worker: the counts of the items the receiver owns (by item hash),
//                and then the owners' kept items to worker 0 (job/vocabulary_build.h).
//   kCooccurrenceCounts worker -> worker: a serialised CooccurrenceCounter while the
//                counters of --new-items cooccurrence merge into worker 0 (the same binary
//                tree as kVocabCounts; warm starts only, before training).
//
// Checkpoints (worker/checkpointing.h): a consistent cut between batches.
//   kCheckpointRequest  rank 0 -> every server and every worker still training:
//                       CheckpointSignal{sequence, stop}.
//   kCheckpointMark     worker -> every server, after its last push before the cut
//                       (CheckpointSignal); a server saves its shard once every worker has
//                       marked this sequence or sent kWorkerDone, so the shard holds every
//                       push before the cut and none after it.
//   kCheckpointSnapshot server -> rank 0: CheckpointSignal; the shard's snapshot is taken
//                       (forked, ps/shard_snapshot.h), so the workers may go on.
//   kCheckpointSaved    worker or server -> rank 0: a serialised CheckpointSaved (the file
//                       written, or the error); a server sends it when its background
//                       write ends.
//   kCheckpointContinue rank 0 -> each worker that saved: CheckpointSignal; stop = 1 means
//                       end the job (exit 75), else train on.
//   kStop               rank 0 -> every server after a stop checkpoint (empty).
//   kStopRequest        any rank -> rank 0 when it got SIGTERM/SIGINT/SIGUSR1 (empty).
//
// Liveness (--liveness-timeout T, far shorter than --peer-timeout):
//   kHeartbeat   worker -> every server, empty, every T/5 s while it trains (also while it
//                waits on a server). A server that has heard from a worker and hears nothing
//                from it (no request, no heartbeat) for T s, before that worker's kWorkerDone
//                and outside a stop checkpoint, ends the job naming the worker's rank and
//                host. A worker waits at most T s for a server's pull reply or push, then
//                ends the job naming the server's rank and host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace item2vec::protocol {

enum Tag : int {
  kPull = 1,
  kPullReply = 2,
  kPush = 3,
  kPushRows = 4,
  kWorkerDone = 5,
  kDump = 6,
  kDumpReply = 7,
  kShutdown = 8,
  kProgress = 9,
  kVocabCounts = 10,
  kPullVersions = 11,
  kPushVersions = 12,
  kCheckpointRequest = 13,
  kCheckpointMark = 14,
  kCheckpointSaved = 15,
  kCheckpointContinue = 16,
  kStop = 17,
  kStopRequest = 18,
  kCooccurrenceCounts = 19,
  kCheckpointSnapshot = 20,
  kHeartbeat = 21,
  kRankUsage = 22,
  kVocabulary = 23,
  kVocabShards = 24,
  kRowsReady = 25,
};

struct CheckpointSignal {
  std::uint64_t sequence = 0;
  std::uint64_t stop = 0;
};

// Header of a key list, followed by n_in + n_out uint32 keys.
struct KeyListHeader {
  std::uint64_t batch_id;
  std::uint32_t n_in;
  std::uint32_t n_out;
};
static_assert(sizeof(KeyListHeader) == 16, "wire layout");
inline constexpr std::size_t kHeaderWords = sizeof(KeyListHeader) / sizeof(std::uint32_t);

// Writes a key list's header into its first kHeaderWords words (`words` holds at least that many).
inline void WriteKeyListHeader(std::uint32_t* words, std::uint64_t batch_id, std::size_t n_in, std::size_t n_out) {
  const KeyListHeader h{batch_id, static_cast<std::uint32_t>(n_in), static_cast<std::uint32_t>(n_out)};
  std::memcpy(words, &h, sizeof h);
}

struct ProgressReport {
  std::int64_t worker = 0;
  std::int64_t final = 0;
  std::int64_t words = 0;        // in-vocabulary tokens processed (drives the learning rate)
  std::int64_t raw_tokens = 0;   // all tokens read, out-of-vocabulary included
  std::int64_t pairs = 0;        // positive pairs trained
  double loss_sum = 0;           // SGNS loss summed since the start of the last epoch
  double loss_count = 0;         // pairs in loss_sum
  double alpha = 0;              // current learning rate
  double seconds = 0;            // training time on this worker
  double wait_seconds = 0;       // time blocked on pulls and pushes
  double read_seconds = 0;       // time reading input and sampling
  std::int64_t bytes_sent = 0;   // hot-path bytes this worker sent
  std::int64_t bytes_received = 0;
  std::int64_t split_lines = 0;
  std::int64_t capped_sets = 0;  // --window-mode set: lines longer than --max-set-size
  double kernel_seconds = 0;     // of the compute time, inside the SGNS kernel itself
  double cpu_seconds = 0;        // CPU time of the thread that trained (seconds minus this: asleep in
                                 // waits, or its core given to other processes such as a server rank)
};

// kRankUsage: what one rank used by the end of its training or serving.
struct RankUsage {
  std::int64_t rank = 0;
  std::int64_t peak_rss_bytes = 0;  // the process's high-water mark (common/process_usage.h)
  double cpu_seconds = 0;
  // A worker: the node-shared tables it maps (job/node_tables.h) and its proportional share of
  // them (Pss); 0 on a server.
  std::int64_t tables_bytes = 0, tables_pss_bytes = 0;
};

}  // namespace item2vec::protocol
