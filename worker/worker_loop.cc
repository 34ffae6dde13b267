#include "worker/worker_loop.h"

#include <chrono>
#include <string>
#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/process_usage.h"
#include "common/random.h"
#include "common/sequence_reader.h"
#include "worker/batch_builder.h"
#include "worker/first_epoch_ids.h"
#include "worker/hot_rows.h"
#include "worker/progress.h"
#include "worker/ps_client.h"
#include "worker/push_residual.h"
#include "worker/sgns_kernel.h"
#include "worker/worker_checkpoint.h"

namespace item2vec {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }


// Where this run's input time went, per epoch (text or id cache); worker 0 at info level,
// the others at debug (one line each).
void LogInputTime(int worker, const BatchBuilder& builder, double run_seconds) {
  const auto& seconds = builder.input_seconds();
  const auto& replayed = builder.epoch_replayed();
  std::string text;
  double total = 0;
  for (std::size_t e = 0; e < seconds.size(); ++e) {
    if (seconds[e] == 0) continue;  // epochs done before a resume
    total += seconds[e];
    text += fmt::format("{}epoch {} {} {:.2f} s", text.empty() ? "" : ", ", e + 1, replayed[e] ? "id cache" : "text",
                        seconds[e]);
  }
  if (seconds.empty() || !(run_seconds > 0)) return;
  spdlog::log(worker == 0 ? spdlog::level::info : spdlog::level::debug,
              "worker {} input: {:.1f}% of {:.1f} s ({})", worker, 100.0 * total / run_seconds, run_seconds, text);
}

// Where this worker's training time went (all epochs of this run and the runs it resumed).
void LogTimeSplit(const protocol::ProgressReport& r) {
  if (!(r.seconds > 0)) return;
  const double other = r.seconds - r.kernel_seconds - r.wait_seconds - r.read_seconds;
  auto pct = [&](double s) { return 100.0 * s / r.seconds; };
  spdlog::log(r.worker == 0 ? spdlog::level::info : spdlog::level::debug,
              "worker {} time: kernel {:.1f}%, pull/push preparation {:.1f}%, waiting on servers {:.1f}%, "
              "input and batch building {:.1f}% of {:.1f} s; on a CPU {:.1f}% of it (the kernel {:.1f}% of that; "
              "the rest it slept in waits or other processes had its core)",
              r.worker, pct(r.kernel_seconds), pct(other), pct(r.wait_seconds), pct(r.read_seconds), r.seconds,
              pct(r.cpu_seconds), r.cpu_seconds > 0 ? 100.0 * r.kernel_seconds / r.cpu_seconds : 0.0);
}

}  // namespace

WorkerOptions::WorkerOptions(const TrainOptions& o)
    : batch(o), seed(o.seed), exact_sigmoid(o.exact_sigmoid), max_contexts(o.MaxContexts()), cbow_sum(o.cbow_sum),
      wire(o.Wire()), progress_seconds(o.progress_seconds), liveness_timeout(o.LivenessTimeout()),
      hot_sync(o.hot_sync), overlap(o.overlap), side_info_dropout(o.side_info_dropout) {}

WorkerLoop::WorkerLoop(const WorkerSetup& s, ProgressMonitor* monitor)
    : setup_(s),
      o_(*s.options),
      monitor_(monitor),
      partition_(s.num_servers, s.KeyCount()),
      reader_(*s.files, ShardRanges(*s.files, s.worker, s.num_workers), o_.batch.max_sentence),
      builder_(o_.batch, *s.vocab, partition_, &reader_, s.shard_words,
               SeedFor(o_.seed, 0x5eed, static_cast<std::uint64_t>(s.worker)), s.side, s.sampling),
      sigmoid_(o_.exact_sigmoid),
      // The kernel's scratch holds 2 * max_window contexts: enough for a whole capped set.
      kernel_(o_.batch.dim, o_.batch.negative, &sigmoid_, o_.batch.kernel, (o_.max_contexts + 1) / 2,
              !o_.batch.cbow ? CbowMode::kOff : o_.cbow_sum ? CbowMode::kSum : CbowMode::kMean),
      side_mixer_(s.side, o_.batch.dim, o_.side_info_dropout,
                  SeedFor(o_.seed, 0x51de, static_cast<std::uint64_t>(s.worker))),
      // fp16 pushes keep error feedback (one residual row per pushed row, bounded table): its
      // range flushes tiny deltas to zero. bf16 pushes round stochastically instead (no state).
      residual_(o_.wire == WirePrecision::kFp16
                    ? std::make_unique<PushResidual>(
                          PushResidual::CapacityFor(s.KeyCount(), PushResidual::kDefaultMaxRows), o_.batch.dim)
                    : nullptr),
      client_(s.transport, s.num_workers, s.num_servers, o_.batch.dim, s.peer_timeout, o_.wire, residual_.get()),
      sender_(s.transport, ProgressReportInterval(o_.progress_seconds, s.num_workers)) {
  client_.SetLiveness(o_.liveness_timeout);
  report_.worker = s.worker;
  if (s.first_epoch != nullptr) {
    if (s.resume == nullptr && s.first_epoch->cache != nullptr)
      builder_.UseIdCache(std::move(s.first_epoch->cache), s.first_epoch->end);
    s.first_epoch->cache.reset();
  }
  if (s.resume != nullptr) {
    builder_.Restore(s.resume->builder);
    report_ = s.resume->report;
    report_.worker = s.worker;
    report_.final = 0;
    seconds_before_ = report_.seconds;
    cpu_before_ = report_.cpu_seconds;
  }
  // Checkpoints are taken only right after a sync of the hot-row cache, when the servers hold
  // every update and the cache equals what a resumed worker pulls: a checkpoint then changes
  // nothing, and a --deterministic run stopped and resumed stays byte-identical.
  if (const ItemId h = HotRowCount(o_.batch.hot_rows, s.vocab->size()); h > 0) {
    hot_ = std::make_unique<HotRowCache>(h, o_.batch.dim, partition_);
    spdlog::debug("hot-row cache: {} items, both matrices, synced every {} batches ({:.1f} MiB)", h, o_.hot_sync,
                  6.0 * h * o_.batch.dim * sizeof(float) / 1048576.0);
  }
  // While a checkpoint holds this worker (rank 0 collecting, a worker awaiting its release),
  // the servers still hear from it: their liveness then names the rank that really went quiet.
  if (s.checkpointing != nullptr) s.checkpointing->SetHeartbeat([this] { client_.Heartbeat(); });
}

WorkerLoop::~WorkerLoop() {
  if (setup_.checkpointing != nullptr) setup_.checkpointing->SetHeartbeat(nullptr);
}

Result<protocol::ProgressReport> WorkerLoop::Run() {
  ITEM2VEC_RETURN_IF_ERROR(Start());
  while (HasBatch()) {
    ITEM2VEC_RETURN_IF_ERROR(MaybeSyncHotRows());
    ITEM2VEC_RETURN_IF_ERROR(MaybeCheckpoint());
    TrainBatch();
    ITEM2VEC_RETURN_IF_ERROR(PushAndAdvance());
    ReportProgress();
  }
  return Finish();
}

Status WorkerLoop::Start() {
  start_ = Clock::now();
  cpu_start_ = ThreadCpuSeconds();
  loss_epoch_ = builder_.epoch();
  Result<bool> have = Fill(cur_);
  if (!have.ok()) return have.status();
  have_ = *have;
  if (!have_) return Status::Ok();
  client_.StartPull(&cur_->batch);
  const auto tw = Clock::now();
  ITEM2VEC_RETURN_IF_ERROR(client_.FinishPull(&cur_->batch));
  CountWait(tw);
  if (o_.overlap) ITEM2VEC_RETURN_IF_ERROR(FillNext());
  if (hot_) ITEM2VEC_RETURN_IF_ERROR(SyncHotRows(/*pull_fresh=*/true));
  return Status::Ok();
}

Status WorkerLoop::MaybeSyncHotRows() {
  if (hot_ && since_sync_ >= o_.hot_sync) return SyncHotRows(/*pull_fresh=*/true);
  return Status::Ok();
}

Status WorkerLoop::MaybeCheckpoint() {
  if (setup_.checkpointing == nullptr || since_sync_ != 0 || !setup_.checkpointing->Due(cur_->batch.epoch))
    return Status::Ok();
  // Between batches: every push before `cur_` is sent; `next_`'s pull must land before the
  // servers save (the model does not change meanwhile, so its rows stay valid).
  const auto tw = Clock::now();
  if (have_next_) ITEM2VEC_RETURN_IF_ERROR(client_.FinishPull(&next_->batch));
  Result<bool> stop = setup_.checkpointing->Take(StateBefore(*cur_, have_next_ ? next_ : nullptr));
  CountWait(tw);
  if (!stop.ok()) return stop.status();
  if (*stop) return Status::Interrupted("stopped after a checkpoint");
  return Status::Ok();
}

void WorkerLoop::TrainBatch() {
  Batch* b = &cur_->batch;
  if (b->epoch != loss_epoch_) {  // the reported loss covers the current epoch
    loss_epoch_ = b->epoch;
    report_.loss_sum = report_.loss_count = 0;
  }
  if (hot_) hot_->Load(b);
  const auto tk = Clock::now();
  side_mixer_.Compose(b);
  report_.loss_sum += kernel_.Train(b);
  side_mixer_.Expand(b);
  report_.kernel_seconds += Since(tk);
  if (hot_) {
    hot_->Store(*b);
    ++since_sync_;
  }
  report_.loss_count += static_cast<double>(b->pairs);
}

Status WorkerLoop::PushAndAdvance() {
  Batch* b = &cur_->batch;
  client_.StartPush(b);
  if (!o_.overlap) ITEM2VEC_RETURN_IF_ERROR(FillNext());
  const auto tw = Clock::now();
  if (have_next_) {
    ITEM2VEC_RETURN_IF_ERROR(client_.FinishPull(&next_->batch));
    if (o_.overlap) client_.CarryDeltas(*b, &next_->batch);
  }
  ITEM2VEC_RETURN_IF_ERROR(client_.FinishPush(b));
  CountWait(tw);
  std::swap(cur_, next_);
  have_ = have_next_;
  if (have_next_ && o_.overlap) ITEM2VEC_RETURN_IF_ERROR(FillNext());
  return Status::Ok();
}

void WorkerLoop::ReportProgress() {
  UpdateReport();
  client_.Heartbeat();
  if (monitor_ != nullptr) {
    monitor_->Update(report_);
  } else {
    sender_.MaybeSend(report_);
  }
}

Result<protocol::ProgressReport> WorkerLoop::Finish() {
  // The servers apply this last push before they see kWorkerDone (per-pair ordering).
  if (hot_ && since_sync_ > 0) ITEM2VEC_RETURN_IF_ERROR(SyncHotRows(/*pull_fresh=*/false));
  ITEM2VEC_RETURN_IF_ERROR(client_.SendDone());
  UpdateReport();
  LogInputTime(setup_.worker, builder_, report_.seconds - seconds_before_);
  LogTimeSplit(report_);
  if (setup_.final_state != nullptr) *setup_.final_state = StateAt(builder_.State());
  report_.final = 1;
  if (monitor_ == nullptr) ITEM2VEC_RETURN_IF_ERROR(sender_.SendFinal(report_, setup_.peer_timeout));
  return report_;
}

Result<bool> WorkerLoop::Fill(Slot* slot) {
  const auto t0 = Clock::now();
  if (setup_.checkpointing != nullptr) slot->before = builder_.State();
  Batch* b = &slot->batch;
  Result<bool> r = builder_.Fill(b);
  report_.read_seconds += Since(t0);
  if (r.ok() && *r) {
    report_.raw_tokens += b->raw_tokens;
    report_.words += b->words;
    report_.pairs += b->pairs;
    report_.capped_sets += b->capped_sets;
  }
  WarnOnce();
  return r;
}

void WorkerLoop::WarnOnce() {
  if (!capped_warned_ && report_.capped_sets > 0) {
    capped_warned_ = true;
    spdlog::warn("a line in this worker's shard has more than {} items (--max-set-size): each of its items "
                 "trains with {} others drawn at random from it instead of all; the count is capped_sets in "
                 "train.json", o_.batch.max_set_size, o_.batch.max_set_size - 1);
  }
  if (!split_warned_ && builder_.split_lines() > 0) {
    split_warned_ = true;
    spdlog::warn("a line in this worker's shard has more than {} items; long lines are split into pieces "
                 "of that size (--max-sentence), the count is in train.json", o_.batch.max_sentence);
  }
}

Status WorkerLoop::FillNext() {
  Result<bool> r = Fill(next_);
  if (!r.ok()) return r.status();
  have_next_ = *r;
  if (have_next_) client_.StartPull(&next_->batch);
  return Status::Ok();
}

Status WorkerLoop::SyncHotRows(bool pull_fresh) {
  const auto tw = Clock::now();
  Status st = hot_->Sync(&client_, pull_fresh);
  CountWait(tw);
  since_sync_ = 0;
  return st;
}

void WorkerLoop::UpdateReport() {
  report_.alpha = builder_.CurrentAlpha();
  report_.seconds = seconds_before_ + Since(start_);
  report_.cpu_seconds = cpu_before_ + (ThreadCpuSeconds() - cpu_start_);
  report_.bytes_sent = client_.bytes_sent();
  report_.bytes_received = client_.bytes_received();
  report_.split_lines = builder_.split_lines();
}

WorkerCheckpoint WorkerLoop::StateBefore(const Slot& slot, const Slot* also_filled) {
  UpdateReport();
  WorkerCheckpoint state = StateAt(slot.before);
  for (const Slot* b : {&slot, also_filled}) {
    if (b == nullptr) continue;
    state.report.raw_tokens -= b->batch.raw_tokens;
    state.report.words -= b->batch.words;
    state.report.pairs -= b->batch.pairs;
    state.report.capped_sets -= b->batch.capped_sets;
  }
  return state;
}

WorkerCheckpoint WorkerLoop::StateAt(const BuilderState& builder) const {
  WorkerCheckpoint state;
  state.worker = setup_.worker;
  state.num_workers = setup_.num_workers;
  state.shard_words = setup_.shard_words;
  state.builder = builder;
  state.report = report_;
  return state;
}

void WorkerLoop::CountWait(Clock::time_point since) { report_.wait_seconds += Since(since); }

}  // namespace item2vec
