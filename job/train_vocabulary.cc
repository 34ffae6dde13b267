#include "job/train_vocabulary.h"

#include <malloc.h>

#include <cstdlib>
#include <string>

#include <spdlog/spdlog.h>

#include "common/process_usage.h"
#include "common/checkpoint.h"
#include "common/sequence_reader.h"
#include "common/side_info.h"
#include "common/stop_signal.h"
#include "job/rank_collectives.h"
#include "job/vocabulary_build.h"
#include "job/vocabulary_partition.h"
#include "job/node_tables.h"
#include "worker/checkpointing.h"

namespace item2vec {
namespace {


// Wall seconds between laps (Lap), and CPU seconds of this thread since the clock started.
class StepClock {
 public:
  double Lap() {
    const TrainJob::Clock::time_point now = TrainJob::Clock::now();
    const double seconds = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return seconds;
  }
  double Cpu() const { return ThreadCpuSeconds() - cpu_start_; }

 private:
  TrainJob::Clock::time_point last_ = TrainJob::Clock::now();
  double cpu_start_ = ThreadCpuSeconds();
};

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

// --batch-tokens 0: a resumed run goes on with its checkpoint's batch size, a fresh one takes
// AutoBatchTokens of the corpus (4096 with --hot-rows). The same on every rank: every rank
// has the vocabulary and the resume point.
void ResolveBatchTokens(TrainJob* job) {
  std::int64_t tokens = AutoBatchTokens(static_cast<std::int64_t>(job->vocab.total_count()), job->workers,
                                        job->options.window_mode);
  const char* why = "automatic";
  // --hot-sync counts batches and its default was measured at 4096-token batches: larger
  // ones would let the hot rows drift further between syncs (worker/hot_rows.h).
  if (job->options.hot_rows > 0) {
    tokens = kHotRowsBatchTokens;
    why = "automatic with --hot-rows";
  }
  if (job->resuming)
    for (const auto& [key, value] : job->resume.manifest.settings)
      if (const long long then = std::strtoll(value.c_str(), nullptr, 10); key == "batch-tokens" && then >= 16) {
        tokens = then;
        why = "the checkpoint's";
      }
  job->options.batch_tokens = tokens;
  if (job->rank == 0) spdlog::info("batch: {} tokens per worker mini-batch ({})", tokens, why);
}

// The starting learning rate: --alpha when given, else (alpha_auto) a resumed run's
// checkpoint's and a fresh run's AutoAlpha of the corpus, the same on every rank. Logged
// either way, as train.json records it.
void ResolveAlpha(TrainJob* job) {
  TrainOptions& o = job->options;
  std::string why = o.alpha_given ? "--alpha" : o.Cbow() ? "cbow's default" : "--word2vec-exact's default";
  if (o.alpha_auto) {
    o.alpha = AutoAlpha(job->vocab.total_count());
    why = fmt::format("automatic: {:.3f} x {} for {} training tokens", o.alpha / kAutoAlphaBase, kAutoAlphaBase,
                      job->vocab.total_count());
    if (job->resuming)
      for (const auto& [key, value] : job->resume.manifest.settings)
        if (key == "alpha") {
          o.alpha = std::strtod(value.c_str(), nullptr);
          why = "automatic, the checkpoint's";
        }
  }
  if (job->rank == 0)
    spdlog::info("learning rate: {:.6g} at the start ({}), floor {:.6g}", o.alpha, why, o.EffectiveMinAlpha());
}

// Rank 0: the vocabulary of the owners' items; a stop signal during the count ends the job
// here (exit 75: nothing is trained yet, so there is no checkpoint to save).
Result<Vocabulary> VocabularyOfCounts(TrainJob& job, const CountedShard& report, std::vector<OwnedItems> parts) {
  if (report.stopped)
    return Status::Interrupted("stopped by a signal while counting items, before training began: there is nothing "
                               "to save; rerun (with --resume=if-possible, a rerun starts from the beginning)");
  job.long_items = report.long_items;
  if (report.long_items > 0)
    spdlog::warn("skipped {} occurrence(s) of items longer than {} bytes: such items are not trained (they are "
                 "never cut, which would merge distinct items); counted as long_items in train.json; e.g. {}",
                 report.long_items, SequenceReader::kMaxItemBytes, report.long_example);
  return FinishVocabulary(std::move(parts), job.options, &job.warm, job.init_from_neighbours ? &job.new_ids : nullptr);
}

// A worker: counts its shard and keeps it as (hash, count) pairs for its learning-rate
// schedule; on a fresh run the counts are then partitioned over the workers by item hash
// (job/vocabulary_partition.h) and rank 0 builds the vocabulary of the owners' items.
Result<Vocabulary> CountVocabulary(TrainJob& job, ShardTokens* shard) {
  const TrainOptions& o = job.options;
  Transport& t = *job.transport;
  StepClock clock;
  CountedShard counted;
  // A fresh run's first epoch reads the local ids this count writes (worker/first_epoch_ids.h);
  // a resumed one restarts from a checkpoint's position in the text, and a dry run trains nothing.
  if (!job.resuming && !o.dry_run) job.first_epoch.records = StartLocalIds(o.id_cache_mib, o.IdCacheDir());
  FirstEpochIds* first = job.first_epoch.records != nullptr ? &job.first_epoch : nullptr;
  if (Status cs = CountShard(job.files, job.rank, job.workers, o.max_sentence, &counted, first); !cs.ok())
    FailJob(t, cs.WithContext("counting items"));
  const double count_seconds = job.vocab_steps.count = clock.Lap();
  job.vocab_steps.count_cpu = clock.Cpu();
  if (counted.stopped) spdlog::info("got {} while counting items: stopping", StopSignalName());
  *shard = ShardTokenCounts(counted.counts);
  if (job.resuming) return Status::Internal("unset");
  // Shards are of equal size, so a peer finishes counting about when this rank did: allow it
  // twice this rank's counting time on top of --peer-timeout.
  const double timeout = o.peer_timeout + 2 * count_seconds;
  // A stopped count ends the job once rank 0 hears of it: its partial counts are not sent.
  ItemCounter owned = counted.stopped ? ItemCounter() : std::move(counted.counts);
  counted.counts = ItemCounter();
  if (Status es = ExchangeCounts(t, job.rank, job.workers, timeout, &owned); !es.ok())
    FailJob(t, es.WithContext("exchanging item counts"));
  OwnedItems mine = SelectOwnedItems(owned, OwnerMinCount(o), OwnerCap(o), job.workers);
  owned = ItemCounter();
  malloc_trim(0);
  job.vocab_steps.exchange = clock.Lap();
  if (Status ms = MergeCounts(t, job.rank, job.workers, timeout, &counted); !ms.ok())
    FailJob(t, ms.WithContext("merging the count reports"));
  std::vector<OwnedItems> parts;
  if (Status gs = GatherOwnedItems(t, job.rank, job.workers, timeout, &mine, &parts); !gs.ok())
    FailJob(t, gs.WithContext("gathering the vocabulary's items"));
  job.vocab_steps.gather = clock.Lap();
  if (job.rank != 0) return Status::Internal("unset");
  Result<Vocabulary> vocab = VocabularyOfCounts(job, counted, std::move(parts));
  job.vocab_steps.order = clock.Lap();
  job.vocab_steps.cpu = clock.Cpu();
  return vocab;
}

// --side-info: rank 0 reads the table and every rank lays it out against the vocabulary. A
// resumed run's servers hold the checkpoint's keys: the table must give the same count.
Result<SideInfo> ReadCheckedSideInfo(const TrainJob& job) {
  const TrainOptions& o = job.options;
  Result<SideInfo> info = ReadSideInfo(o.side_info, o.side_info_buckets);
  if (!info.ok()) return info;
  if (static_cast<int>(info->columns.size()) + 1 > o.dim)
    return Status::InvalidArgument("--side-info '" + o.side_info + "' has " + std::to_string(info->columns.size()) +
                                   " attribute columns; each item's weights (one per column and one for the item) "
                                   "live in a row of --dim floats: use --dim of at least " +
                                   std::to_string(info->columns.size() + 1) + " or fewer columns");
  return info;
}

StepExit ReadJobSideInfo(TrainJob* job) {
  if (job->options.side_info.empty()) return std::nullopt;
  Result<SideInfo> info = Status::Internal("unset");
  if (job->rank == 0) info = ReadCheckedSideInfo(*job);
  if (StepExit exit = ShareFromRankZero(*job->transport, &info)) return exit;
  job->side = SideLayout(*info, job->vocab);
  if (job->resuming && job->resume.manifest.vocab_size != job->KeyCount()) {
    if (job->rank == 0)
      spdlog::error("--resume: the checkpoint's servers hold {} rows, but the vocabulary and --side-info '{}' "
                    "give {}: the side-info table changed since the checkpoint; restore it or start afresh",
                    job->resume.manifest.vocab_size, job->options.side_info, job->KeyCount());
    return ExitCodeOf(Status::DataError("side-info table changed"));
  }
  if (job->rank == 0)
    spdlog::info("side information: {} of {} items have attributes ({} values in {} columns), {} catalogued items "
                 "without events will get cold vectors", job->side.num_with_side(), job->vocab.size(),
                 job->side.num_values(), job->side.num_columns(), job->side.cold_items().size());
  return std::nullopt;
}

// The vocabulary line, with rank 0's seconds in each step of building it.
void LogVocabulary(const TrainJob& job) {
  const TrainJob::VocabularySteps& s = job.vocab_steps;
  spdlog::info("vocabulary: {} items, {} training tokens (min-count {}); built in {:.1f} s (rank 0: counting {:.1f}, "
               "exchanging counts {:.1f}, gathering items {:.1f}, ordering and ids {:.1f}, node tables {:.1f}; "
               "CPU {:.1f}, counting {:.1f})",
               job.vocab.size(), job.vocab.total_count(), job.options.min_count, s.Total(), s.count, s.exchange,
               s.gather, s.order, s.tables, s.cpu, s.count_cpu);
}

// The counting pass's local ids to the id cache of vocabulary ids (worker/first_epoch_ids.h).
void RewriteCountingIds(TrainJob* job) {
  FirstEpochIds& first = job->first_epoch;
  const double seconds = first.ToVocabularyIds(job->options.id_cache_mib, job->options.IdCacheDir());
  if (first.cache != nullptr)
    spdlog::log(job->rank == 0 ? spdlog::level::info : spdlog::level::debug,
                "worker {}: the counting pass's ids made the id cache in {:.2f} s ({} sentences, {:.1f} MiB): "
                "every epoch replays it", job->rank, seconds, first.cache->records(),
                static_cast<double>(first.cache->bytes()) / 1048576.0);
}

}  // namespace

StepExit BuildJobVocabulary(TrainJob* job) {
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

  ShardTokens shard;
  Result<Vocabulary> vocab = Status::Internal("unset");
  if (!job->is_server && !job->same_workers) vocab = CountVocabulary(*job, &shard);
  if (job->resuming) {
    const CheckpointManifest& m = job->resume.manifest;
    if (rank == 0) vocab = LoadVocabularyCheckpoint(job->resume.path, m.vocab_fingerprint);
    job->warm.kept = m.warm_kept;
    job->warm.added = m.warm_added;
    job->warm.dropped = m.warm_dropped;
  }
  // The names go to the workers (once per node: job/node_tables.h), and to the servers only
  // when a warm start maps the previous model's rows by name (they drop them once their rows
  // are loaded).
  const bool servers_named = !job->resuming && !o.init_from.empty();
  StepClock tables_clock;
  if (StepExit exit = ShareNodeTables(job, servers_named, &vocab)) return exit;
  job->vocab_steps.tables = tables_clock.Lap();
  job->vocab_steps.cpu += tables_clock.Cpu();
  job->vocab = std::move(vocab.value());
  if (rank == 0) LogVocabulary(*job);
  if (StepExit exit = ReadJobSideInfo(job)) return exit;
  if (o.batch_tokens == 0) ResolveBatchTokens(job);
  ResolveAlpha(job);
  // This worker's in-vocabulary tokens (its learning-rate schedule) and the counting pass's
  // ids made the id cache; then the shard's counts and the map go, and their memory back to
  // the system (glibc keeps freed blocks otherwise), before the model and batches are allocated.
  job->shard_words = ShardWords(shard, job->vocab, job->first_epoch.records != nullptr ? &job->first_epoch.to_global : nullptr);
  shard = ShardTokens();
  if (job->first_epoch.records != nullptr) RewriteCountingIds(job);
  malloc_trim(0);
  return std::nullopt;
}

}  // namespace item2vec
