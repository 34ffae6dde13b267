#include "job/train_finish.h"

#include <algorithm>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/atomic_file.h"
#include "common/checkpoint.h"
#include "common/json_writer.h"
#include "common/model_dir.h"
#include "common/process_usage.h"
#include "job/model_writer.h"
#include "job/rank_collectives.h"
#include "job/train_observer.h"

namespace item2vec {
namespace {

// The other ranks' usage reports (ps/protocol.h kRankUsage), waited for at most `timeout`
// seconds in all: by now every worker has sent its own and every server its own once all
// workers were done, so they are in; a missing one is left out of the table with a warning.
std::vector<protocol::RankUsage> CollectRankUsage(const TrainJob& job, double timeout) {
  Transport& t = *job.transport;
  std::vector<protocol::RankUsage> usage(static_cast<std::size_t>(job.world));
  std::vector<char> have(static_cast<std::size_t>(job.world), 0);
  usage[0] = OwnRankUsage(0, job.tables);
  have[0] = 1;
  int missing = job.world - 1;
  const auto deadline = TrainJob::Clock::now() + std::chrono::duration<double>(timeout);
  Backoff backoff;
  while (missing > 0 && TrainJob::Clock::now() < deadline) {
    Envelope e;
    if (!t.Probe(Transport::kAnySource, protocol::kRankUsage, &e)) {
      backoff.Pause();
      continue;
    }
    protocol::RankUsage u;
    std::vector<char> sink;
    const bool ours = e.bytes == sizeof u;
    if (!ours) sink.resize(e.bytes);
    if (!t.Receive(e, ours ? static_cast<void*>(&u) : sink.data()).ok() || !ours) continue;
    if (e.source < 0 || e.source >= job.world || have[static_cast<std::size_t>(e.source)]) continue;
    u.rank = e.source;
    usage[static_cast<std::size_t>(e.source)] = u;
    have[static_cast<std::size_t>(e.source)] = 1;
    --missing;
  }
  std::vector<protocol::RankUsage> got;
  for (std::size_t r = 0; r < usage.size(); ++r)
    if (have[r]) got.push_back(usage[r]);
  if (missing > 0) spdlog::warn("{} rank(s) sent no usage report within {:.0f} s; train.json leaves them out", missing, timeout);
  return got;
}

std::string RankUsageJson(const TrainJob& job, const std::vector<protocol::RankUsage>& usage) {
  JsonWriter j;
  j.BeginArray();
  for (const protocol::RankUsage& u : usage) {
    const int r = static_cast<int>(u.rank);
    j.BeginObject().Key("rank").Int(r).Key("role").String(r < job.workers ? "worker" : "server");
    j.Key("host").String(job.transport->HostOf(r)).Key("peak_rss_bytes").Int(u.peak_rss_bytes);
    j.Key("cpu_seconds").Double(u.cpu_seconds);
    if (u.tables_bytes > 0) j.Key("tables_bytes").Int(u.tables_bytes).Key("tables_pss_bytes").Int(u.tables_pss_bytes);
    j.EndObject();
  }
  j.EndArray();
  return j.str();
}

std::string TrainJson(const TrainJob& job, const ProgressMonitor& monitor, std::int64_t from_neighbours,
                      double train_seconds, double total_seconds, int checkpoints_written,
                      const std::vector<protocol::RankUsage>& usage) {
  const TrainOptions& o = job.options;
  const protocol::ProgressReport tot = monitor.Totals();
  JsonWriter j;
  j.BeginObject();
  j.Key("settings").Raw(TrainOptionsToJson(o));
  j.Key("ranks").BeginObject();
  j.Key("world").Int(job.world).Key("servers").Int(job.servers).Key("workers").Int(job.world - job.servers);
  j.EndObject();
  j.Key("vocab_size").Int(static_cast<std::int64_t>(job.vocab.size()));
  j.Key("train_words").Int(job.vocab.total_count());
  if (job.side.enabled()) {  // --side-info: the catalogue's items without events got cold vectors
    j.Key("side_info").BeginObject();
    j.Key("file").String(o.side_info).Key("columns").StringArray(job.side.columns());
    j.Key("values").Int(static_cast<std::int64_t>(job.side.num_values()));
    j.Key("items_with_side_info").Int(static_cast<std::int64_t>(job.side.num_with_side()));
    j.Key("cold_items").Int(static_cast<std::int64_t>(job.side.cold_items().size())).EndObject();
  }
  if (!o.init_from.empty()) {
    j.Key("warm_start").BeginObject();
    j.Key("from").String(o.init_from).Key("kept").Int(job.warm.kept).Key("added").Int(job.warm.added);
    j.Key("dropped").Int(job.warm.dropped).Key("new_items").String(NewItemInitName(o.new_items));
    // Known only to the run that initialised them (a resumed run took its rows from a checkpoint).
    if (from_neighbours >= 0) j.Key("initialised_from_neighbours").Int(from_neighbours);
    j.EndObject();
  }
  j.Key("resumed_from").String(job.resuming ? job.resume.path : "");
  j.Ints({{"checkpoints_written", checkpoints_written}, {"tokens_seen", tot.raw_tokens},
          {"words_trained", tot.words}, {"pairs", tot.pairs}, {"split_lines", tot.split_lines}});
  if (job.long_items >= 0) j.Key("long_items").Int(job.long_items);
  const TrainJob::VocabularySteps& vs = job.vocab_steps;
  j.Key("vocabulary_seconds").BeginObject();
  j.Key("count").Double(vs.count).Key("exchange").Double(vs.exchange).Key("gather").Double(vs.gather);
  j.Key("order").Double(vs.order).Key("tables").Double(vs.tables).Key("total").Double(vs.Total());
  j.Key("count_cpu").Double(vs.count_cpu).Key("cpu").Double(vs.cpu).EndObject();
  if (o.SetMode()) j.Key("capped_sets").Int(tot.capped_sets);
  j.Key("train_seconds").Double(train_seconds);
  j.Key("total_seconds").Double(total_seconds);
  j.Key("tokens_per_second").Double(train_seconds > 0 ? static_cast<double>(tot.raw_tokens) / train_seconds : 0);
  j.Key("final_loss").Double(tot.loss_count > 0 ? tot.loss_sum / tot.loss_count : 0);
  j.Key("bytes_per_token").Double(tot.raw_tokens > 0 ? static_cast<double>(tot.bytes_sent + tot.bytes_received) /
                                                           static_cast<double>(tot.raw_tokens)
                                                     : 0);
  j.Key("workers").BeginArray();
  for (const auto& r : monitor.reports()) {
    j.BeginObject();
    j.Key("worker").Int(r.worker).Key("tokens").Int(r.raw_tokens).Key("seconds").Double(r.seconds);
    j.Key("wait_seconds").Double(r.wait_seconds).Key("read_seconds").Double(r.read_seconds);
    j.Key("compute_seconds").Double(r.seconds - r.wait_seconds - r.read_seconds);
    j.Key("kernel_seconds").Double(r.kernel_seconds).Key("cpu_seconds").Double(r.cpu_seconds);
    j.Key("bytes_sent").Int(r.bytes_sent).Key("bytes_received").Int(r.bytes_received);
    j.EndObject();
  }
  j.EndArray();
  // For the run report (tools/report): the workers' progress over time and each rank's memory.
  j.Key("timeline").Raw(monitor.timeline().ToJson());
  j.Key("rank_usage").Raw(RankUsageJson(job, usage));
  j.EndObject();
  return j.str() + "\n";
}

}  // namespace

int FinishTrainJob(const TrainJob& job, WorkerRun* run) {
  using Clock = TrainJob::Clock;
  const TrainOptions& o = job.options;
  Transport& transport = *job.transport;
  ProgressMonitor& monitor = *run->monitor;
  WorkerCheckpointing& checkpointing = *run->checkpointing;
  // Wait for everyone (checkpointing meanwhile if asked), write the model, then release the servers.
  Status fs = monitor.WaitForFinals(run->report, o.peer_timeout, [&]() -> Status {
    Result<bool> stop = checkpointing.PollWhileFinished(run->final_state);
    if (!stop.ok()) return stop.status();
    return *stop ? Status::Interrupted("stopped after a checkpoint") : Status::Ok();
  });
  if (fs.code() == Status::Code::kInterrupted) {
    spdlog::info("stopped after saving a checkpoint: rerun with --resume to continue (exit code 75)");
    return ExitCodeOf(fs);
  }
  if (!fs.ok()) FailJob(transport, fs);
  // A checkpoint whose shards are still being written completes before the model is
  // written (the servers must have no writer left when they stop).
  if (Status ps = checkpointing.FinishPending(); !ps.ok()) FailJob(transport, ps);
  const double train_seconds = std::chrono::duration<double>(Clock::now() - run->train_start).count() +
                               (job.resuming ? job.resume.manifest.train_seconds : 0);
  const protocol::ProgressReport tot = monitor.Totals();
  if (tot.pairs == 0) {
    // Nothing was learnt: the model would be its random start under a name that says trained.
    const std::string why =
        "training made no pair: every line holds at most one item left after --min-count " +
        std::to_string(o.min_count) + " and subsampling, so the vectors are their random start; check the input " +
        "(one item per line?) and --min-count";
    if (o.strict) FailJob(transport, Status::DataError(why + " (--strict: no model written)"));
    spdlog::warn("{} (--strict makes this an error)", why);
  }
  spdlog::info("trained {} tokens in {:.2f}s ({:.0f} tokens/s), final loss {:.4f}", tot.raw_tokens, train_seconds,
               tot.raw_tokens / std::max(train_seconds, 1e-9), tot.loss_count > 0 ? tot.loss_sum / tot.loss_count : 0);
  // Every file of the model, train.json last, staged and switched in as one unit.
  const auto train_json = [&] {
    // Asked for last, after the dump: every rank's usage report has been sent by now.
    const std::vector<protocol::RankUsage> usage = CollectRankUsage(job, std::min(o.peer_timeout, 10.0));
    const double total_seconds = std::chrono::duration<double>(Clock::now() - job.start).count();
    return TrainJson(job, monitor, run->from_neighbours, train_seconds, total_seconds, checkpointing.written(), usage);
  };
  if (job.observer != nullptr) job.observer->BeforeModelWrite(o, job.vocab);
  Status ws = WriteModel(&transport, job.partition(), job.workers, job.vocab, o.dim, o.output, o.peer_timeout,
                         train_json, o.debug_kill_model_write, &job.side, o.side_info_cold);
  if (!ws.ok()) FailJob(transport, ws.WithContext("writing the model to '" + o.output + "'"));
  std::vector<Transport::Handle> handles;
  for (int s = 0; s < job.servers; ++s)
    handles.push_back(transport.Isend(job.workers + s, protocol::kShutdown, nullptr, 0));
  for (auto h : handles)
    if (Status hs = transport.Wait(h, o.peer_timeout, "stopping the servers"); !hs.ok()) FailJob(transport, hs);
  spdlog::info("wrote {}/vectors.txt, vectors.bin, vocab.tsv, train.json", o.output);
  // The model is written: the checkpoints that led to it are obsolete.
  if (Status rs = RemoveCheckpoints(o.CheckpointDir()); !rs.ok()) spdlog::warn("{}", rs.message());
  if (job.observer != nullptr) job.observer->AfterModelWrite(o, ResolveModelDir(o.output));
  return 0;
}

}  // namespace item2vec
