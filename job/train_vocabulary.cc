#include "job/train_vocabulary.h"

#include <malloc.h>

#include <spdlog/spdlog.h>

#include "common/checkpoint.h"
#include "job/rank_collectives.h"
#include "job/vocabulary_build.h"
#include "worker/checkpointing.h"

namespace item2vec {
namespace {

// Rank 0 finds the resume point (--resume) or clears an earlier run's checkpoints.
Result<ResumePoint> FindOrClearCheckpoints(const TrainJob& job) {
  const TrainOptions& o = job.options;
  Result<ResumePoint> resume = ResumePoint{};
  if (o.resume) return FindResumePoint(o, job.files);
  std::vector<std::uint64_t> all, complete;
  if (ListCheckpoints(o.CheckpointDir(), &all, &complete).ok() && !all.empty()) {
    spdlog::warn("removing {} checkpoint(s) of an earlier run from {} (pass --resume to continue from them)",
                 all.size(), o.CheckpointDir());
    if (Status rs = RemoveCheckpoints(o.CheckpointDir()); !rs.ok()) resume = rs;
  }
  return resume;
}

}  // namespace

StepExit BuildJobVocabulary(TrainJob* job) {
  using Clock = TrainJob::Clock;
  const TrainOptions& o = job->options;
  Transport& transport = *job->transport;
  const int rank = job->rank, workers = job->workers;

  Result<ResumePoint> resume = ResumePoint{};
  if (rank == 0) resume = FindOrClearCheckpoints(*job);
  if (StepExit exit = ShareFromRankZero(transport, &resume)) return exit;
  job->resume = std::move(resume.value());
  job->resuming = job->resume.found;
  job->same_workers = job->resuming && job->resume.manifest.num_workers == workers;
  job->init_from_neighbours = !job->resuming && !o.init_from.empty() && o.new_items == NewItemInit::kCooccurrence;

  ItemCounter counter;
  double count_seconds = 0;
  if (!job->is_server && !job->same_workers) {
    const auto count_start = Clock::now();
    Status cs = CountShard(job->files, rank, workers, o.max_sentence, &counter);
    if (!cs.ok()) FailJob(transport, cs.WithContext("counting items"));
    count_seconds = std::chrono::duration<double>(Clock::now() - count_start).count();
  }
  Result<Vocabulary> vocab = Status::Internal("unset");
  if (job->resuming) {
    const CheckpointManifest& m = job->resume.manifest;
    if (rank == 0) vocab = LoadVocabularyCheckpoint(job->resume.path, m.vocab_fingerprint);
    job->warm.kept = m.warm_kept;
    job->warm.added = m.warm_added;
    job->warm.dropped = m.warm_dropped;
  } else {
    ItemCounter merged;
    if (!job->is_server) {
      // The merge adds other workers' counts into the value, but this shard's own counts
      // are still needed (its learning-rate schedule): merge into a copy. Odd workers are
      // leaves of the tree and only send theirs, so they need no copy.
      ItemCounter* value = &counter;
      if (rank % 2 == 0) {
        merged = counter;
        value = &merged;
      }
      // Shards are of equal size, so a peer finishes counting about when this rank did:
      // allow it twice this rank's counting time on top of --peer-timeout.
      Status ms = MergeCounts(transport, rank, workers, o.peer_timeout + 2 * count_seconds, value);
      if (!ms.ok()) FailJob(transport, ms.WithContext("merging item counts"));
    }
    if (rank == 0)
      vocab = FinishVocabulary(merged, o, &job->warm, job->init_from_neighbours ? &job->new_ids : nullptr);
  }
  if (StepExit exit = ShareFromRankZero(transport, &vocab)) return exit;
  job->vocab = std::move(vocab.value());
  if (rank == 0)
    spdlog::info("vocabulary: {} items, {} training tokens (min-count {})", job->vocab.size(),
                 job->vocab.total_count(), o.min_count);
  // This worker's in-vocabulary tokens (its learning-rate schedule); then the counts go, and
  // their memory back to the system (glibc keeps freed small blocks otherwise), before the
  // model and batches are allocated.
  job->shard_words = 0;
  for (const auto& [item, n] : counter.counts())
    if (job->vocab.Find(item) != Vocabulary::kNotFound) job->shard_words += n;
  counter = ItemCounter();
  malloc_trim(0);
  return std::nullopt;
}

}  // namespace item2vec
