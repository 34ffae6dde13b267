#include "job/train_roles.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/process_usage.h"
#include "job/cooccurrence_init.h"
#include "job/new_item_init.h"
#include "job/rank_collectives.h"
#include "job/rows_ready.h"
#include "ps/server_session.h"
#include "ps/shard_checkpoint.h"
#include "ps/shard_store.h"
#include "worker/worker_loop.h"

namespace item2vec {
namespace {

// User plus system CPU seconds of this process so far.
double ProcessCpuSeconds() { return MeasureProcessUsage().cpu_seconds; }

// A worker other than rank 0, once training is over: its peak memory and CPU for rank 0's
// table (ps/protocol.h kRankUsage; the servers send theirs from the serving loop).
void SendRankUsage(Transport& transport, const NodeTables& tables, double timeout) {
  const protocol::RankUsage usage = OwnRankUsage(transport.rank(), tables);
  if (Status st = transport.Wait(transport.Isend(0, protocol::kRankUsage, &usage, sizeof usage), timeout,
                                 "usage report to rank 0");
      !st.ok())
    FailJob(transport, st);
}


// Sums each rank's count of new items initialised from their neighbours (only the servers
// have any) into every rank; -1 when not applicable. A collective: all ranks call it.
std::int64_t SumFromNeighbours(const TrainJob& job, std::int64_t mine) {
  if (!job.init_from_neighbours) return -1;
  std::vector<double> sum{static_cast<double>(mine)};
  if (Status as = job.transport->AllreduceSum(&sum); !as.ok()) FailJob(*job.transport, as.WithContext("warm start"));
  return static_cast<std::int64_t>(sum[0]);
}

int RunServerRole(TrainJob* job, NewItemNeighbours* neighbours) {
  const TrainOptions& o = job->options;
  Transport& transport = *job->transport;
  const int workers = job->workers;
  std::int64_t from_neighbours = 0;
  const Partition partition = job->partition();
  if (o.debug_delay_server_rows > 0)
    std::this_thread::sleep_for(std::chrono::duration<double>(o.debug_delay_server_rows));
  ShardStore store(partition, job->rank - workers, o.dim, o.seed, o.staleness_tolerance,
                   static_cast<float>(o.init_width), o.ServerPrecision());
  if (job->resuming) {
    Status ls = LoadShard(job->resume.path, job->resume.manifest, &store);
    if (!ls.ok()) FailJob(transport, ls.WithContext("resuming from " + job->resume.path));
  } else if (!o.init_from.empty()) {
    Result<PreviousRows> rows = LoadPreviousRows(o.init_from, job->vocab, partition, job->rank - workers,
                                                 job->init_from_neighbours ? neighbours : nullptr, &store);
    if (!rows.ok()) FailJob(transport, rows.status().WithContext("warm start from '" + o.init_from + "'"));
    spdlog::debug("warm start: {} rows taken over from {}, {} new items initialised from their neighbours",
                  rows->taken, o.init_from, rows->from_neighbours);
    *neighbours = NewItemNeighbours();  // not needed any more
    if (job->side.enabled()) {
      Result<std::int64_t> side = LoadPreviousSideRows(o.init_from, job->vocab, job->side, partition,
                                                       job->rank - workers, &store);
      if (!side.ok()) FailJob(transport, side.status().WithContext("warm start from '" + o.init_from + "'"));
      spdlog::debug("warm start: {} side-information rows taken over", *side);
    }
    job->vocab = Vocabulary::FromSummary(job->vocab.summary());  // a server needs no names once its rows are in
    from_neighbours = rows->from_neighbours;
  }
  spdlog::debug("holding {} rows of each matrix in {} ({:.1f} MiB)", store.rows(),
                WirePrecisionName(store.precision()), store.BytesUsed() / 1048576.0);
  // The rows are laid out (or loaded): the workers, waiting for this (job/rows_ready.h), may
  // pull now. Without it a first pull could wait out the workers' --liveness-timeout on a
  // large shard or a loaded node.
  if (Status rs = AnnounceRowsReady(transport, workers, o.peer_timeout); !rs.ok()) FailJob(transport, rs);
  SumFromNeighbours(*job, from_neighbours);
  ServerStats stats;
  const double cpu_before = ProcessCpuSeconds();
  const auto wall_before = std::chrono::steady_clock::now();
  const ServingOptions serving{workers, job->KeyCount(), o.peer_timeout, o.CheckpointDir(), o.Wire(),
                               o.LivenessTimeout()};
  Status ss = ServerSession(transport, store, serving, &stats).Run();
  if (ss.code() == Status::Code::kInterrupted) return ExitCodeOf(ss);
  if (!ss.ok()) FailJob(transport, ss);
  // What serving cost this rank's core: in handlers = wall time handling messages, CPU = everything the
  // process used, idle polling included (the CPU the workers on this node did not get).
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  const double cpu = ProcessCpuSeconds() - cpu_before;
  spdlog::info("server: {} pulls, {} pushes, {} rows applied in {:.1f} s; in handlers {:.2f} s ({:.1f}%, waits for push parts included), CPU {:.2f} s ({:.1f}%)",
               stats.pulls, stats.pushes, stats.rows_applied, wall, stats.busy_seconds,
               100.0 * stats.busy_seconds / std::max(wall, 1e-9), cpu, 100.0 * cpu / std::max(wall, 1e-9));
  return 0;
}

// The checkpoint settings of this worker; rank 0 also fills the manifest.
CheckpointConfig MakeCheckpointConfig(const TrainJob& job, const std::optional<WorkerCheckpoint>& resume_state) {
  const TrainOptions& o = job.options;
  CheckpointConfig ckpt;
  ckpt.dir = o.CheckpointDir();
  ckpt.every_seconds = o.CheckpointEverySeconds();
  ckpt.timeout = std::max(60.0, 10 * o.peer_timeout);
  ckpt.next_sequence = job.resuming ? job.resume.manifest.sequence + 1 : 1;
  ckpt.epochs = o.epochs;
  ckpt.first_epoch = resume_state ? resume_state->builder.epoch : 0;
  ckpt.vocab = &job.vocab;
  if (job.rank == 0) {
    CheckpointManifest& m = ckpt.manifest;
    m.settings = ResumeSettings(o);
    m.settings_json = TrainOptionsToJson(o);
    m.vocab_fingerprint = job.vocab.Fingerprint();
    m.vocab_size = job.KeyCount();  // the servers' keys (items, then side-info rows)
    m.num_workers = job.workers;
    m.num_servers = job.servers;
    m.inputs = job.files;
    m.warm_kept = job.warm.kept;
    m.warm_added = job.warm.added;
    m.warm_dropped = job.warm.dropped;
  }
  return ckpt;
}

StepExit RunWorkerRole(TrainJob* job, WorkerRun* run) {
  const TrainOptions& o = job->options;
  Transport& transport = *job->transport;
  const int rank = job->rank, workers = job->workers;
  // The servers' rows (RunServerRole), at most --peer-timeout; then their warm start's count.
  if (Status ws = WaitForServerRows(transport, workers, job->servers, o.peer_timeout); !ws.ok())
    FailJob(transport, ws.WithContext("waiting for the servers' rows"));
  run->from_neighbours = SumFromNeighbours(*job, 0);
  if (rank == 0 && run->from_neighbours >= 0)
    spdlog::info("warm start: {} of {} new items initialised from the mean of their co-occurring kept items, "
                 "the others random", run->from_neighbours, job->warm.added);
  std::optional<WorkerCheckpoint> resume_state;
  if (job->resuming) {
    const ResumePoint& resume = job->resume;
    Result<WorkerCheckpoint> state =
        job->same_workers ? LoadWorkerCheckpoint(resume.path, rank)
                          : RemapWorkerState(resume, o, job->files, rank, workers, job->shard_words);
    if (!state.ok()) FailJob(transport, state.status().WithContext("resuming from " + resume.path));
    resume_state = std::move(state.value());
    job->shard_words = resume_state->shard_words;
    if (!job->same_workers && rank == 0)
      spdlog::warn("--resume: the checkpoint had {} workers, this run {}: each worker restarts its shard at "
                   "epoch {} (positions cannot carry over between layouts); the servers' matrices are exact",
                   resume.manifest.num_workers, workers, resume_state->builder.epoch + 1);
  }

  CheckpointConfig ckpt = MakeCheckpointConfig(*job, resume_state);
  if (rank == 0)
    run->monitor = std::make_unique<ProgressMonitor>(&transport, workers, o.epochs * job->vocab.total_count(),
                                                     o.progress_seconds);
  run->checkpointing = std::make_unique<WorkerCheckpointing>(&transport, std::move(ckpt), rank, workers,
                                                             job->servers, run->monitor.get());

  WorkerSetup setup;
  setup.transport = &transport;
  setup.options = &o;
  setup.vocab = &job->vocab;
  setup.files = &job->files;
  setup.worker = rank;
  setup.num_workers = workers;
  setup.num_servers = job->servers;
  setup.shard_words = job->shard_words;
  setup.peer_timeout = o.peer_timeout;
  setup.resume = resume_state ? &*resume_state : nullptr;
  setup.checkpointing = run->checkpointing.get();
  setup.final_state = &run->final_state;
  setup.side = job->side.enabled() ? &job->side : nullptr;
  setup.sampling = job->tables.memory != nullptr ? &job->tables.sampling : nullptr;
  setup.first_epoch = &job->first_epoch;
  run->train_start = TrainJob::Clock::now();
  Result<protocol::ProgressReport> report = WorkerLoop(setup, run->monitor.get()).Run();
  if (report.status().code() == Status::Code::kInterrupted) {
    spdlog::info("stopped after saving a checkpoint: rerun with --resume to continue (exit code 75)");
    return ExitCodeOf(report.status());
  }
  if (!report.ok()) FailJob(transport, report.status().WithContext("training"));
  if (rank != 0) {
    SendRankUsage(transport, job->tables, o.peer_timeout);
    return 0;
  }
  run->report = *report;
  return std::nullopt;
}

}  // namespace

StepExit RunRole(TrainJob* job, WorkerRun* run) {
  // Warm start: the neighbours of the new items, when they start from them.
  NewItemNeighbours neighbours;
  if (job->init_from_neighbours)
    neighbours = FindNewItemNeighbours(*job->transport, job->options, job->files, job->vocab,
                                       std::move(job->new_ids), job->workers);
  if (job->is_server) return RunServerRole(job, &neighbours);
  neighbours = NewItemNeighbours();
  return RunWorkerRole(job, run);
}

}  // namespace item2vec
