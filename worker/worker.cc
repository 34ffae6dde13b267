#include "worker/worker.h"

#include <chrono>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/random.h"
#include "common/sequence_reader.h"
#include "worker/batch_builder.h"
#include "worker/progress.h"
#include "worker/ps_client.h"
#include "worker/sgns_kernel.h"

namespace item2vec {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

Result<protocol::ProgressReport> RunWorker(const WorkerSetup& s, ProgressMonitor* monitor) {
  const TrainOptions& o = *s.options;
  const Partition partition(s.num_servers, s.vocab->size());
  SequenceReader reader(*s.files, ShardRanges(*s.files, s.worker, s.num_workers), o.max_sentence);
  BatchBuilder builder(o, *s.vocab, partition, &reader, s.shard_words, SeedFor(o.seed, 0x5eed, static_cast<std::uint64_t>(s.worker)));
  const SigmoidTable sigmoid(o.exact_sigmoid);
  SgnsKernel kernel(o.dim, o.negative, &sigmoid, o.kernel == "hogbatch" ? KernelMode::kHogBatch : KernelMode::kPair,
                    o.window);
  PsClient client(s.transport, s.num_workers, s.num_servers, o.dim, s.peer_timeout);
  ProgressSender sender(s.transport, o.progress_seconds / 2);

  protocol::ProgressReport report;
  report.worker = s.worker;
  const auto start = Clock::now();
  int loss_epoch = 0;
  bool split_warned = false;

  auto fill = [&](Batch* b) -> Result<bool> {
    const auto t0 = Clock::now();
    Result<bool> r = builder.Fill(b);
    report.read_seconds += Since(t0);
    if (r.ok() && *r) {
      report.raw_tokens += b->raw_tokens;
      report.words += b->words;
      report.pairs += b->pairs;
    }
    if (!split_warned && builder.split_lines() > 0) {
      split_warned = true;
      spdlog::warn("a line in this worker's shard has more than {} items; long lines are split into pieces "
                   "of that size (--max-sentence), the count is in train.json", o.max_sentence);
    }
    return r;
  };

  Batch batches[2];
  Batch* cur = &batches[0];
  Batch* next = &batches[1];
  Result<bool> have = fill(cur);
  if (!have.ok()) return have.status();
  if (*have) {
    client.StartPull(cur);
    auto tw = Clock::now();
    ITEM2VEC_RETURN_IF_ERROR(client.FinishPull(cur));
    report.wait_seconds += Since(tw);
    client.Snapshot(cur);
  }
  bool have_next = false;
  if (*have && o.overlap) {
    Result<bool> r = fill(next);
    if (!r.ok()) return r.status();
    have_next = *r;
    if (have_next) client.StartPull(next);
  }
  while (*have) {
    if (cur->epoch != loss_epoch) {  // the reported loss covers the current epoch
      loss_epoch = cur->epoch;
      report.loss_sum = report.loss_count = 0;
    }
    report.loss_sum += kernel.Train(cur);
    report.loss_count += static_cast<double>(cur->pairs);
    client.StartPush(cur);
    if (!o.overlap) {
      Result<bool> r = fill(next);
      if (!r.ok()) return r.status();
      have_next = *r;
      if (have_next) client.StartPull(next);
    }
    auto tw = Clock::now();
    if (have_next) {
      ITEM2VEC_RETURN_IF_ERROR(client.FinishPull(next));
      if (o.overlap) client.CarryDeltas(*cur, next);
      client.Snapshot(next);
    }
    ITEM2VEC_RETURN_IF_ERROR(client.FinishPush(cur));
    report.wait_seconds += Since(tw);
    std::swap(cur, next);
    *have = have_next;
    if (have_next && o.overlap) {
      Result<bool> r = fill(next);
      if (!r.ok()) return r.status();
      have_next = *r;
      if (have_next) client.StartPull(next);
    }
    report.alpha = builder.CurrentAlpha();
    report.seconds = Since(start);
    report.bytes_sent = client.bytes_sent();
    report.bytes_received = client.bytes_received();
    report.split_lines = builder.split_lines();
    if (monitor != nullptr) {
      monitor->Update(report);
    } else {
      sender.MaybeSend(report);
    }
  }
  ITEM2VEC_RETURN_IF_ERROR(client.SendDone());
  report.seconds = Since(start);
  report.alpha = builder.CurrentAlpha();
  report.bytes_sent = client.bytes_sent();
  report.bytes_received = client.bytes_received();
  report.split_lines = builder.split_lines();
  report.final = 1;
  if (monitor == nullptr) ITEM2VEC_RETURN_IF_ERROR(sender.SendFinal(report, s.peer_timeout));
  return report;
}

}  // namespace item2vec
