// WorkerCheckpointing: the worker side of a checkpoint, and on rank 0 its coordination.
//
// Contract (protocol in ps/protocol.h):
// - Workers call Due() between batches. On rank 0 it decides: a stop signal on any rank,
//   the --checkpoint-every timer, or (with the timer on) the end of an epoch of rank 0's
//   shard start checkpoint N: rank 0 sends kCheckpointRequest to every server and every
//   worker still training. Elsewhere Due() reports a request from rank 0 (and forwards
//   this rank's own stop signal to rank 0 once).
// - When Due() is true the caller drains its in-flight pull and calls Take() with the
//   state before its first untrained batch. Take() writes worker-W.bin, sends kCheckpointMark
//   to every server (after this worker's last push, so the servers' shards hold exactly the
//   pushes before the cut), reports the file to rank 0 and waits for kCheckpointContinue.
//   Rank 0 writes its own files (vocab.bin and worker-0.bin), saves every worker that had
//   finished before the request as finished (from its final progress report), and
//   collects every other worker's report (a worker that finished meanwhile sends its final
//   progress report instead and is saved as finished) and every server's note that it
//   forked its snapshot
//   (ps/shard_snapshot.h), then releases the workers: training pauses only that long.
//   The servers write their files in the background; rank 0 collects their reports between
//   batches and then renames MANIFEST into place (only when it lists every rank's file,
//   common/checkpoint.h) and prunes to 2 checkpoints. A stop waits
//   for the files before releasing everyone (and the servers with kStop). One checkpoint is
//   in flight at a time: the timer waits, a stop completes the one in flight first.
// - Take() returns true when the job must stop (exit 75). A failed write on any rank
//   drops that checkpoint (no MANIFEST) and training goes on, unless it was a stop,
//   which then fails. Every wait has a deadline (`timeout`).
// - Rank 0 calls PollWhileFinished() while it waits for other workers after its own shard
//   is done, so a stop signal or the timer still checkpoints.
// Not thread-safe; one per worker rank.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/checkpoint.h"
#include "common/status.h"
#include "common/transport.h"
#include "common/vocabulary.h"
#include "worker/worker_checkpoint.h"

namespace item2vec {

class ProgressMonitor;

struct CheckpointConfig {
  std::string dir;               // checkpoints go to dir/ckpt-NNNNNNNN
  double every_seconds = 0;      // > 0: periodic, and at each epoch end of rank 0's shard
  double timeout = 600;          // deadline for each wait during a checkpoint
  std::uint64_t next_sequence = 1;
  int epochs = 1;                // --epochs: the epoch of a finished worker
  int first_epoch = 0;           // rank 0's epoch at the start (after a resume)
  const Vocabulary* vocab = nullptr;  // rank 0 saves it in each checkpoint
  CheckpointManifest manifest;   // rank 0: settings, layout, inputs, warm-start counts
};

class WorkerCheckpointing {
 public:
  WorkerCheckpointing(Transport* transport, CheckpointConfig config, int worker, int num_workers, int num_servers,
                      ProgressMonitor* monitor);
  bool Due(int epoch);
  Result<bool> Take(const WorkerCheckpoint& state);
  Result<bool> PollWhileFinished(const WorkerCheckpoint& own_final);
  // Called while a checkpoint waits on other ranks (the worker's liveness heartbeat to the
  // servers; rate-limited by the callee). nullptr: none.
  void SetHeartbeat(std::function<void()> beat) { heartbeat_ = std::move(beat); }
  // Rank 0: waits until the servers have written the checkpoint in flight (if any) and
  // writes its MANIFEST. Call before the model is written.
  Status FinishPending();
  // Checkpoints written by this run so far.
  int written() const { return written_; }

 private:
  using Clock = std::chrono::steady_clock;
  bool DecideOnRankZero(int epoch, bool finished);
  void Announce();
  Result<bool> Coordinate(const WorkerCheckpoint& own, bool mark_servers);
  Result<bool> Participate(const WorkerCheckpoint& own);
  Result<CheckpointFileEntry> SaveFinishedWorker(int worker, const std::string& path);
  // Coordinate's steps: rank 0's own files (vocabulary, its position, finished workers'),
  // then phase 1: every announced worker's file and every server's snapshot note; `release`
  // gets the workers that wait for kCheckpointContinue.
  void SaveOwnFiles(const WorkerCheckpoint& own, const std::string& path);
  Status WaitForSnapshots(const std::string& path, std::vector<int>* release);
  // A file rank 0 wrote into the checkpoint, or why it could not.
  void Keep(const Result<CheckpointFileEntry>& file);
  Status ReceiveSaved(bool* received);
  Status PollPending(bool block);
  Status MarkServers();
  Status SendTo(int dest, int tag, const void* data, std::size_t bytes, const std::string& what);

  Transport* t_;
  CheckpointConfig config_;
  std::function<void()> heartbeat_;
  int worker_, workers_, servers_;
  ProgressMonitor* monitor_;
  Clock::time_point last_checkpoint_;
  int last_epoch_;
  bool stop_forwarded_ = false;
  std::string stop_reason_;
  // The checkpoint in progress.
  std::uint64_t sequence_ = 0;
  bool stop_ = false;
  std::string reason_;
  std::vector<int> announced_;   // workers (other than 0) asked to take part
  int written_ = 0;
  // Rank 0, between releasing the workers and the servers' files (phase 2).
  bool pending_ = false;
  Clock::time_point start_;
  double train_seconds_ = 0, paused_seconds_ = 0;
  std::vector<CheckpointFileEntry> files_;
  std::vector<std::string> errors_;
  std::set<int> server_files_pending_;
  std::vector<int> saved_workers_;
  std::string vocab_dir_;             // the last checkpoint holding vocab.bin, to copy it
  CheckpointFileEntry vocab_entry_;
};

Result<CheckpointFileEntry> SaveVocabularyCheckpoint(const Vocabulary& vocab, const std::string& checkpoint_path);
Result<Vocabulary> LoadVocabularyCheckpoint(const std::string& checkpoint_path, std::uint64_t fingerprint);

}  // namespace item2vec
