#include "job/resume.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/random.h"
#include "worker/checkpointing.h"

namespace item2vec {

Result<ResumePoint> FindResumePoint(const TrainOptions& o, const std::vector<InputFile>& files) {
  ResumePoint point;
  std::vector<std::string> rejected;
  Result<CheckpointManifest> m = FindNewestValidCheckpoint(o.CheckpointDir(), &rejected);
  for (const std::string& r : rejected)
    spdlog::error("--resume: skipping damaged checkpoint {}; trying the one before it", r);
  if (!m.ok()) {
    if (m.status().code() != Status::Code::kNotFound) return m.status();
    const std::string why = rejected.empty() ? "there is no complete checkpoint in " + o.CheckpointDir()
                                             : "every checkpoint in " + o.CheckpointDir() + " is damaged (" +
                                                   std::to_string(rejected.size()) + " skipped, see above)";
    if (!o.resume_if_possible)
      return Status::NotFound("--resume: " + why + ", so there is nothing to resume from; pass "
                              "--resume=if-possible to start from the beginning in that case, or leave out "
                              "--resume for a fresh run");
    spdlog::warn("--resume=if-possible: {}: starting from the beginning{}", why,
                 rejected.empty() ? "" : " (the damaged ones are removed)");
    // A fresh start numbers its checkpoints from 1: old ones must not outrank them.
    if (!rejected.empty()) ITEM2VEC_RETURN_IF_ERROR(RemoveCheckpoints(o.CheckpointDir()));
    return point;
  }
  const auto now = ResumeSettings(o);
  std::string diff;
  for (const auto& [key, value] : now) {
    // --batch-tokens 0 (automatic) takes the checkpoint's value (BuildJobVocabulary).
    if (key == "batch-tokens" && o.batch_tokens == 0) continue;
    // --alpha not given: the checkpoint's rate is taken (ResolveAlpha), and its floor with it.
    if (o.alpha_auto && (key == "alpha" || (key == "min-alpha" && o.min_alpha < 0))) continue;
    std::string then = "(unset)";
    for (const auto& kv : m->settings)
      if (kv.first == key) then = kv.second;
    if (then != value) diff += (diff.empty() ? "" : ", ") + ("--" + key + " " + then + " then, " + value + " now");
  }
  // Settings listed only when not at their default: one the checkpoint has and today's
  // run does not differs too.
  for (const auto& [key, then] : m->settings) {
    if (!IsOptionalResumeSetting(key)) continue;
    bool listed = false;
    for (const auto& kv : now) listed = listed || kv.first == key;
    if (!listed) diff += (diff.empty() ? "" : ", ") + ("--" + key + " " + then + " then, (default) now");
  }
  const std::string ckpt = CheckpointPath(o.CheckpointDir(), m->sequence);
  if (!diff.empty())
    return Status::InvalidArgument("--resume: checkpoint " + ckpt + " was written with other settings (" + diff +
                                   "); use the same settings, or remove " + o.CheckpointDir() + " to start over");
  std::string why;
  if (m->inputs.size() != files.size())
    why = std::to_string(m->inputs.size()) + " input file(s) then, " + std::to_string(files.size()) + " now";
  for (std::size_t i = 0; why.empty() && i < files.size(); ++i) SameInputFile(m->inputs[i], files[i], &why);
  if (!why.empty())
    return Status::InvalidArgument("--resume: the input changed since checkpoint " + ckpt + ": " + why +
                                   ". Resume with the same input, or remove " + o.CheckpointDir() + " to start over");
  point.found = true;
  point.path = ckpt;
  point.manifest = std::move(m.value());
  spdlog::info("--resume: continuing from checkpoint {} ({}, {} workers and {} servers then){}", ckpt,
               point.manifest.reason, point.manifest.num_workers, point.manifest.num_servers,
               rejected.empty() ? std::string()
                                : "; " + std::to_string(rejected.size()) + " newer damaged checkpoint(s) skipped");
  return point;
}

Result<WorkerCheckpoint> RemapWorkerState(const ResumePoint& point, const TrainOptions& o,
                                          const std::vector<InputFile>& files, int worker, int workers,
                                          std::int64_t shard_words) {
  std::int64_t done = 0, total = 0;
  WorkerCheckpoint out;
  out.worker = worker;
  out.num_workers = workers;
  out.shard_words = shard_words;
  for (int w = 0; w < point.manifest.num_workers; ++w) {
    Result<WorkerCheckpoint> old = LoadWorkerCheckpoint(point.path, w);
    if (!old.ok()) return old.status();
    done += old->builder.words_done;
    total += static_cast<std::int64_t>(o.epochs) * old->shard_words;
    if (worker == 0) {
      const auto& r = old->report;
      out.report.words += r.words;
      out.report.raw_tokens += r.raw_tokens;
      out.report.pairs += r.pairs;
      out.report.split_lines += r.split_lines;
      out.report.capped_sets += r.capped_sets;
      out.report.seconds = std::max(out.report.seconds, r.seconds);
      out.report.bytes_sent += r.bytes_sent;
      out.report.bytes_received += r.bytes_received;
    }
  }
  const double progress = total > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total)) : 0;
  out.builder.epoch = std::min(o.epochs, static_cast<int>(progress * o.epochs));
  out.builder.words_done = static_cast<std::int64_t>(progress * static_cast<double>(o.epochs) * static_cast<double>(shard_words));
  const std::vector<FileRange> ranges = ShardRanges(files, worker, workers);
  out.builder.position = ReaderPosition{0, ranges.empty() ? 0 : ranges[0].begin, false};
  out.builder.rng = Rng(SeedFor(o.seed, 0x5eed ^ point.manifest.sequence, static_cast<std::uint64_t>(worker)));
  return out;
}

}  // namespace item2vec
