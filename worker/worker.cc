#include "worker/worker.h"

#include <chrono>
#include <ctime>
#include <string>
#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/random.h"
#include "common/sequence_reader.h"
#include "worker/batch_builder.h"
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

// CPU seconds used by the calling thread so far.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

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

Result<protocol::ProgressReport> RunWorker(const WorkerSetup& s, ProgressMonitor* monitor) {
  const TrainOptions& o = *s.options;
  const Partition partition(s.num_servers, s.vocab->size());
  SequenceReader reader(*s.files, ShardRanges(*s.files, s.worker, s.num_workers), o.max_sentence);
  BatchBuilder builder(o, *s.vocab, partition, &reader, s.shard_words, SeedFor(o.seed, 0x5eed, static_cast<std::uint64_t>(s.worker)));
  const SigmoidTable sigmoid(o.exact_sigmoid);
  // The kernel's scratch holds 2 * max_window contexts: enough for a whole capped set.
  const CbowMode cbow = !o.Cbow() ? CbowMode::kOff : o.cbow_sum ? CbowMode::kSum : CbowMode::kMean;
  SgnsKernel kernel(o.dim, o.negative, &sigmoid, o.kernel, (o.MaxContexts() + 1) / 2, cbow);
  // fp16 pushes keep error feedback (one residual row per pushed row, bounded table): its
  // range flushes tiny deltas to zero. bf16 pushes round stochastically instead (no state).
  std::unique_ptr<PushResidual> residual;
  if (o.Wire() == WirePrecision::kFp16)
    residual = std::make_unique<PushResidual>(
        PushResidual::CapacityFor(s.vocab->size(), PushResidual::kDefaultMaxRows), o.dim);
  PsClient client(s.transport, s.num_workers, s.num_servers, o.dim, s.peer_timeout, o.Wire(), residual.get());
  client.SetLiveness(o.LivenessTimeout());
  ProgressSender sender(s.transport, ProgressReportInterval(o.progress_seconds, s.num_workers));

  protocol::ProgressReport report;
  report.worker = s.worker;
  double seconds_before = 0;  // training time of earlier runs (resume)
  double cpu_before = 0;      // their CPU time
  if (s.resume != nullptr) {
    builder.Restore(s.resume->builder);
    report = s.resume->report;
    report.worker = s.worker;
    report.final = 0;
    seconds_before = report.seconds;
    cpu_before = report.cpu_seconds;
  }
  // Hot-row cache (--hot-rows): synced at the start, every hot_sync batches and at the end.
  // Checkpoints are taken only right after a sync, when the servers hold every update
  // and the cache equals what a resumed worker pulls: a checkpoint then changes nothing,
  // and a --deterministic run stopped and resumed stays byte-identical.
  std::unique_ptr<HotRowCache> hot;
  if (const ItemId h = HotRowCount(o, s.vocab->size()); h > 0) {
    hot = std::make_unique<HotRowCache>(h, o.dim, partition);
    spdlog::debug("hot-row cache: {} items, both matrices, synced every {} batches ({:.1f} MiB)", h, o.hot_sync,
                  6.0 * h * o.dim * sizeof(float) / 1048576.0);
  }
  int since_sync = 0;  // batches trained since the last sync of the cache
  auto sync_hot = [&](bool pull_fresh) -> Status {
    const auto tw = Clock::now();
    Status st = hot->Sync(&client, pull_fresh);
    report.wait_seconds += Since(tw);
    since_sync = 0;
    return st;
  };
  const auto start = Clock::now();
  const double cpu_start = ThreadCpuSeconds();
  int loss_epoch = builder.epoch();
  bool split_warned = false, capped_warned = false;

  // A batch and the builder state before it was filled: the resume point while it is
  // not yet trained.
  struct Slot {
    Batch batch;
    BuilderState before;
  };
  auto fill = [&](Slot* slot) -> Result<bool> {
    const auto t0 = Clock::now();
    if (s.checkpointing != nullptr) slot->before = builder.State();
    Batch* b = &slot->batch;
    Result<bool> r = builder.Fill(b);
    report.read_seconds += Since(t0);
    if (r.ok() && *r) {
      report.raw_tokens += b->raw_tokens;
      report.words += b->words;
      report.pairs += b->pairs;
      report.capped_sets += b->capped_sets;
    }
    if (!capped_warned && report.capped_sets > 0) {
      capped_warned = true;
      spdlog::warn("a line in this worker's shard has more than {} items (--max-set-size): each of its items "
                   "trains with {} others drawn at random from it instead of all; the count is capped_sets in "
                   "train.json", o.max_set_size, o.max_set_size - 1);
    }
    if (!split_warned && builder.split_lines() > 0) {
      split_warned = true;
      spdlog::warn("a line in this worker's shard has more than {} items; long lines are split into pieces "
                   "of that size (--max-sentence), the count is in train.json", o.max_sentence);
    }
    return r;
  };
  auto update = [&] {
    report.alpha = builder.CurrentAlpha();
    report.seconds = seconds_before + Since(start);
    report.cpu_seconds = cpu_before + (ThreadCpuSeconds() - cpu_start);
    report.bytes_sent = client.bytes_sent();
    report.bytes_received = client.bytes_received();
    report.split_lines = builder.split_lines();
  };
  // The checkpoint state while `slot` is the first batch not yet trained; its counts are
  // already in the report and come off again.
  auto state_before = [&](const Slot& slot, const Slot* also_filled) {
    WorkerCheckpoint state;
    state.worker = s.worker;
    state.num_workers = s.num_workers;
    state.shard_words = s.shard_words;
    state.builder = slot.before;
    update();
    state.report = report;
    for (const Slot* b : {&slot, also_filled}) {
      if (b == nullptr) continue;
      state.report.raw_tokens -= b->batch.raw_tokens;
      state.report.words -= b->batch.words;
      state.report.pairs -= b->batch.pairs;
      state.report.capped_sets -= b->batch.capped_sets;
    }
    return state;
  };

  Slot slots[2];
  Slot* cur = &slots[0];
  Slot* next = &slots[1];
  Result<bool> have = fill(cur);
  if (!have.ok()) return have.status();
  if (*have) {
    client.StartPull(&cur->batch);
    auto tw = Clock::now();
    ITEM2VEC_RETURN_IF_ERROR(client.FinishPull(&cur->batch));
    report.wait_seconds += Since(tw);
  }
  bool have_next = false;
  if (*have && o.overlap) {
    Result<bool> r = fill(next);
    if (!r.ok()) return r.status();
    have_next = *r;
    if (have_next) client.StartPull(&next->batch);
  }
  if (*have && hot) ITEM2VEC_RETURN_IF_ERROR(sync_hot(/*pull_fresh=*/true));
  while (*have) {
    if (hot && since_sync >= o.hot_sync) ITEM2VEC_RETURN_IF_ERROR(sync_hot(/*pull_fresh=*/true));
    if (s.checkpointing != nullptr && since_sync == 0 && s.checkpointing->Due(cur->batch.epoch)) {
      // Between batches: every push before `cur` is sent; `next`'s pull must land before
      // the servers save (the model does not change meanwhile, so its rows stay valid).
      auto tw = Clock::now();
      if (have_next) ITEM2VEC_RETURN_IF_ERROR(client.FinishPull(&next->batch));
      Result<bool> stop = s.checkpointing->Take(state_before(*cur, have_next ? next : nullptr));
      report.wait_seconds += Since(tw);
      if (!stop.ok()) return stop.status();
      if (*stop) return Status::Interrupted("stopped after a checkpoint");
    }
    Batch* b = &cur->batch;
    if (b->epoch != loss_epoch) {  // the reported loss covers the current epoch
      loss_epoch = b->epoch;
      report.loss_sum = report.loss_count = 0;
    }
    if (hot) hot->Load(b);
    const auto tk = Clock::now();
    report.loss_sum += kernel.Train(b);
    report.kernel_seconds += Since(tk);
    if (hot) {
      hot->Store(*b);
      ++since_sync;
    }
    report.loss_count += static_cast<double>(b->pairs);
    client.StartPush(b);
    if (!o.overlap) {
      Result<bool> r = fill(next);
      if (!r.ok()) return r.status();
      have_next = *r;
      if (have_next) client.StartPull(&next->batch);
    }
    auto tw = Clock::now();
    if (have_next) {
      ITEM2VEC_RETURN_IF_ERROR(client.FinishPull(&next->batch));
      if (o.overlap) client.CarryDeltas(*b, &next->batch);
    }
    ITEM2VEC_RETURN_IF_ERROR(client.FinishPush(b));
    report.wait_seconds += Since(tw);
    std::swap(cur, next);
    *have = have_next;
    if (have_next && o.overlap) {
      Result<bool> r = fill(next);
      if (!r.ok()) return r.status();
      have_next = *r;
      if (have_next) client.StartPull(&next->batch);
    }
    update();
    client.Heartbeat();
    if (monitor != nullptr) {
      monitor->Update(report);
    } else {
      sender.MaybeSend(report);
    }
  }
  // The servers apply this last push before they see kWorkerDone (per-pair ordering).
  if (hot && since_sync > 0) ITEM2VEC_RETURN_IF_ERROR(sync_hot(/*pull_fresh=*/false));
  ITEM2VEC_RETURN_IF_ERROR(client.SendDone());
  update();
  LogInputTime(s.worker, builder, report.seconds - seconds_before);
  LogTimeSplit(report);
  if (s.final_state != nullptr) {
    WorkerCheckpoint* final_state = s.final_state;
    *final_state = WorkerCheckpoint{};
    final_state->worker = s.worker;
    final_state->num_workers = s.num_workers;
    final_state->shard_words = s.shard_words;
    final_state->builder = builder.State();
    final_state->report = report;
  }
  report.final = 1;
  if (monitor == nullptr) ITEM2VEC_RETURN_IF_ERROR(sender.SendFinal(report, s.peer_timeout));
  return report;
}

}  // namespace item2vec
